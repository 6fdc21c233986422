//! Cases: a citizen's or business's file for one service, as the office works it.
//!
//! - [`TrackingCode`]: the code an applicant follows a case by.
//! - [`DocumentType`] and [`check_upload`]: which files an applicant may upload, told by
//!   their content, not their name.
//! - [`HistoryLink`]: a history row's hash, chained to the row before it.
//!
//! How a case moves is the workflow engine's (`crate::workflow`); what is stored is the
//! store's.

mod document;
mod history_chain;
mod tracking;

pub use document::{DocumentType, MAX_UPLOAD_BYTES, UPLOAD_HEAD_BYTES, UploadError, check_upload};
pub use history_chain::{BrokenLink, GENESIS, HistoryLink};
pub use tracking::TrackingCode;
