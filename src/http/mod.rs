//! The axum routers: JSON API under /api/v1, authentication, problem+json errors, health, metrics and HTML pages.
//!
//! `router(state)` assembles the service from per-area routers (`health`, `auth`, `org`, …; a new
//! area adds one `.merge(area::routes())` line in `api_routes`). Areas use `utoipa_axum`'s
//! `OpenApiRouter` with `routes!`, so each JSON endpoint is routed and documented from the same
//! annotation; `GET /api/v1/openapi.json` serves the result. Around every request: a request id
//! (`x-request-id`, generated when absent, echoed back), a tracing span, Prometheus counters, a
//! body limit, a timeout, and a panic guard that answers 500 instead of dropping the connection.

pub mod auth;
pub mod health;
pub mod org;
pub mod problem;
pub mod state;
pub mod tsa;
pub mod verify;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

pub use problem::{ApiJson, ApiPath, ApiQuery, Problem, ProblemKind};
pub use state::AppState;

/// Routes outside the OpenAPI document: they do not speak JSON.
pub const UNDOCUMENTED_ROUTES: &[(&str, &str)] =
    &[("GET", "/metrics"), ("GET", "/api/v1/openapi.json")];

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "vanthu",
        description = "Văn thư: official document routing, PAdES signing and verification for a provincial People's Procuracy. Errors are application/problem+json with a stable `type`."
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "auth", description = "Login, logout and the signed-in user"),
        (name = "organisation", description = "Units and users"),
        (name = "timestamp", description = "RFC 3161 timestamp authority (DER in, DER out; not JSON)"),
        (name = "verification", description = "Public verification of PDF signatures"),
    )
)]
struct ApiDoc;

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every documented area. Add new areas here.
pub fn api_routes() -> OpenApiRouter<AppState> {
    use utoipa::OpenApi as _;
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::routes())
        .merge(auth::routes())
        .merge(org::routes())
        .merge(tsa::routes())
        .merge(verify::routes())
}

/// The OpenAPI document of every JSON endpoint.
pub fn openapi() -> OpenApi {
    api_routes().into_openapi()
}

/// The whole service.
pub fn router(state: AppState) -> Router {
    let (api, document) = api_routes().split_for_parts();
    let document = Arc::new(document);
    let timeout = state.http.request_timeout;
    let body_limit = state.http.body_limit;
    api.route(
        "/api/v1/openapi.json",
        get(move || {
            let document = document.clone();
            async move { axum::Json(document.as_ref().clone()) }
        }),
    )
    .route("/metrics", get(health::metrics))
    .fallback(no_route)
    .method_not_allowed_fallback(method_not_allowed)
    .layer(DefaultBodyLimit::max(body_limit))
    .layer(middleware::from_fn(record_metrics))
    .layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
            )
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(HandleErrorLayer::new(timeout_response))
            .timeout(timeout),
    )
    .with_state(state)
}

fn request_span(request: &Request) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id,
    )
}

/// Counts requests and their duration per method, matched route and status.
async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    // Only standard methods become labels: arbitrary method names would each create a series
    // that is never freed.
    let method = match *request.method() {
        Method::GET
        | Method::POST
        | Method::PUT
        | Method::PATCH
        | Method::DELETE
        | Method::HEAD
        | Method::OPTIONS => request.method().to_string(),
        _ => "other".to_string(),
    };
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

async fn no_route() -> Problem {
    Problem::new(
        ProblemKind::NoRoute,
        "Không có địa chỉ này / There is no endpoint at this path",
    )
}

async fn method_not_allowed() -> Problem {
    Problem::new(
        ProblemKind::MethodNotAllowed,
        "Địa chỉ này không nhận phương thức đó / This endpoint does not accept that method",
    )
}

async fn timeout_response(error: tower::BoxError) -> Response {
    if error.is::<tower::timeout::error::Elapsed>() {
        Problem::new(
            ProblemKind::Timeout,
            "Yêu cầu xử lý quá lâu / The request took too long",
        )
        .into_response()
    } else {
        Problem::internal(error.as_ref()).into_response()
    }
}

fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    Problem::new(
        ProblemKind::Internal,
        "Đã có lỗi trong hệ thống / Something failed inside the service",
    )
    .into_response()
}

/// Serves `app` on `listener` until `shutdown` completes, then lets running requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The client address feeds the rate limit of the public verification route.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

/// How long a graceful shutdown waits for running requests.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
