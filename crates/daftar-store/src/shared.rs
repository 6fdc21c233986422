//! The SQL both backends run, written once.
//!
//! `shared_store_impl!` expands to `impl Store for` a backend type that has a `reader` and
//! a `writer` pool. The body is ordinary code: sqlx's query builders are generic over the
//! database, so the same text compiles against SQLite and PostgreSQL. The one piece of SQL
//! that differs, the row lock of a read-then-write, comes in as `$for_update`.

use daftar_core::ir::{LegalId, Mobile, NationalId};
use daftar_core::otp::SignInState;
use daftar_core::roles::{OfficeCode, Role};

use crate::{Office, StoreError, from_db_time};

/// Turns a stored value that no longer parses into a decode error: the database holds
/// something the code never wrote.
pub(crate) fn corrupt(what: &'static str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(
        format!("stored {what} does not parse").into(),
    ))
}

pub(crate) fn national_id(raw: &str) -> Result<NationalId, StoreError> {
    NationalId::parse(raw).map_err(|_| corrupt("national ID"))
}

pub(crate) fn legal_id(raw: &str) -> Result<LegalId, StoreError> {
    LegalId::parse(raw).map_err(|_| corrupt("legal ID"))
}

pub(crate) fn mobile(raw: &str) -> Result<Mobile, StoreError> {
    Mobile::parse(raw).map_err(|_| corrupt("mobile"))
}

pub(crate) fn office_code(raw: &str) -> Result<OfficeCode, StoreError> {
    OfficeCode::parse(raw).map_err(|_| corrupt("office code"))
}

pub(crate) fn role(raw: &str) -> Result<Role, StoreError> {
    Role::from_slug(raw).ok_or_else(|| corrupt("role"))
}

pub(crate) fn office(
    (code, name_fa, name_en, district): (String, String, String, i64),
) -> Result<Office, StoreError> {
    Ok(Office {
        code: office_code(&code)?,
        name_fa,
        name_en,
        district,
    })
}

pub(crate) type SignInRow = (
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    i64,
    Option<i64>,
);

pub(crate) fn sign_in_state(row: &SignInRow) -> SignInState {
    let (_, code_hash, sent_at, expires_at, wrong_codes, locked_until) = row;
    SignInState {
        code_hash: code_hash.clone(),
        code_sent_at: sent_at.map(from_db_time),
        code_expires_at: expires_at.map(from_db_time),
        wrong_codes: u32::try_from(*wrong_codes).unwrap_or(u32::MAX),
        locked_until: locked_until.map(from_db_time),
    }
}

pub(crate) const INSERT_ROLE: &str = "INSERT INTO staff_roles (user_id, office_code, role)
     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

