//! Scratch databases: a benchmark only ever creates, and drops, databases of its own.

use std::path::PathBuf;

use anyhow::Context;
use sqlx::migrate::MigrateDatabase;

/// Every PostgreSQL database a benchmark creates or drops is named so.
pub const PREFIX: &str = "daftar_bench";

/// Where a benchmark runs: a database that did not exist before it.
#[derive(Debug)]
pub enum Scratch {
    Sqlite {
        url: String,
        path: PathBuf,
        /// The temporary directory holding the file, when the benchmark chose it.
        dir: Option<tempfile::TempDir>,
    },
    Postgres {
        url: String,
    },
}

impl Scratch {
    /// Resolves `--database-url`: nothing is an SQLite file in a temporary directory;
    /// `sqlite://PATH` a file that must not exist yet; `postgres://USER@HOST:PORT` a fresh
    /// database `daftar_bench_<random>` on that server, and `postgres://…/daftar_bench_NAME`
    /// that database, which must not exist yet.
    pub async fn new(url: Option<&str>) -> anyhow::Result<Scratch> {
        match url {
            None => {
                let dir = tempfile::Builder::new().prefix("daftar-bench-").tempdir()?;
                let path = dir.path().join("daftar.db");
                Ok(Scratch::Sqlite {
                    url: format!("sqlite://{}", path.display()),
                    path,
                    dir: Some(dir),
                })
            }
            Some(url) if url.starts_with("sqlite:") => {
                let path = PathBuf::from(
                    url.trim_start_matches("sqlite:")
                        .trim_start_matches("//")
                        .split('?')
                        .next()
                        .unwrap_or_default(),
                );
                anyhow::ensure!(
                    !path.exists(),
                    "{} exists: the benchmark needs a database of its own",
                    path.display()
                );
                Ok(Scratch::Sqlite {
                    url: url.to_owned(),
                    path,
                    dir: None,
                })
            }
            Some(url) if url.starts_with("postgres:") || url.starts_with("postgresql:") => {
                let (server, name) = split_postgres(url)?;
                let url = match name {
                    Some(_) => url.to_owned(),
                    None => format!("{server}/{PREFIX}_{:016x}", rand::random::<u64>()),
                };
                check_name(&url)?;
                anyhow::ensure!(
                    !sqlx::Postgres::database_exists(&url)
                        .await
                        .context("could not reach PostgreSQL")?,
                    "the database of {url} exists: the benchmark needs a database of its own"
                );
                Ok(Scratch::Postgres { url })
            }
            Some(_) => anyhow::bail!("the database URL must start with sqlite: or postgres:"),
        }
    }

    pub fn url(&self) -> &str {
        match self {
            Scratch::Sqlite { url, .. } | Scratch::Postgres { url } => url,
        }
    }

    /// The SQLite file, when the database is one.
    pub fn sqlite_file(&self) -> Option<&std::path::Path> {
        match self {
            Scratch::Sqlite { path, .. } => Some(path),
            Scratch::Postgres { .. } => None,
        }
    }

    /// Keeps the database and says where, on standard error (`--keep-db`), or removes it.
    pub async fn keep_or_remove(self, keep: bool) -> anyhow::Result<()> {
        if !keep {
            return self.remove().await;
        }
        eprintln!("Kept the database: {}", self.url());
        if let Scratch::Sqlite { dir: Some(dir), .. } = self {
            let _ = dir.keep();
        }
        Ok(())
    }

    /// Removes the database (the SQLite file with its WAL, or the PostgreSQL database).
    pub async fn remove(&self) -> anyhow::Result<()> {
        match self {
            Scratch::Sqlite { path, .. } => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
                Ok(())
            }
            Scratch::Postgres { url } => drop_postgres(url).await,
        }
    }
}

/// Splits `postgres://USER@HOST:PORT/DB?…` into the server part and the database name.
fn split_postgres(url: &str) -> anyhow::Result<(String, Option<String>)> {
    let url = url.split('?').next().unwrap_or_default();
    let (scheme, rest) = url
        .split_once("://")
        .context("a PostgreSQL URL reads postgres://USER@HOST:PORT/DB")?;
    Ok(match rest.split_once('/') {
        Some((authority, name)) if !name.is_empty() => {
            (format!("{scheme}://{authority}"), Some(name.to_owned()))
        }
        Some((authority, _)) => (format!("{scheme}://{authority}"), None),
        None => (format!("{scheme}://{rest}"), None),
    })
}

fn check_name(url: &str) -> anyhow::Result<()> {
    let (_, name) = split_postgres(url)?;
    let name = name.unwrap_or_default();
    anyhow::ensure!(
        name.starts_with(PREFIX)
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        "the benchmarks only touch databases named {PREFIX}… (lower case, digits and _), not {name:?}"
    );
    Ok(())
}

/// Drops a `daftar_bench…` PostgreSQL database if it exists, closing its connections.
pub async fn drop_postgres(url: &str) -> anyhow::Result<()> {
    check_name(url)?;
    sqlx::Postgres::force_drop_database(url)
        .await
        .with_context(|| format!("could not drop the database of {url}"))
}

/// Creates an empty `daftar_bench…` PostgreSQL database.
pub async fn create_postgres(url: &str) -> anyhow::Result<()> {
    check_name(url)?;
    sqlx::Postgres::create_database(url)
        .await
        .with_context(|| format!("could not create the database of {url}"))
}

/// Turns PostgreSQL's JIT compilation off for every later session on the database
/// (`ALTER DATABASE … SET jit = off`): the experiment of `billing --postgres-jit-off`.
pub async fn set_jit_off(url: &str) -> anyhow::Result<()> {
    use sqlx::Connection;
    check_name(url)?;
    let mut connection = sqlx::PgConnection::connect(url).await?;
    sqlx::query(
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET jit = off', current_database()); END $$",
    )
    .execute(&mut connection)
    .await?;
    connection.close().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_split_into_server_and_database() {
        let (server, name) = split_postgres("postgres://postgres@127.0.0.1:5432/x?a=b").unwrap();
        assert_eq!(server, "postgres://postgres@127.0.0.1:5432");
        assert_eq!(name.as_deref(), Some("x"));
        assert_eq!(split_postgres("postgres://h").unwrap().1, None);
        assert_eq!(split_postgres("postgres://h/").unwrap().1, None);
        assert!(check_name("postgres://h/daftar_bench_1").is_ok());
        assert!(check_name("postgres://h/daftar").is_err());
        assert!(check_name("postgres://h/daftar_bench\"; DROP").is_err());
    }
}
