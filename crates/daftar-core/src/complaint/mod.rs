//! Complaints, criticisms and suggestions (seed 000's service-level agreement: the page
//! offers a criticism-and-suggestions form, and requests and complaints are registered and
//! followed on the website). Each is a case of the `complaint` workflow; what kinds there
//! are and where each goes is data ([`ComplaintKinds`], `complaints/kinds.toml`), and a
//! submission is checked here before anything is written ([`Submission::check`]).

mod kinds;
mod submission;

pub use kinds::{ComplaintKind, ComplaintKinds, KindsError, Route};
pub use submission::{
    Checked, ComplaintRefused, Location, MAX_ATTACHMENTS, MAX_TEXT_CHARS, Submission,
    without_long_numbers,
};

/// The workflow every complaint follows (`workflows/complaint.toml`).
pub const WORKFLOW: &str = "complaint";
