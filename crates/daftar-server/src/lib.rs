//! Daftar's HTTP server.
//!
//! A tour of the modules:
//! - [`config`]: the one typed configuration, shared by the server and the CLI.
//! - [`app`]: the application state, the router and `serve`.
//! - [`cases`]: applying, acting on a case, following it, and the work queues.
//! - [`billing`]: tracking a bill, the gateway's payment callback, clearances.
//! - [`rate_limit`]: the per-address limit on public look-ups.
//! - [`batch`]: the register import, issuing and exporting bills, the bank's payment file.
//! - [`auth`]: passwords, one-time codes, sessions, bearer tokens and CSRF.
//! - [`api`]: the JSON API under `/api/v1`.
//! - [`web`]: the Persian pages (askama templates under `templates/`).
//! - [`i18n`]: Fluent translations, Persian first and English second.
//! - [`files`]: uploaded documents on disk, named by their hash.
//! - [`error`]: the HTTP layer's one error type and its status mapping.
//! - [`outbox`]: delivering case notifications, and the SLA sweep.
//! - [`notify`]: the `Notifier` that sends SMS, to a file or to a gateway.
//! - [`demo`]: the demo office, staff, citizens and entities.
//!
//! Handlers parse input into domain types, call one use case and render; SQL lives in
//! `daftar-store`.

pub mod api;
pub mod app;
pub mod auth;
pub mod batch;
pub mod billing;
pub mod cases;
pub mod config;
pub mod demo;
pub mod edge;
pub mod error;
pub mod files;
pub mod i18n;
pub mod notify;
pub mod outbox;
pub mod rate_limit;
pub mod web;

pub use app::{AppState, router, serve};
pub use config::Config;