/// The outcome of [`INSERT_ROLE`]: an unknown office or user is [`StoreError::NotFound`].
pub(crate) fn role_granted<T>(result: Result<T, sqlx::Error>) -> Result<(), StoreError> {
    match result {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
            Err(StoreError::NotFound("office or staff user"))
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) const SUBJECT_CITIZEN: &str = "citizen";
pub(crate) const SUBJECT_STAFF: &str = "staff";

macro_rules! shared_store_impl {
    ($store:ty, $backend:expr, for_update = $for_update:literal) => {
        #[async_trait::async_trait]
        impl $crate::Store for $store {
            fn backend(&self) -> $crate::Backend {
                $backend
            }

            async fn ping(&self) -> $crate::Result<()> {
                sqlx::query("SELECT 1").execute(&self.reader).await?;
                Ok(())
            }

            async fn close(&self) {
                self.close_own_connections().await;
                self.writer.close().await;
                self.reader.close().await;
            }

        }

        #[async_trait::async_trait]
        impl $crate::AccountStore for $store {
            async fn upsert_office(&self, office: &$crate::Office) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO offices (code, name_fa, name_en, district) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (code) DO UPDATE SET name_fa = excluded.name_fa,
                         name_en = excluded.name_en, district = excluded.district",
                )
                .bind(office.code.as_str())
                .bind(&office.name_fa)
                .bind(&office.name_en)
                .bind(office.district)
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn offices(&self) -> $crate::Result<Vec<$crate::Office>> {
                let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
                    "SELECT code, name_fa, name_en, district FROM offices ORDER BY code",
                )
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map($crate::shared::office).collect()
            }

            async fn create_staff(
                &self,
                staff: &$crate::NewStaff,
                now: jiff::Timestamp,
            ) -> $crate::Result<$crate::StaffId> {
                let mut tx = self.writer.begin().await?;
                let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
                    "INSERT INTO staff_users (username, display_name, password_hash, active, created_at, mobile)
                     VALUES ($1, $2, $3, TRUE, $4, $5) RETURNING id",
                )
                .bind(&staff.username)
                .bind(&staff.display_name)
                .bind(&staff.password_hash)
                .bind($crate::to_db_time(now))
                .bind(staff.mobile.as_ref().map(|m| m.e164()))
                .fetch_one(&mut *tx)
                .await;
                let id = match inserted {
                    Ok((id,)) => $crate::StaffId(id),
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                        return Err($crate::StoreError::Conflict("username"));
                    }
                    Err(e) => return Err(e.into()),
                };
                for (office, role) in &staff.roles {
                    let granted = sqlx::query($crate::shared::INSERT_ROLE)
                        .bind(id.0)
                        .bind(office.as_str())
                        .bind(role.slug())
                        .execute(&mut *tx)
                        .await;
                    $crate::shared::role_granted(granted)?;
                }
                tx.commit().await?;
                Ok(id)
            }

            async fn set_staff_password(
                &self,
                username: &str,
                password_hash: &str,
            ) -> $crate::Result<()> {
                let done = sqlx::query("UPDATE staff_users SET password_hash = $1 WHERE username = $2")
                    .bind(password_hash)
                    .bind(username)
                    .execute(&self.writer)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound("staff user"));
                }
                Ok(())
            }

            async fn grant_role(
                &self,
                staff: $crate::StaffId,
                office: &daftar_core::roles::OfficeCode,
                role: daftar_core::roles::Role,
            ) -> $crate::Result<()> {
                let granted = sqlx::query($crate::shared::INSERT_ROLE)
                    .bind(staff.0)
                    .bind(office.as_str())
                    .bind(role.slug())
                    .execute(&self.writer)
                    .await;
                $crate::shared::role_granted(granted)
            }

            async fn staff_by_username(
                &self,
                username: &str,
            ) -> $crate::Result<Option<$crate::StaffAccount>> {
                let row: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM staff_users WHERE username = $1")
                        .bind(username)
                        .fetch_optional(&self.reader)
                        .await?;
                match row {
                    Some((id,)) => self.staff_by_id($crate::StaffId(id)).await,
                    None => Ok(None),
                }
            }

            async fn staff_by_id(
                &self,
                id: $crate::StaffId,
            ) -> $crate::Result<Option<$crate::StaffAccount>> {
                let mut conn = self.reader.acquire().await?;
                let row: Option<(i64, String, String, String, bool)> = sqlx::query_as(
                    "SELECT id, username, display_name, password_hash, active
                     FROM staff_users WHERE id = $1",
                )
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await?;
                let Some((id, username, display_name, password_hash, active)) = row else {
                    return Ok(None);
                };
                let held: Vec<(String, String)> = sqlx::query_as(
                    "SELECT office_code, role FROM staff_roles WHERE user_id = $1
                     ORDER BY office_code, role",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
                let mut roles = Vec::with_capacity(held.len());
                for (office, role) in held {
                    roles.push((
                        $crate::shared::office_code(&office)?,
                        $crate::shared::role(&role)?,
                    ));
                }
                roles.sort();
                Ok(Some($crate::StaffAccount {
                    id: $crate::StaffId(id),
                    username,
                    display_name,
                    password_hash,
                    active,
                    roles,
                }))
            }

            async fn staff_in_role(
                &self,
                office: &daftar_core::roles::OfficeCode,
                role: daftar_core::roles::Role,
            ) -> $crate::Result<Vec<$crate::StaffSummary>> {
                let rows: Vec<(i64, String, String)> = sqlx::query_as(
                    "SELECT u.id, u.username, u.display_name FROM staff_users u
                     JOIN staff_roles r ON r.user_id = u.id
                     WHERE r.office_code = $1 AND r.role = $2 AND u.active
                     ORDER BY u.display_name, u.username",
                )
                .bind(office.as_str())
                .bind(role.slug())
                .fetch_all(&self.reader)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, username, display_name)| $crate::StaffSummary {
                        id: $crate::StaffId(id),
                        username,
                        display_name,
                    })
                    .collect())
            }

            async fn upsert_citizen(
                &self,
                citizen: &$crate::Citizen,
                now: jiff::Timestamp,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO citizens (national_id, mobile, display_name, created_at)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (national_id) DO UPDATE SET mobile = excluded.mobile,
                         display_name = excluded.display_name",
                )
                .bind(citizen.national_id.as_str())
                .bind(citizen.mobile.e164())
                .bind(citizen.display_name.as_deref())
                .bind($crate::to_db_time(now))
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn citizen(
                &self,
                national_id: &daftar_core::ir::NationalId,
            ) -> $crate::Result<Option<$crate::Citizen>> {
                let row: Option<(String, String, Option<String>)> = sqlx::query_as(
                    "SELECT national_id, mobile, display_name FROM citizens WHERE national_id = $1",
                )
                .bind(national_id.as_str())
                .fetch_optional(&self.reader)
                .await?;
                row.map(|(national_id, mobile, display_name)| {
                    Ok($crate::Citizen {
                        national_id: $crate::shared::national_id(&national_id)?,
                        mobile: $crate::shared::mobile(&mobile)?,
                        display_name,
                    })
                })
                .transpose()
            }

            async fn upsert_legal_entity(
                &self,
                entity: &$crate::LegalEntity,
                representatives: &[daftar_core::ir::NationalId],
                now: jiff::Timestamp,
            ) -> $crate::Result<()> {
                let mut tx = self.writer.begin().await?;
                sqlx::query(
                    "INSERT INTO legal_entities (legal_id, name, created_at) VALUES ($1, $2, $3)
                     ON CONFLICT (legal_id) DO UPDATE SET name = excluded.name",
                )
                .bind(entity.legal_id.as_str())
                .bind(&entity.name)
                .bind($crate::to_db_time(now))
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM legal_representatives WHERE legal_id = $1")
                    .bind(entity.legal_id.as_str())
                    .execute(&mut *tx)
                    .await?;
                for representative in representatives {
                    let added = sqlx::query(
                        "INSERT INTO legal_representatives (legal_id, national_id) VALUES ($1, $2)",
                    )
                    .bind(entity.legal_id.as_str())
                    .bind(representative.as_str())
                    .execute(&mut *tx)
                    .await;
                    match added {
                        Ok(_) => {}
                        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
                            return Err($crate::StoreError::NotFound("representative citizen"));
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn represented_entity(
                &self,
                national_id: &daftar_core::ir::NationalId,
                legal_id: &daftar_core::ir::LegalId,
            ) -> $crate::Result<Option<$crate::LegalEntity>> {
                let row: Option<(String, String)> = sqlx::query_as(
                    "SELECT e.legal_id, e.name FROM legal_entities e
                     JOIN legal_representatives r ON r.legal_id = e.legal_id
                     WHERE r.national_id = $1 AND e.legal_id = $2",
                )
                .bind(national_id.as_str())
                .bind(legal_id.as_str())
                .fetch_optional(&self.reader)
                .await?;
                row.map(|(legal_id, name)| {
                    Ok($crate::LegalEntity { legal_id: $crate::shared::legal_id(&legal_id)?, name })
                })
                .transpose()
            }

            async fn entities_represented_by(
                &self,
                national_id: &daftar_core::ir::NationalId,
            ) -> $crate::Result<Vec<$crate::LegalEntity>> {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT e.legal_id, e.name FROM legal_entities e
                     JOIN legal_representatives r ON r.legal_id = e.legal_id
                     WHERE r.national_id = $1 ORDER BY e.name",
                )
                .bind(national_id.as_str())
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter()
                    .map(|(legal_id, name)| {
                        Ok($crate::LegalEntity { legal_id: $crate::shared::legal_id(&legal_id)?, name })
                    })
                    .collect()
            }

            async fn request_sign_in_code(
                &self,
                national_id: &daftar_core::ir::NationalId,
                mobile: &daftar_core::ir::Mobile,
                code_hash: &str,
                now: jiff::Timestamp,
            ) -> $crate::Result<$crate::CodeRequestOutcome> {
                let mut tx = self.writer.begin().await?;
                let registered: Option<(String,)> =
                    sqlx::query_as("SELECT mobile FROM citizens WHERE national_id = $1")
                        .bind(national_id.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                if registered.is_some_and(|(on_file,)| on_file != mobile.e164()) {
                    return Ok($crate::CodeRequestOutcome::MobileMismatch);
                }
                sqlx::query(
                    "INSERT INTO sign_in_states (national_id, wrong_codes) VALUES ($1, 0)
                     ON CONFLICT DO NOTHING",
                )
                .bind(national_id.as_str())
                .execute(&mut *tx)
                .await?;
                let row: $crate::shared::SignInRow = sqlx::query_as(concat!(
                    "SELECT mobile, code_hash, code_sent_at, code_expires_at, wrong_codes, locked_until
                     FROM sign_in_states WHERE national_id = $1",
                    $for_update
                ))
                .bind(national_id.as_str())
                .fetch_one(&mut *tx)
                .await?;
                let state = $crate::shared::sign_in_state(&row);
                let next = match state.request_code(code_hash.to_owned(), now) {
                    Ok(next) => next,
                    Err(refusal) => return Ok($crate::CodeRequestOutcome::Refused(refusal)),
                };
                sqlx::query(
                    "UPDATE sign_in_states SET mobile = $2, code_hash = $3, code_sent_at = $4,
                         code_expires_at = $5, wrong_codes = $6, locked_until = $7
                     WHERE national_id = $1",
                )
                .bind(national_id.as_str())
                .bind(mobile.e164())
                .bind(next.code_hash.as_deref())
                .bind(next.code_sent_at.map($crate::to_db_time))
                .bind(next.code_expires_at.map($crate::to_db_time))
                .bind(i64::from(next.wrong_codes))
                .bind(next.locked_until.map($crate::to_db_time))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok($crate::CodeRequestOutcome::Send { to: mobile.clone() })
            }

            async fn withdraw_sign_in_code(
                &self,
                national_id: &daftar_core::ir::NationalId,
                code_hash: &str,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "UPDATE sign_in_states
                     SET code_hash = NULL, code_sent_at = NULL, code_expires_at = NULL
                     WHERE national_id = $1 AND code_hash = $2",
                )
                .bind(national_id.as_str())
                .bind(code_hash)
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn present_sign_in_code(
                &self,
                national_id: &daftar_core::ir::NationalId,
                code_hash: &str,
                now: jiff::Timestamp,
            ) -> $crate::Result<daftar_core::otp::Verdict> {
                let mut tx = self.writer.begin().await?;
                let row: Option<$crate::shared::SignInRow> = sqlx::query_as(concat!(
                    "SELECT mobile, code_hash, code_sent_at, code_expires_at, wrong_codes, locked_until
                     FROM sign_in_states WHERE national_id = $1",
                    $for_update
                ))
                .bind(national_id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Ok(daftar_core::otp::Verdict::NoLiveCode);
                };
                let state = $crate::shared::sign_in_state(&row);
                let matches = state.code_hash.as_deref() == Some(code_hash);
                let (verdict, next) = state.present_code(matches, now);
                sqlx::query(
                    "UPDATE sign_in_states SET code_hash = $2, code_expires_at = $3,
                         wrong_codes = $4, locked_until = $5
                     WHERE national_id = $1",
                )
                .bind(national_id.as_str())
                .bind(next.code_hash.as_deref())
                .bind(next.code_expires_at.map($crate::to_db_time))
                .bind(i64::from(next.wrong_codes))
                .bind(next.locked_until.map($crate::to_db_time))
                .execute(&mut *tx)
                .await?;
                if verdict == daftar_core::otp::Verdict::SignedIn {
                    let mobile = row.0.ok_or_else(|| $crate::shared::corrupt("sign-in mobile"))?;
                    sqlx::query(
                        "INSERT INTO citizens (national_id, mobile, created_at) VALUES ($1, $2, $3)
                         ON CONFLICT (national_id) DO NOTHING",
                    )
                    .bind(national_id.as_str())
                    .bind(mobile)
                    .bind($crate::to_db_time(now))
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(verdict)
            }

            async fn create_session(&self, session: &$crate::NewSession) -> $crate::Result<()> {
                let (kind, subject, acting_for) = match &session.subject {
                    $crate::Subject::Citizen { national_id, acting_for } => (
                        $crate::shared::SUBJECT_CITIZEN,
                        national_id.as_str().to_owned(),
                        acting_for.as_ref().map(|id| id.as_str().to_owned()),
                    ),
                    $crate::Subject::Staff(id) => {
                        ($crate::shared::SUBJECT_STAFF, id.0.to_string(), None)
                    }
                };
                sqlx::query(
                    "INSERT INTO sessions (token_hash, subject_kind, subject, acting_for, csrf_token,
                         created_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&session.token_hash)
                .bind(kind)
                .bind(subject)
                .bind(acting_for)
                .bind(&session.csrf_token)
                .bind($crate::to_db_time(session.created_at))
                .bind($crate::to_db_time(session.expires_at))
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn session(
                &self,
                token_hash: &str,
                now: jiff::Timestamp,
            ) -> $crate::Result<Option<$crate::Session>> {
                let row: Option<(String, String, Option<String>, String, i64)> = sqlx::query_as(
                    "SELECT subject_kind, subject, acting_for, csrf_token, expires_at
                     FROM sessions WHERE token_hash = $1 AND expires_at > $2",
                )
                .bind(token_hash)
                .bind($crate::to_db_time(now))
                .fetch_optional(&self.reader)
                .await?;
                let Some((kind, subject, acting_for, csrf_token, expires_at)) = row else {
                    return Ok(None);
                };
                let subject = match kind.as_str() {
                    $crate::shared::SUBJECT_CITIZEN => $crate::Subject::Citizen {
                        national_id: $crate::shared::national_id(&subject)?,
                        acting_for: acting_for
                            .as_deref()
                            .map($crate::shared::legal_id)
                            .transpose()?,
                    },
                    $crate::shared::SUBJECT_STAFF => $crate::Subject::Staff($crate::StaffId(
                        subject.parse().map_err(|_| $crate::shared::corrupt("staff id"))?,
                    )),
                    _ => return Err($crate::shared::corrupt("session kind")),
                };
                Ok(Some($crate::Session {
                    subject,
                    csrf_token,
                    expires_at: $crate::from_db_time(expires_at),
                }))
            }

            async fn delete_session(&self, token_hash: &str) -> $crate::Result<()> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }

            async fn delete_expired_sessions(&self, now: jiff::Timestamp) -> $crate::Result<u64> {
                let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind($crate::to_db_time(now))
                    .execute(&self.writer)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn set_staff_mobile(
                &self,
                staff: $crate::StaffId,
                mobile: Option<&daftar_core::ir::Mobile>,
            ) -> $crate::Result<()> {
                let done = sqlx::query("UPDATE staff_users SET mobile = $1 WHERE id = $2")
                    .bind(mobile.map(|m| m.e164()))
                    .bind(staff.0)
                    .execute(&self.writer)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound("staff user"));
                }
                Ok(())
            }

            async fn staff_mobiles(
                &self,
                office: &daftar_core::roles::OfficeCode,
                held: daftar_core::roles::Role,
            ) -> $crate::Result<Vec<daftar_core::ir::Mobile>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT u.mobile FROM staff_users u
                     JOIN staff_roles r ON r.user_id = u.id
                     WHERE r.office_code = $1 AND r.role = $2 AND u.active AND u.mobile IS NOT NULL
                     ORDER BY u.id",
                )
                .bind(office.as_str())
                .bind(held.slug())
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter()
                    .map(|(mobile,)| $crate::shared::mobile(&mobile))
                    .collect()
            }
        }
    };
}
