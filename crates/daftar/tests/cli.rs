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
    assert!(text(&short).contains("at least 12 characters"));
    // A common password of any length is refused as well.
    let common = daftar(
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
        "1qaz2wsx3edc\n",
    );
    assert!(!common.status.success());
    assert!(text(&common).contains("most common"), "{}", text(&common));
    // A system administrator is given a second factor at once.
    let admin = daftar(
        &[
            "user",
            "add",
            "--data-dir",
            data_dir,
            "--username",
            "root-admin",
            "--name",
            "Admin",
            "--role",
            "0101:system_admin",
        ],
        "a long enough password\n",
    );
    assert!(admin.status.success(), "{}", text(&admin));
    let printed = String::from_utf8_lossy(&admin.stdout);
    assert!(
        printed.contains("otpauth://totp/Daftar:root-admin?"),
        "{printed}"
    );

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
    assert!(
        text(&unknown_office).contains("office 0999 is not set up"),
        "{}",
        text(&unknown_office)
    );
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

/// A real office starts from an empty database: its offices are set up from the command
/// line, then staffed, and a second `add` renames rather than duplicates.
#[test]
fn offices_are_set_up_listed_and_renamed_before_staff_are_granted_roles_in_them() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap();
    let add_user = [
        "user",
        "add",
        "--data-dir",
        data_dir,
        "--username",
        "sara",
        "--name",
        "سارا",
        "--role",
        "0203:formation",
    ];
    let early = daftar(&add_user, "a long enough password\n");
    assert!(!early.status.success());
    assert!(
        text(&early).contains("daftar office add 0203"),
        "{}",
        text(&early)
    );

    let office = |code: &str, fa: &str, en: &str| {
        daftar(
            &[
                "office",
                "add",
                "--data-dir",
                data_dir,
                code,
                "--name-fa",
                fa,
                "--name-en",
                en,
            ],
            "",
        )
    };
    let added = office("0203", "دفتر ۰۲۰۳", "Office 0203");
    assert!(added.status.success(), "{}", text(&added));
    assert_eq!(
        String::from_utf8_lossy(&added.stdout),
        "Office 0203 of district 2 is set up.\n"
    );
    let renamed = office("0203", "دفتر خدمات ۰۲۰۳", "Services office 0203");
    assert!(renamed.status.success(), "{}", text(&renamed));
    for (code, fa) in [("203", "x"), ("0204", "  "), ("0007", "x")] {
        let refused = office(code, fa, "x");
        assert!(!refused.status.success(), "{code} {fa:?} was taken");
    }

    let listed = daftar(&["office", "list", "--data-dir", data_dir], "");
    assert!(listed.status.success(), "{}", text(&listed));
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout),
        "0203\t2\tدفتر خدمات ۰۲۰۳\tServices office 0203\n"
    );
    let staffed = daftar(&add_user, "a long enough password\n");
    assert!(staffed.status.success(), "{}", text(&staffed));
}

/// Finding 15: a log line must never land in a command's output, so `daftar bills export
/// > bills.csv` holds only CSV, while the log still reaches standard error.
#[test]
fn finding_15_logs_stay_out_of_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let data_dir = data_dir.to_str().unwrap();
    let loaded = daftar(&["demo", "--data-dir", data_dir], "");
    assert!(loaded.status.success(), "{}", text(&loaded));
    let exported = daftar(
        &["bills", "export", "--data-dir", data_dir, "--year", "1405"],
        "",
    );
    assert!(exported.status.success(), "{}", text(&exported));
    let csv = String::from_utf8(exported.stdout).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("bill_id,payment_id,"));
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty());
    for row in rows {
        assert_eq!(row.split(',').count(), 8, "not a CSV row: {row:?}");
        assert!(
            !row.contains('\u{1b}'),
            "a colour code in the output: {row:?}"
        );
    }
    let log = String::from_utf8(exported.stderr).unwrap();
    assert!(log.contains("Exported"), "the log went missing: {log}");
    assert!(!log.contains('\u{1b}'), "colour codes into a pipe: {log}");
}

