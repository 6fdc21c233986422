//! Bills paid online: the record of each hand-over of a citizen to a payment gateway, from
//! the moment the gateway gives its token to the moment the payment is verified (or is
//! not). The payment itself goes into `payments` through `BillingStore::record_payments`,
//! the path the bank's settlement file takes, so a bill is paid once whichever way.
//!
//! A hand-over ends once: [`PaymentStore::finish_online_payment`] changes only a row
//! still `started`, so a replayed return from the gateway finds it ended and changes
//! nothing.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{Database, Decode, Encode, Executor, FromRow, IntoArguments, Type};

use crate::decode::corrupt;
use crate::sql::SqlBackend;
use crate::{Result, StoreError, from_db_time, to_db_time};

/// The online payments' side of storage. One method is one transaction.
#[async_trait]
pub trait PaymentStore: Send + Sync + std::fmt::Debug {
    /// Records a hand-over to a gateway, `started`. A reference or a gateway's token
    /// seen before is a [`StoreError::Conflict`].
    async fn start_online_payment(&self, payment: &NewOnlinePayment) -> Result<()>;
    /// A hand-over by our reference.
    async fn online_payment(&self, reference: &str) -> Result<Option<OnlinePayment>>;
    /// Ends a hand-over still `started` as `ending` says; false, changing nothing, when
    /// it had ended already.
    async fn finish_online_payment(
        &self,
        reference: &str,
        ending: &OnlinePaymentEnding,
        now: Timestamp,
    ) -> Result<bool>;
}

/// A hand-over about to begin: the gateway has given its token for the amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOnlinePayment {
    /// Ours: random, unguessable, in the address the gateway sends the citizen back to.
    pub reference: String,
    pub gateway: String,
    /// The gateway's token for this payment.
    pub authority: String,
    pub bill_id: String,
    pub payment_id: String,
    pub amount_rials: u64,
    pub started_at: Timestamp,
}

/// How a hand-over stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnlinePaymentStatus {
    /// Handed to the gateway; not yet back.
    Started,
    /// Verified with the gateway and recorded against the bill.
    Paid,
    /// Cancelled by the citizen, refused by the gateway, or not verified.
    Failed,
    /// Verified, but the bill would not take it (paid meanwhile, or cancelled): the
    /// money is the office's to give back.
    Refund,
}

impl OnlinePaymentStatus {
    fn as_str(self) -> &'static str {
        match self {
            OnlinePaymentStatus::Started => "started",
            OnlinePaymentStatus::Paid => "paid",
            OnlinePaymentStatus::Failed => "failed",
            OnlinePaymentStatus::Refund => "refund",
        }
    }

    fn parse(text: &str) -> Result<OnlinePaymentStatus> {
        match text {
            "started" => Ok(OnlinePaymentStatus::Started),
            "paid" => Ok(OnlinePaymentStatus::Paid),
            "failed" => Ok(OnlinePaymentStatus::Failed),
            "refund" => Ok(OnlinePaymentStatus::Refund),
            _ => Err(corrupt("online payment status")),
        }
    }
}

/// How a hand-over ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnlinePaymentEnding {
    /// Verified: the gateway's reference number (شماره پیگیری) and the card, masked.
    Paid {
        ref_id: String,
        card_pan: Option<String>,
    },
    Failed,
    /// Verified, and to be given back: the bill would not take it.
    Refund {
        ref_id: String,
        card_pan: Option<String>,
    },
}

/// A hand-over as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlinePayment {
    pub reference: String,
    pub gateway: String,
    pub authority: String,
    pub bill_id: String,
    pub payment_id: String,
    pub amount_rials: u64,
    pub status: OnlinePaymentStatus,
    pub ref_id: Option<String>,
    pub card_pan: Option<String>,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

#[derive(Debug, FromRow)]
struct OnlinePaymentRow {
    reference: String,
    gateway: String,
    authority: String,
    bill_id: String,
    payment_id: String,
    amount_rials: i64,
    status: String,
    ref_id: Option<String>,
    card_pan: Option<String>,
    started_at: i64,
    finished_at: Option<i64>,
}

