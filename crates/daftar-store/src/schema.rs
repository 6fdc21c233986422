//! The schema's version against this program's. Migrations run at start, and with several
//! instances on one PostgreSQL database only one runs them (sqlx's migrator holds an
//! advisory lock; the others wait for it). A program older than the schema it finds
//! refuses to start, saying so, rather than write rows a newer release reads differently.

use sqlx::migrate::Migrator;

/// Refuses a database migrated past what `migrator` knows; `applied` is the highest
/// migration recorded in it (`None` for a new database).
pub(crate) fn refuse_newer(applied: Option<i64>, migrator: &Migrator) -> anyhow::Result<()> {
    let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    match applied {
        Some(applied) if applied > known => anyhow::bail!(
            "the database's schema is at version {applied}, newer than this program's \
             {known}: it was migrated by a newer release of Daftar; run that release (or \
             newer), not this one"
        ),
        _ => Ok(()),
    }
}
