//! `requests.{json,xml}` (GET with the standard's filters and its 90-day window; POST with
//! an API key), `requests/{id}.{json,xml}` and `tokens/{id}.{json,xml}`. A request's id
//! and token are its tracking code: it is filed at once.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use daftar_app::CaseError;
use daftar_app::complaint::{ComplaintForm, Open311Request, Open311Search};
use daftar_store::Open311Status;
use jiff::Timestamp;

use super::format::{self, Format, Record, Value};
use super::services::SERVICE_ATTRIBUTE;
use crate::app::AppState;
use crate::i18n::Lang;

/// The list's parameters, or what is wrong with them (a 400).
fn search(query: Option<&str>) -> Result<Open311Search, String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| "The query could not be read.".to_owned())?;
    let mut search = Open311Search::default();
    let list = |value: &str| -> Vec<String> {
        value
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let date = |value: &str, name: &str| -> Result<Timestamp, String> {
        value
            .trim()
            .parse::<Timestamp>()
            .map_err(|_| format!("{name} is not a W3C date and time."))
    };
    for (name, value) in &pairs {
        match name.as_str() {
            "service_request_id" => search.request_ids = list(value),
            "service_code" => search.service_codes = list(value),
            "start_date" => search.start = Some(date(value, "start_date")?),
            "end_date" => search.end = Some(date(value, "end_date")?),
            "status" => {
                let statuses = list(value);
                let open = statuses.iter().any(|s| s == "open");
                let closed = statuses.iter().any(|s| s == "closed");
                if statuses.iter().any(|s| s != "open" && s != "closed") {
                    return Err("status is open or closed.".to_owned());
                }
                search.status = match (open, closed) {
                    (true, false) => Some(Open311Status::Open),
                    (false, true) => Some(Open311Status::Closed),
                    _ => None,
                };
            }
            // An extension many servers share: how many to return, at most 1,000.
            "page_size" => {
                search.limit = Some(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| "page_size is a whole number.".to_owned())?,
                );
            }
            _ => {}
        }
    }
    Ok(search)
}

pub(super) async fn list(state: &AppState, format: Format, query: Option<&str>) -> Response {
    let search = match search(query) {
        Ok(search) => search,
        Err(problem) => return format::error(format, 400, &problem),
    };
    match state.services.complaints.open311_requests(&search).await {
        Ok(requests) => requests_response(format, &requests),
        Err(error) => refusal(format, error),
    }
}

pub(super) async fn one(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((id, format)) = format::split(&file) else {
        return format::error(Format::Json, 404, "No such resource.");
    };
    match state.services.complaints.open311_request(id).await {
        Ok(request) => requests_response(format, std::slice::from_ref(&request)),
        Err(error) => refusal(format, error),
    }
}

pub(super) async fn token(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((token, format)) = format::split(&file) else {
        return format::error(Format::Json, 404, "No such resource.");
    };
    match state.services.complaints.open311_request(token).await {
        Ok(request) => {
            let record: Record = vec![
                (
                    "service_request_id",
                    Value::Text(request.service_request_id.clone()),
                ),
                ("token", Value::Text(request.service_request_id)),
            ];
            format::list(format, "service_requests", "request", &[record], 200)
        }
        Err(error) => refusal(format, error),
    }
}

