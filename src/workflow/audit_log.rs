//! Checking the audit chain: reads it page by page from the store and recomputes every hash.

use super::{Service, WorkflowResult};
use crate::audit::{BrokenLink, ChainHead, ChainVerifier};

/// Events read per query while verifying.
const PAGE: i64 = 1000;

/// An intact chain: how long it is and where it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditReport {
    pub head: ChainHead,
}

impl Service {
    /// Recomputes the chain up to the head stored when the check starts and compares them.
    /// Fails with `AuditBroken` naming the first broken link. The head is read first: events a
    /// running service appends meanwhile lie beyond it and are left for the next check, instead
    /// of looking like a head that lags behind a tampered tail.
    pub async fn verify_audit_log(&self) -> WorkflowResult<AuditReport> {
        let mut stored_head = self.store.audit_head().await?;
        if stored_head.is_none() && !self.store.audit_events(0, 1).await?.is_empty() {
            // The first event may have been committed, with its head, between the two reads.
            stored_head = self.store.audit_head().await?;
            if stored_head.is_none() {
                return Err(BrokenLink::HeadMissing.into());
            }
        }
        let last_seq = stored_head.map_or(0, |head| head.seq);
        let mut verifier = ChainVerifier::new();
        'pages: while verifier.checked().seq < last_seq {
            let after = verifier.checked().seq;
            let page = self.store.audit_events(after, PAGE).await?;
            if page.is_empty() {
                break;
            }
            for event in &page {
                if event.seq > last_seq {
                    break 'pages;
                }
                verifier.push(event)?;
            }
        }
        let head = verifier.finish(stored_head)?;
        Ok(AuditReport { head })
    }
}
