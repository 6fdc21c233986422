//! What every request passes through ([`EdgeLayer`]): the body of an error is written in
//! the request's language ([`crate::error`]), the security headers a response has not set
//! are added, and each request is logged at debug level with its path, status and time,
//! never its query, which may carry a code or an ID.
//!
//! One plain tower layer rather than a layer for each of these, and rather than
//! `middleware::from_fn`: axum wraps every route in every layer, and a request pays for
//! each layer's clone and boxed future. On the public look-up the five layers this
//! replaced cost about a quarter of the request (docs/PERFORMANCE.md).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::response::Response;
use tower::{Layer, Service};
use tracing::Level;

use crate::error::with_error_body;
use crate::i18n::Lang;

/// Set on every response that has not set its own.
const SECURITY_HEADERS: [(HeaderName, &str); 3] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "same-origin"),
];

#[derive(Debug, Clone, Copy)]
pub struct EdgeLayer;

impl<S> Layer<S> for EdgeLayer {
    type Service = Edge<S>;

    fn layer(&self, inner: S) -> Edge<S> {
        Edge { inner }
    }
}

#[derive(Debug, Clone)]
pub struct Edge<S> {
    inner: S,
}

impl<S> Service<Request> for Edge<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let asked = Asked::of(&request);
        let answer = self.inner.call(request);
        Box::pin(async move {
            let Ok(response) = answer.await;
            Ok(asked.finish(response))
        })
    }
}

/// What the response needs to know of its request.
struct Asked {
    lang: Lang,
    is_api: bool,
    /// When debug logging is on: the request's start, method and path.
    logged: Option<(Instant, Method, String)>,
}

impl Asked {
    fn of(request: &Request) -> Asked {
        let uri = request.uri();
        Asked {
            lang: crate::i18n::detect(uri, request.headers()),
            is_api: uri.path().starts_with("/api/"),
            logged: tracing::enabled!(Level::DEBUG).then(|| {
                (
                    Instant::now(),
                    request.method().clone(),
                    uri.path().to_owned(),
                )
            }),
        }
    }

    fn finish(self, response: Response) -> Response {
        let mut response = with_error_body(response, self.lang, self.is_api);
        let headers = response.headers_mut();
        for (name, value) in SECURITY_HEADERS {
            headers
                .entry(name)
                .or_insert_with(|| HeaderValue::from_static(value));
        }
        if let Some((started, method, path)) = self.logged {
            tracing::debug!(
                %method,
                path,
                status = response.status().as_u16(),
                micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
                "answered a request"
            );
        }
        response
    }
}
