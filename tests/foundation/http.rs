//! The HTTP service in-process (tower `oneshot`), on every backend: health, login and sessions,
//! the organisation endpoints, and bad input answered with problem documents that change nothing.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use vanthu::config::HttpSettings;
use vanthu::http::{AppState, router};

use super::support::{DEMO_PASSWORD, TestDb, backends};

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

pub fn app(db: &TestDb) -> Router {
    let http = HttpSettings {
        body_limit: 64 * 1024,
        ..HttpSettings::default()
    };
    router(AppState::new(db.service.clone(), http))
}

pub async fn send(
    app: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let request = match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    execute(app, request).await
}

pub async fn execute(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

pub async fn login(app: &Router, username: &str) -> String {
    let reply = send(
        app,
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"username": username, "password": DEMO_PASSWORD})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.body["token"].as_str().unwrap().to_string()
}

fn assert_problem(reply: &Reply, status: StatusCode, kind: &str) {
    assert_eq!(reply.status, status, "{}", reply.text);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "application/problem+json",
        "{}",
        reply.text
    );
    assert_eq!(
        reply.body["type"],
        format!("/problems/{kind}"),
        "{}",
        reply.text
    );
    assert_eq!(reply.body["status"], status.as_u16());
    assert!(reply.body["title"].as_str().is_some_and(|t| !t.is_empty()));
}

#[tokio::test]
async fn health_and_readiness_answer() {
    for db in backends().await {
        let app = app(&db);
        let health = send(&app, Method::GET, "/healthz", None, None).await;
        assert_eq!(health.body, json!({"status": "ok"}));
        let ready = send(&app, Method::GET, "/readyz", None, None).await;
        assert_eq!(ready.status, StatusCode::OK, "{}", db.name);
        assert_eq!(ready.body, json!({"status": "ready"}));
        assert!(ready.headers.contains_key("x-request-id"));
    }
}

#[tokio::test]
async fn a_demo_clerk_logs_in_sees_their_unit_and_logs_out() {
    for db in backends().await {
        let db = db.seeded().await;
        let app = app(&db);
        let reply = send(
            &app,
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "vanthu.dt", "password": DEMO_PASSWORD})),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert_eq!(reply.body["token_type"], "Bearer");
        let token = reply.body["token"].as_str().unwrap().to_string();
        let cookie = reply.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.starts_with(&format!("vanthu_session={token};")));
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));

        let me = send(&app, Method::GET, "/api/v1/me", Some(&token), None).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body["username"], "vanthu.dt");
        assert_eq!(me.body["unit"]["code"], "vks-dt");
        assert_eq!(
            me.body["unit"]["name"],
            "Viện kiểm sát nhân dân huyện Đại Từ"
        );
        assert_eq!(me.body["roles"], json!(["clerk"]));

        // The cookie alone authenticates too (for the web pages).
        let by_cookie = Request::get("/api/v1/me")
            .header(
                header::COOKIE,
                format!("theme=dark; vanthu_session={token}"),
            )
            .body(Body::empty())
            .unwrap();
        assert_eq!(execute(&app, by_cookie).await.status, StatusCode::OK);

        let logout = send(
            &app,
            Method::POST,
            "/api/v1/auth/logout",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(logout.status, StatusCode::NO_CONTENT);
        assert!(
            logout.headers[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
        let after = send(&app, Method::GET, "/api/v1/me", Some(&token), None).await;
        assert_problem(&after, StatusCode::UNAUTHORIZED, "unauthenticated");
        assert_eq!(after.headers[header::WWW_AUTHENTICATE], "Bearer");
    }
}

#[tokio::test]
async fn a_failed_login_never_says_which_part_was_wrong() {
    for db in backends().await {
        let db = db.seeded().await;
        let app = app(&db);
        let wrong_password = send(
            &app,
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "vanthu.dt", "password": "sai"})),
        )
        .await;
        let unknown_user = send(
            &app,
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "khong.co", "password": "sai"})),
        )
        .await;
        assert_problem(&wrong_password, StatusCode::UNAUTHORIZED, "bad-credentials");
        assert_eq!(wrong_password.body, unknown_user.body, "{}", db.name);
        assert!(!wrong_password.headers.contains_key(header::SET_COOKIE));

        let forged = send(&app, Method::GET, "/api/v1/me", Some("not-a-token"), None).await;
        assert_problem(&forged, StatusCode::UNAUTHORIZED, "unauthenticated");
        let none = send(&app, Method::GET, "/api/v1/units", None, None).await;
        assert_problem(&none, StatusCode::UNAUTHORIZED, "unauthenticated");
    }
}

