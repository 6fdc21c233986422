//! axum's extractors with our rejection: a form, a query string, a path or a multipart
//! body that cannot be read is an [`AppError`], so it reaches the client as the localized
//! error page or as `{"error":{"code","message"}}`, never as axum's English text.
//!
//! A body over its route's limit is 413 `request.too_large`; anything else unreadable is
//! 422 `request.invalid`.

use axum::extract::{FromRequest, FromRequestParts, Request};

use crate::error::AppError;

/// A URL-encoded form body.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Form), rejection(AppError))]
pub struct Form<T>(pub T);

/// A query string.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

/// Path parameters.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

/// A multipart body, read part by part; a part that cannot be read is an [`AppError`]
/// too ([`AppError::from`] a `MultipartError`).
#[derive(Debug)]
pub struct Multipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Multipart, AppError> {
        axum::extract::Multipart::from_request(request, state)
            .await
            .map(Multipart)
            .map_err(AppError::from)
    }
}
