//! The OpenAPI document stays true: every operation it lists is routed, every route the service
//! has under `/api/v1` or for health is in it (the routes outside it are listed in
//! `vanthu::http::UNDOCUMENTED_ROUTES`), and every JSON endpoint the foundation promises is there.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use super::http::{app, send};
use super::support::sqlite;

const HTTP_METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn operations(document: &Value) -> Vec<(String, String)> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in HTTP_METHODS {
            if item.get(method).is_some() {
                operations.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations.sort();
    operations
}

/// A concrete path for a templated one.
fn concrete(path: &str) -> String {
    path.replace("{code}", "vks-dt")
        .replace("{username}", "vanthu.dt")
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_every_route_documented() {
    let db = sqlite().await;
    let app = app(&db);
    let served = send(&app, Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(
        served.body,
        serde_json::to_value(vanthu::http::openapi()).unwrap()
    );
    let documented = operations(&served.body);

    // The router answers each documented operation with something other than "no such route".
    for (method, path) in &documented {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let reply = send(&app, method.clone(), &concrete(path), None, None).await;
        assert_ne!(reply.body["type"], "/problems/no-route", "{method} {path}");
        assert_ne!(
            reply.body["type"], "/problems/method-not-allowed",
            "{method} {path}"
        );
    }

    // And every method the service accepts on a documented path, or on the JSON endpoints
    // promised by the foundation, is in the document (no undocumented JSON endpoint).
    let promised = [
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/logout"),
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/units"),
        ("POST", "/api/v1/units"),
        ("GET", "/api/v1/units/{code}"),
        ("PATCH", "/api/v1/units/{code}"),
        ("POST", "/api/v1/units/{code}/merge"),
        ("GET", "/api/v1/users"),
        ("POST", "/api/v1/users"),
        ("GET", "/api/v1/users/{username}"),
        ("PATCH", "/api/v1/users/{username}"),
        ("PUT", "/api/v1/users/{username}/password"),
    ];
    let mut paths: Vec<&str> = documented.iter().map(|(_, path)| path.as_str()).collect();
    paths.extend(promised.iter().map(|(_, path)| *path));
    paths.sort();
    paths.dedup();
    for path in paths {
        for method in HTTP_METHODS {
            let upper = method.to_uppercase();
            let reply = send(
                &app,
                Method::from_bytes(upper.as_bytes()).unwrap(),
                &concrete(path),
                None,
                None,
            )
            .await;
            let routed = reply.body["type"] != "/problems/method-not-allowed"
                && reply.body["type"] != "/problems/no-route";
            let in_document = documented.contains(&(upper.clone(), path.to_string()));
            assert_eq!(
                routed, in_document,
                "{upper} {path}: routed {routed}, documented {in_document}"
            );
        }
    }
    for (method, path) in promised {
        assert!(
            documented.contains(&(method.to_string(), path.to_string())),
            "{method} {path} is missing from the document"
        );
    }

    // The routes kept out of the document are routed and are not JSON.
    for (method, path) in vanthu::http::UNDOCUMENTED_ROUTES {
        assert!(!documented.iter().any(|(_, p)| p == path), "{path}");
        let reply = send(
            &app,
            Method::from_bytes(method.as_bytes()).unwrap(),
            path,
            None,
            None,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{method} {path}");
    }
}

#[test]
fn errors_and_security_are_described() {
    let document = serde_json::to_value(vanthu::http::openapi()).unwrap();
    assert!(document["components"]["schemas"]["ProblemBody"].is_object());
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let login = &document["paths"]["/api/v1/auth/login"]["post"];
    assert!(login["responses"]["401"]["content"]["application/problem+json"].is_object());
}
