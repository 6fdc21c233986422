//! Planned outages: the system admin announces one (from, to, and what is affected in
//! Persian and English) or withdraws it; `/outages` and the API list them; every page
//! shows the banner of one that begins within the lead time (48 hours by default) or is
//! under way. The banner is read from memory, refreshed every few seconds and at once
//! after this process announces or withdraws, so that a page costs no query for it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use daftar_core::outage::{PlannedOutage, banner_shown};
use daftar_core::roles::Role;
use daftar_store::{NewOutage, Store, StoredOutage};
use jiff::{SignedDuration, Timestamp};

use crate::accounts::Principal;
use crate::cases::CaseError;

/// How long the banners read from the database serve the pages (another instance's
/// announcement shows within this).
const BANNERS_FOR: Duration = Duration::from_secs(10);

/// How many announcements `/outages` lists.
pub const LISTED: u32 = 100;

/// How far back `/outages` lists past outages.
pub const PAST_LISTED_FOR: SignedDuration = SignedDuration::from_hours(90 * 24);

#[derive(Debug, Clone)]
pub struct Outages {
    store: Arc<dyn Store>,
    lead: SignedDuration,
    banners: Arc<RwLock<Option<ReadBanners>>>,
    /// Moved on by every announcement and withdrawal here: a read of the banners begun
    /// before one is not kept after it.
    generation: Arc<AtomicU64>,
}

/// The announcements read for the banners, and when.
type ReadBanners = (Instant, Vec<StoredOutage>);

impl Outages {
    pub fn new(store: Arc<dyn Store>, lead: SignedDuration) -> Outages {
        Outages {
            store,
            lead,
            banners: Arc::default(),
            generation: Arc::default(),
        }
    }

    /// The system admin announces a planned outage; returns its id.
    pub async fn announce(
        &self,
        who: &Principal,
        from: Timestamp,
        to: Timestamp,
        affected_fa: &str,
        affected_en: &str,
    ) -> Result<i64, CaseError> {
        let admin = system_admin(who)?;
        let now = Timestamp::now();
        // Kept to the second: checked as it is kept.
        let second = |at: Timestamp| Timestamp::from_second(at.as_second()).unwrap_or(at);
        let outage = PlannedOutage::new(second(from), second(to), affected_fa, affected_en, now)
            .map_err(|refused| CaseError::Invalid(refused.code()))?;
        let id = self
            .store
            .announce_outage(&NewOutage {
                from: outage.from,
                to: outage.to,
                affected_fa: outage.affected_fa,
                affected_en: outage.affected_en,
                announced_by: admin,
                announced_at: now,
            })
            .await?;
        self.forget_banners();
        Ok(id)
    }

    /// The system admin withdraws an announcement (a planned outage called off).
    pub async fn withdraw(&self, who: &Principal, id: i64) -> Result<(), CaseError> {
        system_admin(who)?;
        if !self.store.withdraw_outage(id, Timestamp::now()).await? {
            return Err(CaseError::NotFound);
        }
        self.forget_banners();
        Ok(())
    }

    /// Whether `who` may announce and withdraw: the system admin.
    pub fn may_announce(&self, who: &Principal) -> Result<(), CaseError> {
        system_admin(who).map(|_| ())
    }

    /// The announcements of the last 90 days and to come, the soonest start first.
    pub async fn listed(&self) -> Result<Vec<StoredOutage>, CaseError> {
        let since = Timestamp::now()
            .checked_sub(PAST_LISTED_FOR)
            .unwrap_or(Timestamp::UNIX_EPOCH);
        Ok(self.store.outages(since, LISTED).await?)
    }

    /// The outages whose banner the pages show now, the soonest first. A database that
    /// does not answer shows none (and is logged): a banner is not worth failing a page.
    pub async fn banners(&self) -> Vec<StoredOutage> {
        let cached = self
            .banners
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .filter(|(read, _)| read.elapsed() < BANNERS_FOR)
            .map(|(_, outages)| outages.clone());
        let outages = match cached {
            Some(outages) => outages,
            None => {
                let generation = self.generation.load(Ordering::SeqCst);
                let read = match self.store.outages(Timestamp::now(), LISTED).await {
                    Ok(outages) => outages,
                    Err(error) => {
                        tracing::warn!(%error, "The planned outages could not be read.");
                        Vec::new()
                    }
                };
                let mut kept = self
                    .banners
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if self.generation.load(Ordering::SeqCst) == generation {
                    *kept = Some((Instant::now(), read.clone()));
                }
                read
            }
        };
        let now = Timestamp::now();
        let mut shown: Vec<StoredOutage> = outages
            .into_iter()
            .filter(|outage| banner_shown(outage.from, outage.to, now, self.lead))
            .collect();
        shown.sort_by_key(|outage| outage.from);
        shown
    }

    fn forget_banners(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        *self
            .banners
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

fn system_admin(who: &Principal) -> Result<daftar_store::StaffId, CaseError> {
    match who {
        Principal::Staff(account) if account.has_role(Role::SystemAdmin) => Ok(account.id),
        _ => Err(CaseError::NotAllowed("outage.admin_only")),
    }
}
