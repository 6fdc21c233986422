//! The `daftar` program as an operator uses it: subcommands, help and exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn daftar(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_daftar"))
        .args(args)
        .env_remove("DAFTAR_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("daftar starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn every_subcommand_has_help_naming_its_settings() {
    for (args, expected) in [
        (vec!["serve", "--help"], "DAFTAR_DATABASE_URL"),
        (vec!["serve", "--help"], "DAFTAR_ADDR"),
        (vec!["serve", "--help"], "DAFTAR_DATA_DIR"),
        (vec!["serve", "--help"], "--demo"),
        (vec!["migrate", "--help"], "--database-url"),
        (vec!["demo", "--help"], "--data-dir"),
        (vec!["user", "add", "--help"], "OFFICE:ROLE"),
    ] {
        let output = daftar(&args, "");
        assert!(output.status.success(), "{args:?}: {}", text(&output));
        assert!(
            text(&output).contains(expected),
            "{args:?} does not mention {expected}"
        );
    }
}

#[test]
fn migrate_demo_and_user_add_work_on_a_new_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let data_dir = data_dir.to_str().unwrap();
    let migrated = daftar(&["migrate", "--data-dir", data_dir], "");
    assert!(migrated.status.success(), "{}", text(&migrated));
    assert!(dir.path().join("data/daftar.db").exists());

    let demo = daftar(&["demo", "--data-dir", data_dir], "");
    assert!(demo.status.success(), "{}", text(&demo));
    assert!(
        text(&demo).contains("0499370899"),
        "the demo prints its credentials"
    );

    let add = [
        "user",
        "add",
        "--data-dir",
        data_dir,
        "--username",
        "neda",
        "--name",
        "ندا",
        "--role",
        "0101:consulting",
    ];
    let added = daftar(&add, "a long enough password\n");
    assert!(added.status.success(), "{}", text(&added));
    let again = daftar(&add, "a long enough password\n");
    assert!(!again.status.success(), "a taken username is refused");
    assert!(text(&again).contains("already exists"), "{}", text(&again));

    let short = daftar(
        &[
            "user",
            "add",
            "--data-dir",
            data_dir,
            "--username",
            "x",
            "--name",
            "x",
        ],
        "short\n",
    );
    assert!(!short.status.success());
    assert!(text(&short).contains("at least 10 characters"));

    let unknown_office = daftar(
        &[
            "user",
            "add",
            "--data-dir",
            data_dir,
            "--username",
            "y",
            "--name",
            "y",
            "--role",
            "0999:consulting",
        ],
        "a long enough password\n",
    );
    assert!(!unknown_office.status.success());
    let retried = daftar(
        &[
            "user",
            "add",
            "--data-dir",
            data_dir,
            "--username",
            "y",
            "--name",
            "y",
            "--role",
            "0101:consulting",
        ],
        "a long enough password\n",
    );
    assert!(
        retried.status.success(),
        "the failed add left no account behind: {}",
        text(&retried)
    );

    let bad_role = daftar(
        &[
            "user",
            "add",
            "--data-dir",
            data_dir,
            "--username",
            "z",
            "--name",
            "z",
            "--role",
            "0101:mayor",
        ],
        "",
    );
    assert!(!bad_role.status.success());
    assert!(text(&bad_role).contains("unknown role"));
}

#[test]
fn a_bad_database_url_is_a_clear_error() {
    let output = daftar(&["migrate", "--database-url", "mysql://nowhere/db"], "");
    assert!(!output.status.success());
    assert!(
        text(&output).contains("sqlite: or postgres:"),
        "{}",
        text(&output)
    );
}
