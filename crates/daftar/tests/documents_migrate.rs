//! `daftar documents migrate`: an office's uploaded files copied from its data directory
//! into an S3-compatible object store (moto's server, started by the test), checked, and
//! resumed rather than copied twice.

#[path = "../../daftar-server/tests/s3_server/mod.rs"]
#[allow(dead_code)]
mod s3_server;

use std::process::{Command, Output};

use sha2::{Digest, Sha256};

/// `daftar documents migrate --to TO` with the S3 server's endpoint and keys, and `more`.
fn migrate_with(s3: &s3_server::S3Server, to: &str, more: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_daftar"))
        .args(["documents", "migrate", "--to", to])
        .args(["--s3-endpoint", &s3.endpoint])
        .args([
            "--s3-access-key-id",
            "test",
            "--s3-secret-access-key",
            "test",
        ])
        .args(more)
        .env_remove("DAFTAR_DOCUMENTS_URL")
        .output()
        .expect("daftar starts")
}

/// The office of `data_dir` migrated to `to`.
fn migrate(data_dir: &std::path::Path, s3: &s3_server::S3Server, to: &str) -> Output {
    migrate_with(s3, to, &["--data-dir".as_ref(), data_dir.as_os_str()])
}

/// A file stored as `serve` stores it: under its hash, in a shard named by its first two
/// digits; returns its key.
fn stored(data_dir: &std::path::Path, bytes: &[u8]) -> String {
    let sha256 = hex::encode(Sha256::digest(bytes));
    let key = format!("{}/{sha256}", &sha256[..2]);
    let path = data_dir.join("documents").join(&key);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    key
}

#[test]
fn an_offices_files_move_into_an_object_store_checked_and_resumably() {
    let s3 = s3_server::S3Server::start();
    s3.bucket("city-documents");
    let dir = tempfile::tempdir().unwrap();
    let keys: Vec<String> = (0..12)
        .map(|n| stored(dir.path(), format!("%PDF-1.7 scan {n}").as_bytes()))
        .collect();

    let first = migrate(dir.path(), &s3, "s3://city-documents/office");
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(
        said,
        "12 files copied to s3://city-documents/office, 0 there already.\n"
    );

    let again = migrate(dir.path(), &s3, "s3://city-documents/office");
    assert!(again.status.success());
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        "0 files copied to s3://city-documents/office, 12 there already.\n",
        "a second run copies nothing twice"
    );

    // Back out of the bucket into a new directory: the same files, byte for byte.
    let back = tempfile::tempdir().unwrap();
    let to = format!("file://{}", back.path().display());
    let scratch = back.path().join("data");
    let returned = migrate_with(
        &s3,
        &to,
        &[
            "--documents-url".as_ref(),
            "s3://city-documents/office".as_ref(),
            "--data-dir".as_ref(),
            scratch.as_os_str(),
        ],
    );
    assert!(
        returned.status.success(),
        "{}",
        String::from_utf8_lossy(&returned.stderr)
    );
    for key in &keys {
        assert_eq!(
            std::fs::read(back.path().join(key)).unwrap(),
            std::fs::read(dir.path().join("documents").join(key)).unwrap()
        );
    }

    // A damaged file is named and not copied, and the run says it failed.
    let damaged = stored(dir.path(), b"%PDF-1.7 to be damaged");
    std::fs::write(dir.path().join("documents").join(&damaged), b"bit rot").unwrap();
    let found = migrate(dir.path(), &s3, "s3://city-documents/office");
    assert!(!found.status.success());
    let complaint = String::from_utf8_lossy(&found.stderr);
    assert!(
        complaint.contains(&format!("{damaged}: damaged")),
        "{complaint}"
    );

    // A store that does not answer is said so before anything is read.
    let nowhere = migrate(dir.path(), &s3, "s3://no-such-bucket/office");
    assert!(!nowhere.status.success());
    assert!(
        String::from_utf8_lossy(&nowhere.stderr)
            .contains("s3://no-such-bucket/office does not answer"),
        "{}",
        String::from_utf8_lossy(&nowhere.stderr)
    );
}
