//! An uploaded file as an answer, the same from a page and from the API: sent as an
//! attachment with its declared type (never rendered by the browser as this site's own
//! page, whatever it holds) and never cached.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

pub fn response(content_type: &str, bytes: Vec<u8>) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// An issued document's PDF, the same from a page and from the API: saved under its
/// name to download, or shown in the browser's own viewer to print. Never cached: a
/// revoked document's next copy says so.
pub fn issued_pdf(
    pdf: daftar_app::issued::IssuedPdf,
    purpose: daftar_app::issued::Purpose,
) -> Response {
    let mut response = pdf.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    let disposition = match purpose {
        daftar_app::issued::Purpose::Download => "attachment",
        daftar_app::issued::Purpose::Print => "inline",
    };
    // The file name is a kind and a serial: ASCII, nothing to escape.
    if let Ok(value) =
        HeaderValue::from_str(&format!("{disposition}; filename=\"{}\"", pdf.file_name))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}
