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
