//! Translations with Fluent: Persian first, English second.
//!
//! The messages live in `locales/{fa,en}/main.ftl` and are compiled into the binary.
//! [`Lang`] is chosen per request: the `lang` cookie on pages, `Accept-Language` or
//! `?lang=` in the API, Persian otherwise. A missing English message falls back to
//! Persian, and a test checks that both files hold the same message ids.

use std::sync::LazyLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

pub const FA_FTL: &str = include_str!("../locales/fa/main.ftl");
pub const EN_FTL: &str = include_str!("../locales/en/main.ftl");

pub use daftar_core::text::Lang;

/// The language a request asks for: `?lang=`, then the `lang` cookie, then, in the API
/// only, the first language of `Accept-Language` that Daftar speaks; Persian when none.
/// Pages ignore `Accept-Language`: they are Persian until the user switches, whatever
/// language the browser happens to be set to.
pub fn detect(uri: &Uri, headers: &HeaderMap) -> Lang {
    let from_query = uri.query().and_then(|query| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("lang="))
            .and_then(Lang::parse)
    });
    let from_cookie = || crate::auth::cookie(headers, "lang").and_then(Lang::parse);
    let from_header = || {
        if !uri.path().starts_with("/api/") {
            return None;
        }
        headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(',').find_map(Lang::parse))
    };
    from_query
        .or_else(from_cookie)
        .or_else(from_header)
        .unwrap_or_default()
}

/// The request's language, as a handler's argument.
#[derive(Debug, Clone, Copy)]
pub struct RequestLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for RequestLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<RequestLang, Self::Rejection> {
        Ok(RequestLang(detect(&parts.uri, &parts.headers)))
    }
}

pub struct I18n {
    fa: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("I18n")
    }
}

fn bundle(lang: &str, source: &str) -> anyhow::Result<FluentBundle<FluentResource>> {
    let resource = FluentResource::try_new(source.to_owned())
        .map_err(|(_, errors)| anyhow::anyhow!("the {lang} messages do not parse: {errors:?}"))?;
    let mut bundle = FluentBundle::new_concurrent(vec![lang.parse()?]);
    // The pages are HTML with their own direction; Unicode isolation marks would show
    // up inside attribute values and copied text.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| anyhow::anyhow!("the {lang} messages repeat ids: {errors:?}"))?;
    Ok(bundle)
}

/// The messages, parsed once. They are constants compiled into the binary, not
/// configuration; the unit tests below prove they parse.
static MESSAGES: LazyLock<I18n> =
    LazyLock::new(|| I18n::load().expect("the embedded messages parse (see the tests)"));

/// The message `id` in `lang`; see [`I18n::message`].
pub fn message(lang: Lang, id: &str, args: &[(&str, String)]) -> String {
    MESSAGES.message(lang, id, args)
}

impl I18n {
    pub fn load() -> anyhow::Result<I18n> {
        Ok(I18n {
            fa: bundle("fa", FA_FTL)?,
            en: bundle("en", EN_FTL)?,
        })
    }

    /// The message `id` in `lang`, with named arguments. An unknown id yields the id
    /// itself, so a missing message is visible but never an error.
    pub fn message(&self, lang: Lang, id: &str, args: &[(&str, String)]) -> String {
        let bundles = match lang {
            Lang::Fa => [&self.fa, &self.fa],
            Lang::En => [&self.en, &self.fa],
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, FluentValue::from(value.clone()));
        }
        for bundle in bundles {
            if let Some(pattern) = bundle.get_message(id).and_then(|message| message.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, Some(&fluent_args), &mut errors)
                    .into_owned();
            }
        }
        id.to_owned()
    }
}

