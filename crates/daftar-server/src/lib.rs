//! Daftar's HTTP server.
//!
//! A tour of the modules:
//! - [`app`]: the application state (the services of `daftar-app`), the router and `serve`.
//! - [`connections`]: how many connections are held open, in all and per address.
//! - [`rate_limit`]: who a client is, and the public look-up limit's extractor.
//! - [`metrics`]: Prometheus metrics on the admin address.
//! - [`attachment`]: an uploaded file as an answer.
//! - [`auth`]: who is asking (bearer tokens and session cookies) and CSRF.
//! - [`api`]: the JSON API under `/api/v1`.
//! - [`web`]: the Persian pages (askama templates under `templates/`).
//! - [`i18n`]: Fluent translations, Persian first and English second.
//! - [`query`]: query strings, read alike by the pages and the API.
//! - [`extract`]: axum's extractors with our rejection.
//! - [`error`]: the HTTP layer's one error type, and the one place the services' errors
//!   become statuses.
//! - [`edge`]: the layer every request passes through.
//!
//! Handlers parse input, call one use case of a `daftar-app` service and render; they
//! never call the store.

pub mod api;
pub mod app;
pub mod attachment;
pub mod auth;
pub mod connections;
pub mod edge;
pub mod error;
pub mod extract;
pub mod header_clock;
pub mod i18n;
pub mod metrics;
pub mod open311;
pub mod query;
pub mod rate_limit;
pub mod web;

pub use app::{AppState, router, serve};
pub use daftar_app::Config;
