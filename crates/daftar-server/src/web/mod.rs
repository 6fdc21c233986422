//! The pages, Persian first. One askama struct per view; every page extends
//! `templates/base.html` through the [`Layout`] it carries.

mod assets;
mod bills;
mod cases;
mod catalog;
mod complaint;
pub(crate) mod design;
mod health;
mod home;
mod inspection;
mod issued;
mod outage;
mod payments;
mod property;
mod sign_in;
mod sketch;
mod staff;
mod survey;
mod usage;
mod violation;
mod zoning;

pub use issued::{VERIFY_PAGE_KEPT_FOR, VerifyPages};

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;

use crate::extract::Path;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use daftar_core::calendar::JalaliDate;
use jiff::Timestamp;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::{CSRF_COOKIE, Csrf, CurrentUser, MaybeUser, Principal};
use crate::error::AppError;
use crate::i18n::{Lang, Tr};

/// The pages, each seen through [`keep_layout`], then what is not a page: the health
/// check, the language switch and the static files, which need no session.
pub fn routes(state: &AppState) -> Router<AppState> {
    let pages = Router::new()
        .route("/", get(home::home))
        .merge(design::routes())
        .merge(payments::routes())
        .merge(bills::routes())
        .merge(cases::routes())
        .merge(catalog::routes())
        .merge(sign_in::routes())
        .merge(inspection::routes())
        .merge(issued::routes())
        .merge(outage::routes())
        .merge(property::routes())
        .merge(sketch::routes())
        .merge(violation::routes())
        .merge(staff::routes())
        .merge(complaint::routes())
        .merge(survey::routes())
        .merge(usage::routes())
        .merge(zoning::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            keep_layout,
        ));
    pages
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
        .route("/lang/{code}", get(switch_language))
        .merge(assets::routes())
        .merge(issued::shared_routes())
}

/// Works out the page's [`Page`] once, for its handler, and hands its layout to an
/// error's page, so that a signed-in user keeps their header on a 403 or a 404.
async fn keep_layout(
    page: Page,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let layout = page.layout.clone();
    request.extensions_mut().insert(page);
    with_layout(next.run(request).await, layout)
}

/// Hands `layout` to the response's error page, if it is one.
pub fn with_layout(mut response: Response, layout: Layout) -> Response {
    if response
        .extensions()
        .get::<crate::error::ErrorBody>()
        .is_some()
    {
        response.extensions_mut().insert(layout);
    }
    response
}

/// What the base layout shows: language, the municipality, who is signed in, the form
/// token, where the page is (for the navigation and the language switch).
#[derive(Debug, Clone)]
pub struct Layout {
    pub tr: Tr,
    pub municipality: String,
    /// Who is signed in, in words, and an identifier shown isolated beside them.
    pub user_label: Option<String>,
    pub user_code: Option<String>,
    pub is_staff: bool,
    pub csrf: String,
    pub path: String,
    /// The path with its query, so that switching language keeps a search's results.
    pub path_and_query: String,
    /// Bills can be paid online here.
    pub pay_online: bool,
    /// Bills are paid through the development gateway: every page says so.
    pub dev_gateway: bool,
    /// Today, for printouts.
    pub today: String,
    /// A staff member's queues, each with its count of open tasks, for the navigation.
    pub queues: Vec<NavQueue>,
    /// The planned outages coming within the lead time or under way, as their banners
    /// say them.
    pub outages: Vec<String>,
}

/// One of a staff member's queues in the navigation.
#[derive(Debug, Clone)]
pub struct NavQueue {
    pub slug: &'static str,
    pub name: &'static str,
    pub count: String,
}

/// A link in the navigation bar, with a count when it leads to a queue.
pub struct NavLink {
    pub href: String,
    pub label: String,
    pub count: Option<String>,
    pub current: bool,
}

impl Layout {
    /// The navigation: a citizen's tasks, or a staff member's queues with their counts.
    pub fn nav(&self) -> Vec<NavLink> {
        let link = |href: String, label: String, count: Option<String>| NavLink {
            href,
            label,
            count,
            current: false,
        };
        let fixed: &[(&str, &str)] = if self.is_staff {
            &[("/staff", "nav-my-queues")]
        } else {
            &[
                ("/services", "nav-services"),
                ("/cases", "nav-my-cases"),
                ("/bills/track", "nav-bills"),
                ("/clearance", "nav-clearance"),
            ]
        };
        let mut links: Vec<NavLink> = fixed
            .iter()
            .map(|(href, id)| link((*href).to_owned(), self.tr.t(id), None))
            .collect();
        if self.is_staff {
            links.extend(self.queues.iter().map(|queue| {
                link(
                    format!("/staff/queues/{}", queue.slug),
                    queue.name.to_owned(),
                    Some(queue.count.clone()),
                )
            }));
            links.push(link("/services".into(), self.tr.t("nav-services"), None));
        }
        // The page is under the link of the longest path it starts with: a queue's page
        // is the queue's, not "my queues".
        let under = |href: &str| self.path == href || self.path.starts_with(&format!("{href}/"));
        if let Some(current) = links
            .iter_mut()
            .filter(|link| under(&link.href))
            .max_by_key(|link| link.href.len())
        {
            current.current = true;
        }
        links
    }

