//! Handing an issued document out as a PDF, to those who may have it: a case's documents
//! to its applicant and to the staff who may see the case; a property's (a clearance) to
//! its registered owners and to staff. Each download and each print is recorded, and the
//! case page lists them.

use daftar_core::issued::{Serial, Subject};
use std::sync::Arc;

use daftar_store::{NewDelivery, Store};
use jiff::Timestamp;

use super::Issuing;
use super::typeset::Typesetter;
use crate::accounts::Principal;
use crate::cases::CaseError;
use crate::{Cases, Properties};

#[derive(Debug, Clone)]
pub struct Printing {
    /// Renders at once: one a core, so that downloads cannot take every thread.
    rendering: Arc<tokio::sync::Semaphore>,
    store: Arc<dyn Store>,
    issuing: Issuing,
    cases: Cases,
    properties: Properties,
    typesetter: Typesetter,
}

/// Why a PDF is asked for: kept with the record of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Download,
    Print,
}

impl Purpose {
    pub fn slug(self) -> &'static str {
        match self {
            Purpose::Download => "download",
            Purpose::Print => "print",
        }
    }
}

#[derive(Debug, Clone)]
pub struct IssuedPdf {
    pub bytes: Vec<u8>,
    /// `<kind>-<serial>.pdf`: nothing personal.
    pub file_name: String,
}

impl Printing {
    pub fn new(
        store: Arc<dyn Store>,
        issuing: Issuing,
        cases: Cases,
        properties: Properties,
        typesetter: Typesetter,
    ) -> Printing {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Printing {
            rendering: Arc::new(tokio::sync::Semaphore::new(cores)),
            store,
            issuing,
            cases,
            properties,
            typesetter,
        }
    }

    pub fn typesetter(&self) -> &Typesetter {
        &self.typesetter
    }

    /// The document's PDF for `who`, with its QR code pointing at `base_url`. Anyone
    /// else is told it is not found, as for a serial never issued.
    pub async fn pdf(
        &self,
        who: &Principal,
        serial: &Serial,
        purpose: Purpose,
        base_url: &str,
    ) -> Result<IssuedPdf, CaseError> {
        let found = self
            .issuing
            .look_up(serial, crate::replica::ReadFrom::Primary)
            .await?
            .ok_or(CaseError::NotFound)?;
        let actor_kind = match (&found.case, &found.record.subject) {
            (Some(case), _) => {
                // Staff of another office are told nothing either.
                match self.cases.seen_by(who, *case, false).await {
                    Ok(_) => {}
                    Err(CaseError::NotAllowed(_)) => return Err(CaseError::NotFound),
                    Err(error) => return Err(error),
                }
                if who.staff().is_some() {
                    "staff"
                } else {
                    "applicant"
                }
            }
            (
                None,
                Subject::Property {
                    district,
                    renewal_code,
                },
            ) => {
                let code = daftar_core::property::RenewalCode::parse(renewal_code)
                    .map_err(|_| CaseError::NotFound)?;
                match self.properties.file(who, *district, &code).await {
                    Ok(_) => {}
                    Err(crate::PropertyError::NotFound) => return Err(CaseError::NotFound),
                    Err(error) => return Err(anyhow::anyhow!("the property file: {error}").into()),
                }
                if who.staff().is_some() {
                    "staff"
                } else {
                    "owner"
                }
            }
            (None, Subject::Case { .. }) => return Err(CaseError::NotFound),
        };
        let sketch = self.sketch_of(&found).await?;
        let _turn = self
            .rendering
            .acquire()
            .await
            .map_err(|e| anyhow::anyhow!("the renderers are closed: {e}"))?;
        let typesetter = self.typesetter.clone();
        let base_url = base_url.to_owned();
        let rendered = found.clone();
        let bytes = tokio::task::spawn_blocking(move || {
            super::pdf::render(&typesetter, &rendered, &base_url, sketch.as_deref())
        })
        .await
        .map_err(anyhow::Error::from)?
        .map_err(|e| anyhow::anyhow!("document {serial} did not render: {e}"))?;
        self.issuing
            .record_delivery(&NewDelivery {
                serial: serial.as_str().to_owned(),
                purpose: purpose.slug().to_owned(),
                actor_kind: actor_kind.to_owned(),
                staff: who.staff().map(|account| account.id),
                at: Timestamp::now(),
            })
            .await?;
        Ok(IssuedPdf {
            bytes,
            file_name: format!("{}-{}.pdf", found.record.kind.slug(), serial.as_str()),
        })
    }

    /// The drawing of the sketch a document names (`sketch_version`), as an SVG.
    async fn sketch_of(&self, found: &super::Found) -> Result<Option<String>, CaseError> {
        let (Some(case), Some(version)) = (
            found.case,
            found
                .record
                .facts
                .get("sketch_version")
                .and_then(|v| v.parse::<i64>().ok()),
        ) else {
            return Ok(None);
        };
        let Some(stored) = self
            .store
            .sketches_of_case(case)
            .await?
            .into_iter()
            .find(|sketch| sketch.version == version)
        else {
            return Ok(None);
        };
        let sketch: daftar_core::sketch::Sketch =
            serde_json::from_str(&stored.sketch_json).map_err(anyhow::Error::from)?;
        Ok(Some(daftar_core::sketch::svg::render(&sketch, true)))
    }
}
