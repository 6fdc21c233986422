//! Finding and ordering services by their Persian (and English) text.
//!
//! The same word reaches us in several spellings: Arabic ي and ك from older keyboards,
//! Persian or ASCII digits, with a zero-width non-joiner, a space or nothing between its
//! parts («پیش‌فروش», «پیش فروش», «پیشفروش»). Both the index and the query go through
//! [`fa::search_key`], and the index also drops its spaces, so that all of those match.

use crate::fa;

use super::service::Service;

/// Separates the indexed fields, so that a query word never matches across the end of
/// one field and the start of the next. `search_key` keeps it, and no query word can
/// contain it after splitting.
const FIELD_SEPARATOR: char = '\u{1F}';

/// The searchable text of one service: its titles, descriptions, group names and
/// identifier, each as a search key with its spaces removed.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    all: String,
    title: String,
}

impl Entry {
    pub(super) fn new(service: &Service) -> Entry {
        let title = compact(&[&service.title.fa, &service.title.en]);
        let all = compact(&[
            &service.title.fa,
            &service.title.en,
            &service.description.fa,
            &service.description.en,
            service.group.name().fa,
            service.group.name().en,
            &service.identifier,
        ]);
        Entry { all, title }
    }
}

fn compact(fields: &[&str]) -> String {
    let keys: Vec<String> = fields
        .iter()
        .map(|field| fa::search_key(field).replace(' ', ""))
        .collect();
    keys.join(&FIELD_SEPARATOR.to_string())
}

/// The words of a query, each as a search key, without surrounding punctuation (a
/// trailing «،» or «؟» should not make a word miss).
pub(super) fn query_words(query: &str) -> Vec<String> {
    fa::search_key(query)
        .split(' ')
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// How well an entry matches: `None` when some word is missing, otherwise a rank where
/// lower is better (all words in the title come first).
pub(super) fn rank(entry: &Entry, words: &[String]) -> Option<u8> {
    if !words.iter().all(|word| entry.all.contains(word.as_str())) {
        return None;
    }
    let in_title = words.iter().all(|word| entry.title.contains(word.as_str()));
    Some(if in_title { 0 } else { 1 })
}

/// The Persian alphabet in its dictionary order, which Unicode's code points do not
/// follow: پ چ ژ ک گ ی sit after the Arabic letters, and ه before و.
const ALPHABET: &str = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی";

/// A key that sorts Persian titles as a Persian reader expects: letters by [`ALPHABET`]
/// (after normalising Arabic ي/ك and dropping ZWNJ), anything else by code point.
pub(super) fn collation_key(s: &str) -> Vec<(u32, u32)> {
    let arabic_letters_block = 0x0600;
    fa::search_key(s)
        .chars()
        .map(|c| match ALPHABET.chars().position(|letter| letter == c) {
            // Ranks are below 40, so the cast cannot truncate.
            Some(rank) => (arabic_letters_block, rank as u32),
            None => (c as u32, 0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persian_titles_sort_in_dictionary_order_not_code_point_order() {
        let mut titles = vec!["گواهی", "ویژه", "پروانه", "هزینه", "بازدید", "یادداشت"];
        titles.sort_by_key(|t| collation_key(t));
        assert_eq!(
            titles,
            vec!["بازدید", "پروانه", "گواهی", "ویژه", "هزینه", "یادداشت"]
        );
    }

    #[test]
    fn arabic_yeh_and_kaf_sort_like_their_persian_forms() {
        assert_eq!(collation_key("كوي"), collation_key("کوی"));
    }

    #[test]
    fn query_words_drop_punctuation_and_normalise_digits() {
        assert_eq!(
            query_words("  ماده ۱۰۰،  قبض؟ "),
            vec!["ماده", "100", "قبض"]
        );
        assert!(query_words(" ، ").is_empty());
    }
}
