//! The API's OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` and the
//! request and answer types' `ToSchema`, so it cannot drift from what is served: a test
//! checks every answer of the API tests against the schema it names.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::OpenApi;

use super::{
    auth, bills, cases, catalog, inspection, issued, outage, property, sketch, staff, survey,
    violation, zoning,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Daftar",
        description = "The API of a municipality's electronic city-services office. Every \
                       page's action is also a call here, with the same permissions. \
                       Requests authenticate with `Authorization: Bearer <token>`; errors \
                       are `{\"error\":{\"code\",\"message\"}}`, the message in the \
                       `Accept-Language` of the request (Persian unless `en` is asked for)."
    ),
    paths(
        auth::request_code,
        auth::verify_code,
        auth::staff_token,
        auth::sign_out,
        auth::me,
        staff::unit,
        catalog::list,
        catalog::card,
        catalog::csv,
        bills::track,
        bills::record_payment,
        bills::issue_clearance,
        bills::verify_clearance,
        cases::view::list,
        cases::apply::apply,
        cases::view::track,
        cases::view::show,
        cases::act::act,
        cases::act::assign,
        cases::checklist::tick,
        cases::queue::queue,
        cases::documents::document,
        cases::documents::approve,
        cases::audit::reads_of_case,
        cases::audit::reads_by_staff,
        sketch::record::record,
        sketch::list::list,
        zoning::inquiry::inquiry,
        zoning::record::record,
        zoning::map_order::map_order,
        inspection::book::book,
        inspection::list::list,
        inspection::choices::choices,
        property::file::file,
        violation::list::list,
        violation::review::review,
        violation::ruling::rule,
        violation::permit::record,
        violation::letter::open,
        issued::look_up::look_up,
        issued::pdf::pdf,
        issued::revoke::revoke,
        issued::reissue::reissue,
        issued::reissue::extend,
        issued::keys::keys,
        outage::list::list,
        outage::announce::announce,
        outage::announce::withdraw,
        survey::answer::standing,
        survey::answer::answer,
        survey::results::form,
        survey::results::results,
        survey::results::csv,
        violation::firms::register,
        violation::firms::list,
        document,
    ),
    modifiers(&BearerToken),
    tags(
        (name = "auth", description = "Signing in: a citizen's one-time code, a staff password"),
        (name = "catalog", description = "The services the office offers"),
        (name = "bills", description = "Bills, payments and clearances"),
        (name = "cases", description = "Applying, acting on cases, queues and documents"),
        (name = "staff", description = "The office's units"),
        (name = "zoning", description = "The detailed plan: the inquiry"),
        (name = "properties", description = "The property file"),
        (name = "issued", description = "Issued documents: verifying a serial, revoking, re-issuing, the office's public keys"),
        (name = "outages", description = "Planned outages: announced by the system admin, listed for everyone"),
        (name = "surveys", description = "Satisfaction surveys: a closed case's applicant answers; the results are public from five responses"),
    )
)]
struct ApiDoc;

/// Declares the bearer token every authenticated call sends, the answer any call may
/// get when something fails inside the server, and those of a body too large or
/// unreadable.
struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ApiError")))
                        .build(),
                )
                .build()
        };
        let internal = error("Something failed inside the server; nothing is shown of it");
        let too_large = error(
            "The body is larger than this call takes (`request.too_large`), or a document \
             is larger than 10 MB (`document.too_large`)",
        );
        let unreadable = error("The body is not the JSON this call takes (`request.invalid`)");
        let bearer =
            utoipa::openapi::security::SecurityRequirement::new("bearer", Vec::<String>::new());
        for item in openapi.paths.paths.values_mut() {
            // Every call with a body has a limit on it, and may be sent one it cannot read.
            if let Some(operation) = &mut item.post {
                let responses = &mut operation.responses.responses;
                responses
                    .entry("413".to_owned())
                    .or_insert_with(|| too_large.clone().into());
                responses
                    .entry("422".to_owned())
                    .or_insert_with(|| unreadable.clone().into());
            }
            for operation in [&mut item.get, &mut item.post].into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                // A call that can answer 401 needs the token.
                if responses.contains_key("401") {
                    operation.security = Some(vec![bearer.clone()]);
                }
                responses
                    .entry("500".to_owned())
                    .or_insert_with(|| internal.clone().into());
            }
        }
    }
}

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|error| format!("{{\"error\":\"{error}\"}}"))
});

/// The document as JSON, as served, for the tests that check answers against it.
pub fn document_json() -> &'static str {
    &DOCUMENT
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "catalog",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
pub(super) async fn document() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document_json(),
    )
}
