//! What every request passes through ([`EdgeLayer`]): the body of an error is written in
//! the request's language ([`crate::error`]), the security headers a response has not set
//! are added (HSTS and `Secure` cookies too, when served over HTTPS), and each request is logged at debug level with its path, status and time,
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
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Uri, header};
use axum::response::Response;
use tower::{Layer, Service};
use tracing::Level;

use crate::app::Branding;
use crate::error::with_error_body;

/// Set on every response that has not set its own.
///
/// `Cache-Control: no-store` keeps answers that carry personal data (a case, a bill's
/// owner, a sign-in) out of shared and back-button caches; the few public, unchanging
/// files (the stylesheet) set their own.
const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::CACHE_CONTROL, "no-store"),
];

/// A page's policies: the pages need no inline script or style and load nothing from
/// elsewhere, so only this site's own files are allowed.
const PAGE_POLICIES: [(HeaderName, &str); 2] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(self), payment=(), usb=()",
    ),
];

/// A page's policy when it draws a map over the municipality's tiles: the tiles' origin
/// (`https://gis.example.ir`) may be loaded as images too. The page sets it itself; the
/// edge keeps a policy a handler set.
pub fn page_policy_with_images_from(origin: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: {origin}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Everything else (JSON, files): a document that is not a page may load nothing and
/// use nothing. Short, because the public look-up answers tens of thousands a second.
const OTHER_POLICIES: [(HeaderName, &str); 2] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
    (
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=()",
    ),
];

/// Under `--secure-cookies` (served over HTTPS): browsers are told to come back over
/// HTTPS only.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The layer; `secure` is `--secure-cookies`: HSTS is sent, and every cookie is marked
/// `Secure`, whichever handler set it.
#[derive(Debug, Clone)]
pub struct EdgeLayer {
    pub secure: bool,
    /// For the error page's header.
    pub branding: &'static Branding,
}

impl<S> Layer<S> for EdgeLayer {
    type Service = Edge<S>;

    fn layer(&self, inner: S) -> Edge<S> {
        Edge {
            inner,
            secure: self.secure,
            branding: self.branding,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Edge<S> {
    inner: S,
    secure: bool,
    branding: &'static Branding,
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
        let asked = Asked::of(&request, self.secure);
        let answer = self.inner.call(request);
        let branding = self.branding;
        Box::pin(async move {
            let Ok(response) = answer.await;
            Ok(asked.finish(response, branding))
        })
    }
}

/// What the response needs to know of its request. The language is worked out only for
/// an error's body: most answers never need it, and the look-up answers tens of
/// thousands a second.
struct Asked {
    uri: Uri,
    /// The request's `Cookie` and `Accept-Language`, which the language is read from.
    language_headers: HeaderMap,
    is_api: bool,
    secure: bool,
    /// When debug logging is on: the request's start, method and path.
    logged: Option<(Instant, Method, String)>,
}

impl Asked {
    fn of(request: &Request, secure: bool) -> Asked {
        let uri = request.uri();
        let mut language_headers = HeaderMap::new();
        for name in [header::COOKIE, header::ACCEPT_LANGUAGE] {
            for value in request.headers().get_all(&name) {
                language_headers.append(name.clone(), value.clone());
            }
        }
        Asked {
            uri: uri.clone(),
            language_headers,
            is_api: uri.path().starts_with("/api/"),
            secure,
            logged: tracing::enabled!(Level::DEBUG).then(|| {
                (
                    Instant::now(),
                    request.method().clone(),
                    uri.path().to_owned(),
                )
            }),
        }
    }

    fn finish(self, response: Response, branding: &Branding) -> Response {
        let lang = || crate::i18n::detect(&self.uri, &self.language_headers);
        let mut response = with_error_body(response, lang, self.is_api, self.uri.path(), branding);
        let headers = response.headers_mut();
        // Room for what is added below at once, rather than growing the map twice.
        headers.reserve(SECURITY_HEADERS.len() + PAGE_POLICIES.len() + 1);
        let is_page = headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
        let policies = if is_page {
            PAGE_POLICIES
        } else {
            OTHER_POLICIES
        };
        for (name, value) in SECURITY_HEADERS.into_iter().chain(policies) {
            headers
                .entry(name)
                .or_insert_with(|| HeaderValue::from_static(value));
        }
        if self.secure {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static(HSTS),
            );
            mark_cookies_secure(headers);
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

/// Adds `Secure` to every cookie set without it.
fn mark_cookies_secure(headers: &mut HeaderMap) {
    if !headers.contains_key(header::SET_COOKIE) {
        return;
    }
    let cookies: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|cookie| {
            let already = cookie.to_str().is_ok_and(|text| {
                text.split(';')
                    .any(|part| part.trim().eq_ignore_ascii_case("secure"))
            });
            if already {
                cookie.clone()
            } else {
                let mut marked = cookie.as_bytes().to_vec();
                marked.extend_from_slice(b"; Secure");
                HeaderValue::from_bytes(&marked).unwrap_or_else(|_| cookie.clone())
            }
        })
        .collect();
    headers.remove(header::SET_COOKIE);
    for cookie in cookies {
        headers.append(header::SET_COOKIE, cookie);
    }
}
