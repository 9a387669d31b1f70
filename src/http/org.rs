//! The organisation over HTTP: units (every signed-in user reads them; administrators create,
//! change and merge them) and users (visible within one's own unit, or everywhere for
//! administrators and auditors; administrators manage them).

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{AdminOnly, Authorized, CurrentUser, UnitRef};
use super::problem::{ApiJson, ApiPath, ApiQuery, Problem, ProblemBody};
use super::state::AppState;
use crate::config::Secret;
use crate::domain::org::{Role, UnitKind};
use crate::workflow::{Account, NewUnit, NewUser, OrgUnit, UnitChanges, UserChanges};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_units, create_unit))
        .routes(routes!(get_unit, update_unit))
        .routes(routes!(merge_unit))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(set_password))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitResponse {
    #[schema(example = "vks-dt")]
    pub code: String,
    #[schema(example = "Viện kiểm sát nhân dân huyện Đại Từ")]
    pub name: String,
    pub kind: UnitKind,
    /// Code of the parent unit; absent for the provincial office.
    pub parent: Option<String>,
    pub active: bool,
    /// Code of the unit this one was merged into.
    pub successor: Option<String>,
}

impl From<OrgUnit> for UnitResponse {
    fn from(unit: OrgUnit) -> Self {
        UnitResponse {
            code: unit.unit.code,
            name: unit.unit.name,
            kind: unit.unit.kind,
            parent: unit.parent_code,
            active: unit.unit.active,
            successor: unit.successor_code,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUnitRequest {
    /// 2–32 characters of a-z, 0-9 and '-', starting with a letter; never changes.
    #[schema(example = "vks-kv1")]
    pub code: String,
    #[schema(example = "Viện kiểm sát nhân dân khu vực 1")]
    pub name: String,
    pub kind: UnitKind,
    /// Required except for a province.
    pub parent: Option<String>,
}

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUnitRequest {
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    pub parent: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeUnitRequest {
    /// Code of the unit that takes over.
    pub into: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    pub username: String,
    pub full_name: String,
    pub position: String,
    pub unit: UnitRef,
    pub roles: Vec<Role>,
    pub active: bool,
}

impl From<Account> for UserResponse {
    fn from(account: Account) -> Self {
        UserResponse {
            username: account.user.username,
            full_name: account.user.full_name,
            position: account.user.position,
            unit: UnitRef {
                code: account.unit.code,
                name: account.unit.name,
            },
            roles: account.user.roles.into_iter().collect(),
            active: account.user.active,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// 3–64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter.
    #[schema(example = "vanthu.kv1")]
    pub username: String,
    pub full_name: String,
    #[schema(example = "Văn thư")]
    pub position: String,
    /// Unit code.
    pub unit: String,
    pub roles: BTreeSet<Role>,
    /// At least 8 characters.
    #[schema(value_type = String)]
    pub password: Secret<String>,
}

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    pub full_name: Option<String>,
    pub position: Option<String>,
    /// Unit code.
    pub unit: Option<String>,
    pub roles: Option<BTreeSet<Role>>,
    /// `false` disables the account and ends its sessions.
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    /// At least 8 characters.
    #[schema(value_type = String)]
    pub password: Secret<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only the users of this unit.
    pub unit: Option<String>,
}

/// Every unit, ordered by code.
#[utoipa::path(
    get,
    path = "/api/v1/units",
    tag = "organisation",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "All units", body = Vec<UnitResponse>),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn list_units(
    State(state): State<AppState>,
    _user: CurrentUser,
) -> Result<Json<Vec<UnitResponse>>, Problem> {
    let units = state.service.units().await?;
    Ok(Json(units.into_iter().map(UnitResponse::from).collect()))
}

/// Creates a unit (administrators).
#[utoipa::path(
    post,
    path = "/api/v1/units",
    tag = "organisation",
    security(("bearer" = [])),
    request_body = CreateUnitRequest,
    responses(
        (status = 201, description = "Created", body = UnitResponse),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn create_unit(
    State(state): State<AppState>,
    admin: Authorized<AdminOnly>,
    ApiJson(request): ApiJson<CreateUnitRequest>,
) -> Result<(StatusCode, Json<UnitResponse>), Problem> {
    let new = NewUnit {
        code: request.code,
        name: request.name,
        kind: request.kind,
        parent: request.parent,
    };
    let unit = state.service.create_unit(&admin.caller(), new).await?;
    Ok((StatusCode::CREATED, Json(unit.into())))
}

/// One unit.
#[utoipa::path(
    get,
    path = "/api/v1/units/{code}",
    tag = "organisation",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code")),
    responses(
        (status = 200, description = "The unit", body = UnitResponse),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such unit", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn get_unit(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<UnitResponse>, Problem> {
    Ok(Json(state.service.unit(&code).await?.into()))
}

/// Renames, moves, re-classifies or (de)activates a unit (administrators).
#[utoipa::path(
    patch,
    path = "/api/v1/units/{code}",
    tag = "organisation",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Unit code")),
    request_body = UpdateUnitRequest,
    responses(
        (status = 200, description = "The changed unit", body = UnitResponse),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such unit", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn update_unit(
    State(state): State<AppState>,
    admin: Authorized<AdminOnly>,
    ApiPath(code): ApiPath<String>,
    ApiJson(request): ApiJson<UpdateUnitRequest>,
) -> Result<Json<UnitResponse>, Problem> {
    let changes = UnitChanges {
        name: request.name,
        kind: request.kind,
        parent: request.parent.map(Some),
        active: request.active,
    };
    let unit = state
        .service
        .update_unit(&admin.caller(), &code, changes)
        .await?;
    Ok(Json(unit.into()))
}

/// Merges a unit into another: it becomes inactive and its users move (administrators).
#[utoipa::path(
    post,
    path = "/api/v1/units/{code}/merge",
    tag = "organisation",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Code of the unit that ceases")),
    request_body = MergeUnitRequest,
    responses(
        (status = 200, description = "The merged (now inactive) unit", body = UnitResponse),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such unit", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "The target is unknown, inactive or the same unit", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn merge_unit(
    State(state): State<AppState>,
    admin: Authorized<AdminOnly>,
    ApiPath(code): ApiPath<String>,
    ApiJson(request): ApiJson<MergeUnitRequest>,
) -> Result<Json<UnitResponse>, Problem> {
    let unit = state
        .service
        .merge_unit(&admin.caller(), &code, &request.into)
        .await?;
    Ok(Json(unit.into()))
}

/// Users the caller may see: their own unit's, or everyone's for administrators and auditors.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "organisation",
    security(("bearer" = [])),
    params(UserFilter),
    responses(
        (status = 200, description = "Users", body = Vec<UserResponse>),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Unknown unit, or another unit's users", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn list_users(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(filter): ApiQuery<UserFilter>,
) -> Result<Json<Vec<UserResponse>>, Problem> {
    let users = state
        .service
        .users(&user.caller(), filter.unit.as_deref())
        .await?;
    Ok(Json(users.into_iter().map(UserResponse::from).collect()))
}

/// Creates a user (administrators).
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "organisation",
    security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Created", body = UserResponse),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The username is taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn create_user(
    State(state): State<AppState>,
    admin: Authorized<AdminOnly>,
    ApiJson(request): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserResponse>), Problem> {
    let new = NewUser {
        username: request.username,
        full_name: request.full_name,
        position: request.position,
        unit: request.unit,
        roles: request.roles,
        password: request.password,
    };
    let account = state.service.create_user(&admin.caller(), new).await?;
    Ok((StatusCode::CREATED, Json(account.into())))
}

/// One user, if the caller may see them (another unit's user is "not found").
#[utoipa::path(
    get,
    path = "/api/v1/users/{username}",
    tag = "organisation",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "Username")),
    responses(
        (status = 200, description = "The user", body = UserResponse),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such user, or another unit's", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn get_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(username): ApiPath<String>,
) -> Result<Json<UserResponse>, Problem> {
    Ok(Json(
        state.service.user(&user.caller(), &username).await?.into(),
    ))
}

/// Changes a user's name, position, unit, roles or active flag (administrators).
#[utoipa::path(
    patch,
    path = "/api/v1/users/{username}",
    tag = "organisation",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "Username")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The changed user", body = UserResponse),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn update_user(
    State(state): State<AppState>,
    admin: Authorized<AdminOnly>,
    ApiPath(username): ApiPath<String>,
    ApiJson(request): ApiJson<UpdateUserRequest>,
) -> Result<Json<UserResponse>, Problem> {
    let changes = UserChanges {
        full_name: request.full_name,
        position: request.position,
        unit: request.unit,
        roles: request.roles,
        active: request.active,
    };
    let account = state
        .service
        .update_user(&admin.caller(), &username, changes)
        .await?;
    Ok(Json(account.into()))
}

/// Sets a user's password and ends their sessions (administrators).
#[utoipa::path(
    put,
    path = "/api/v1/users/{username}/password",
    tag = "organisation",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "Username")),
    request_body = SetPasswordRequest,
    responses(
        (status = 204, description = "Password set"),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "The password is too short or too long", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
async fn set_password(
    State(state): State<AppState>,
    admin: Authorized<AdminOnly>,
    ApiPath(username): ApiPath<String>,
    ApiJson(request): ApiJson<SetPasswordRequest>,
) -> Result<StatusCode, Problem> {
    state
        .service
        .set_password(&admin.caller(), &username, request.password.expose())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