    /// A layout for a page with nobody signed in (the error page).
    pub fn anonymous(tr: Tr, branding: &crate::app::Branding) -> Layout {
        Layout {
            tr,
            municipality: branding.municipality(tr.lang).to_owned(),
            user_label: None,
            user_code: None,
            is_staff: false,
            csrf: String::new(),
            path: "/".into(),
            path_and_query: "/".into(),
            pay_online: false,
            dev_gateway: false,
            today: tr.day(JalaliDate::from_timestamp(Timestamp::now())),
            queues: Vec::new(),
            outages: Vec::new(),
        }
    }
}

/// Everything a page handler needs about the request.
#[derive(Debug, Clone)]
pub struct Page {
    pub layout: Layout,
    pub user: Option<CurrentUser>,
    pub csrf: Csrf,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Page, AppError> {
        // Worked out already for this request (keep_layout).
        if let Some(page) = parts.extensions.get::<Page>() {
            return Ok(page.clone());
        }
        let lang = crate::i18n::detect(&parts.uri, &parts.headers);
        let MaybeUser(user) = MaybeUser::from_request_parts(parts, state).await?;
        let csrf = Csrf::of(user.as_ref(), &parts.headers);
        let path_and_query = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
        let layout = Layout::of(
            state,
            Tr::new(lang),
            user.as_ref(),
            csrf.token.clone(),
            parts.uri.path(),
            path_and_query,
        )
        .await;
        Ok(Page { layout, user, csrf })
    }
}

impl Layout {
    /// The layout of a page at `path` for `user` (or nobody), with the form token `csrf`.
    async fn of(
        state: &AppState,
        tr: Tr,
        user: Option<&CurrentUser>,
        csrf: String,
        path: &str,
        path_and_query: String,
    ) -> Layout {
        let (user_label, user_code) = match user.map(|user| &user.principal) {
            Some(Principal::Citizen { national_id, .. }) => (
                Some(tr.t("who-citizen")),
                Some(tr.digits(&national_id.masked())),
            ),
            Some(Principal::Staff(account)) => (Some(account.display_name.clone()), None),
            None => (None, None),
        };
        Layout {
            tr,
            municipality: state.branding.municipality(tr.lang).to_owned(),
            is_staff: user.is_some_and(|user| user.staff().is_some()),
            user_label,
            user_code,
            csrf,
            path: path.to_owned(),
            path_and_query,
            pay_online: state.services.payments.offered(),
            dev_gateway: state.services.payments.dev_gateway().is_some(),
            today: tr.day(JalaliDate::from_timestamp(Timestamp::now())),
            queues: match user.and_then(|user| user.staff()) {
                Some(account) => nav_queues(state, account, &tr).await,
                None => Vec::new(),
            },
            outages: state
                .services
                .outages
                .banners()
                .await
                .iter()
                .map(|outage| outage::banner_text(&tr, outage))
                .collect(),
        }
    }
}

/// Who asks for a page that may be kept and shown again to others
/// ([`issued::VerifyPages`]). A visitor who presents no session or token and asks with no
/// query gets a page that depends only on its path and language: nobody's name, no form
/// token, nothing from a query. Such a page's route is outside [`keep_layout`], which
/// would work out a whole [`Page`] first.
pub enum Visitor {
    Anonymous(Lang),
    Known(Box<Page>),
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Visitor, AppError> {
        let presents_nothing = parts.uri.query().is_none()
            && crate::auth::presented_token(&parts.headers, parts.uri.path()).is_none();
        if presents_nothing {
            return Ok(Visitor::Anonymous(crate::i18n::detect(
                &parts.uri,
                &parts.headers,
            )));
        }
        Ok(Visitor::Known(Box::new(
            Page::from_request_parts(parts, state).await?,
        )))
    }
}

impl Page {
    /// The page of an anonymous visitor at `path` ([`Visitor::Anonymous`]): the layout a
    /// signed-out visitor gets, without a form token, which such a page has no form for.
    pub async fn anonymous(state: &AppState, lang: Lang, path: &str) -> Page {
        let layout = Layout::of(
            state,
            Tr::new(lang),
            None,
            String::new(),
            path,
            path.to_owned(),
        )
        .await;
        Page {
            layout,
            user: None,
            csrf: Csrf {
                token: String::new(),
                fresh: false,
            },
        }
    }
}