/// What templates use to translate: the request's language and the messages.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    pub fn t(&self, id: &str) -> String {
        message(self.lang, id, &[])
    }

    pub fn t1(&self, id: &str, name: &str, value: &str) -> String {
        message(self.lang, id, &[(name, value.to_owned())])
    }

    pub fn t2(&self, id: &str, name1: &str, value1: &str, name2: &str, value2: &str) -> String {
        message(
            self.lang,
            id,
            &[(name1, value1.to_owned()), (name2, value2.to_owned())],
        )
    }

    /// A message with any number of arguments.
    pub fn tn(&self, id: &str, args: &[(&str, String)]) -> String {
        message(self.lang, id, args)
    }

    /// Digits as the language writes them: Persian digits in Persian.
    pub fn digits(&self, text: &str) -> String {
        match self.lang {
            Lang::Fa => daftar_core::fa::to_persian_digits(text),
            Lang::En => text.to_owned(),
        }
    }

    pub fn is_fa(&self) -> bool {
        self.lang == Lang::Fa
    }

    /// A moment as the page shows it: Jalali, Tehran time, in the page's digits.
    pub fn moment(&self, at: jiff::Timestamp) -> String {
        match self.lang {
            Lang::Fa => daftar_core::calendar::format_timestamp_fa(at),
            Lang::En => daftar_core::calendar::format_timestamp_en(at),
        }
    }

    /// A Jalali day as the page shows it.
    pub fn day(&self, date: daftar_core::calendar::JalaliDate) -> String {
        match self.lang {
            Lang::Fa => date.format_fa(),
            Lang::En => date.format_en(),
        }
    }

    /// Days to pick a date from, as a `<datalist>` offers them: the value as typed
    /// (`1405-09-13`) and the day as read, with its weekday in Persian.
    pub fn date_choices(
        &self,
        days: &[daftar_core::calendar::JalaliDate],
    ) -> Vec<(String, String)> {
        days.iter()
            .map(|day| {
                let label = match self.lang {
                    Lang::Fa => format!("{} {}", day.weekday_name_fa(), day.format_fa()),
                    Lang::En => day.format_en(),
                };
                (day.iso_jalali(), label)
            })
            .collect()
    }

    /// A whole number with the page's digits and thousands separators.
    pub fn number(&self, value: u64) -> String {
        match self.lang {
            Lang::Fa => daftar_core::fa::format_number(value),
            Lang::En => daftar_core::fa::format_number_en(value),
        }
    }

    /// A long code grouped for reading aloud (`835 121 045 92`), in the page's digits;
    /// the groups are joined by no-break spaces, so the code never breaks across lines.
    pub fn grouped(&self, code: &str, size: usize) -> String {
        let chars: Vec<char> = code.chars().collect();
        let groups: Vec<String> = chars
            .chunks(size.max(1))
            .map(|group| group.iter().collect())
            .collect();
        self.digits(&groups.join("\u{a0}"))
    }

    /// A bilingual text in the page's language.
    pub fn text<S: AsRef<str>>(&self, text: &daftar_core::text::Text<S>) -> String {
        text.get(self.lang).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A code or a Latin string inside Persian text is reordered by the bidi algorithm
    /// (`۰۱-۱۰۱-۱۲-۰` reads `۰-۱۲-۱۰۱-۰۱`) unless isolated left to right: in messages,
    /// with U+2066 … U+2069, since a message cannot hold markup. Placeables are filled
    /// by the page, which isolates what it puts there.
    #[test]
    fn codes_in_persian_messages_are_isolated_left_to_right() {
        let is_digit = |c: char| c.is_ascii_digit() || ('۰'..='۹').contains(&c);
        let source = include_str!("../locales/fa/main.ftl");
        for line in source
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains(" = "))
        {
            let (id, text) = line.split_once(" = ").unwrap();
            let mut isolated = false;
            let mut in_placeable = false;
            let mut run = String::new();
            let check = |run: &mut String, isolated: bool| {
                let chars: Vec<char> = run.chars().collect();
                let latin = chars.iter().any(char::is_ascii_alphabetic);
                let separated = chars
                    .windows(3)
                    .any(|w| is_digit(w[0]) && matches!(w[1], '-' | ':' | '/') && is_digit(w[2]));
                assert!(
                    isolated || !(latin || separated),
                    "{id}: «{run}» is not isolated"
                );
                run.clear();
            };
            for c in text.chars() {
                if in_placeable {
                    in_placeable = c != '}';
                    continue;
                }
                if is_digit(c) || c.is_ascii_alphabetic() || "-:/".contains(c) {
                    run.push(c);
                    continue;
                }
                check(&mut run, isolated);
                match c {
                    '{' => in_placeable = true,
                    '\u{2066}' => isolated = true,
                    '\u{2069}' => isolated = false,
                    _ => {}
                }
            }
            check(&mut run, isolated);
        }
    }

    #[test]
    fn a_code_is_grouped_from_its_start_in_the_pages_digits() {
        let fa = Tr::new(Lang::Fa);
        assert_eq!(
            fa.grouped("83512104592", 3),
            "۸۳۵\u{a0}۱۲۱\u{a0}۰۴۵\u{a0}۹۲"
        );
        assert_eq!(Tr::new(Lang::En).grouped("1234", 4), "1234");
        assert_eq!(fa.grouped("", 3), "");
    }

    fn ids(source: &str) -> Vec<String> {
        let mut ids: Vec<String> = source
            .lines()
            .filter(|line| !line.starts_with(['#', ' ', '\t']) && line.contains(" ="))
            .filter_map(|line| line.split(" =").next())
            .map(str::to_owned)
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn persian_and_english_hold_the_same_message_ids() {
        assert_eq!(ids(FA_FTL), ids(EN_FTL));
        assert!(ids(FA_FTL).len() > 20);
    }

    #[test]
    fn both_message_files_parse() {
        let i18n = I18n::load().unwrap();
        assert_eq!(i18n.message(Lang::En, "site-name", &[]), "Daftar");
        assert_eq!(i18n.message(Lang::Fa, "site-name", &[]), "دفتر");
    }

    fn detect(request: axum::http::Request<()>) -> Lang {
        let (parts, _) = request.into_parts();
        super::detect(&parts.uri, &parts.headers)
    }

    #[test]
    fn the_language_is_read_from_the_query_then_cookie_then_header() {
        let request = axum::http::Request::builder()
            .uri("/?lang=en")
            .header("cookie", "lang=fa")
            .body(())
            .unwrap();
        assert_eq!(detect(request), Lang::En);
        let request = axum::http::Request::builder()
            .uri("/api/v1/me")
            .header("accept-language", "de, en-US;q=0.8")
            .body(())
            .unwrap();
        assert_eq!(detect(request), Lang::En);
        let page = axum::http::Request::builder()
            .uri("/")
            .header("accept-language", "en-US")
            .body(())
            .unwrap();
        assert_eq!(
            detect(page),
            Lang::Fa,
            "pages stay Persian whatever the browser says"
        );
        let request = axum::http::Request::builder().uri("/").body(()).unwrap();
        assert_eq!(detect(request), Lang::Fa);
    }
}
