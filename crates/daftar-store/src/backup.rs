//! Copies of the database for `daftar backup` and `daftar restore`, by each engine's own
//! means: SQLite's online backup API, PostgreSQL's `pg_dump` and `pg_restore`. Both copy
//! one consistent moment while the office keeps working: the backup API copies every
//! page in one step under one read transaction (in WAL mode writers go on meanwhile),
//! and `pg_dump` reads in one snapshot.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::migrate::MigrateDatabase;
use sqlx::sqlite::SqliteConnectOptions;

use crate::Backend;

/// The file a backup keeps the database in, by backend.
pub fn copy_file_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "database.sqlite3",
        Backend::Postgres => "database.pgdump",
    }
}

/// Which backend a database URL names.
pub fn backend_of(url: &str) -> anyhow::Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Backend::Postgres)
    } else {
        anyhow::bail!("the database URL must start with sqlite: or postgres:")
    }
}

/// Copies the database at `url` into `into` (a file that must not exist yet), and checks
/// the copy: SQLite's integrity check on it, or `pg_restore --list` reading it whole.
pub async fn copy_database(url: &str, into: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(!into.exists(), "{} exists already", into.display());
    match backend_of(url)? {
        Backend::Sqlite => {
            let source = sqlite_file(url)?;
            anyhow::ensure!(
                source.exists(),
                "there is no SQLite database at {}",
                source.display()
            );
            let into = into.to_owned();
            tokio::task::spawn_blocking(move || copy_sqlite(&source, &into)).await?
        }
        Backend::Postgres => {
            let (url, password) = without_password(url);
            run(
                "pg_dump",
                &[
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    &format!("--file={}", into.display()),
                    &format!("--dbname={url}"),
                ],
                password.as_deref(),
            )?;
            let listed = run("pg_restore", &["--list", &into.display().to_string()], None)?;
            anyhow::ensure!(
                listed.contains("_sqlx_migrations"),
                "the dump at {} does not hold Daftar's schema",
                into.display()
            );
            Ok(())
        }
    }
}

/// Fails unless the database at `url` is empty: an SQLite file not there yet, or a
/// PostgreSQL database that does not exist or has no tables. Creates nothing.
pub async fn ensure_empty(url: &str) -> anyhow::Result<()> {
    match backend_of(url)? {
        Backend::Sqlite => {
            let target = sqlite_file(url)?;
            for file in [
                target.clone(),
                PathBuf::from(format!("{}-wal", target.display())),
            ] {
                anyhow::ensure!(
                    !file.exists(),
                    "{} exists: restore into an empty data directory (nothing was changed)",
                    file.display()
                );
            }
        }
        Backend::Postgres => {
            if !sqlx::Postgres::database_exists(url)
                .await
                .context("could not reach PostgreSQL")?
            {
                return Ok(());
            }
            let pool = sqlx::PgPool::connect(url)
                .await
                .context("could not connect to PostgreSQL")?;
            let (tables,): (i64,) = sqlx::query_as(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
            )
            .fetch_one(&pool)
            .await?;
            pool.close().await;
            anyhow::ensure!(
                tables == 0,
                "the database has {tables} tables: restore into an empty database (nothing was changed)"
            );
        }
    }
    Ok(())
}

/// Puts the copy at `from` into the database at `url`, which must be empty
/// ([`ensure_empty`]); a missing PostgreSQL database is created.
pub async fn restore_database(url: &str, from: &Path) -> anyhow::Result<()> {
    ensure_empty(url).await?;
    match backend_of(url)? {
        Backend::Sqlite => {
            let (from, target) = (from.to_owned(), sqlite_file(url)?);
            tokio::task::spawn_blocking(move || restore_sqlite(&from, &target)).await?
        }
        Backend::Postgres => {
            if !sqlx::Postgres::database_exists(url)
                .await
                .context("could not reach PostgreSQL")?
            {
                sqlx::Postgres::create_database(url)
                    .await
                    .context("could not create the PostgreSQL database")?;
            }
            let (url, password) = without_password(url);
            run(
                "pg_restore",
                &[
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    &format!("--dbname={url}"),
                    &from.display().to_string(),
                ],
                password.as_deref(),
            )?;
            Ok(())
        }
    }
}