impl TryFrom<OnlinePaymentRow> for OnlinePayment {
    type Error = StoreError;

    fn try_from(row: OnlinePaymentRow) -> Result<OnlinePayment> {
        Ok(OnlinePayment {
            reference: row.reference,
            gateway: row.gateway,
            authority: row.authority,
            bill_id: row.bill_id,
            payment_id: row.payment_id,
            amount_rials: u64::try_from(row.amount_rials).map_err(|_| corrupt("amount"))?,
            status: OnlinePaymentStatus::parse(&row.status)?,
            ref_id: row.ref_id,
            card_pan: row.card_pan,
            started_at: from_db_time(row.started_at),
            finished_at: row.finished_at.map(from_db_time),
        })
    }
}

const INSERT: &str = "INSERT INTO online_payments
     (reference, gateway, authority, bill_id, payment_id, amount_rials, status, started_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'started', $7)";

const SELECT: &str = "SELECT reference, gateway, authority, bill_id, payment_id, amount_rials,
     status, ref_id, card_pan, started_at, finished_at
     FROM online_payments WHERE reference = $1";

const FINISH: &str = "UPDATE online_payments
     SET status = $2, ref_id = $3, card_pan = $4, finished_at = $5
     WHERE reference = $1 AND status = 'started'";

#[async_trait]
impl<S> PaymentStore for S
where
    S: SqlBackend,
    for<'c> &'c mut <S::Db as Database>::Connection: Executor<'c, Database = S::Db>,
    for<'q> <S::Db as Database>::Arguments<'q>: IntoArguments<'q, S::Db>,
    for<'q> i64: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> &'q str: Encode<'q, S::Db> + Type<S::Db>,
    for<'q> Option<String>: Encode<'q, S::Db> + Decode<'q, S::Db> + Type<S::Db>,
    for<'r> OnlinePaymentRow: FromRow<'r, <S::Db as Database>::Row>,
{
    async fn start_online_payment(&self, payment: &NewOnlinePayment) -> Result<()> {
        let amount = i64::try_from(payment.amount_rials).map_err(|_| corrupt("amount past i64"))?;
        let inserted = sqlx::query(INSERT)
            .bind(payment.reference.as_str())
            .bind(payment.gateway.as_str())
            .bind(payment.authority.as_str())
            .bind(payment.bill_id.as_str())
            .bind(payment.payment_id.as_str())
            .bind(amount)
            .bind(to_db_time(payment.started_at))
            .execute(self.writer())
            .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                Err(StoreError::Conflict("online payment"))
            }
            Err(error) => Err(error.into()),
        }
    }

    async fn online_payment(&self, reference: &str) -> Result<Option<OnlinePayment>> {
        let row: Option<OnlinePaymentRow> = sqlx::query_as(SELECT)
            .bind(reference)
            .fetch_optional(self.reader())
            .await?;
        row.map(OnlinePayment::try_from).transpose()
    }

    async fn finish_online_payment(
        &self,
        reference: &str,
        ending: &OnlinePaymentEnding,
        now: Timestamp,
    ) -> Result<bool> {
        let (status, ref_id, card_pan) = match ending {
            OnlinePaymentEnding::Paid { ref_id, card_pan } => (
                OnlinePaymentStatus::Paid,
                Some(ref_id.clone()),
                card_pan.clone(),
            ),
            OnlinePaymentEnding::Failed => (OnlinePaymentStatus::Failed, None, None),
            OnlinePaymentEnding::Refund { ref_id, card_pan } => (
                OnlinePaymentStatus::Refund,
                Some(ref_id.clone()),
                card_pan.clone(),
            ),
        };
        let done = sqlx::query(FINISH)
            .bind(reference)
            .bind(status.as_str())
            .bind(ref_id)
            .bind(card_pan)
            .bind(to_db_time(now))
            .execute(self.writer())
            .await?;
        Ok(S::rows_affected(&done) == 1)
    }
}
