//! Complaints, criticisms and suggestions (docs/SLA.md): filing one from the form or an
//! Open311 client ([`Complaints::submit`]), routed by its kind (`complaints/kinds.toml`)
//! and opened as a case of the `complaint` workflow, whose page and actions are a case's;
//! a staff member's conduct record ([`Complaints::conduct_record`]); Open311's clients and
//! lists (`open311.rs`).

mod conduct;
mod open311;
mod submit;

use std::sync::Arc;

use daftar_core::complaint::ComplaintKinds;
use daftar_store::Store;

use crate::Cases;

pub use conduct::{ConductRecord, ConductRow};
pub use open311::{IssuedKey, Open311Request, Open311Search};
pub use submit::{ComplaintForm, Filer};

/// Complaints: what they need of the store, the cases they open, and the kinds.
#[derive(Debug, Clone)]
pub struct Complaints {
    store: Arc<dyn Store>,
    cases: Cases,
    kinds: Arc<ComplaintKinds>,
}

impl Complaints {
    pub fn new(store: Arc<dyn Store>, cases: Cases, kinds: Arc<ComplaintKinds>) -> Complaints {
        Complaints {
            store,
            cases,
            kinds,
        }
    }

    pub fn kinds(&self) -> &ComplaintKinds {
        &self.kinds
    }
}
