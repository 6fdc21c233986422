//! Persian text: the normalisation applied to everything a person types, the search key
//! shared by the index and the query, Persian digits and thousands separators for pages
//! and documents, and amounts written out in words for certificates.
//!
//! Iranian keyboards, phones and older systems produce the same word with different code
//! points (Arabic ي and ك instead of Persian ی and ک, three kinds of digits), so every
//! number is normalised before it is validated and every name before it is compared
//! (IRAN_IDS.md section 7).

/// Maps one Persian (۰–۹) or Arabic-Indic (٠–٩) digit to its ASCII digit.
fn ascii_digit(c: char) -> Option<char> {
    let value = match c {
        '۰'..='۹' => c as u32 - '۰' as u32,
        '٠'..='٩' => c as u32 - '٠' as u32,
        _ => return None,
    };
    char::from_digit(value, 10)
}

/// Replaces Persian (۰–۹) and Arabic-Indic (٠–٩) digits with ASCII digits and leaves
/// every other character alone, so `"۰۹۱۲"` and `"٠٩١٢"` both become `"0912"`.
pub fn normalize_digits(s: &str) -> String {
    s.chars().map(|c| ascii_digit(c).unwrap_or(c)).collect()
}

/// A decimal number as typed in either script, with `.` or the Persian separator `٫`:
/// `۱۲٫۵`, `12.5`, `-3`. Not a number, or not finite, is `None`.
pub fn parse_decimal(text: &str) -> Option<f64> {
    normalize_digits(text.trim())
        .replace('٫', ".")
        .replace('−', "-")
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
}

/// Maps the Arabic letters that Persian text borrows by accident to their Persian forms:
/// Arabic yeh (ي) and alef maksura (ى) to Persian yeh (ی), Arabic kaf (ك) to keheh (ک).
fn persian_letter(c: char) -> char {
    match c {
        'ي' | 'ى' => 'ی',
        'ك' => 'ک',
        _ => c,
    }
}

/// Normalises typed Persian text before it is stored or validated: ASCII digits, Persian
/// ی and ک, and no surrounding whitespace. Anything else (ZWNJ, diacritics) is kept,
/// because it is part of how the name is written; [`search_key`] drops it for matching.
pub fn normalize_text(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| ascii_digit(c).unwrap_or_else(|| persian_letter(c)))
        .collect()
}

/// Whether a character carries no meaning for matching: tatweel (the stretching
/// ـ), the Arabic diacritics (harakat U+064B–U+065F and the superscript alef U+0670)
/// and the zero-width non-joiner that separates «می» from «روم».
fn ignored_in_search(c: char) -> bool {
    matches!(
        c,
        '\u{0640}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{200C}'
    )
}