/// `--log-format json` writes one JSON object a line, for log collectors.
#[test]
fn logs_can_be_written_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let data_dir = data_dir.to_str().unwrap();
    let loaded = daftar(&["demo", "--data-dir", data_dir], "");
    assert!(loaded.status.success(), "{}", text(&loaded));
    let output = daftar(
        &[
            "--log-format",
            "json",
            "bills",
            "export",
            "--data-dir",
            data_dir,
            "--year",
            "1405",
        ],
        "",
    );
    assert!(output.status.success(), "{}", text(&output));
    let log = String::from_utf8(output.stderr).unwrap();
    assert!(!log.trim().is_empty());
    for line in log.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        assert!(value["level"].is_string(), "{line}");
    }
}

/// Finding 13: the database, its directory and what the server writes there (the
/// message log holds live sign-in codes) are readable by their owner only.
#[cfg(unix)]
#[test]
fn finding_13_data_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    // A directory left open by an earlier version is closed on start.
    std::fs::create_dir(&data_dir).unwrap();
    std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let loaded = daftar(&["demo", "--data-dir", data_dir.to_str().unwrap()], "");
    assert!(loaded.status.success(), "{}", text(&loaded));
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data_dir), 0o700);
    let mut checked = 0;
    for entry in std::fs::read_dir(&data_dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(
            mode(&path) & 0o077,
            0,
            "{} is open to others",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 1, "the database was not created");
}

/// `daftar audit verify` walks the history chains of a database the demo filled.
#[test]
fn audit_verify_reports_every_chain_holding() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let data_dir = data_dir.to_str().unwrap();
    let loaded = daftar(&["demo", "--data-dir", data_dir], "");
    assert!(loaded.status.success(), "{}", text(&loaded));
    let verified = daftar(&["audit", "verify", "--data-dir", data_dir], "");
    assert!(verified.status.success(), "{}", text(&verified));
    let out = String::from_utf8_lossy(&verified.stdout);
    assert!(out.contains("every chain holds"), "{out}");
    assert!(out.contains("Heads digest: "), "{out}");
}

