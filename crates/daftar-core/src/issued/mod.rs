//! Issued documents: the paper the office's work ends in (a permit, a certificate, a
//! clearance, a bill), each numbered with a serial that carries a check digit and signed
//! by the office's Ed25519 key over a canonical record of what it states, so that anyone
//! holding the published key can check it, online or off.
//!
//! - [`Serial`]: twelve digits, the last a Luhn check digit.
//! - [`IssuedRecord`]: the facts a document states, in the one byte form that is signed.
//! - [`extension`]: a building permit's free extensions of its term.
//! - [`sign`] and [`verify`]: the signature over that form; [`Compact`] carries record and
//!   signature in a QR code.

pub mod extension;
mod kind;
mod record;
mod serial;
mod signature;

pub use kind::DocumentKind;
pub use record::{IssuedRecord, RecordError, Subject};
pub use serial::Serial;
pub use signature::{Compact, CompactError, KeyId, OfficeKey, PublicKey, SignatureError, verify};