/// The key under which text is indexed and with which it is searched: [`normalize_text`],
/// then tatweel, diacritics and ZWNJ dropped, runs of whitespace collapsed to one space
/// and ASCII letters lowercased. The same function must be used on both sides, so that
/// «مي‌روم», «میروم» and «مـیروم» all find each other.
pub fn search_key(s: &str) -> String {
    let mut key = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in normalize_text(s).chars() {
        if ignored_in_search(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        // Leading whitespace was trimmed, so a pending space always sits between words.
        if pending_space && !key.is_empty() {
            key.push(' ');
        }
        pending_space = false;
        key.push(c.to_ascii_lowercase());
    }
    key
}

/// Replaces ASCII and Arabic-Indic digits with Persian digits (۰–۹), for text shown on
/// pages and printed on documents.
pub fn to_persian_digits(s: &str) -> String {
    s.chars()
        .map(|c| match ascii_digit(c).unwrap_or(c) {
            d @ '0'..='9' => char::from_u32('۰' as u32 + (d as u32 - '0' as u32)).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Groups the ASCII digits of `n` by three with `separator`.
fn group_thousands(n: u64, separator: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() * 2);
    // Digits left before the next separator: the leading group holds 1 to 3.
    let mut left_in_group = match digits.len() % 3 {
        0 => 3,
        r => r,
    };
    for c in digits.chars() {
        if left_in_group == 0 {
            out.push(separator);
            left_in_group = 3;
        }
        out.push(c);
        left_in_group -= 1;
    }
    out
}

/// Formats a number for Persian pages: Persian digits grouped by the Arabic thousands
/// separator U+066C «٬», e.g. `1234567` → «۱٬۲۳۴٬۵۶۷». Amounts are in rials.
pub fn format_number(n: u64) -> String {
    to_persian_digits(&group_thousands(n, '\u{066C}'))
}

/// Formats a number for English pages: ASCII digits grouped by commas, e.g. `1234567` →
/// `"1,234,567"`.
pub fn format_number_en(n: u64) -> String {
    group_thousands(n, ',')
}

const ONES: [&str; 10] = [
    "", "یک", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه",
];
const TEENS: [&str; 10] = [
    "ده",
    "یازده",
    "دوازده",
    "سیزده",
    "چهارده",
    "پانزده",
    "شانزده",
    "هفده",
    "هجده",
    "نوزده",
];
const TENS: [&str; 10] = [
    "",
    "",
    "بیست",
    "سی",
    "چهل",
    "پنجاه",
    "شصت",
    "هفتاد",
    "هشتاد",
    "نود",
];
/// The joined forms required on certificates: «یکصد» rather than «صد», so that nothing
/// can be written in front of the amount.
const HUNDREDS: [&str; 10] = [
    "",
    "یکصد",
    "دویست",
    "سیصد",
    "چهارصد",
    "پانصد",
    "ششصد",
    "هفتصد",
    "هشتصد",
    "نهصد",
];

/// The words of 1..=999, parts joined by « و »; empty for 0.
fn words_below_thousand(n: u64) -> Vec<&'static str> {
    let mut parts = Vec::with_capacity(3);
    let (hundreds, rest) = ((n / 100 % 10) as usize, n % 100);
    if hundreds > 0 {
        parts.push(HUNDREDS[hundreds]);
    }
    let (tens, ones) = ((rest / 10) as usize, (rest % 10) as usize);
    match tens {
        0 => {}
        1 => parts.push(TEENS[ones]),
        _ => parts.push(TENS[tens]),
    }
    if tens != 1 && ones > 0 {
        parts.push(ONES[ones]);
    }
    parts
}

/// The words of `n` > 0 below one milliard, as « و »-joined groups with their scale.
fn words_below_milliard(n: u64, out: &mut Vec<String>) {
    for (scale, name) in [(1_000_000, "میلیون"), (1_000, "هزار"), (1, "")] {
        let group = n / scale % 1000;
        if group == 0 {
            continue;
        }
        let mut words = words_below_thousand(group).join(" و ");
        if !name.is_empty() {
            words.push(' ');
            words.push_str(name);
        }
        out.push(words);
    }
}

/// Writes an amount out in Persian words, as on municipal certificates and cheques:
/// 120000 → «یکصد و بیست هزار», 0 → «صفر».
///
/// Two conventions of Iranian cheques are followed, both so that nothing can be written
/// before the amount to change it: the hundreds use the joined forms (یکصد، دویست، …،
/// نهصد) and a scale is always preceded by its count, so 1000 is «یک هزار» and 1000000
/// is «یک میلیون», never a bare «هزار».
///
/// Above «میلیارد» (10⁹) the count of milliards is itself written out, so 10¹² is «یک هزار
/// میلیارد» rather than «تریلیون»: that is how the budget law and the banks write large
/// rial amounts, and it avoids «تریلیون», «بیلیون» and the like, which Persian readers
/// know from both the short and the long scale and so may read as different numbers.
/// The same rule covers all of `u64`, whose largest value is about 18 milliard milliards.
pub fn amount_in_words(n: u64) -> String {
    if n == 0 {
        return "صفر".to_owned();
    }
    let mut parts = Vec::new();
    let milliards = n / 1_000_000_000;
    if milliards > 0 {
        parts.push(format!("{} میلیارد", amount_in_words(milliards)));
    }
    words_below_milliard(n % 1_000_000_000, &mut parts);
    parts.join(" و ")
}

#[cfg(test)]
mod tests {

    #[test]
    fn decimals_are_read_in_either_script() {
        assert_eq!(parse_decimal(" ۱۲٫۵ "), Some(12.5));
        assert_eq!(parse_decimal("12.5"), Some(12.5));
        assert_eq!(parse_decimal("−۳"), Some(-3.0));
        for bad in ["", "x", "1,5", "NaN", "inf", "1e999"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn persian_and_arabic_indic_digits_become_ascii() {
        assert_eq!(normalize_digits("۰۱۲۳۴۵۶۷۸۹"), "0123456789");
        assert_eq!(normalize_digits("٠١٢٣٤٥٦٧٨٩"), "0123456789");
        assert_eq!(normalize_digits("کد ۱۲a٣"), "کد 12a3");
    }

    #[test]
    fn normalize_text_maps_arabic_yeh_and_kaf_and_trims() {
        assert_eq!(normalize_text("  علي كريمى ۱۲ "), "علی کریمی 12");
    }

    #[test]
    fn normalize_text_keeps_zwnj_and_diacritics() {
        assert_eq!(normalize_text("می\u{200C}روم"), "می\u{200C}روم");
        assert_eq!(normalize_text("مُحَمَّد"), "مُحَمَّد");
    }

    #[test]
    fn search_key_drops_tatweel_diacritics_and_zwnj() {
        assert_eq!(search_key("مـحـمـد"), "محمد");
        assert_eq!(search_key("مُحَمَّد"), "محمد");
        assert_eq!(search_key("رحمٰن"), "رحمن");
        assert_eq!(search_key("مي\u{200C}روم"), search_key("میروم"));
    }

    #[test]
    fn search_key_collapses_whitespace_and_lowercases_ascii() {
        assert_eq!(search_key("  Ali \t  KARIMI\n كريم "), "ali karimi کریم");
        assert_eq!(search_key("   "), "");
    }

    #[test]
    fn search_key_matches_the_same_name_typed_on_different_keyboards() {
        assert_eq!(search_key("كاظمي ۱۴۰۳"), search_key("کاظمی 1403"));
    }

    #[test]
    fn ascii_and_arabic_indic_digits_become_persian() {
        assert_eq!(to_persian_digits("0123456789"), "۰۱۲۳۴۵۶۷۸۹");
        assert_eq!(to_persian_digits("٣ و 4"), "۳ و ۴");
    }

    #[test]
    fn numbers_are_grouped_by_three_with_the_persian_separator() {
        assert_eq!(format_number(1_234_567), "۱٬۲۳۴٬۵۶۷");
        assert_eq!(format_number(0), "۰");
        assert_eq!(format_number(999), "۹۹۹");
        assert_eq!(format_number(1000), "۱٬۰۰۰");
        assert_eq!(format_number(100_000), "۱۰۰٬۰۰۰");
    }

    #[test]
    fn english_numbers_are_grouped_by_three_with_commas() {
        assert_eq!(format_number_en(1_234_567), "1,234,567");
        assert_eq!(format_number_en(12), "12");
        assert_eq!(format_number_en(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn amounts_in_words_match_the_reference_vectors() {
        assert_eq!(amount_in_words(120_000), "یکصد و بیست هزار");
        assert_eq!(
            amount_in_words(987_654_321),
            "نهصد و هشتاد و هفت میلیون و ششصد و پنجاه و چهار هزار و سیصد و بیست و یک"
        );
    }

    #[test]
    fn zero_is_written_as_sefr() {
        assert_eq!(amount_in_words(0), "صفر");
    }

    #[test]
    fn small_amounts_in_words_use_the_teens_and_joined_hundreds() {
        assert_eq!(amount_in_words(1), "یک");
        assert_eq!(amount_in_words(10), "ده");
        let teens = [
            "یازده",
            "دوازده",
            "سیزده",
            "چهارده",
            "پانزده",
            "شانزده",
            "هفده",
            "هجده",
            "نوزده",
        ];
        for (n, word) in (11..=19).zip(teens) {
            assert_eq!(amount_in_words(n), word);
        }
        assert_eq!(amount_in_words(20), "بیست");
        assert_eq!(amount_in_words(21), "بیست و یک");
        assert_eq!(amount_in_words(100), "یکصد");
        assert_eq!(amount_in_words(205), "دویست و پنج");
        assert_eq!(amount_in_words(500), "پانصد");
        assert_eq!(amount_in_words(999), "نهصد و نود و نه");
    }

    #[test]
    fn scales_always_carry_their_count_as_on_cheques() {
        assert_eq!(amount_in_words(1000), "یک هزار");
        assert_eq!(amount_in_words(1001), "یک هزار و یک");
        assert_eq!(amount_in_words(1_000_000), "یک میلیون");
        assert_eq!(amount_in_words(1_000_001), "یک میلیون و یک");
        assert_eq!(amount_in_words(1_000_000_000), "یک میلیارد");
        assert_eq!(amount_in_words(2_000_500), "دو میلیون و پانصد");
    }

    #[test]
    fn amounts_above_a_milliard_count_the_milliards() {
        assert_eq!(amount_in_words(1_000_000_000_000), "یک هزار میلیارد");
        assert_eq!(
            amount_in_words(1_234_000_000_005),
            "یک هزار و دویست و سی و چهار میلیارد و پنج"
        );
        assert!(amount_in_words(u64::MAX).starts_with("هجده میلیارد و چهارصد و چهل و شش میلیون"));
    }

    proptest! {
        #[test]
        fn digits_survive_a_round_trip_through_persian(n in any::<u64>()) {
            let persian = to_persian_digits(&n.to_string());
            prop_assert_eq!(normalize_digits(&persian), n.to_string());
            prop_assert_eq!(normalize_digits(&format_number(n)).replace('\u{066C}', ""), n.to_string());
        }

        #[test]
        fn amounts_in_words_never_have_empty_or_doubled_joins(n in any::<u64>()) {
            let words = amount_in_words(n);
            prop_assert!(!words.is_empty());
            prop_assert!(!words.contains("  "));
            prop_assert!(!words.contains("و و"));
            prop_assert!(!words.starts_with(" و") && !words.ends_with(" و"));
            prop_assert_eq!(words.trim(), words.as_str());
        }

        #[test]
        fn search_key_is_idempotent(s in "\\PC{0,40}") {
            let once = search_key(&s);
            prop_assert_eq!(search_key(&once), once.clone());
        }
    }
}