#[tokio::test]
async fn repeated_failures_answer_429_with_retry_after() {
    for db in backends().await {
        let db = db.seeded().await;
        let app = app(&db);
        for _ in 0..5 {
            let reply = send(
                &app,
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": "lanhdao.sc", "password": "doan-mo"})),
            )
            .await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        }
        let locked = send(
            &app,
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "lanhdao.sc", "password": DEMO_PASSWORD})),
        )
        .await;
        assert_problem(&locked, StatusCode::TOO_MANY_REQUESTS, "too-many-attempts");
        let retry: u64 = locked.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=30).contains(&retry), "{retry}");
    }
}

#[tokio::test]
async fn administrators_manage_units_and_users_others_may_not() {
    for db in backends().await {
        let db = db.seeded().await;
        let app = app(&db);
        let admin = login(&app, "quantri").await;
        let clerk = login(&app, "vanthu.dt").await;
        let unit = json!({"code": "vks-kv3", "name": "Viện kiểm sát nhân dân khu vực 3", "kind": "district", "parent": "vks-tn"});

        let denied = send(
            &app,
            Method::POST,
            "/api/v1/units",
            Some(&clerk),
            Some(unit.clone()),
        )
        .await;
        assert_problem(&denied, StatusCode::FORBIDDEN, "forbidden");

        let created = send(
            &app,
            Method::POST,
            "/api/v1/units",
            Some(&admin),
            Some(unit.clone()),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        assert_eq!(created.body["parent"], "vks-tn");

        let again = send(
            &app,
            Method::POST,
            "/api/v1/units",
            Some(&admin),
            Some(unit),
        )
        .await;
        assert_problem(&again, StatusCode::CONFLICT, "conflict");
        assert_eq!(again.body["field"], "code");

        let renamed = send(
            &app,
            Method::PATCH,
            "/api/v1/units/vks-kv3",
            Some(&admin),
            Some(json!({"name": "Viện kiểm sát nhân dân khu vực 3 (Đại Từ, Phú Lương)"})),
        )
        .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);

        let user = json!({
            "username": "vanthu.kv3", "full_name": "Lê Thị Hoa", "position": "Văn thư",
            "unit": "vks-kv3", "roles": ["clerk"], "password": "mat-khau-kv3"
        });
        let created_user = send(
            &app,
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            Some(user.clone()),
        )
        .await;
        assert_eq!(
            created_user.status,
            StatusCode::CREATED,
            "{}",
            created_user.text
        );
        assert_eq!(created_user.body["unit"]["code"], "vks-kv3");
        let duplicate = send(
            &app,
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            Some(user),
        )
        .await;
        assert_problem(&duplicate, StatusCode::CONFLICT, "conflict");
        assert_eq!(duplicate.body["field"], "username");

        let password = send(
            &app,
            Method::PUT,
            "/api/v1/users/vanthu.kv3/password",
            Some(&admin),
            Some(json!({"password": "mat-khau-moi-kv3"})),
        )
        .await;
        assert_eq!(password.status, StatusCode::NO_CONTENT, "{}", password.text);

        let merged = send(
            &app,
            Method::POST,
            "/api/v1/units/vks-pl/merge",
            Some(&admin),
            Some(json!({"into": "vks-kv3"})),
        )
        .await;
        assert_eq!(merged.status, StatusCode::OK, "{}", merged.text);
        assert_eq!(merged.body["active"], false);
        assert_eq!(merged.body["successor"], "vks-kv3");

        let units = send(&app, Method::GET, "/api/v1/units", Some(&clerk), None).await;
        assert_eq!(units.body.as_array().unwrap().len(), 20, "{}", db.name);
        db.service.verify_audit_log().await.unwrap();
    }
}

#[tokio::test]
async fn another_units_user_is_not_found_for_a_clerk() {
    for db in backends().await {
        let db = db.seeded().await;
        let app = app(&db);
        let clerk = login(&app, "vanthu.dt").await;
        let own = send(
            &app,
            Method::GET,
            "/api/v1/users/lanhdao.dt",
            Some(&clerk),
            None,
        )
        .await;
        assert_eq!(own.status, StatusCode::OK);
        let other = send(
            &app,
            Method::GET,
            "/api/v1/users/lanhdao.pb",
            Some(&clerk),
            None,
        )
        .await;
        assert_problem(&other, StatusCode::NOT_FOUND, "not-found");
        let missing = send(
            &app,
            Method::GET,
            "/api/v1/users/khong.co",
            Some(&clerk),
            None,
        )
        .await;
        assert_eq!(other.body["title"], missing.body["title"]);
        let listed = send(
            &app,
            Method::GET,
            "/api/v1/users?unit=vks-pb",
            Some(&clerk),
            None,
        )
        .await;
        assert_problem(&listed, StatusCode::NOT_FOUND, "not-found");
        let mine = send(&app, Method::GET, "/api/v1/users", Some(&clerk), None).await;
        assert_eq!(mine.body.as_array().unwrap().len(), 3);
    }
}