fn sqlite_file(url: &str) -> anyhow::Result<PathBuf> {
    let options =
        SqliteConnectOptions::from_str(url).context("the SQLite database URL is not valid")?;
    Ok(options.get_filename().to_owned())
}

fn copy_sqlite(source: &Path, into: &Path) -> anyhow::Result<()> {
    let source = rusqlite::Connection::open_with_flags(
        source,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .context("could not open the SQLite database")?;
    source.busy_timeout(Duration::from_secs(10))?;
    let mut copy = rusqlite::Connection::open(into)
        .with_context(|| format!("could not create {}", into.display()))?;
    {
        let backup = rusqlite::backup::Backup::new(&source, &mut copy)?;
        // Every page in one step (-1): one read transaction, one moment of the database.
        // A step the writer's lock holds off is tried again.
        loop {
            match backup
                .step(-1)
                .context("the SQLite backup did not finish")?
            {
                rusqlite::backup::StepResult::Done => break,
                rusqlite::backup::StepResult::More => {}
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
    // The copy is one file, with no write-ahead log beside it.
    copy.pragma_update(None, "journal_mode", "DELETE")?;
    integrity_checked(&copy, into)
}

fn restore_sqlite(from: &Path, target: &Path) -> anyhow::Result<()> {
    let partial = target.with_extension("restoring");
    let _ = std::fs::remove_file(&partial);
    std::fs::copy(from, &partial)
        .with_context(|| format!("could not copy {} to {}", from.display(), partial.display()))?;
    let copy = rusqlite::Connection::open(&partial)?;
    integrity_checked(&copy, from)?;
    copy.pragma_update(None, "journal_mode", "WAL")?;
    drop(copy);
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, target)
        .with_context(|| format!("could not put the database at {}", target.display()))?;
    Ok(())
}

fn integrity_checked(connection: &rusqlite::Connection, path: &Path) -> anyhow::Result<()> {
    let verdict: String = connection.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    anyhow::ensure!(
        verdict == "ok",
        "the SQLite copy at {} fails its integrity check: {verdict}",
        path.display()
    );
    Ok(())
}

/// The URL without its password, and the password: a program's arguments are readable by
/// every user of the machine (`ps`), its environment is not.
fn without_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None);
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((user_info, host)) = authority.rsplit_once('@') else {
        return (url.to_owned(), None);
    };
    let Some((user, password)) = user_info.split_once(':') else {
        return (url.to_owned(), None);
    };
    (
        format!("{scheme}://{user}@{host}{tail}"),
        Some(percent_decoded(password)),
    )
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = bytes
            .get(at + 1..at + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[at], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                at += 3;
            }
            (byte, _) => {
                out.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs one of PostgreSQL's programs, its output returned; a failure says what it said.
/// Found on the PATH, else in the newest of Debian's `/usr/lib/postgresql/*/bin`.
fn run(program: &str, args: &[&str], password: Option<&str>) -> anyhow::Result<String> {
    let mut command = Command::new(program_path(program));
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command.args(args).output().with_context(|| {
        format!("could not run {program}: install PostgreSQL's client programs")
    })?;
    anyhow::ensure!(
        output.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn program_path(program: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file());
    if let Some(found) = on_path {
        return found;
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let path = entry.path().join("bin").join(program);
            path.is_file().then_some((version, path))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map_or_else(|| PathBuf::from(program), |(_, path)| path)
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn the_password_leaves_the_url_for_the_environment() {
        assert_eq!(
            without_password(
                "postgres://daftar:s%40cret:x@db.internal:5432/daftar?sslmode=require"
            ),
            (
                "postgres://daftar@db.internal:5432/daftar?sslmode=require".to_owned(),
                Some("s@cret:x".to_owned())
            )
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1:5432/daftar"),
            ("postgres://postgres@127.0.0.1:5432/daftar".to_owned(), None)
        );
    }
}
