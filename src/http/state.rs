//! What every handler can reach: the use cases, the HTTP settings, the metrics registry and the
//! timestamp authority, when one is configured.

use std::sync::{Arc, OnceLock};

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::config::{DEFAULT_VERIFY_UPLOAD_LIMIT, HttpSettings};
use crate::http::verify::VerificationService;
use crate::pki::trust::TrustStore;
use crate::tsa::TimestampAuthority;
use crate::verify::Verifier;
use crate::workflow::Service;

/// Shared by all handlers; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    pub http: HttpSettings,
    pub metrics: PrometheusHandle,
    /// The RFC 3161 authority behind `POST /tsa`, when one is configured.
    pub tsa: Option<Arc<TimestampAuthority>>,
    /// `POST /api/v1/verify`: the verifier and its guards.
    pub verification: Arc<VerificationService>,
}

impl AppState {
    pub fn new(service: Service, http: HttpSettings) -> Self {
        AppState {
            service,
            http,
            metrics: metrics_handle(),
            tsa: None,
            verification: Arc::new(VerificationService::new(
                Verifier::new(Arc::new(TrustStore::new())),
                DEFAULT_VERIFY_UPLOAD_LIMIT,
            )),
        }
    }

    /// The same state with a timestamp authority for `POST /tsa`.
    pub fn with_tsa(mut self, authority: Arc<TimestampAuthority>) -> Self {
        self.tsa = Some(authority);
        self
    }

    /// Replaces the verification service (trust anchors, limits) of a state made by
    /// [`AppState::new`], which trusts nothing.
    pub fn with_verification(mut self, verification: VerificationService) -> Self {
        self.verification = Arc::new(verification);
        self
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("service", &self.service)
            .field("http", &self.http)
            .field("tsa", &self.tsa)
            .finish_non_exhaustive()
    }
}

/// The process-wide Prometheus recorder, installed on first use. A process has one global
/// metrics recorder, so every router built in it (tests build many) shares this one.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Fails only if something else installed a recorder first; then this handle renders
            // nothing, which is better than refusing to start.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
