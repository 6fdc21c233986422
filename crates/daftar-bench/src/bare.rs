//! The tracking benchmark's baseline: axum on the same runtime as `daftar serve`, one
//! handler that reads the same query and answers a small fixed JSON object shaped like a
//! tracking answer, with no middleware, no database and no templates. What Daftar's
//! tracking endpoint costs beyond this is Daftar's own work. The same for the zoning
//! inquiry at a point (bench/inquiry.sh): a fixed answer shaped like the inquiry's; and
//! the verify page (bench/verify.sh) and the survey results (bench/surveys.sh): a fixed
//! page of its size.

use std::collections::HashMap;
use std::net::SocketAddr;

use anyhow::Context;
use axum::extract::Query;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

#[derive(Debug, Serialize)]
struct Line {
    kind: &'static str,
    amount_rials: i64,
}

/// What a tracking answer carries: the bill's numbers, amount, due date and status.
#[derive(Debug, Serialize)]
struct Tracking {
    bill_id: String,
    payment_id: String,
    renewal_code: &'static str,
    district: u16,
    year: i32,
    amount_rials: u64,
    due_date: &'static str,
    status: &'static str,
    lines: [Line; 2],
}

async fn track(Query(query): Query<HashMap<String, String>>) -> Json<Tracking> {
    let field = |name: &str| query.get(name).cloned().unwrap_or_default();
    Json(Tracking {
        bill_id: field("bill_id"),
        payment_id: field("payment_id"),
        renewal_code: "01-101-12-0",
        district: 1,
        year: 1405,
        amount_rials: 4_440_000,
        due_date: "1405-03-31",
        status: "unpaid",
        lines: [
            Line {
                kind: "renewal_toll",
                amount_rials: 3_600_000,
            },
            Line {
                kind: "waste_fee",
                amount_rials: 840_000,
            },
        ],
    })
}

/// A zone of an inquiry's answer, as `GET /api/v1/zoning/inquiry` shapes it.
#[derive(Debug, Serialize)]
struct Zone {
    code: &'static str,
    family: &'static str,
    share: f64,
    max_density_pct: u32,
    max_occupancy_pct: u32,
    max_floors: u32,
    min_plot_m2: u32,
    parking_m2_per_space: Option<u32>,
    uses: [&'static str; 3],
}

/// What an inquiry at a point answers: the versions, one zone and its flags.
#[derive(Debug, Serialize)]
struct Inquiry {
    zoning_version: i64,
    rules_version: &'static str,
    made_for_demo: bool,
    zones: [Zone; 1],
    flags: [&'static str; 1],
    lon: String,
    lat: String,
}

async fn inquiry(Query(query): Query<HashMap<String, String>>) -> Json<Inquiry> {
    let field = |name: &str| query.get(name).cloned().unwrap_or_default();
    Json(Inquiry {
        zoning_version: 1,
        rules_version: "demo-1",
        made_for_demo: true,
        zones: [Zone {
            code: "R111",
            family: "housing",
            share: 1.0,
            max_density_pct: 180,
            max_occupancy_pct: 60,
            max_floors: 3,
            min_plot_m2: 120,
            parking_m2_per_space: Some(100),
            uses: ["residential", "parking", "common"],
        }],
        flags: ["worn_out_fabric"],
        lon: field("lon"),
        lat: field("lat"),
    })
}

/// The verify page's floor (bench/verify.sh): a fixed HTML page of the verify page's
/// size naming the serial asked for.
async fn verify(
    axum::extract::Path(serial): axum::extract::Path<String>,
) -> axum::response::Html<String> {
    let filler = "<p>گواهی عدم خلاف — معتبر</p>".repeat(60);
    axum::response::Html(format!(
        "<!doctype html><html lang=\"fa\" dir=\"rtl\"><title>{serial}</title><main>{filler}</main></html>"
    ))
}

/// The survey results page's floor (bench/surveys.sh): a fixed HTML page of `?bytes=`
/// bytes, the size of Daftar's page for the month asked.
async fn surveys(Query(query): Query<HashMap<String, String>>) -> axum::response::Html<String> {
    let bytes: usize = query
        .get("bytes")
        .and_then(|b| b.parse().ok())
        .unwrap_or(0)
        .min(1 << 20);
    let mut page = String::from("<!doctype html><html lang=\"fa\" dir=\"rtl\"><main>");
    while page.len() + 7 < bytes {
        page.push_str("<p>نتایج</p>");
    }
    page.push_str("</main></html>");
    axum::response::Html(page)
}

/// The sketch benchmark's floor (bench/sketch.py): the request's JSON read, 201 answered.
async fn sketch(
    Json(body): Json<serde_json::Value>,
) -> (axum::http::StatusCode, Json<serde_json::Value>) {
    let version = body["version"].as_i64().unwrap_or(0);
    (
        axum::http::StatusCode::CREATED,
        Json(serde_json::json!({ "case_version": version + 1 })),
    )
}

pub async fn serve(addr: SocketAddr) -> anyhow::Result<()> {
    let app = Router::new()
        .route("/api/v1/bills/track", get(track))
        .route("/api/v1/zoning/inquiry", get(inquiry))
        .route("/verify/{serial}", get(verify))
        .route("/surveys", get(surveys))
        .route("/api/v1/cases/{id}/sketch", axum::routing::post(sketch))
        .route("/healthz", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("could not listen on {addr}"))?;
    println!("The bare server is serving on http://{addr}.");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

/// Ctrl-C or SIGTERM, as `daftar serve` stops: bench/serve-until-healthy.sh stops the
/// server with SIGTERM and expects it to exit 0.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
