//! `GET /properties/{district}/{renewal_code}`: a property's file — the register's facts,
//! the deed and outline, the cases on it, the documents the office approved, its
//! clearances and, for staff, who read it. A staff read is recorded.

use axum::Json;
use axum::extract::State;
use daftar_app::Properties;
use daftar_app::property::parse_property;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::ApiError;
use crate::auth::SignedInUser;
use crate::error::AppError;
use crate::extract::Path;

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PropertyFileAnswer {
    district: u16,
    renewal_code: String,
    /// What the register says; absent for a plot the register does not have.
    registered: Option<RegisteredAnswer>,
    /// The deed and outline from the GIS; absent when not imported.
    plot: Option<PlotAnswer>,
    cases: Vec<PropertyCaseAnswer>,
    /// The documents the office approved on the property's cases: its archive.
    documents: Vec<ArchivedDocumentAnswer>,
    clearances: Vec<ClearanceAnswer>,
    /// The last staff reads, newest first; empty for an owner.
    reads: Vec<ReadAnswer>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RegisteredAnswer {
    address: String,
    land_area_m2: f64,
    built_area_m2: f64,
    #[serde(rename = "use")]
    use_kind: String,
    owners: Vec<OwnerAnswer>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OwnerAnswer {
    name: String,
    /// Percent.
    share: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlotAnswer {
    #[schema(example = "4512/73")]
    registration_plate: String,
    registration_section: u16,
    deed_area_m2: f64,
    /// The outline as a GeoJSON geometry (WGS 84), when drawn.
    #[schema(value_type = Option<Object>)]
    outline: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PropertyCaseAnswer {
    id: i64,
    tracking_code: String,
    service_id: String,
    state: String,
    created_at: String,
    closed_at: Option<String>,
    sketches: i64,
    inquiries: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ArchivedDocumentAnswer {
    case_id: i64,
    document_id: i64,
    kind: String,
    version: i64,
    file_name: String,
    approved_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ClearanceAnswer {
    code: String,
    issued_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReadAnswer {
    staff: String,
    at: String,
}

#[utoipa::path(get, path = "/api/v1/properties/{district}/{renewal_code}", tag = "properties",
    params(
        ("district" = String, Path, description = "The municipal district"),
        ("renewal_code" = String, Path, description = "The renewal code, as 01-101-12-0"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, body = PropertyFileAnswer),
        (status = 401, body = ApiError),
        (status = 404, description = "No such property, or a citizen who is not its owner", body = ApiError),
        (status = 422, description = "A malformed district or renewal code (the code names the part)", body = ApiError),
    ))]
pub(in crate::api) async fn file(
    State(properties): State<Properties>,
    SignedInUser(user): SignedInUser,
    Path((district, renewal_code)): Path<(String, String)>,
) -> Result<Json<PropertyFileAnswer>, AppError> {
    let (district, code) = parse_property(&district, &renewal_code)?;
    let file = properties.file(&user.principal, district, &code).await?;
    let stored = file.stored;
    let m2 = |centi: i64| centi as f64 / 100.0;
    Ok(Json(PropertyFileAnswer {
        district,
        renewal_code: code.as_str().to_owned(),
        registered: stored.registered.map(|registered| RegisteredAnswer {
            address: registered.address,
            land_area_m2: m2(registered.land_area_centi_m2),
            built_area_m2: m2(registered.built_area_centi_m2),
            use_kind: registered.use_kind,
            owners: registered
                .owners
                .into_iter()
                .map(|owner| OwnerAnswer {
                    name: owner.name,
                    share: owner.share_hundredths as f64 / 100.0,
                })
                .collect(),
        }),
        plot: stored.plot.map(|plot| PlotAnswer {
            registration_plate: plot.registration_plate,
            registration_section: plot.registration_section,
            deed_area_m2: m2(plot.deed_area_centi_m2),
            outline: plot
                .outline
                .and_then(|text| serde_json::from_str(&text).ok()),
        }),
        cases: stored
            .cases
            .into_iter()
            .map(|case| PropertyCaseAnswer {
                id: case.id.0,
                tracking_code: case.tracking_code,
                service_id: case.service_id,
                state: case.state,
                created_at: case.created_at.to_string(),
                closed_at: case.closed_at.map(|at| at.to_string()),
                sketches: case.sketches,
                inquiries: case.inquiries,
            })
            .collect(),
        documents: stored
            .documents
            .into_iter()
            .map(|document| ArchivedDocumentAnswer {
                case_id: document.case.0,
                document_id: document.document_id,
                kind: document.kind,
                version: document.version,
                file_name: document.file_name,
                approved_at: document.approved_at.to_string(),
            })
            .collect(),
        clearances: stored
            .clearances
            .into_iter()
            .map(|(code, at)| ClearanceAnswer {
                code,
                issued_at: at.to_string(),
            })
            .collect(),
        reads: stored
            .reads
            .into_iter()
            .map(|read| ReadAnswer {
                staff: read.staff_name,
                at: read.at.to_string(),
            })
            .collect(),
    }))
}
