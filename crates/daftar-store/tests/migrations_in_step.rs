//! The two migration sets must stay in step: the same files, creating the same tables,
//! columns and indexes.

use std::collections::BTreeSet;
use std::path::Path;

fn migrations(backend: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// The first word of each line inside a CREATE statement, plus the created names and the
/// columns added by ALTER TABLE: a rough schema outline that ignores types (which
/// legitimately differ).
fn outline(sql: &str) -> BTreeSet<String> {
    sql.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("--"))
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["CREATE", "TABLE", name, ..] => Some(format!("table {name}")),
                ["CREATE", "INDEX", name, ..] => Some(format!("index {name}")),
                ["CREATE", "UNIQUE", "INDEX", name, ..] => Some(format!("unique index {name}")),
                ["ALTER", "TABLE", table, "ADD", "COLUMN", column, ..] => {
                    Some(format!("column {table}.{column}"))
                }
                [first, ..] if first.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
                    Some(format!("column {first}"))
                }
                _ => None,
            }
        })
        .collect()
}

#[test]
fn sqlite_and_postgres_migrations_create_the_same_schema() {
    let sqlite = migrations("sqlite");
    let postgres = migrations("postgres");
    let names =
        |files: &[(String, String)]| files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&sqlite), names(&postgres));
    for ((name, lite), (_, pg)) in sqlite.iter().zip(&postgres) {
        assert_eq!(
            outline(lite),
            outline(pg),
            "{name} differs between the backends"
        );
        assert!(!outline(lite).is_empty());
    }
}
