//! Searching the built-in catalog the way people type in Iran, and exporting it as CSV.

use super::fixture::valid;
use super::{Catalog, built_in};

const SEED: &str = "10012656000sh13";

fn catalog() -> Catalog {
    match built_in() {
        Ok(catalog) => catalog,
        Err(errors) => panic!("the built-in catalog must load:\n{errors}"),
    }
}

fn ids<'a>(hits: &[&'a super::Service]) -> Vec<&'a str> {
    hits.iter().map(|s| s.identifier.as_str()).collect()
}

#[test]
fn searching_with_arabic_yeh_finds_the_seed_service() {
    let catalog = catalog();
    // «پيگيري» with Arabic ي (U+064A), as older keyboards type it.
    let hits = catalog.search("پيگيري قبوض");
    assert_eq!(ids(&hits), [SEED]);
}

#[test]
fn searching_with_arabic_kaf_finds_persian_keheh() {
    let catalog = catalog();
    // «كد نوسازي» with Arabic ك and ي: the slip service is found by its description.
    let hits = ids(&catalog.search("فيش كد نوسازي"));
    assert_eq!(hits, ["10010101020th01"]);
}

#[test]
fn zwnj_a_space_or_nothing_between_the_parts_of_a_word_all_match() {
    let catalog = catalog();
    let pre_sale = "10010101005th01";
    for query in ["پیش\u{200c}فروش", "پیش فروش", "پیشفروش", "ابطال پيش‌فروش"]
    {
        let hits = ids(&catalog.search(query));
        assert!(hits.contains(&pre_sale), "{query}: {hits:?}");
    }
}

#[test]
fn persian_digits_in_the_query_match_the_ascii_and_persian_digits_of_the_catalog() {
    let catalog = catalog();
    // The Article 100 objection's title has «۱۰۰», its identifier ASCII digits.
    let article_100 = ids(&catalog.search("کمیسیون ماده ۱۰۰"));
    assert!(article_100.contains(&"10010101012th01"), "{article_100:?}");
    assert_eq!(ids(&catalog.search("۱۰۰۱۲۶۵۶۰۰۰sh13")), [SEED]);
    assert_eq!(ids(&catalog.search("10012656000SH13")), [SEED]);
}

#[test]
fn every_word_of_the_query_must_match() {
    let catalog = catalog();
    assert!(catalog.search("پروانه").len() > 1);
    assert!(catalog.search("پروانه زیردریایی").is_empty());
}

#[test]
fn services_with_every_word_in_their_title_come_first() {
    let catalog = catalog();
    let hits = catalog.search("گواهی");
    let titled = hits
        .iter()
        .take_while(|s| s.title.fa.contains("گواهی"))
        .count();
    assert_eq!(titled, 3, "{:?}", ids(&hits));
    assert!(hits.len() > titled, "descriptions mention certificates too");
}

#[test]
fn english_words_are_searched_case_insensitively_with_title_matches_first() {
    let catalog = catalog();
    // The whole group «Building permits and certificates» matches; the title comes first.
    let hits = ids(&catalog.search("Building PERMIT"));
    assert_eq!(hits.first(), Some(&"10010101018th01"), "{hits:?}");
    assert_eq!(hits.len(), 5, "{hits:?}");
}

#[test]
fn an_empty_query_lists_every_service_in_catalog_order() {
    let catalog = catalog();
    let all = catalog.search("  ");
    assert_eq!(all.len(), catalog.len());
    assert_eq!(
        ids(&all),
        ids(&catalog.services().iter().collect::<Vec<_>>())
    );
}

#[test]
fn the_csv_export_has_a_header_and_one_row_per_service() {
    let catalog = catalog();
    let csv = catalog.to_csv();
    assert!(csv.starts_with("identifier,title_fa,title_en,group,"));
    assert!(csv.ends_with("\r\n"));
    // No built-in text holds a line break, so each record is one CRLF-terminated line.
    assert_eq!(csv.matches("\r\n").count(), catalog.len() + 1);
    let seed_row = csv
        .split("\r\n")
        .find(|row| row.starts_with(SEED))
        .expect("the seed has a row");
    assert!(
        seed_row.contains(",free,,internet,fully_electronic,0383224849,"),
        "{seed_row}"
    );
    assert!(
        seed_row.contains(",instant,,around_the_clock,0,"),
        "{seed_row}"
    );
}

#[test]
fn a_title_with_commas_quotes_and_newlines_is_quoted_in_the_export() {
    let text = valid("s1").replace(
        "en = \"Test service\"",
        r#"en = "Bills, \"fees\"\nand tolls""#,
    );
    let catalog = super::load(&[("s1.toml".to_owned(), text)]).expect("the fixture is valid");
    let csv = catalog.to_csv();
    assert!(
        csv.contains("\r\ns1,خدمت آزمایشی,\"Bills, \"\"fees\"\"\nand tolls\",renewal_tolls,"),
        "{csv}"
    );
    // The quoted newline is inside a field: the file still has two records.
    assert_eq!(csv.matches("\r\n").count(), 2);
}
