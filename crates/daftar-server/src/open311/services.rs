//! `services.{json,xml}` and `services/{code}.{json,xml}`: the complaint kinds Open311
//! clients may post, and each one's attributes (a service complaint names the service).

use axum::extract::{Path, State};
use axum::response::Response;
use daftar_core::complaint::ComplaintKind;

use super::format::{self, Record, Value};
use crate::app::AppState;

/// The attribute naming the service a complaint concerns.
pub(super) const SERVICE_ATTRIBUTE: &str = "concerns_service";

pub(super) fn list(state: &AppState, format: format::Format) -> Response {
    let records: Vec<Record> = state
        .services
        .complaints
        .kinds()
        .open311()
        .map(|kind| {
            vec![
                ("service_code", Value::Text(kind.code.clone())),
                ("service_name", Value::Text(kind.name.fa.clone())),
                ("description", Value::Text(kind.description.fa.clone())),
                ("metadata", Value::Bool(kind.needs_service)),
                ("type", Value::Text("realtime".into())),
                ("keywords", Value::Text(kind.name.en.clone())),
                ("group", Value::Text(group(kind).into())),
            ]
        })
        .collect();
    format::list(format, "services", "service", &records, 200)
}

fn group(kind: &ComplaintKind) -> &'static str {
    if kind.sign_in {
        "complaints"
    } else {
        "suggestions"
    }
}

pub(super) async fn definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Response {
    let Some((code, format)) = format::split(&file) else {
        return format::error(format::Format::Json, 404, "No such resource.");
    };
    let Some(kind) = state
        .services
        .complaints
        .kinds()
        .open311()
        .find(|kind| kind.code == code)
    else {
        return format::error(format, 404, "service_code not found");
    };
    let mut attributes = Vec::new();
    if kind.needs_service {
        let values: Vec<Record> = state
            .services
            .catalog
            .services()
            .iter()
            .filter(|service| service.workflow.as_deref() != Some(daftar_core::complaint::WORKFLOW))
            .map(|service| {
                vec![
                    ("key", Value::Text(service.identifier.clone())),
                    ("name", Value::Text(service.title.fa.clone())),
                ]
            })
            .collect();
        attributes.push(vec![
            ("variable", Value::Bool(true)),
            ("code", Value::Text(SERVICE_ATTRIBUTE.into())),
            ("datatype", Value::Text("singlevaluelist".into())),
            ("required", Value::Bool(true)),
            (
                "datatype_description",
                Value::Text("The service complained of".into()),
            ),
            ("order", Value::Int(1)),
            ("description", Value::Text("خدمت مربوط".into())),
            ("values", Value::List("value", values)),
        ]);
    }
    let record: Record = vec![
        ("service_code", Value::Text(kind.code.clone())),
        ("attributes", Value::List("attribute", attributes)),
    ];
    format::one(format, "service_definition", &record)
}
