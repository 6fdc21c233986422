//! The property file: each property's plot imported from the municipality's GIS
//! ([`import_plots`]), and its file as staff and its owners read it ([`Properties::file`]):
//! the register's facts, the deed and outline, the cases on it with their sketches and
//! inquiries, the documents the office approved, its clearances, and who read it.

use std::sync::Arc;

use daftar_core::fa;
use daftar_core::property::{Plot, RenewalCode, parse_plots};
use daftar_core::zoning::ZoningMapError;
use daftar_store::{NewPlot, PropertyStore, StoreError, StoredPropertyFile};
use jiff::Timestamp;

use crate::accounts::Principal;

#[derive(Debug, thiserror::Error)]
pub enum PropertyError {
    /// The input breaks a rule (`district.invalid`, `renewal_code.block`, …).
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    /// No such property, or not one the asker may see: the same answer for both.
    #[error("not found")]
    NotFound,
    /// A plots file that cannot be taken, with what is wrong (for the command line).
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A property's district and renewal code, as typed.
pub fn parse_property(
    district: &str,
    renewal_code: &str,
) -> Result<(u16, RenewalCode), PropertyError> {
    let district = fa::normalize_digits(district.trim())
        .parse::<u16>()
        .ok()
        .filter(|district| (1..=99).contains(district))
        .ok_or(PropertyError::Invalid("district.invalid"))?;
    let code =
        RenewalCode::parse(renewal_code).map_err(|error| PropertyError::Invalid(error.code()))?;
    Ok((district, code))
}

/// The plots as stored, read back into the domain's.
pub fn plot_of(stored: &NewPlot) -> Result<Plot, PropertyError> {
    let unreadable =
        || PropertyError::Refused(format!("stored plot {} is unreadable", stored.renewal_code));
    Ok(Plot {
        district: stored.district,
        renewal_code: RenewalCode::parse(&stored.renewal_code).map_err(|_| unreadable())?,
        deed: daftar_core::property::Deed {
            registration_plate: stored.registration_plate.clone(),
            registration_section: stored.registration_section,
            deed_area_centi_m2: stored.deed_area_centi_m2,
        },
        outline: match &stored.outline {
            Some(text) => Some(Plot::outline_from_json(text).ok_or_else(unreadable)?),
            None => None,
        },
        setbacks: serde_json::from_str(&stored.setbacks_json).map_err(|_| unreadable())?,
    })
}

/// What an import of plots did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlotsImported {
    pub plots: usize,
    pub new: u64,
}

/// Reads a plots layer (GeoJSON, see [`daftar_core::property::plot`]) and keeps every
/// plot, replacing the ones kept under the same property; a file with any bad feature
/// keeps nothing and names them.
pub async fn import_plots(
    store: &dyn PropertyStore,
    text: &str,
) -> Result<PlotsImported, PropertyError> {
    let plots = parse_plots(text).map_err(|error| match error {
        ZoningMapError::BadFeatures { count, listed } => {
            let lines: Vec<String> = listed
                .iter()
                .map(|bad| format!("features[{}]: {}", bad.index, bad.problem))
                .collect();
            PropertyError::Refused(format!(
                "{count} plots are wrong; nothing was imported:\n{}",
                lines.join("\n")
            ))
        }
        other => PropertyError::Refused(format!("{other}; nothing was imported")),
    })?;
    let rows: Vec<NewPlot> = plots
        .iter()
        .map(|plot| {
            Ok(NewPlot {
                district: plot.district,
                renewal_code: plot.renewal_code.as_str().to_owned(),
                registration_plate: plot.deed.registration_plate.clone(),
                registration_section: plot.deed.registration_section,
                deed_area_centi_m2: plot.deed.deed_area_centi_m2,
                outline: plot.outline_json(),
                setbacks_json: serde_json::to_string(&plot.setbacks)
                    .map_err(anyhow::Error::from)?,
            })
        })
        .collect::<Result<_, anyhow::Error>>()
        .map_err(|error| PropertyError::Refused(error.to_string()))?;
    let new = store.save_plots(&rows, Timestamp::now()).await?;
    Ok(PlotsImported {
        plots: rows.len(),
        new,
    })
}

/// A property's file as its reader may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyFile {
    pub district: u16,
    pub renewal_code: RenewalCode,
    pub plot: Option<Plot>,
    /// The register's facts and owners, the cases, documents and clearances; the staff
    /// reads only for staff.
    pub stored: StoredPropertyFile,
}

/// The property files, over the store.
#[derive(Debug, Clone)]
pub struct Properties {
    store: Arc<dyn PropertyStore>,
}

impl Properties {
    pub fn new(store: Arc<dyn PropertyStore>) -> Properties {
        Properties { store }
    }

    /// The file of a property: for staff, with their read recorded; for a citizen, only
    /// when the register names them an owner (else not found, as for no property).
    pub async fn file(
        &self,
        who: &Principal,
        district: u16,
        renewal_code: &RenewalCode,
    ) -> Result<PropertyFile, PropertyError> {
        let reader = who.staff().map(|account| account.id);
        let mut stored = self
            .store
            .property_file(district, renewal_code.as_str(), reader, Timestamp::now())
            .await?
            .ok_or(PropertyError::NotFound)?;
        if let Principal::Citizen { national_id, .. } = who {
            let owns = stored.registered.as_ref().is_some_and(|registered| {
                registered
                    .owners
                    .iter()
                    .any(|owner| owner.national_id == national_id.as_str())
            });
            if !owns {
                return Err(PropertyError::NotFound);
            }
            // Who among the staff read it is for the office's own inspection.
            stored.reads.clear();
        }
        let plot = stored.plot.as_ref().map(plot_of).transpose()?;
        Ok(PropertyFile {
            district,
            renewal_code: renewal_code.clone(),
            plot,
            stored,
        })
    }

    /// A property's plot, read by the inquiry.
    pub async fn plot(
        &self,
        district: u16,
        renewal_code: &RenewalCode,
    ) -> Result<Option<Plot>, PropertyError> {
        self.store
            .plot(district, renewal_code.as_str())
            .await?
            .as_ref()
            .map(plot_of)
            .transpose()
    }
}
