//! Open311 GeoReport v2 (wave2-domain §5): the clients a system admin issues API keys to
//! (kept by their SHA-256, shown once, revocable), the public complaints as requests, and
//! a client's post. No request carries who filed it.

use daftar_core::roles::Role;
use daftar_store::{NewOpen311Client, Open311Client, Open311Query, Open311Status, StaffAccount};
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use sha2::{Digest, Sha256};

use super::{ComplaintForm, Complaints, Filer};
use crate::cases::CaseError;

/// The longest span a list may cover, and the one it covers unless told: 90 days.
const WINDOW: SignedDuration = SignedDuration::from_hours(90 * 24);

/// The most requests a list returns, and the number unless told.
pub const MAX_REQUESTS: u32 = 1_000;
pub const DEFAULT_REQUESTS: u32 = 100;

/// A key as issued: shown to the admin once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedKey {
    pub client: i64,
    pub key: String,
}

/// What `GET requests` asks for, as parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Open311Search {
    pub service_codes: Vec<String>,
    pub request_ids: Vec<String>,
    pub status: Option<Open311Status>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub limit: Option<u32>,
}

/// A request as Open311 shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Open311Request {
    pub service_request_id: String,
    pub status: Open311Status,
    /// The office's answer, once given.
    pub status_notes: Option<String>,
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    /// The unit it was routed to, in English and Persian.
    pub agency_responsible: Option<daftar_core::text::Text>,
    pub requested_datetime: Timestamp,
    pub updated_datetime: Timestamp,
    pub location: Option<(f64, f64)>,
}

fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

impl Complaints {
    /// Only the system admin manages the clients' keys on the pages; the command line is
    /// the operator's, who holds the database.
    pub fn may_manage_open311(who: &StaffAccount) -> Result<(), CaseError> {
        if who.has_role(Role::SystemAdmin) {
            Ok(())
        } else {
            Err(CaseError::NotAllowed("open311.admin_only"))
        }
    }

    /// Issues a client a key; the key is shown once, and only its hash is kept.
    pub async fn issue_open311_key(&self, name: &str) -> Result<IssuedKey, CaseError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(CaseError::InvalidField {
                code: "open311.client_name",
                field: "name".into(),
            });
        }
        let key = hex::encode(rand::rng().random::<[u8; 24]>());
        let client = self
            .store
            .add_open311_client(&NewOpen311Client {
                name: name.to_owned(),
                key_hash: key_hash(&key),
                created_at: Timestamp::now(),
            })
            .await?;
        Ok(IssuedKey { client, key })
    }

    /// Revokes a client's key: its next request is refused.
    pub async fn revoke_open311_key(&self, client: i64) -> Result<(), CaseError> {
        if self
            .store
            .revoke_open311_client(client, Timestamp::now())
            .await?
        {
            Ok(())
        } else {
            Err(CaseError::NotFound)
        }
    }

    /// Every client, the newest first.
    pub async fn open311_clients(&self) -> Result<Vec<Open311Client>, CaseError> {
        Ok(self.store.open311_clients().await?)
    }

    /// The client holding `key`, unless it is unknown or revoked.
    pub async fn open311_client(&self, key: &str) -> Result<Option<i64>, CaseError> {
        Ok(self.store.open311_client_by_key(&key_hash(key)).await?)
    }

    /// The public requests a search asks for, newest first: within 90 days (the last 90
    /// unless dates are given), at most [`MAX_REQUESTS`].
    pub async fn open311_requests(
        &self,
        search: &Open311Search,
    ) -> Result<Vec<Open311Request>, CaseError> {
        let (from, to) = match (search.start, search.end) {
            (Some(start), Some(end)) => (start, end),
            (Some(start), None) => (start, start.saturating_add(WINDOW).unwrap_or(start)),
            (None, Some(end)) => (end.saturating_sub(WINDOW).unwrap_or(end), end),
            (None, None) => {
                // Up to this second, included.
                let end = Timestamp::now() + SignedDuration::from_secs(1);
                (end.saturating_sub(WINDOW).unwrap_or(end), end)
            }
        };
        if to < from || to.duration_since(from) > WINDOW {
            return Err(CaseError::Invalid("open311.window"));
        }
        if search.request_ids.len() > 100 || search.service_codes.len() > 100 {
            return Err(CaseError::Invalid("open311.too_many_ids"));
        }
        let public: Vec<&str> = self.kinds.open311().map(|k| k.code.as_str()).collect();
        if search
            .service_codes
            .iter()
            .any(|code| !public.contains(&code.as_str()))
        {
            return Err(CaseError::Invalid("open311.service_code"));
        }
        let rows = self
            .store
            .open311_requests(&Open311Query {
                kinds: search.service_codes.clone(),
                tracking_codes: search.request_ids.clone(),
                status: search.status,
                from,
                to,
                limit: search
                    .limit
                    .unwrap_or(DEFAULT_REQUESTS)
                    .clamp(1, MAX_REQUESTS),
            })
            .await?;
        Ok(rows.into_iter().map(|row| self.request_of(row)).collect())
    }

    /// One public request by its id (its tracking code).
    pub async fn open311_request(&self, id: &str) -> Result<Open311Request, CaseError> {
        let rows = self
            .store
            .open311_requests(&Open311Query {
                kinds: Vec::new(),
                tracking_codes: vec![id.to_owned()],
                status: None,
                from: Timestamp::UNIX_EPOCH,
                to: Timestamp::MAX,
                limit: 1,
            })
            .await?;
        rows.into_iter()
            .next()
            .map(|row| self.request_of(row))
            .ok_or(CaseError::NotFound)
    }

    /// A client's post: filed as the kind's complaint, with the client recorded.
    pub async fn post_open311(
        &self,
        client: i64,
        form: &ComplaintForm,
    ) -> Result<Open311Request, CaseError> {
        let case = self.submit(Filer::Open311Client(client), form).await?;
        self.open311_request(&case.tracking_code).await
    }

    fn request_of(&self, row: daftar_store::Open311Row) -> Open311Request {
        let fields: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&row.fields_json).unwrap_or_default();
        let kind = self.kinds.get(&row.kind);
        Open311Request {
            status: if row.state == "review" {
                Open311Status::Open
            } else {
                Open311Status::Closed
            },
            status_notes: fields
                .get("answer")
                .map(|answer| daftar_core::complaint::without_long_numbers(answer)),
            service_name: kind.map_or_else(|| row.kind.clone(), |k| k.name.en.clone()),
            service_code: row.kind,
            description: daftar_core::complaint::without_long_numbers(&row.description),
            agency_responsible: fields
                .get(crate::cases::ROUTED_TO)
                .and_then(|slug| Role::from_slug(slug))
                .map(|role| {
                    let name = role.name();
                    daftar_core::text::Text::new(name.fa.to_owned(), name.en.to_owned())
                }),
            requested_datetime: row.requested_at,
            updated_datetime: row.updated_at,
            location: row
                .location_micro
                .map(|(lat, lon)| (lat as f64 / 1_000_000.0, lon as f64 / 1_000_000.0)),
            service_request_id: row.tracking_code,
        }
    }
}
