//! Authentication over HTTP: login (bearer token and session cookie), logout, `GET /me`, and
//! the extractors other areas use — `CurrentUser` for any signed-in user, `Authorized<R>` for a
//! role guard.
//!
//! A request is authenticated by `Authorization: Bearer <token>` or, for the web pages, by the
//! `vanthu_session` cookie (HttpOnly, SameSite=Strict, so other sites cannot send it).

use std::marker::PhantomData;

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::problem::{ApiJson, Problem, ProblemBody};
use super::state::AppState;
use crate::config::Secret;
use crate::domain::org::Role;
use crate::workflow::{Account, Caller};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "vanthu_session";

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
}

/// The signed-in user of a request, and the token that signed them in.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account: Account,
    pub token: Secret<String>,
}

impl CurrentUser {
    pub fn caller(&self) -> Caller {
        Caller::User(Box::new(self.account.clone()))
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let token = token_from(&parts.headers).ok_or_else(Problem::unauthenticated)?;
        let account = state.service.authenticate(&token).await?;
        Ok(CurrentUser {
            account,
            token: Secret::new(token),
        })
    }
}

/// The bearer token, else the session cookie.
fn token_from(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|token| !token.is_empty());
    if let Some(token) = bearer {
        return Some(token.to_string());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_string())
}

/// A set of roles that a guarded handler accepts.
pub trait RoleSet: Send + Sync + 'static {
    const ROLES: &'static [Role];
}

/// Administrators only.
#[derive(Debug)]
pub struct AdminOnly;

impl RoleSet for AdminOnly {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// A signed-in user holding one of `R::ROLES`; otherwise 401 (not signed in) or 403.
#[derive(Debug)]
pub struct Authorized<R: RoleSet> {
    pub user: CurrentUser,
    roles: PhantomData<R>,
}

impl<R: RoleSet> Authorized<R> {
    pub fn caller(&self) -> Caller {
        self.user.caller()
    }
}

impl<R: RoleSet> FromRequestParts<AppState> for Authorized<R> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        user.caller().require(R::ROLES)?;
        Ok(Authorized {
            user,
            roles: PhantomData,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "vanthu.dt")]
    pub username: String,
    #[schema(value_type = String, example = "vanthu-demo")]
    pub password: Secret<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// RFC 3339.
    pub expires_at: String,
    pub user: MeResponse,
}

/// A unit as referred to from elsewhere.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

/// The signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub username: String,
    pub full_name: String,
    pub position: String,
    pub unit: UnitRef,
    pub roles: Vec<Role>,
}

impl From<&Account> for MeResponse {
    fn from(account: &Account) -> Self {
        MeResponse {
            username: account.user.username.clone(),
            full_name: account.user.full_name.clone(),
            position: account.user.position.clone(),
            unit: UnitRef {
                code: account.unit.code.clone(),
                name: account.unit.name.clone(),
            },
            roles: account.user.roles.iter().copied().collect(),
        }
    }
}

/// Signs in with a username and password.
///
/// Returns a bearer token and also sets the `vanthu_session` cookie (HttpOnly, SameSite=Strict).
/// A wrong username and a wrong password get the same 401. After repeated failures the account
/// answers 429 with `Retry-After` for a while, whatever the password.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 401, description = "Wrong username or password", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Missing or malformed field", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins; see Retry-After", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, Problem> {
    let session = state
        .service
        .login(&request.username, request.password.expose())
        .await?;
    let max_age = state.service.policy().session_ttl.as_secs();
    let cookie = session_cookie(session.token.expose(), max_age, state.http.cookie_secure);
    let body = LoginResponse {
        token: session.token.expose().clone(),
        token_type: "Bearer",
        expires_at: crate::audit::display_time(session.expires_at),
        user: MeResponse::from(&session.account),
    };
    let mut response = Json(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    no_store(&mut response);
    Ok(response)
}

fn session_cookie(token: &str, max_age: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    )
}

fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// Ends the current session (the token or cookie stops working) and clears the cookie.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn logout(State(state): State<AppState>, user: CurrentUser) -> Result<Response, Problem> {
    state
        .service
        .logout(&user.account, user.token.expose())
        .await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    let cleared = session_cookie("", 0, state.http.cookie_secure);
    if let Ok(value) = HeaderValue::from_str(&cleared) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// The signed-in user, with their unit and roles.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = MeResponse),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn me(user: CurrentUser) -> Json<MeResponse> {
    Json(MeResponse::from(&user.account))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_password_stays_out_of_debug_output() {
        let request = LoginRequest {
            username: "vanthu.dt".into(),
            password: Secret::new("mat-khau-bi-mat".into()),
        };
        let shown = format!("{request:?}");
        assert!(shown.contains("vanthu.dt"));
        assert!(!shown.contains("mat-khau-bi-mat"), "{shown}");
    }
}