/// `POST requests.{json,xml}`: a client files a request with its key. What it says of
/// the person reporting (name, email, phone, device) is neither read nor kept.
pub(super) async fn post(
    State(state): State<AppState>,
    Path(file): Path<String>,
    body: Bytes,
) -> Response {
    let format = match format::split(&file) {
        Some(("requests", format)) => format,
        Some((_, format)) => return format::error(format, 404, "No such resource."),
        None => return format::error(Format::Json, 404, "No such resource."),
    };
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return format::error(format, 400, "The form could not be read.");
    };
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim().to_owned())
    };
    let complaints = &state.services.complaints;
    let client = match value("api_key") {
        Some(key) if !key.is_empty() => match complaints.open311_client(&key).await {
            Ok(client) => client,
            Err(error) => return refusal(format, error),
        },
        _ => None,
    };
    let Some(client) = client else {
        return format::error(format, 403, "api_key is missing, unknown or revoked.");
    };
    let (lat, long) = (
        value("lat").unwrap_or_default(),
        value("long").unwrap_or_default(),
    );
    let form = ComplaintForm {
        kind: value("service_code").unwrap_or_default(),
        concerns_service: value(&format!("attribute[{SERVICE_ATTRIBUTE}]")),
        tracking_code: None,
        named_staff: None,
        text: value("description").unwrap_or_default(),
        location: if lat.is_empty() && long.is_empty() {
            String::new()
        } else {
            format!("{lat},{long}")
        },
        uploads: Vec::new(),
    };
    match complaints.post_open311(client, &form).await {
        Ok(request) => {
            let record: Record = vec![
                (
                    "service_request_id",
                    Value::Text(request.service_request_id),
                ),
                ("service_notice", Value::Text(String::new())),
                ("account_id", Value::Null),
            ];
            format::list(format, "service_requests", "request", &[record], 200)
        }
        Err(error) => refusal(format, error),
    }
}

fn requests_response(format: Format, requests: &[Open311Request]) -> Response {
    let records: Vec<Record> = requests.iter().map(record).collect();
    format::list(format, "service_requests", "request", &records, 200)
}

fn record(request: &Open311Request) -> Record {
    let (lat, long) = match request.location {
        Some((lat, long)) => (Value::Number(lat), Value::Number(long)),
        None => (Value::Null, Value::Null),
    };
    vec![
        (
            "service_request_id",
            Value::Text(request.service_request_id.clone()),
        ),
        (
            "status",
            Value::Text(
                match request.status {
                    Open311Status::Open => "open",
                    Open311Status::Closed => "closed",
                }
                .into(),
            ),
        ),
        (
            "status_notes",
            request
                .status_notes
                .clone()
                .map_or(Value::Null, Value::Text),
        ),
        ("service_name", Value::Text(request.service_name.clone())),
        ("service_code", Value::Text(request.service_code.clone())),
        ("description", Value::Text(request.description.clone())),
        (
            "agency_responsible",
            request
                .agency_responsible
                .as_ref()
                .map_or(Value::Null, |name| Value::Text(name.en.clone())),
        ),
        ("service_notice", Value::Null),
        (
            "requested_datetime",
            Value::Text(format::datetime(request.requested_datetime)),
        ),
        (
            "updated_datetime",
            Value::Text(format::datetime(request.updated_datetime)),
        ),
        ("expected_datetime", Value::Null),
        ("address", Value::Null),
        ("address_id", Value::Null),
        ("zipcode", Value::Null),
        ("lat", lat),
        ("long", long),
        ("media_url", Value::Null),
    ]
}

/// A refusal in the standard's shape: 400 for what the client sent, with the message in
/// English; 404 for what does not exist; 500, logged, for anything else.
fn refusal(format: Format, error: CaseError) -> Response {
    let english = |code: &str| {
        crate::i18n::message(
            Lang::En,
            &format!("err-{}", code.replace(['.', '_'], "-")),
            &[],
        )
    };
    match error {
        CaseError::InvalidField {
            code: "complaint.kind",
            ..
        }
        | CaseError::Invalid("open311.service_code") => {
            format::error(format, 400, "service_code not found")
        }
        CaseError::InvalidField { code, field } => {
            format::error(format, 400, &format!("{field}: {}", english(code)))
        }
        CaseError::InvalidFields(problems) => {
            let described: Vec<String> = problems
                .iter()
                .map(|p| format!("{}: {}", p.field, english(p.code)))
                .collect();
            format::error(format, 400, &described.join("; "))
        }
        CaseError::Invalid(code) => format::error(format, 400, &english(code)),
        CaseError::NotFound => format::error(format, 404, "No such request."),
        CaseError::NoOffice => format::error(
            format,
            503,
            "This office is not open for requests yet; try again later.",
        ),
        error => {
            tracing::error!(error = %error, "An Open311 request failed inside the server.");
            format::error(format, 500, "The server failed; try again later.")
        }
    }
}