/// A command that fails says what went wrong in one line, and exits with 1.
#[test]
fn a_failing_command_prints_one_line() {
    let output = daftar(
        &[
            "migrate",
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let message = String::from_utf8(output.stderr).unwrap();
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    assert!(message.starts_with("daftar: "), "{message}");
    assert!(!message.contains("backtrace"), "{message}");
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

#[test]
fn the_billing_year_runs_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let data_dir = data_dir.to_str().unwrap();
    let register = dir.path().join("register.csv");
    std::fs::write(
        &register,
        "renewal_code,district,address,postal_code,land_area_m2,built_area_m2,use,owner_national_id,owner_name,owner_mobile,owner_share\n\
         07-1-1-1,7,Address,,100,80,residential,0499370899,Owner,,100\n\
         07-1-1-2,7,Address,,100,80,castle,0499370899,Owner,,100\n",
    )
    .unwrap();
    let imported = daftar(
        &[
            "properties",
            "import",
            "--data-dir",
            data_dir,
            register.to_str().unwrap(),
        ],
        "",
    );
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(
        text(&imported).contains("line 3: use is not a known use"),
        "{}",
        text(&imported)
    );
    assert!(
        text(&imported).contains("1 properties added"),
        "{}",
        text(&imported)
    );

    let issue = [
        "bills",
        "issue",
        "--data-dir",
        data_dir,
        "--year",
        "1405",
        "--due-date",
        "۱۴۰۵-۰۳-۳۱",
    ];
    let issued = daftar(&issue, "");
    assert!(issued.status.success(), "{}", text(&issued));
    assert!(
        text(&issued).contains("1 bills issued"),
        "{}",
        text(&issued)
    );
    let again = daftar(&issue, "");
    assert!(
        text(&again).contains("0 bills issued, 1 already issued"),
        "{}",
        text(&again)
    );

    let exported = daftar(
        &["bills", "export", "--data-dir", data_dir, "--year", "1405"],
        "",
    );
    assert!(exported.status.success(), "{}", text(&exported));
    let csv = String::from_utf8(exported.stdout).unwrap();
    let row: Vec<&str> = csv.lines().nth(1).expect("one bill").split(',').collect();
    assert_eq!(row[7], "1405-03-31");

    let settlement = dir.path().join("bank.csv");
    std::fs::write(
        &settlement,
        format!(
            "bill_id,payment_id,amount_rials,paid_at,trace_number\n{},{},{},1405-02-10 14:30,T-1\n",
            row[0], row[1], row[6]
        ),
    )
    .unwrap();
    let paid = daftar(
        &[
            "payments",
            "import",
            "--data-dir",
            data_dir,
            settlement.to_str().unwrap(),
        ],
        "",
    );
    assert!(paid.status.success(), "{}", text(&paid));
    assert!(text(&paid).contains("paid: 1"), "{}", text(&paid));
    let replayed = daftar(
        &[
            "payments",
            "import",
            "--data-dir",
            data_dir,
            settlement.to_str().unwrap(),
        ],
        "",
    );
    assert!(
        text(&replayed).contains("duplicate trace number: 1 — lines 2"),
        "{}",
        text(&replayed)
    );

    let bad_year = daftar(
        &["bills", "issue", "--data-dir", data_dir, "--year", "1390"],
        "",
    );
    assert!(!bad_year.status.success());
    assert!(
        text(&bad_year).contains("no built-in tariff for 1390"),
        "{}",
        text(&bad_year)
    );
}

#[test]
fn catalog_check_names_the_file_and_field_that_is_wrong() {
    let built_in = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalog");
    let ok = daftar(&["catalog", "check", built_in], "");
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("services, all valid"));

    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(format!("{built_in}/10012656000sh13.toml")).unwrap();
    std::fs::write(
        dir.path().join("10012656000sh13.toml"),
        seed.replacen("phone", "telephone", 1),
    )
    .unwrap();
    let broken = daftar(&["catalog", "check", dir.path().to_str().unwrap()], "");
    assert!(!broken.status.success());
    let message = text(&broken);
    assert!(message.contains("10012656000sh13.toml"), "{message}");
    assert!(message.contains("telephone"), "{message}");
}

/// The zone rules and the map are loaded from files; a map with a bad feature is refused
/// whole, naming the feature by its index, and changes nothing.
#[test]
fn zoning_rules_and_map_are_imported_and_a_bad_feature_refuses_the_map() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let data_dir = data_dir.to_str().unwrap();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../zoning/");
    let map = std::fs::read_to_string(format!("{root}demo-district-1.geojson")).unwrap();
    let bad_map = dir.path().join("bad.geojson");
    std::fs::write(
        &bad_map,
        map.replace("\"code\": \"M111\"", "\"code\": \"M999\""),
    )
    .unwrap();
    let bad_map = bad_map.to_str().unwrap();

    let early = daftar(&["zoning", "import", "--data-dir", data_dir, bad_map], "");
    assert_eq!(early.status.code(), Some(1));
    assert!(
        text(&early).contains("load the zone rules first"),
        "{}",
        text(&early)
    );

    let rules = format!("{root}demo-district-1.rules.toml");
    let loaded = daftar(&["zoning", "rules", "--data-dir", data_dir, &rules], "");
    assert!(loaded.status.success(), "{}", text(&loaded));
    assert!(String::from_utf8_lossy(&loaded.stdout).contains("demo-1 (4 sub-zones): loaded"));

    let refused = daftar(&["zoning", "import", "--data-dir", data_dir, bad_map], "");
    assert_eq!(refused.status.code(), Some(1));
    assert!(refused.stdout.is_empty());
    let message = String::from_utf8(refused.stderr).unwrap();
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    assert!(
        message.contains("1 bad features: features[2]:"),
        "{message}"
    );
    assert!(message.contains("M999"), "{message}");

    let good = format!("{root}demo-district-1.geojson");
    let imported = daftar(&["zoning", "import", "--data-dir", data_dir, &good], "");
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(
        String::from_utf8_lossy(&imported.stdout).contains("version 1 imported: 4 features"),
        "the refused file took no version: {}",
        text(&imported)
    );
}

