//! The axum routers: JSON API under /api/v1, authentication, problem+json errors, health, metrics and HTML pages.
