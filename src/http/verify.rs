//! `POST /api/v1/verify`: the public verification service. One or more PDFs in a
//! `multipart/form-data` body, one verification report per file back (the same JSON as
//! `vanthu verify --json` and the library's [`Verifier`]). No login: anyone who received a
//! document may check it. Guarded by an upload limit of its own, a limit on concurrent
//! verifications, and a rate limit per client address; bad input is answered with
//! `application/problem+json`. Parsing and hashing run on the blocking pool.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::multipart::MultipartError;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Extension, Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use bytes::Bytes;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::Serialize;
use tokio::sync::Semaphore;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::problem::{Problem, ProblemBody, ProblemKind};
use super::state::AppState;
use crate::pdf::Limits;
use crate::verify::Verifier;
use crate::verify::report::{FileReport, Language, html};

/// Most files in one request.
pub const MAX_FILES_PER_REQUEST: usize = 20;

/// The verifier and the guards around it, shared by all requests.
pub struct VerificationService {
    verifier: Verifier,
    upload_limit: usize,
    /// Verifications running at once (each reads and hashes a whole file). A permit is held by
    /// the blocking work itself, not by the request: a request that times out and is dropped
    /// does not free a slot while its verification still runs.
    running: Arc<Semaphore>,
    /// Uploads held in memory at once (each up to `upload_limit`), from reading the body to the
    /// end of its verification: what bounds the memory of this public endpoint.
    uploads: Arc<Semaphore>,
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl std::fmt::Debug for VerificationService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationService")
            .field("upload_limit", &self.upload_limit)
            .finish_non_exhaustive()
    }
}

/// Requests per minute and burst per client address.
const REQUESTS_PER_MINUTE: u32 = 30;
const BURST: u32 = 10;

impl VerificationService {
    /// `upload_limit` bounds a whole request body; the verifier's limits bound each file.
    pub fn new(verifier: Verifier, upload_limit: usize) -> Self {
        Self::with_rate(verifier, upload_limit, REQUESTS_PER_MINUTE, BURST)
    }

    /// As [`new`](Self::new) with another rate: `per_minute` requests per minute per client
    /// address, `burst` at once.
    pub fn with_rate(verifier: Verifier, upload_limit: usize, per_minute: u32, burst: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let workers = std::thread::available_parallelism()
            .map(std::num::NonZeroUsize::get)
            .unwrap_or(1);
        VerificationService {
            verifier,
            upload_limit,
            running: Arc::new(Semaphore::new(workers)),
            uploads: Arc::new(Semaphore::new(workers * 2)),
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)),
        }
    }

    pub fn upload_limit(&self) -> usize {
        self.upload_limit
    }

    /// Admits one more request from `client`, or says how long to wait.
    fn admit(&self, client: IpAddr) -> Result<(), Problem> {
        // Forget idle clients now and then so the table stays small.
        if self.limiter.len() > 10_000 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&client_key(client)).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Problem {
                retry_after: Some(wait.max(Duration::from_secs(1))),
                ..Problem::new(
                    ProblemKind::TooManyAttempts,
                    "Quá nhiều yêu cầu kiểm tra từ địa chỉ này; hãy thử lại sau / Too many verification requests from this address; try again later",
                )
            }
        })
    }
}

/// The rate-limit key of a client: its IPv4 address, or the /64 network of an IPv6 one (a single
/// host usually holds a whole /64, and would otherwise get one allowance per address).
fn client_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            IpAddr::from([
                segments[0],
                segments[1],
                segments[2],
                segments[3],
                0,
                0,
                0,
                0,
            ])
        }
    }
}

/// The route, exempt from the service's global body limit: uploads are counted against the
/// verification service's own limit while they are read.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(verify))
        .layer(DefaultBodyLimit::disable())
}

/// The multipart form: each part named `file` is a PDF.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct VerifyUpload {
    /// One or more PDF files.
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Vec<Vec<u8>>,
}

/// One report per uploaded file, in upload order (verification report, schema version 1).
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Vec<Object>)]
pub struct VerifyResponse(pub Vec<FileReport>);

