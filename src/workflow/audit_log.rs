//! Checking the audit chain: reads it page by page from the store and recomputes every hash.

use super::{Service, WorkflowResult};
use crate::audit::{ChainHead, ChainVerifier};

/// Events read per query while verifying.
const PAGE: i64 = 1000;

/// An intact chain: how long it is and where it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditReport {
    pub head: ChainHead,
}

impl Service {
    /// Recomputes the whole chain and compares its end with the stored head. Fails with
    /// `AuditBroken` naming the first broken link.
    pub async fn verify_audit_log(&self) -> WorkflowResult<AuditReport> {
        let mut verifier = ChainVerifier::new();
        loop {
            let after = verifier.checked().seq;
            let page = self.store.audit_events(after, PAGE).await?;
            if page.is_empty() {
                break;
            }
            for event in &page {
                verifier.push(event)?;
            }
        }
        let head = verifier.finish(self.store.audit_head().await?)?;
        Ok(AuditReport { head })
    }
}