#[tokio::test]
async fn bad_input_is_named_and_changes_nothing() {
    for db in backends().await {
        let db = db.seeded().await;
        let app = app(&db);
        let admin = login(&app, "quantri").await;
        let head = db.store().audit_head().await.unwrap().unwrap();

        let broken = Request::post("/api/v1/units")
            .header(header::AUTHORIZATION, format!("Bearer {admin}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{\"code\": \"vks-x\","))
            .unwrap();
        assert_problem(
            &execute(&app, broken).await,
            StatusCode::BAD_REQUEST,
            "malformed-json",
        );

        let missing = send(
            &app,
            Method::POST,
            "/api/v1/units",
            Some(&admin),
            Some(json!({"code": "vks-x", "kind": "district", "parent": "vks-tn"})),
        )
        .await;
        assert_problem(&missing, StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(missing.body["field"], "name");

        let wrong_kind = send(
            &app,
            Method::POST,
            "/api/v1/units",
            Some(&admin),
            Some(json!({"code": "vks-x", "name": "X", "kind": "county", "parent": "vks-tn"})),
        )
        .await;
        assert_eq!(wrong_kind.body["field"], "kind", "{}", wrong_kind.text);

        let bad_code = send(
            &app,
            Method::POST,
            "/api/v1/units",
            Some(&admin),
            Some(json!({"code": "Vks X", "name": "X", "kind": "district", "parent": "vks-tn"})),
        )
        .await;
        assert_problem(&bad_code, StatusCode::UNPROCESSABLE_ENTITY, "validation");
        assert_eq!(bad_code.body["field"], "code");

        let short_password = send(
            &app,
            Method::PUT,
            "/api/v1/users/vanthu.dt/password",
            Some(&admin),
            Some(json!({"password": "ngan"})),
        )
        .await;
        assert_eq!(short_password.body["field"], "password");

        let not_json = Request::post("/api/v1/units")
            .header(header::AUTHORIZATION, format!("Bearer {admin}"))
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("code=vks-x"))
            .unwrap();
        assert_problem(
            &execute(&app, not_json).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
        );

        let huge = json!({"code": "vks-x", "name": "x".repeat(100 * 1024), "kind": "district"});
        let too_large = send(
            &app,
            Method::POST,
            "/api/v1/units",
            Some(&admin),
            Some(huge),
        )
        .await;
        assert_problem(
            &too_large,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
        );

        let unknown_unit = send(
            &app,
            Method::PATCH,
            "/api/v1/units/vks-none",
            Some(&admin),
            Some(json!({"name": "X"})),
        )
        .await;
        assert_problem(&unknown_unit, StatusCode::NOT_FOUND, "not-found");

        assert_eq!(
            db.store().audit_head().await.unwrap().unwrap(),
            head,
            "{}: refused requests leave no trace but the login",
            db.name
        );
        assert_eq!(db.raw.count("SELECT COUNT(*) FROM units").await, 19);
    }
}

#[tokio::test]
async fn unknown_paths_methods_and_metrics() {
    let db = super::support::sqlite().await;
    let app = app(&db);
    let nowhere = send(&app, Method::GET, "/api/v1/nowhere", None, None).await;
    assert_problem(&nowhere, StatusCode::NOT_FOUND, "no-route");
    let wrong_method = send(&app, Method::DELETE, "/healthz", None, None).await;
    assert_problem(
        &wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
    );

    let with_id = Request::get("/healthz")
        .header("x-request-id", "vanthu-test-42")
        .body(Body::empty())
        .unwrap();
    let echoed = execute(&app, with_id).await;
    assert_eq!(echoed.headers["x-request-id"], "vanthu-test-42");

    let metrics = send(&app, Method::GET, "/metrics", None, None).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(
        metrics
            .text
            .contains("http_requests_total{method=\"GET\",route=\"/healthz\""),
        "{}",
        metrics.text
    );
}

#[tokio::test]
async fn malformed_paths_and_queries_are_problems_too() {
    let db = super::support::sqlite().await.seeded().await;
    let app = app(&db);
    let admin = login(&app, "quantri").await;
    let bad_utf8 = send(
        &app,
        Method::GET,
        "/api/v1/units/%FF%FE",
        Some(&admin),
        None,
    )
    .await;
    assert_problem(&bad_utf8, StatusCode::BAD_REQUEST, "bad-request");
    // Query strings are decoded leniently (invalid UTF-8 becomes U+FFFD): no such unit.
    let bad_query = send(
        &app,
        Method::GET,
        "/api/v1/users?unit=%FF",
        Some(&admin),
        None,
    )
    .await;
    assert_problem(&bad_query, StatusCode::NOT_FOUND, "not-found");
    let bad_shape = send(
        &app,
        Method::GET,
        "/api/v1/users?unit=a&unit=b",
        Some(&admin),
        None,
    )
    .await;
    assert_problem(&bad_shape, StatusCode::BAD_REQUEST, "bad-request");
}
