//! The audit trail: who read what (internal inspection lists the staff reads of a case,
//! or a staff member's, newest first; reads are recorded where they happen,
//! [`Cases::view`] and [`Cases::open_document`]), and whether every case's history still
//! holds as a hash chain ([`Cases::verify_history`], `daftar audit verify`).

use daftar_core::cases::{BrokenLink, GENESIS, HistoryLink};
use daftar_core::roles::Role;
use daftar_store::{CaseId, HistoryLinkRow, ReadsOf, StaffRead};
use sha2::{Digest, Sha256};

use super::{CaseError, Cases};
use crate::accounts::Principal;

/// The most reads one listing shows.
pub const READS_LISTED: u32 = 500;

impl Cases {
    /// The staff reads of a case, for internal inspection.
    pub async fn reads_of_case(
        &self,
        who: &Principal,
        id: CaseId,
    ) -> Result<Vec<StaffRead>, CaseError> {
        let case = self.load(id).await?;
        if !inspects(who, case.office.as_str()) {
            return Err(CaseError::NotAllowed("auth.forbidden"));
        }
        // Not even an inspector learns who handles a complaint naming them.
        if let Principal::Staff(account) = who
            && super::names_staff(&case, account.id)
        {
            return Err(CaseError::NotFound);
        }
        Ok(self
            .store
            .staff_reads(ReadsOf::Case(id), READS_LISTED)
            .await?)
    }

    /// A staff member's reads, for internal inspection.
    pub async fn reads_by_staff(
        &self,
        who: &Principal,
        username: &str,
    ) -> Result<Vec<StaffRead>, CaseError> {
        if !inspects(who, "") {
            return Err(CaseError::NotAllowed("auth.forbidden"));
        }
        let account = self
            .accounts
            .staff_by_username(username.trim())
            .await?
            .ok_or(CaseError::NotFound)?;
        // Only the reads of cases in the offices the inspector inspects.
        let reads = self
            .store
            .staff_reads(ReadsOf::Staff(account.id), READS_LISTED)
            .await?;
        Ok(reads
            .into_iter()
            .filter(|read| inspects(who, &read.office_code))
            .collect())
    }
}

/// Whether `who` is internal inspection in `office` (in any office, for "").
fn inspects(who: &Principal, office: &str) -> bool {
    match who {
        Principal::Staff(account) => account.roles.iter().any(|(held_in, role)| {
            *role == Role::InternalInspection && (office.is_empty() || held_in.as_str() == office)
        }),
        Principal::Citizen { .. } => false,
    }
}

/// What walking every case's history found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub cases: u64,
    pub rows: u64,
    /// The first row, in case order, that does not hold: edited, removed (the next row,
    /// or the case's own record of its last row, no longer matches) or slipped in.
    pub broken: Option<BrokenLink>,
    /// A digest of every case's last hash at the moment of the walk: a copy of the
    /// database taken then (a backup) must give the same.
    pub heads_digest: String,
}

/// Rows read at a time.
const CHAIN_PAGE: u32 = 10_000;

impl Cases {
    /// Walks every case's history, checking each row's hash against its columns and the
    /// row before it, and each case's last hash against its record.
    pub async fn verify_history(&self) -> Result<ChainReport, CaseError> {
        let mut report = ChainReport {
            cases: 0,
            rows: 0,
            broken: None,
            heads_digest: String::new(),
        };
        let mut heads = Sha256::new();
        let mut after = None;
        // The case being walked: its id, its last hash so far, its record's hash, and
        // its last row's id.
        let mut current: Option<(i64, Option<String>, Option<String>, i64)> = None;
        loop {
            let page = self.store.history_links(after, CHAIN_PAGE).await?;
            for row in &page {
                report.rows += 1;
                if current
                    .as_ref()
                    .is_none_or(|(case, ..)| *case != row.case_id)
                {
                    if let Some(done) = current.take()
                        && let Some(broken) = close_chain(done, &mut heads)
                    {
                        report.broken = Some(broken);
                        return Ok(report);
                    }
                    report.cases += 1;
                    current = Some((row.case_id, None, row.case_hash.clone(), row.id));
                }
                let Some((_, previous, recorded, last)) = current.as_mut() else {
                    continue;
                };
                *last = row.id;
                // The newest the case's record says, should it move while it is walked.
                *recorded = row.case_hash.clone();
                match &row.hash {
                    // Written before the chain existed: the chain starts after it. Once a
                    // case's chain has begun, a row without a hash is a hole in it.
                    None if previous.is_none() => {}
                    None => {
                        report.broken = Some(BrokenLink {
                            case_id: row.case_id,
                            history_id: row.id,
                        });
                        return Ok(report);
                    }
                    Some(hash) => {
                        if link_of(row).hash(previous.as_deref().unwrap_or(GENESIS)) != *hash {
                            report.broken = Some(BrokenLink {
                                case_id: row.case_id,
                                history_id: row.id,
                            });
                            return Ok(report);
                        }
                        *previous = Some(hash.clone());
                    }
                }
            }
            match page.last() {
                Some(last) if page.len() == CHAIN_PAGE as usize => {
                    after = Some((last.case_id, last.id));
                }
                _ => break,
            }
        }
        if let Some(done) = current.take()
            && let Some(broken) = close_chain(done, &mut heads)
        {
            report.broken = Some(broken);
            return Ok(report);
        }
        // A case that keeps a last hash but has no history left lost every row.
        if let Some(case_id) = self.store.case_with_a_head_and_no_history().await? {
            report.broken = Some(BrokenLink {
                case_id,
                history_id: 0,
            });
            return Ok(report);
        }
        report.heads_digest = hex::encode(heads.finalize());
        Ok(report)
    }
}

/// Checks a walked case's last hash against the one its record keeps (a last row
/// removed or slipped in shows here), and adds it to the digest of heads.
fn close_chain(
    (case, last_hash, recorded, last_row): (i64, Option<String>, Option<String>, i64),
    heads: &mut Sha256,
) -> Option<BrokenLink> {
    if last_hash != recorded {
        return Some(BrokenLink {
            case_id: case,
            history_id: last_row,
        });
    }
    heads.update(format!("{case}:{};", last_hash.unwrap_or_default()));
    None
}

fn link_of(row: &HistoryLinkRow) -> HistoryLink<'_> {
    HistoryLink {
        case_id: row.case_id,
        at: row.at,
        actor_kind: &row.actor_kind,
        actor_staff_id: row.actor_staff_id,
        actor_name: &row.actor_name,
        action: &row.action,
        from_state: row.from_state.as_deref(),
        to_state: &row.to_state,
        comment: row.comment.as_deref(),
        changes: row.changes.as_deref(),
    }
}
