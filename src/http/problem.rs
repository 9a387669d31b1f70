//! Errors as `application/problem+json` (RFC 9457), and the JSON body extractor that turns a
//! malformed body into such an error naming the offending field.
//!
//! Every kind of error has a stable `type` URI, `/problems/<kind>`, that clients may match on;
//! titles are Vietnamese first, English second. Internal errors are logged with their cause and
//! answered without it.

use crate::error_chain::error_chain;
use std::time::Duration;

use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::domain::org::FieldError;
use crate::workflow::WorkflowError;

/// The kinds of problem the API answers with; each has a stable type URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    BadRequest,
    MalformedJson,
    UnsupportedMediaType,
    PayloadTooLarge,
    Validation,
    Unauthenticated,
    BadCredentials,
    Forbidden,
    NotFound,
    NoRoute,
    MethodNotAllowed,
    Conflict,
    TooManyAttempts,
    Timeout,
    Unavailable,
    Internal,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 16] = [
        ProblemKind::BadRequest,
        ProblemKind::MalformedJson,
        ProblemKind::UnsupportedMediaType,
        ProblemKind::PayloadTooLarge,
        ProblemKind::Validation,
        ProblemKind::Unauthenticated,
        ProblemKind::BadCredentials,
        ProblemKind::Forbidden,
        ProblemKind::NotFound,
        ProblemKind::NoRoute,
        ProblemKind::MethodNotAllowed,
        ProblemKind::Conflict,
        ProblemKind::TooManyAttempts,
        ProblemKind::Timeout,
        ProblemKind::Unavailable,
        ProblemKind::Internal,
    ];

    /// The stable `type` URI (relative: it resolves against the service's own address).
    pub fn type_uri(self) -> &'static str {
        match self {
            ProblemKind::BadRequest => "/problems/bad-request",
            ProblemKind::MalformedJson => "/problems/malformed-json",
            ProblemKind::UnsupportedMediaType => "/problems/unsupported-media-type",
            ProblemKind::PayloadTooLarge => "/problems/payload-too-large",
            ProblemKind::Validation => "/problems/validation",
            ProblemKind::Unauthenticated => "/problems/unauthenticated",
            ProblemKind::BadCredentials => "/problems/bad-credentials",
            ProblemKind::Forbidden => "/problems/forbidden",
            ProblemKind::NotFound => "/problems/not-found",
            ProblemKind::NoRoute => "/problems/no-route",
            ProblemKind::MethodNotAllowed => "/problems/method-not-allowed",
            ProblemKind::Conflict => "/problems/conflict",
            ProblemKind::TooManyAttempts => "/problems/too-many-attempts",
            ProblemKind::Timeout => "/problems/timeout",
            ProblemKind::Unavailable => "/problems/unavailable",
            ProblemKind::Internal => "/problems/internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ProblemKind::BadRequest | ProblemKind::MalformedJson => StatusCode::BAD_REQUEST,
            ProblemKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemKind::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::Unauthenticated | ProblemKind::BadCredentials => StatusCode::UNAUTHORIZED,
            ProblemKind::Forbidden => StatusCode::FORBIDDEN,
            ProblemKind::NotFound | ProblemKind::NoRoute => StatusCode::NOT_FOUND,
            ProblemKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemKind::Conflict => StatusCode::CONFLICT,
            ProblemKind::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            ProblemKind::Timeout | ProblemKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ProblemKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ProblemKind::BadRequest => "Yêu cầu không hợp lệ / Bad request",
            ProblemKind::MalformedJson => "JSON không đọc được / Malformed JSON",
            ProblemKind::UnsupportedMediaType => {
                "Kiểu nội dung không được hỗ trợ / Unsupported media type"
            }
            ProblemKind::PayloadTooLarge => "Nội dung quá lớn / Payload too large",
            ProblemKind::Validation => "Dữ liệu không hợp lệ / Invalid data",
            ProblemKind::Unauthenticated => "Chưa đăng nhập / Not signed in",
            ProblemKind::BadCredentials => "Đăng nhập thất bại / Login failed",
            ProblemKind::Forbidden => "Không có quyền / Forbidden",
            ProblemKind::NotFound => "Không tìm thấy / Not found",
            ProblemKind::NoRoute => "Không có địa chỉ này / No such endpoint",
            ProblemKind::MethodNotAllowed => "Phương thức không được phép / Method not allowed",
            ProblemKind::Conflict => "Đã tồn tại / Already exists",
            ProblemKind::TooManyAttempts => "Quá nhiều lần thử / Too many attempts",
            ProblemKind::Timeout => "Hết thời gian xử lý / Request timed out",
            ProblemKind::Unavailable => "Dịch vụ chưa sẵn sàng / Service unavailable",
            ProblemKind::Internal => "Lỗi hệ thống / Internal error",
        }
    }
}

/// The body of a problem response.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProblemBody {
    /// Stable URI of the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request field at fault (validation, malformed JSON, conflicts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error answer: a kind, a human-readable detail and, where it applies, the field at fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub detail: String,
    pub field: Option<String>,
    pub retry_after: Option<Duration>,
}

impl Problem {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Problem {
            kind,
            detail: detail.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn unauthenticated() -> Self {
        Problem::new(
            ProblemKind::Unauthenticated,
            WorkflowError::Unauthenticated.to_string(),
        )
    }

    /// An internal failure: the cause goes to the log, the client gets a generic answer.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %error_chain(cause), "internal error");
        Problem::new(
            ProblemKind::Internal,
            "Đã có lỗi trong hệ thống; xem nhật ký máy chủ / Something failed inside the service; see the server log",
        )
    }

