//! `/outages.atom`: the planned outages as an Atom feed (RFC 4287), for a newsroom or a
//! feed reader; each entry is one announcement, in Persian with the English beside it.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use daftar_app::outage::Outages;
use daftar_core::calendar::{format_timestamp_en, format_timestamp_fa};

use crate::app::AppState;
use crate::error::AppError;

use daftar_core::text::xml_escape as xml;

pub(super) async fn feed(
    State(state): State<AppState>,
    State(outages): State<Outages>,
    headers: axum::http::HeaderMap,
) -> Result<Response, AppError> {
    let listed = outages.listed().await?;
    // Atom's ids are absolute: the public address, or the one this request came to.
    let base = xml(&state.site(&headers));
    let updated = listed
        .iter()
        .map(|outage| outage.announced_at)
        .max()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let mut body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fa\">\n\
         <id>{base}/outages</id>\n\
         <title>{}</title>\n\
         <updated>{updated}</updated>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{base}/outages\"/>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{base}/outages.atom\"/>\n\
         <author><name>{}</name></author>\n",
        xml(&format!(
            "قطعی‌های برنامه‌ریزی‌شده — {}",
            state.branding.municipality_fa
        )),
        xml(&state.branding.municipality_fa),
    );
    for outage in &listed {
        body.push_str(&format!(
            "<entry>\n<id>{base}/outages#outage-{id}</id>\n<title>{title}</title>\n\
             <updated>{announced}</updated>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{base}/outages#outage-{id}\"/>\n\
             <summary>{summary}</summary>\n</entry>\n",
            id = outage.id,
            title = xml(&outage.affected_fa),
            announced = outage.announced_at,
            summary = xml(&format!(
                "از {} تا {} (به وقت تهران) — {}: from {} to {} (Tehran time)",
                format_timestamp_fa(outage.from),
                format_timestamp_fa(outage.to),
                outage.affected_en,
                format_timestamp_en(outage.from),
                format_timestamp_en(outage.to),
            )),
        ));
    }
    body.push_str("</feed>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response())
}