/// A staff member's queues with their counts. The navigation is not worth failing a
/// page for: if the counts cannot be read, the queues are left out and it is logged.
async fn nav_queues(
    state: &AppState,
    account: &daftar_store::StaffAccount,
    tr: &Tr,
) -> Vec<NavQueue> {
    match state.services.cases.queue_counts(account).await {
        Ok(counts) => counts
            .into_iter()
            .map(|(role, count)| NavQueue {
                slug: role.slug(),
                name: role.name().in_lang(tr.lang),
                count: cases::shown_count(tr, count),
            })
            .collect(),
        Err(error) => {
            tracing::warn!(%error, "Could not count the queues for the navigation.");
            Vec::new()
        }
    }
}

impl Page {
    /// The status and message to show a form again with; internal errors are not a
    /// form's business and go on to the error page.
    pub fn form_error(&self, error: impl Into<AppError>) -> Result<(StatusCode, String), AppError> {
        match error.into() {
            error @ (AppError::Internal(_) | AppError::Unavailable) => Err(error),
            error => Ok((
                error.status(),
                crate::error::error_message(self.layout.tr.lang, &error.body()),
            )),
        }
    }

    /// Renders a view, sending the pre-session CSRF cookie when it is new.
    pub fn render(&self, view: &impl Template) -> Result<Response, AppError> {
        let html = view
            .render()
            .map_err(|e| anyhow::anyhow!("a template failed: {e}"))?;
        let mut response = Html(html).into_response();
        if self.csrf.fresh {
            let cookie = format!(
                "{CSRF_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict",
                self.csrf.token
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        Ok(response)
    }
}

/// A `Set-Cookie` value for the session; `max_age` 0 removes it.
pub fn session_cookie(token: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}",
        crate::auth::SESSION_COOKIE
    );
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[derive(Debug, Deserialize)]
struct Next {
    next: Option<String>,
}

/// `next` when it is a path on this site, to go on to after a detour (the language
/// switch, signing in); `None` otherwise.
///
/// Browsers read `/\\host` and `/<tab>/host` as `//host`, another site, and a CR or LF
/// would break the `Location` header: only a path of plain visible ASCII, starting with
/// one `/` and holding no backslash, passes. Anything else is ignored, never an error.
pub fn local_path(next: &str) -> Option<&str> {
    let bytes = next.as_bytes();
    let local = bytes.first() == Some(&b'/')
        && bytes.get(1) != Some(&b'/')
        && bytes.iter().all(|b| b.is_ascii_graphic() && *b != b'\\');
    local.then_some(next)
}

/// To the citizens' sign-in, then back to `path` (this site's, with its query).
pub fn sign_in_then(path: &str) -> Redirect {
    let next: String = url_encoded(path);
    Redirect::to(&format!("/sign-in?next={next}"))
}

/// To the staff sign-in, then back to `path`.
pub fn staff_sign_in_then(path: &str) -> Redirect {
    Redirect::to(&format!("/staff/sign-in?next={}", url_encoded(path)))
}

pub(crate) fn url_encoded(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_owned()
}

/// Remembers the chosen language in a cookie and goes back to the page.
async fn switch_language(Path(code): Path<String>, uri: axum::http::Uri) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    // A query that cannot be read is no `next`, not an error.
    let next: Option<Next> = serde_urlencoded::from_str(uri.query().unwrap_or_default()).ok();
    let next = next
        .and_then(|next| next.next)
        .filter(|next| local_path(next).is_some())
        .unwrap_or_else(|| "/".to_owned());
    let mut response = Redirect::to(&next).into_response();
    let cookie = format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorView {
    layout: Layout,
    title: String,
    message: String,
    /// Not signed in (401): where the sign-in links send the user back to.
    sign_in_next: Option<String>,
}

/// The error page's HTML, for the error middleware.
pub fn error_page(
    lang: Lang,
    branding: &crate::app::Branding,
    layout: Option<Layout>,
    status: StatusCode,
    message: &str,
    path: &str,
) -> String {
    let layout = layout.unwrap_or_else(|| Layout::anonymous(Tr::new(lang), branding));
    let tr = layout.tr;
    let title = tr.t1("error-title", "status", &tr.digits(status.as_str()));
    let view = ErrorView {
        layout,
        title,
        message: message.to_owned(),
        sign_in_next: (status == StatusCode::UNAUTHORIZED)
            .then(|| local_path(path).map(url_encoded))
            .flatten(),
    };
    view.render().unwrap_or_else(|_| message.to_owned())
}

/// A name (a colleague's, in either script) set in running text as its own direction:
/// first-strong isolated, so that a Persian name in an English sentence, or the reverse,
/// does not reorder the words around it.
pub(crate) fn isolated(name: &str) -> String {
    format!("\u{2068}{name}\u{2069}")
}