#[test]
fn documents_check_passes_the_built_in_templates_and_names_a_broken_line() {
    let built_in = concat!(env!("CARGO_MANIFEST_DIR"), "/../../documents");
    let checked = daftar(&["documents", "check", built_in], "");
    assert!(checked.status.success(), "{}", text(&checked));
    assert!(
        String::from_utf8_lossy(&checked.stdout).contains("no_violation_certificate"),
        "{}",
        text(&checked)
    );

    // A municipality's copy with a mistake on line 5 of one template.
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(built_in).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        dir.path().join("completion_certificate.typ"),
        "#import \"/letterhead.typ\": *\n#show: letterhead\n\nOK so far.\n#doc.shown.no_such_fact\n",
    )
    .unwrap();
    let refused = daftar(&["documents", "check", dir.path().to_str().unwrap()], "");
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains("completion_certificate.typ:5:"),
        "{}",
        text(&refused)
    );
}

#[test]
fn documents_verify_holds_for_a_signed_pdf_and_fails_for_a_changed_fact() {
    use daftar_app::issued::pdf::render;
    use daftar_app::issued::typeset::Typesetter;
    use daftar_app::issued::{Found, Status};
    use daftar_core::issued::{Compact, DocumentKind, IssuedRecord, Serial, Subject};

    let dir = tempfile::tempdir().unwrap();
    let key = daftar_app::issued::office_key(dir.path(), None).unwrap();
    let record = IssuedRecord::new(
        DocumentKind::RenewalClearance,
        &Serial::from_random(7),
        Subject::Property {
            district: 1,
            renewal_code: "01-101-12-0".into(),
        },
        std::collections::BTreeMap::from([
            ("district".to_owned(), "1".to_owned()),
            ("renewal_code".to_owned(), "01-101-12-0".to_owned()),
            ("year".to_owned(), "1405".to_owned()),
        ]),
        daftar_core::calendar::JalaliDate::new(1405, 9, 13).unwrap(),
        None,
        &key.id(),
    )
    .unwrap();
    let signature = key.sign(&record);
    let typesetter = Typesetter::built_in(daftar_app::Branding::named("شهرداری", "Municipality"));
    let write = |record: &IssuedRecord, name: &str| {
        let found = Found {
            record: record.clone(),
            status: Status::Valid,
            compact: Compact {
                record: record.clone(),
                signature,
            }
            .encode(),
            issued_at: jiff::Timestamp::now(),
            case: None,
        };
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            render(&typesetter, &found, "https://daftar.example.ir", None).unwrap(),
        )
        .unwrap();
        path
    };
    let data_dir = dir.path().to_str().unwrap();

    let genuine = write(&record, "genuine.pdf");
    let checked = daftar(
        &[
            "documents",
            "verify",
            genuine.to_str().unwrap(),
            "--data-dir",
            data_dir,
        ],
        "",
    );
    assert!(checked.status.success(), "{}", text(&checked));
    let out = String::from_utf8_lossy(&checked.stdout);
    assert!(out.contains("the signature holds"), "{out}");
    assert!(out.contains("year: 1405"), "{out}");

    let mut changed = record.clone();
    changed.facts.insert("year".into(), "1406".into());
    let forged = write(&changed, "forged.pdf");
    let refused = daftar(
        &[
            "documents",
            "verify",
            forged.to_str().unwrap(),
            "--data-dir",
            data_dir,
        ],
        "",
    );
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains("does not hold"),
        "{}",
        text(&refused)
    );

    // A file that is not an issued document's PDF says so.
    let other = dir.path().join("other.pdf");
    std::fs::write(&other, b"%PDF-1.7 nothing here").unwrap();
    let none = daftar(
        &[
            "documents",
            "verify",
            other.to_str().unwrap(),
            "--data-dir",
            data_dir,
        ],
        "",
    );
    assert_eq!(none.status.code(), Some(1));
    assert!(
        text(&none).contains("carries no signed record"),
        "{}",
        text(&none)
    );
}