/// Verifies the signatures of the uploaded PDFs.
#[utoipa::path(
    post,
    path = "/api/v1/verify",
    tag = "verification",
    request_body(content = VerifyUpload, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "One verification report per file (schema version 1): per file `indication`, `signatures`, `errors`; per signature `field`, `indication`, `sub_indication`, `intact`, `coverage`, `modification_level`, `docmdp_ok`, `signer`, `chain`, `revocation`, `signing_time`, `timestamp`, `pades_level`, `findings`. With `Accept: text/html`, the same reports as an HTML page in Vietnamese and English.", content((VerifyResponse = "application/json"), (String = "text/html"))),
        (status = 400, description = "Not a multipart form, or no file in it", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "The upload exceeds the limit", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn verify(
    State(state): State<AppState>,
    client: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, Problem> {
    let service = state.verification.clone();
    let address = client
        .map(|Extension(ConnectInfo(address))| address.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    service.admit(address)?;
    let mut multipart = multipart.map_err(|rejection| {
        Problem::new(
            ProblemKind::BadRequest,
            format!(
                "Cần gửi tệp PDF dạng multipart/form-data / Send the PDFs as multipart/form-data: {rejection}"
            ),
        )
    })?;
    let upload = service.uploads.clone().try_acquire_owned().map_err(|_| Problem {
        retry_after: Some(Duration::from_secs(5)),
        ..Problem::new(
            ProblemKind::Unavailable,
            "Dịch vụ kiểm tra đang bận; hãy thử lại sau / The verification service is busy; try again later",
        )
    })?;
    let files = read_files(&mut multipart, service.upload_limit).await?;
    let permit = service
        .running
        .clone()
        .acquire_owned()
        .await
        .map_err(|error| Problem::internal(&error))?;
    let worker = service.clone();
    let reports = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _upload = upload;
        verify_within_budget(&worker.verifier, files)
    })
    .await
    .map_err(|error| Problem::internal(&error))?;
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    Ok(if wants_html {
        Html(html::render_page(&reports, Language::Both)).into_response()
    } else {
        Json(VerifyResponse(reports)).into_response()
    })
}

/// Verifies `files` one after another. The verifier's processing-time limit is the budget of
/// the whole request: each file gets what the ones before it left, so one request never holds a
/// verification slot longer than that.
fn verify_within_budget(verifier: &Verifier, files: Vec<(String, Bytes)>) -> Vec<FileReport> {
    let deadline = verifier
        .limits()
        .max_processing_time
        .map(|budget| Instant::now() + budget);
    files
        .into_iter()
        .map(|(name, bytes)| match deadline {
            Some(deadline) => {
                let limits = Limits {
                    max_processing_time: Some(deadline.saturating_duration_since(Instant::now())),
                    ..verifier.limits().clone()
                };
                verifier
                    .clone()
                    .with_limits(limits)
                    .verify_bytes(&name, bytes)
            }
            None => verifier.verify_bytes(&name, bytes),
        })
        .collect()
}

/// Every file part, with its file name (or `file-N`), within `limit` bytes in all.
async fn read_files(
    multipart: &mut Multipart,
    limit: usize,
) -> Result<Vec<(String, Bytes)>, Problem> {
    let mut files = Vec::new();
    let mut total = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_problem)? {
        if files.len() == MAX_FILES_PER_REQUEST {
            return Err(Problem::new(
                ProblemKind::BadRequest,
                format!(
                    "Mỗi lần chỉ kiểm tra tối đa {MAX_FILES_PER_REQUEST} tệp / At most {MAX_FILES_PER_REQUEST} files per request"
                ),
            ));
        }
        let name = field
            .file_name()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("file-{}", files.len() + 1));
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_problem)? {
            total = total.saturating_add(chunk.len());
            if total > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        files.push((name, Bytes::from(bytes)));
    }
    if files.is_empty() {
        return Err(Problem::new(
            ProblemKind::BadRequest,
            "Không có tệp nào để kiểm tra / No file to verify",
        )
        .with_field("file"));
    }
    Ok(files)
}

fn too_large() -> Problem {
    Problem::new(
        ProblemKind::PayloadTooLarge,
        "Tệp tải lên vượt quá giới hạn / The upload exceeds the limit",
    )
}

fn multipart_problem(error: MultipartError) -> Problem {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        Problem::new(
            ProblemKind::BadRequest,
            format!("Nội dung multipart không đọc được / Unreadable multipart body: {error}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_host_shares_one_allowance_per_64() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let elsewhere: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(one), client_key(other));
        assert_ne!(client_key(one), client_key(elsewhere));
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(client_key(v4), v4);
    }
}
