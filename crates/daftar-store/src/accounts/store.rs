//! [`AccountStore`] for both backends: plain SQL over [`SqlBackend`]. The one word that
//! differs, the row lock of a read-then-write, is the backend's
//! [`SqlBackend::FOR_UPDATE`].
//!
//! Longer than most files: one trait's implementation, which Rust keeps in one block. If
//! it grows, the way to split it is to split the trait (sessions and sign-in codes apart
//! from offices, staff and citizens).

use async_trait::async_trait;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};

use crate::sql::SqlBackend;
use crate::*;

#[async_trait]
impl<S> AccountStore for S
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> bool: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> String: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<i64>: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<String>: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<&'q str>: Encode<'q, S::Db> + Type<S::Db>,
    usize: ColumnIndex<<S::Db as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<S::Db as Database>::Row>,
{
    async fn upsert_office(&self, office: &crate::Office) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO offices (code, name_fa, name_en, district) VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO UPDATE SET name_fa = excluded.name_fa,
                 name_en = excluded.name_en, district = excluded.district",
        )
        .bind(office.code.as_str())
        .bind(&office.name_fa)
        .bind(&office.name_en)
        .bind(office.district)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn offices(&self) -> crate::Result<Vec<crate::Office>> {
        let rows: Vec<(String, String, String, i64)> =
            sqlx::query_as("SELECT code, name_fa, name_en, district FROM offices ORDER BY code")
                .fetch_all(self.reader())
                .await?;
        rows.into_iter().map(crate::accounts::sql::office).collect()
    }

    async fn create_staff(
        &self,
        staff: &crate::NewStaff,
        now: jiff::Timestamp,
    ) -> crate::Result<crate::StaffId> {
        let mut tx = self.writer().begin().await?;
        let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO staff_users (username, display_name, password_hash, active, created_at, mobile)
             VALUES ($1, $2, $3, TRUE, $4, $5) RETURNING id",
        )
        .bind(&staff.username)
        .bind(&staff.display_name)
        .bind(&staff.password_hash)
        .bind(crate::to_db_time(now))
        .bind(staff.mobile.as_ref().map(|m| m.e164()))
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok((id,)) => crate::StaffId(id),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(crate::StoreError::Conflict("username"));
            }
            Err(e) => return Err(e.into()),
        };
        for (office, role) in &staff.roles {
            let granted = sqlx::query(crate::accounts::sql::INSERT_ROLE)
                .bind(id.0)
                .bind(office.as_str())
                .bind(role.slug())
                .execute(&mut *tx)
                .await;
            crate::accounts::sql::role_granted(granted)?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn set_staff_password(&self, username: &str, password_hash: &str) -> crate::Result<()> {
        let done = sqlx::query("UPDATE staff_users SET password_hash = $1 WHERE username = $2")
            .bind(password_hash)
            .bind(username)
            .execute(self.writer())
            .await?;
        if S::rows_affected(&done) == 0 {
            return Err(crate::StoreError::NotFound("staff user"));
        }
        Ok(())
    }

    async fn grant_role(
        &self,
        staff: crate::StaffId,
        office: &daftar_core::roles::OfficeCode,
        role: daftar_core::roles::Role,
    ) -> crate::Result<()> {
        let granted = sqlx::query(crate::accounts::sql::INSERT_ROLE)
            .bind(staff.0)
            .bind(office.as_str())
            .bind(role.slug())
            .execute(self.writer())
            .await;
        crate::accounts::sql::role_granted(granted)
    }

    async fn staff_by_username(
        &self,
        username: &str,
    ) -> crate::Result<Option<crate::StaffAccount>> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM staff_users WHERE username = $1")
            .bind(username)
            .fetch_optional(self.reader())
            .await?;
        match row {
            Some((id,)) => self.staff_by_id(crate::StaffId(id)).await,
            None => Ok(None),
        }
    }

    async fn staff_by_id(&self, id: crate::StaffId) -> crate::Result<Option<crate::StaffAccount>> {
        let mut conn = self.reader().acquire().await?;
        let row: Option<(i64, String, String, String, bool, Option<String>)> = sqlx::query_as(
            "SELECT id, username, display_name, password_hash, active, totp_secret
             FROM staff_users WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
        let Some((id, username, display_name, password_hash, active, totp_secret)) = row else {
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
                crate::decode::office_code(&office)?,
                crate::decode::role(&role)?,
            ));
        }
        roles.sort();
        Ok(Some(crate::StaffAccount {
            id: crate::StaffId(id),
            username,
            display_name,
            password_hash,
            totp_secret,
            active,
            roles,
        }))
    }

    async fn staff_in_role(
        &self,
        office: &daftar_core::roles::OfficeCode,
        role: daftar_core::roles::Role,
    ) -> crate::Result<Vec<crate::StaffSummary>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT u.id, u.username, u.display_name FROM staff_users u
             JOIN staff_roles r ON r.user_id = u.id
             WHERE r.office_code = $1 AND r.role = $2 AND u.active
             ORDER BY u.display_name, u.username",
        )
        .bind(office.as_str())
        .bind(role.slug())
        .fetch_all(self.reader())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, username, display_name)| crate::StaffSummary {
                id: crate::StaffId(id),
                username,
                display_name,
            })
            .collect())
    }

    async fn upsert_citizen(
        &self,
        citizen: &crate::Citizen,
        now: jiff::Timestamp,
    ) -> crate::Result<()> {
        sqlx::query(
            "INSERT INTO citizens (national_id, mobile, display_name, created_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (national_id) DO UPDATE SET mobile = excluded.mobile,
                 display_name = excluded.display_name",
        )
        .bind(citizen.national_id.as_str())
        .bind(citizen.mobile.e164())
        .bind(citizen.display_name.as_deref())
        .bind(crate::to_db_time(now))
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn citizen(
        &self,
        national_id: &daftar_core::ir::NationalId,
    ) -> crate::Result<Option<crate::Citizen>> {
        let row: Option<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT national_id, mobile, display_name FROM citizens WHERE national_id = $1",
        )
        .bind(national_id.as_str())
        .fetch_optional(self.reader())
        .await?;
        row.map(|(national_id, mobile, display_name)| {
            Ok(crate::Citizen {
                national_id: crate::decode::national_id(&national_id)?,
                mobile: crate::decode::mobile(&mobile)?,
                display_name,
            })
        })
        .transpose()
    }

    async fn upsert_legal_entity(
        &self,
        entity: &crate::LegalEntity,
        representatives: &[daftar_core::ir::NationalId],
        now: jiff::Timestamp,
    ) -> crate::Result<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO legal_entities (legal_id, name, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (legal_id) DO UPDATE SET name = excluded.name",
        )
        .bind(entity.legal_id.as_str())
        .bind(&entity.name)
        .bind(crate::to_db_time(now))
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
                    return Err(crate::StoreError::NotFound("representative citizen"));
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
    ) -> crate::Result<Option<crate::LegalEntity>> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT e.legal_id, e.name FROM legal_entities e
             JOIN legal_representatives r ON r.legal_id = e.legal_id
             WHERE r.national_id = $1 AND e.legal_id = $2",
        )
        .bind(national_id.as_str())
        .bind(legal_id.as_str())
        .fetch_optional(self.reader())
        .await?;
        row.map(|(legal_id, name)| {
            Ok(crate::LegalEntity {
                legal_id: crate::decode::legal_id(&legal_id)?,
                name,
            })
        })
        .transpose()
    }

    async fn entities_represented_by(
        &self,
        national_id: &daftar_core::ir::NationalId,
    ) -> crate::Result<Vec<crate::LegalEntity>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT e.legal_id, e.name FROM legal_entities e
             JOIN legal_representatives r ON r.legal_id = e.legal_id
             WHERE r.national_id = $1 ORDER BY e.name",
        )
        .bind(national_id.as_str())
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|(legal_id, name)| {
                Ok(crate::LegalEntity {
                    legal_id: crate::decode::legal_id(&legal_id)?,
                    name,
                })
            })
            .collect()
    }

    async fn request_sign_in_code(
        &self,
        request: &crate::CodeRequest,
    ) -> crate::Result<crate::CodeRequestOutcome> {
        let national_id = request.national_id.as_str();
        let now = request.now;
        let mut tx = self.writer().begin().await?;
        let registered: Option<(String, bool)> =
            sqlx::query_as("SELECT mobile, mobile_verified FROM citizens WHERE national_id = $1")
                .bind(national_id)
                .fetch_optional(&mut *tx)
                .await?;
        // A confirmed owner's mobile, or the first mobile when nobody is confirmed, keeps
        // the national ID; only the confirmed owner of another mobile takes it over.
        let mismatch = registered.is_some_and(|(on_file, verified)| {
            on_file != request.mobile.e164() && (verified || !request.mobile_verified)
        });
        sqlx::query(
            "INSERT INTO sign_in_states (national_id, wrong_codes) VALUES ($1, 0)
             ON CONFLICT DO NOTHING",
        )
        .bind(national_id)
        .execute(&mut *tx)
        .await?;
        let row: crate::accounts::sql::SignInRow = sqlx::query_as(&format!(
            "{}{}",
            crate::accounts::sql::SIGN_IN_STATE,
            S::FOR_UPDATE
        ))
        .bind(national_id)
        .fetch_one(&mut *tx)
        .await?;
        let decided =
            crate::accounts::sql::sign_in_state(&row).request_code(request.code_hash.clone(), now);
        // Every request counts against its address; a code to be sent, against its
        // mobile and the day's budget too.
        let mut counted = vec![(request.address_key.as_str(), request.limits.per_address)];
        if !mismatch && decided.is_ok() {
            counted.push((request.mobile_key.as_str(), request.limits.per_mobile));
            counted.push(("day", request.limits.daily()));
        }
        let mut sent_today = 0;
        let mut limited = false;
        for (key, limit) in counted {
            sqlx::query(
                "INSERT INTO sign_in_counters (key, window_start, count) VALUES ($1, $2, 0)
                 ON CONFLICT DO NOTHING",
            )
            .bind(key)
            .bind(crate::to_db_time(now))
            .execute(&mut *tx)
            .await?;
            let (window_start, count): (i64, i64) = sqlx::query_as(&format!(
                "SELECT window_start, count FROM sign_in_counters WHERE key = $1{}",
                S::FOR_UPDATE
            ))
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
            let counter = daftar_core::sign_in_limits::Counter {
                window_start: crate::from_db_time(window_start),
                count: u32::try_from(count).unwrap_or(u32::MAX),
            };
            let Some(next) = limit.count(Some(counter), now) else {
                limited = true;
                break;
            };
            sqlx::query("UPDATE sign_in_counters SET window_start = $2, count = $3 WHERE key = $1")
                .bind(key)
                .bind(crate::to_db_time(next.window_start))
                .bind(i64::from(next.count))
                .execute(&mut *tx)
                .await?;
            sent_today = next.count;
        }
        let outcome = match decided {
            _ if limited => crate::CodeRequestOutcome::Limited,
            _ if mismatch => crate::CodeRequestOutcome::MobileMismatch,
            Err(refusal) => crate::CodeRequestOutcome::Refused(refusal),
            Ok(next) => {
                sqlx::query(
                    "UPDATE sign_in_states SET mobile = $2, code_hash = $3, code_sent_at = $4,
                         code_expires_at = $5, wrong_codes = $6, locked_until = $7,
                         code_mobile_verified = $8
                     WHERE national_id = $1",
                )
                .bind(national_id)
                .bind(request.mobile.e164())
                .bind(next.code_hash.as_deref())
                .bind(next.code_sent_at.map(crate::to_db_time))
                .bind(next.code_expires_at.map(crate::to_db_time))
                .bind(i64::from(next.wrong_codes))
                .bind(next.locked_until.map(crate::to_db_time))
                .bind(request.mobile_verified)
                .execute(&mut *tx)
                .await?;
                crate::CodeRequestOutcome::Send {
                    to: request.mobile.clone(),
                    sent_today,
                }
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn withdraw_sign_in_code(
        &self,
        national_id: &daftar_core::ir::NationalId,
        code_hash: &str,
    ) -> crate::Result<()> {
        sqlx::query(
            "UPDATE sign_in_states
             SET code_hash = NULL, code_sent_at = NULL, code_expires_at = NULL
             WHERE national_id = $1 AND code_hash = $2",
        )
        .bind(national_id.as_str())
        .bind(code_hash)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn present_sign_in_code(
        &self,
        national_id: &daftar_core::ir::NationalId,
        code_hash: &str,
        now: jiff::Timestamp,
    ) -> crate::Result<crate::CodePresented> {
        let mut tx = self.writer().begin().await?;
        // Wrong codes count for every national ID alike, asked for or not, so that a
        // lock (or its absence) tells nothing of whether a code was ever sent.
        sqlx::query(
            "INSERT INTO sign_in_states (national_id, wrong_codes) VALUES ($1, 0)
             ON CONFLICT DO NOTHING",
        )
        .bind(national_id.as_str())
        .execute(&mut *tx)
        .await?;
        let row: crate::accounts::sql::SignInRow = sqlx::query_as(&format!(
            "{}{}",
            crate::accounts::sql::SIGN_IN_STATE,
            S::FOR_UPDATE
        ))
        .bind(national_id.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let state = crate::accounts::sql::sign_in_state(&row);
        let matches = state.code_hash.as_deref() == Some(code_hash);
        let (verdict, next) = state.present_code(matches, now);
        sqlx::query(
            "UPDATE sign_in_states SET code_hash = $2, code_expires_at = $3,
                 wrong_codes = $4, locked_until = $5
             WHERE national_id = $1",
        )
        .bind(national_id.as_str())
        .bind(next.code_hash.as_deref())
        .bind(next.code_expires_at.map(crate::to_db_time))
        .bind(i64::from(next.wrong_codes))
        .bind(next.locked_until.map(crate::to_db_time))
        .execute(&mut *tx)
        .await?;
        let verified = row.code_mobile_verified;
        if verdict == daftar_core::otp::Verdict::SignedIn {
            let mobile = row
                .mobile
                .ok_or_else(|| crate::decode::corrupt("sign-in mobile"))?;
            let on_file: Option<(String,)> =
                sqlx::query_as("SELECT mobile FROM citizens WHERE national_id = $1")
                    .bind(national_id.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            match on_file {
                None => {
                    sqlx::query(
                        "INSERT INTO citizens (national_id, mobile, created_at, mobile_verified)
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(national_id.as_str())
                    .bind(&mobile)
                    .bind(crate::to_db_time(now))
                    .bind(verified)
                    .execute(&mut *tx)
                    .await?;
                }
                Some((on_file,)) if verified => {
                    // The confirmed owner takes the national ID over: from now on codes go
                    // to this mobile only, and whoever signed in before them is signed out.
                    sqlx::query(
                        "UPDATE citizens SET mobile = $2, mobile_verified = TRUE
                         WHERE national_id = $1",
                    )
                    .bind(national_id.as_str())
                    .bind(&mobile)
                    .execute(&mut *tx)
                    .await?;
                    if on_file != mobile {
                        sqlx::query(
                            "DELETE FROM sessions WHERE subject_kind = $1 AND subject = $2",
                        )
                        .bind(crate::accounts::sql::SUBJECT_CITIZEN)
                        .bind(national_id.as_str())
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                Some(_) => {}
            }
        }
        tx.commit().await?;
        Ok(crate::CodePresented {
            verdict,
            mobile_verified: verified,
        })
    }

    async fn create_session(&self, session: &crate::NewSession) -> crate::Result<()> {
        let (kind, subject, acting_for, verified) = match &session.subject {
            crate::Subject::Citizen {
                national_id,
                acting_for,
                verified,
            } => (
                crate::accounts::sql::SUBJECT_CITIZEN,
                national_id.as_str().to_owned(),
                acting_for.as_ref().map(|id| id.as_str().to_owned()),
                *verified,
            ),
            crate::Subject::Staff(id) => (
                crate::accounts::sql::SUBJECT_STAFF,
                id.0.to_string(),
                None,
                true,
            ),
        };
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, subject_kind, subject, acting_for, csrf_token,
                 created_at, expires_at, verified)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&session.token_hash)
        .bind(kind)
        .bind(subject)
        .bind(acting_for)
        .bind(&session.csrf_token)
        .bind(crate::to_db_time(session.created_at))
        .bind(crate::to_db_time(session.expires_at))
        .bind(verified)
        .execute(&mut *tx)
        .await?;
        // Kept beyond the session, for the operator-usage report.
        if let crate::Subject::Staff(id) = &session.subject {
            sqlx::query("INSERT INTO staff_sign_ins (staff_id, at) VALUES ($1, $2)")
                .bind(id.0)
                .bind(crate::to_db_time(session.created_at))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn session(
        &self,
        token_hash: &str,
        now: jiff::Timestamp,
    ) -> crate::Result<Option<crate::Session>> {
        let row: Option<(String, String, Option<String>, String, i64, bool)> = sqlx::query_as(
            "SELECT subject_kind, subject, acting_for, csrf_token, expires_at, verified
             FROM sessions WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(crate::to_db_time(now))
        .fetch_optional(self.reader())
        .await?;
        let Some((kind, subject, acting_for, csrf_token, expires_at, verified)) = row else {
            return Ok(None);
        };
        let subject = match kind.as_str() {
            crate::accounts::sql::SUBJECT_CITIZEN => crate::Subject::Citizen {
                national_id: crate::decode::national_id(&subject)?,
                acting_for: acting_for
                    .as_deref()
                    .map(crate::decode::legal_id)
                    .transpose()?,
                verified,
            },
            crate::accounts::sql::SUBJECT_STAFF => crate::Subject::Staff(crate::StaffId(
                subject
                    .parse()
                    .map_err(|_| crate::decode::corrupt("staff id"))?,
            )),
            _ => return Err(crate::decode::corrupt("session kind")),
        };
        Ok(Some(crate::Session {
            subject,
            csrf_token,
            expires_at: crate::from_db_time(expires_at),
        }))
    }

    async fn delete_session(&self, token_hash: &str) -> crate::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: jiff::Timestamp) -> crate::Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(crate::to_db_time(now))
            .execute(self.writer())
            .await?;
        Ok(S::rows_affected(&done))
    }

    async fn set_staff_mobile(
        &self,
        staff: crate::StaffId,
        mobile: Option<&daftar_core::ir::Mobile>,
    ) -> crate::Result<()> {
        let done = sqlx::query("UPDATE staff_users SET mobile = $1 WHERE id = $2")
            .bind(mobile.map(|m| m.e164()))
            .bind(staff.0)
            .execute(self.writer())
            .await?;
        if S::rows_affected(&done) == 0 {
            return Err(crate::StoreError::NotFound("staff user"));
        }
        Ok(())
    }

    async fn staff_mobiles(
        &self,
        office: &daftar_core::roles::OfficeCode,
        held: daftar_core::roles::Role,
    ) -> crate::Result<Vec<daftar_core::ir::Mobile>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT u.mobile FROM staff_users u
             JOIN staff_roles r ON r.user_id = u.id
             WHERE r.office_code = $1 AND r.role = $2 AND u.active AND u.mobile IS NOT NULL
             ORDER BY u.id",
        )
        .bind(office.as_str())
        .bind(held.slug())
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|(mobile,)| crate::decode::mobile(&mobile))
            .collect()
    }

    async fn set_staff_totp(&self, username: &str, secret: Option<&str>) -> crate::Result<()> {
        let done = sqlx::query("UPDATE staff_users SET totp_secret = $1 WHERE username = $2")
            .bind(secret)
            .bind(username)
            .execute(self.writer())
            .await?;
        if S::rows_affected(&done) == 0 {
            return Err(crate::StoreError::NotFound("staff user"));
        }
        Ok(())
    }

    async fn count_sign_in_attempt(
        &self,
        key: &str,
        limit: daftar_core::sign_in_limits::SendLimit,
        now: jiff::Timestamp,
    ) -> crate::Result<Option<jiff::Timestamp>> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO sign_in_counters (key, window_start, count) VALUES ($1, $2, 0)
             ON CONFLICT DO NOTHING",
        )
        .bind(key)
        .bind(crate::to_db_time(now))
        .execute(&mut *tx)
        .await?;
        let (window_start, count): (i64, i64) = sqlx::query_as(&format!(
            "SELECT window_start, count FROM sign_in_counters WHERE key = $1{}",
            S::FOR_UPDATE
        ))
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        let counter = daftar_core::sign_in_limits::Counter {
            window_start: crate::from_db_time(window_start),
            count: u32::try_from(count).unwrap_or(u32::MAX),
        };
        let Some(next) = limit.count(Some(counter), now) else {
            return Ok(Some(counter.window_start + limit.window));
        };
        sqlx::query("UPDATE sign_in_counters SET window_start = $2, count = $3 WHERE key = $1")
            .bind(key)
            .bind(crate::to_db_time(next.window_start))
            .bind(i64::from(next.count))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(None)
    }

    async fn try_staff_password(
        &self,
        keys: &[(String, daftar_core::sign_in_limits::TryLimits)],
        now: jiff::Timestamp,
    ) -> crate::Result<Option<jiff::Timestamp>> {
        // Counted before the password is checked, each key locked in turn: tries sent
        // all at once are counted one after the other, none slips past the count.
        let mut tx = self.writer().begin().await?;
        let mut wait = None;
        for (key, limits) in keys {
            sqlx::query(
                "INSERT INTO staff_password_tries (key, failures) VALUES ($1, 0)
                 ON CONFLICT DO NOTHING",
            )
            .bind(key)
            .execute(&mut *tx)
            .await?;
            let tries = crate::accounts::sql::password_tries(
                sqlx::query_as(&format!(
                    "{}{}",
                    crate::accounts::sql::PASSWORD_TRIES,
                    S::FOR_UPDATE
                ))
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?,
            );
            wait = wait.max(tries.wait_until(*limits, now));
            let counted = tries.failed(*limits, now);
            sqlx::query(
                "UPDATE staff_password_tries SET failures = $2, last_failed_at = $3,
                     locked_until = $4
                 WHERE key = $1",
            )
            .bind(key)
            .bind(i64::from(counted.failures))
            .bind(counted.last_failed_at.map(crate::to_db_time))
            .bind(counted.locked_until.map(crate::to_db_time))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(wait)
    }

    async fn forgive_staff_password_try(
        &self,
        account_key: &str,
        address_key: &str,
    ) -> crate::Result<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query("DELETE FROM staff_password_tries WHERE key = $1")
            .bind(account_key)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE staff_password_tries SET failures = failures - 1
             WHERE key = $1 AND failures > 0",
        )
        .bind(address_key)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn sweep_sign_in_counters(&self, now: jiff::Timestamp) -> crate::Result<u64> {
        // Nothing counts for longer than a day.
        let day_ago = crate::to_db_time(now) - 86_400;
        let mut tx = self.writer().begin().await?;
        let counters = sqlx::query("DELETE FROM sign_in_counters WHERE window_start < $1")
            .bind(day_ago)
            .execute(&mut *tx)
            .await?;
        let tries = sqlx::query(
            "DELETE FROM staff_password_tries
             WHERE last_failed_at < $1 AND (locked_until IS NULL OR locked_until < $1)",
        )
        .bind(day_ago)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(S::rows_affected(&counters) + S::rows_affected(&tries))
    }
}