    pub fn body(&self) -> ProblemBody {
        ProblemBody {
            kind: self.kind.type_uri().to_string(),
            title: self.kind.title().to_string(),
            status: self.kind.status().as_u16(),
            detail: self.detail.clone(),
            field: self.field.clone(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut response = (self.kind.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(retry_after) = self.retry_after {
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after.as_secs().max(1)),
            );
        }
        if self.kind == ProblemKind::Unauthenticated {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<FieldError> for Problem {
    fn from(error: FieldError) -> Self {
        Problem::new(ProblemKind::Validation, error.to_string()).with_field(error.field)
    }
}

impl From<WorkflowError> for Problem {
    fn from(error: WorkflowError) -> Self {
        let detail = error.to_string();
        match error {
            WorkflowError::Invalid(field) => field.into(),
            WorkflowError::NotFound { .. } => Problem::new(ProblemKind::NotFound, detail),
            WorkflowError::Conflict { field, .. } => {
                Problem::new(ProblemKind::Conflict, detail).with_field(field)
            }
            WorkflowError::Forbidden { .. } => Problem::new(ProblemKind::Forbidden, detail),
            WorkflowError::BadCredentials => Problem::new(ProblemKind::BadCredentials, detail),
            WorkflowError::Unauthenticated => Problem::unauthenticated(),
            WorkflowError::TooManyAttempts { retry_after } => Problem {
                retry_after: Some(retry_after),
                ..Problem::new(ProblemKind::TooManyAttempts, detail)
            },
            WorkflowError::AuditBroken(_)
            | WorkflowError::Password(_)
            | WorkflowError::Store(_) => Problem::internal(&error),
        }
    }
}

/// A JSON request body. Unlike `axum::Json`, every rejection is a problem document: 415 without
/// a JSON content type, 413 over the body limit, 400 for broken JSON, 422 for well-formed JSON
/// of the wrong shape — each naming the field when one is at fault.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !has_json_content_type(&request) {
            return Err(Problem::new(
                ProblemKind::UnsupportedMediaType,
                "Cần Content-Type: application/json / Expected Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(body_rejection)?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Path parameters; a rejection is a problem document.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|rejection| Problem::new(ProblemKind::BadRequest, rejection.body_text()))
    }
}

/// Query parameters; a rejection is a problem document.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(value)| ApiQuery(value))
            .map_err(|rejection| Problem::new(ProblemKind::BadRequest, rejection.body_text()))
    }
}

fn has_json_content_type(request: &Request) -> bool {
    let Some(value) = request.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(text) = value.to_str() else {
        return false;
    };
    let essence = text
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn body_rejection(rejection: BytesRejection) -> Problem {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(
            ProblemKind::PayloadTooLarge,
            "Nội dung vượt quá giới hạn cho phép / The request body is larger than allowed",
        )
    } else {
        Problem::new(ProblemKind::MalformedJson, rejection.body_text())
    }
}

/// Deserialises a body, naming the field at fault by its path (`roles[0]`, `unit.code`).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(&mut deserializer) {
        // Anything but whitespace after the value is malformed, not ignored.
        Ok(value) => deserializer
            .end()
            .map(|()| value)
            .map_err(|error| Problem::new(ProblemKind::MalformedJson, format!("JSON: {error}"))),
        Err(error) => {
            let path = error.path().to_string();
            let inner = error.into_inner();
            let message = inner.to_string();
            let kind = match inner.classify() {
                serde_json::error::Category::Data => ProblemKind::Validation,
                _ => ProblemKind::MalformedJson,
            };
            let field = missing_field(&message)
                .map(|name| join_path(&path, name))
                .or_else(|| (path != ".").then_some(path));
            let problem = Problem::new(kind, format!("JSON: {message}"));
            Err(match field {
                Some(field) => problem.with_field(field),
                None => problem,
            })
        }
    }
}

/// The name in "missing field `x`": the path then points at the enclosing object. (For an
/// unknown field the path already ends with the field's name.)
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

fn join_path(path: &str, name: &str) -> String {
    if path == "." || path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Login {
        username: String,
        password: String,
        roles: Option<Vec<crate::domain::org::Role>>,
    }

    #[test]
    fn trailing_data_after_the_json_is_malformed() {
        let trailing = parse_json::<Login>(br#"{"username":"a","password":"x"} {}"#).unwrap_err();
        assert_eq!(trailing.kind, ProblemKind::MalformedJson);
        assert!(parse_json::<Login>(b"{\"username\":\"a\",\"password\":\"x\"}\n ").is_ok());
    }

    #[test]
    fn the_field_at_fault_is_named() {
        let missing = parse_json::<Login>(br#"{"username":"a"}"#).unwrap_err();
        assert_eq!(missing.kind, ProblemKind::Validation);
        assert_eq!(missing.field.as_deref(), Some("password"));

        let wrong_type = parse_json::<Login>(br#"{"username":1,"password":"x"}"#).unwrap_err();
        assert_eq!(wrong_type.field.as_deref(), Some("username"));

        let bad_role = parse_json::<Login>(br#"{"username":"a","password":"x","roles":["root"]}"#)
            .unwrap_err();
        assert_eq!(bad_role.field.as_deref(), Some("roles[0]"));

        let unknown =
            parse_json::<Login>(br#"{"username":"a","password":"x","pw":1}"#).unwrap_err();
        assert_eq!(unknown.field.as_deref(), Some("pw"));

        let broken = parse_json::<Login>(br#"{"username":"#).unwrap_err();
        assert_eq!(broken.kind, ProblemKind::MalformedJson);
    }

    #[test]
    fn every_kind_has_its_own_type_uri() {
        let uris: std::collections::HashSet<_> = ProblemKind::ALL
            .iter()
            .map(|kind| kind.type_uri())
            .collect();
        assert_eq!(uris.len(), ProblemKind::ALL.len());
    }
}
