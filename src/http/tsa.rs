//! `POST /tsa`: the RFC 3161 timestamp authority over HTTP (RFC 3161 §3.4). A DER
//! `TimeStampReq` in (`application/timestamp-query`), a DER `TimeStampResp` out
//! (`application/timestamp-reply`, HTTP 200 whether the request was granted or rejected — the
//! rejection and its failInfo are inside). Not under `/api/v1` and without login: RFC 3161
//! clients (pyHanko, `openssl ts`, Adobe) know only a URL. HTTP-level errors are problem
//! documents: 415 for another content type, 413 past [`MAX_REQUEST_BYTES`], 503 when no
//! authority is configured.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::problem::{Problem, ProblemBody, ProblemKind};
use super::state::AppState;
use crate::tsa::{QUERY_MEDIA_TYPE, REPLY_MEDIA_TYPE};

/// The largest accepted request. A `TimeStampReq` is about a hundred bytes (a SHA-512 imprint,
/// a policy, a nonce); extensions would add a few more.
pub const MAX_REQUEST_BYTES: usize = 16 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(timestamp))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
}

/// A DER-encoded ASN.1 structure.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Der(pub Vec<u8>);

/// Issues an RFC 3161 timestamp token.
#[utoipa::path(
    post,
    path = "/tsa",
    tag = "timestamp",
    request_body(
        content = Der,
        content_type = "application/timestamp-query",
        description = "DER TimeStampReq (RFC 3161 §2.4.1)"
    ),
    responses(
        (status = 200, description = "DER TimeStampResp: granted with a token, or a rejection with its failInfo", body = Der, content_type = "application/timestamp-reply"),
        (status = 413, description = "The request is larger than 16 KiB", body = ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/timestamp-query", body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, description = "No timestamp authority is configured", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn timestamp(State(state): State<AppState>, request: Request) -> Response {
    let Some(authority) = state.tsa.clone() else {
        return Problem::new(
            ProblemKind::Unavailable,
            "Máy chủ chưa cấu hình dịch vụ cấp dấu thời gian / No timestamp authority is configured",
        )
        .into_response();
    };
    if !has_query_content_type(&request) {
        return Problem::new(
            ProblemKind::UnsupportedMediaType,
            format!(
                "Cần Content-Type: {QUERY_MEDIA_TYPE} / Expected Content-Type: {QUERY_MEDIA_TYPE}"
            ),
        )
        .into_response();
    }
    let body = match Bytes::from_request(request, &state).await {
        Ok(body) => body,
        Err(rejection) => return body_problem(rejection).into_response(),
    };
    let answer = authority.respond(&body).await;
    let mut response = (StatusCode::OK, answer.der).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(REPLY_MEDIA_TYPE),
    );
    response
}

fn has_query_content_type(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(QUERY_MEDIA_TYPE))
}

fn body_problem(rejection: BytesRejection) -> Problem {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(
            ProblemKind::PayloadTooLarge,
            format!(
                "Yêu cầu dấu thời gian vượt quá {MAX_REQUEST_BYTES} byte / The timestamp request is larger than {MAX_REQUEST_BYTES} bytes"
            ),
        )
    } else {
        Problem::new(ProblemKind::BadRequest, rejection.body_text())
    }
}