#[test]
fn bills_print_writes_a_page_a_bill_and_a_second_run_only_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let data_dir = data_dir.to_str().unwrap();
    let demo = daftar(&["demo", "--data-dir", data_dir], "");
    assert!(demo.status.success(), "{}", text(&demo));
    let out = dir.path().join("print");
    let out = out.to_str().unwrap();
    let print = |extra: &[&str]| {
        let mut args = vec![
            "bills",
            "print",
            "--data-dir",
            data_dir,
            "--year",
            "1405",
            "--output",
            out,
        ];
        args.extend_from_slice(extra);
        daftar(&args, "")
    };
    // The QR codes need the address citizens reach Daftar at.
    let refused = print(&[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused).contains("--public-url"),
        "{}",
        text(&refused)
    );

    let printed = print(&["--public-url", "https://daftar.example.ir"]);
    assert!(printed.status.success(), "{}", text(&printed));
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let file = files[0].clone();
    let name = file.file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with("bills-1405-all-00001-") && name.ends_with(".pdf"),
        "{name}"
    );
    let pdf = std::fs::read(&file).unwrap();
    let bills = String::from_utf8_lossy(&printed.stdout).to_string();
    let count: usize = bills.split_whitespace().next().unwrap().parse().unwrap();
    assert!(count > 0, "{bills}");
    assert_eq!(
        daftar_app::issued::pdf::page_count(&pdf),
        Some(count),
        "a page a bill"
    );
    assert!(bills.contains("1 written, 0 kept"), "{bills}");

    let again = print(&["--public-url", "https://daftar.example.ir"]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 written, 1 kept"),
        "{}",
        text(&again)
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        pdf,
        "a kept file is not rewritten"
    );
}

/// `daftar report usage`: CSV to standard output with nothing else in it, XLSX to a file
/// written whole, and a bad day or an XLSX with no file refused in one line.
#[test]
fn report_usage_writes_csv_to_standard_output_and_xlsx_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let data_dir = data_dir.to_str().unwrap();
    let loaded = daftar(&["demo", "--data-dir", data_dir], "");
    assert!(loaded.status.success(), "{}", text(&loaded));
    let day = "1405-09-13";
    let csv = daftar(
        &[
            "report",
            "usage",
            "--data-dir",
            data_dir,
            "--from",
            day,
            "--to",
            "۱۴۰۵-۰۹-۱۳",
        ],
        "",
    );
    assert!(csv.status.success(), "{}", text(&csv));
    let out = String::from_utf8(csv.stdout).unwrap();
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("from,to,scope,key,name,measure,value"));
    assert!(
        lines.all(|line| line.starts_with("1405-09-13,1405-09-13,")),
        "only the report on standard output: {out}"
    );
    // The demo's day has no staff action: the office's figures say so, not nothing.
    assert!(out.contains(",office,,,actions,0\n"), "{out}");
    assert!(out.contains(",office,,,cases_closed,0\n"), "{out}");

    let file = dir.path().join("usage.xlsx");
    let xlsx = daftar(
        &[
            "report",
            "usage",
            "--data-dir",
            data_dir,
            "--from",
            "1405-09-01",
            "--to",
            day,
            "--format",
            "xlsx",
            "--output",
            file.to_str().unwrap(),
        ],
        "",
    );
    assert!(xlsx.status.success(), "{}", text(&xlsx));
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[..2], b"PK", "an XLSX is a zip");
    assert!(!dir.path().join("usage.xlsx.partial").exists());

    for (args, expected) in [
        (
            vec!["--from", "1405-13-01", "--to", day],
            "not a Jalali day",
        ),
        (
            vec!["--from", day, "--to", day, "--format", "xlsx"],
            "needs --output",
        ),
        (vec!["--from", day, "--to", "1405-09-01"], "on or after"),
    ] {
        let mut all = vec!["report", "usage", "--data-dir", data_dir];
        all.extend(args);
        let refused = daftar(&all, "");
        assert!(!refused.status.success());
        assert!(text(&refused).contains(expected), "{}", text(&refused));
    }
}
