//! Text in the desk's two languages: [`Lang`], Persian first and English second, and
//! [`Text`], one text in both. Every bilingual name, label and title of the domain is a
//! `Text`; a page or an answer picks its language with [`Text::get`].

use serde::{Deserialize, Serialize};

/// A language of the desk. Persian unless the user chose English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Fa,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fa => "fa",
            Lang::En => "en",
        }
    }

    /// The direction its text runs in, as HTML's `dir` names it.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Fa => "rtl",
            Lang::En => "ltr",
        }
    }

    /// A language by its code, or by a tag that starts with it (`en-US`).
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().get(..2)? {
            "fa" => Some(Lang::Fa),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// One text in Persian and English. Persian is what the public desk shows; English is for
/// the English pages and for staff who read the API. `S` is `String` for text read from
/// data, `&'static str` for the domain's own names (a role's, a group's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text<S = String> {
    pub fa: S,
    pub en: S,
}

impl<S> Text<S> {
    pub fn new(fa: S, en: S) -> Text<S> {
        Text { fa, en }
    }
}

impl<'a> Text<&'a str> {
    /// The text in `lang`, for as long as the text itself lives (a name the domain
    /// defines lives as long as the program).
    pub fn in_lang(&self, lang: Lang) -> &'a str {
        match lang {
            Lang::Fa => self.fa,
            Lang::En => self.en,
        }
    }
}

impl<S: AsRef<str>> Text<S> {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fa => self.fa.as_ref(),
            Lang::En => self.en.as_ref(),
        }
    }

    /// The text as owned strings.
    pub fn to_owned_text(&self) -> Text {
        Text::new(self.fa.as_ref().to_owned(), self.en.as_ref().to_owned())
    }
}

/// Text escaped for XML (an SVG drawing, an Atom feed): in element content and in
/// double-quoted attributes alike.
pub fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_gives_the_language_asked_for() {
        let text = Text::new("بازدید", "Inspection");
        assert_eq!(text.get(Lang::Fa), "بازدید");
        assert_eq!(text.get(Lang::En), "Inspection");
        assert_eq!(text.to_owned_text().get(Lang::En), "Inspection");
        assert_eq!(text.in_lang(Lang::Fa), "بازدید");
    }

    #[test]
    fn languages_are_known_by_their_code_and_tags() {
        assert_eq!(Lang::parse("fa"), Some(Lang::Fa));
        assert_eq!(Lang::parse("en-US"), Some(Lang::En));
        assert_eq!(Lang::parse("de"), None);
        assert_eq!(Lang::parse(""), None);
        assert_eq!(Lang::default(), Lang::Fa);
        assert_eq!((Lang::Fa.dir(), Lang::En.dir()), ("rtl", "ltr"));
    }
}
