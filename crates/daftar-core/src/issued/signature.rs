//! The office's Ed25519 key and the signature over an issued record; a compact form of
//! record and signature for a QR code, which an offline verifier checks with the
//! published key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use super::IssuedRecord;

/// A key's short name: the first sixteen hex digits of its public key's SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyId(String);

impl KeyId {
    fn of(public: &VerifyingKey) -> KeyId {
        KeyId(hex::encode(&Sha256::digest(public.as_bytes())[..8]))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The office's signing key. Its secret never leaves the process: it is read from the
/// data directory (or configuration) and only signs.
pub struct OfficeKey {
    signing: SigningKey,
}

impl std::fmt::Debug for OfficeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OfficeKey")
            .field("id", &self.id())
            .finish_non_exhaustive()
    }
}

impl OfficeKey {
    /// The key with this 32-byte secret (drawn from the system's random source when the
    /// key is created).
    pub fn from_secret(secret: &[u8; 32]) -> OfficeKey {
        OfficeKey {
            signing: SigningKey::from_bytes(secret),
        }
    }

    pub fn secret(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    pub fn public(&self) -> PublicKey {
        PublicKey {
            key: self.signing.verifying_key(),
        }
    }

    pub fn id(&self) -> KeyId {
        self.public().id()
    }

    /// The signature over the record's canonical bytes.
    pub fn sign(&self, record: &IssuedRecord) -> [u8; 64] {
        self.signing.sign(&record.canonical_bytes()).to_bytes()
    }
}

/// A published key, as `/.well-known/daftar-keys.json` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
}

impl PublicKey {
    pub fn from_bytes(bytes: &[u8]) -> Option<PublicKey> {
        let bytes: [u8; 32] = bytes.try_into().ok()?;
        VerifyingKey::from_bytes(&bytes)
            .ok()
            .map(|key| PublicKey { key })
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        self.key.as_bytes()
    }

    pub fn id(&self) -> KeyId {
        KeyId::of(&self.key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the record names key {0}, which is not among the keys given")]
    UnknownKey(String),
    #[error("the signature does not match the record: it was changed, or not signed by the office")]
    Mismatch,
}

/// Checks `signature` over `record` with whichever of `keys` the record names.
pub fn verify(
    record: &IssuedRecord,
    signature: &[u8; 64],
    keys: &[PublicKey],
) -> Result<(), SignatureError> {
    let key = keys
        .iter()
        .find(|key| key.id().as_str() == record.key)
        .ok_or_else(|| SignatureError::UnknownKey(record.key.clone()))?;
    key.key
        .verify(&record.canonical_bytes(), &Signature::from_bytes(signature))
        .map_err(|_| SignatureError::Mismatch)
}

/// A record and its signature in one line of URL-safe text, `RECORD.SIGNATURE` (each
/// base64url without padding): what the QR code carries after the verify URL's `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compact {
    pub record: IssuedRecord,
    pub signature: [u8; 64],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompactError {
    #[error("not a signed record: {0}")]
    Malformed(&'static str),
    #[error(transparent)]
    Record(#[from] super::RecordError),
}

impl Compact {
    pub fn encode(&self) -> String {
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(self.record.canonical_bytes()),
            URL_SAFE_NO_PAD.encode(self.signature)
        )
    }

    pub fn decode(text: &str) -> Result<Compact, CompactError> {
        let (record, signature) = text
            .trim()
            .split_once('.')
            .ok_or(CompactError::Malformed("no separator"))?;
        let record = URL_SAFE_NO_PAD
            .decode(record)
            .map_err(|_| CompactError::Malformed("record"))?;
        let signature: [u8; 64] = URL_SAFE_NO_PAD
            .decode(signature)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(CompactError::Malformed("signature"))?;
        Ok(Compact {
            record: IssuedRecord::from_canonical(&record)?,
            signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::calendar::JalaliDate;
    use crate::issued::{DocumentKind, Serial, Subject};

    fn record(key: &OfficeKey) -> IssuedRecord {
        let facts = BTreeMap::from([
            ("floors".to_owned(), "3".to_owned()),
            ("renewal_code".to_owned(), "01-101-12-0".to_owned()),
        ]);
        IssuedRecord::new(
            DocumentKind::NoViolationCertificate,
            &Serial::from_random(40_000_000_001),
            Subject::Property {
                district: 1,
                renewal_code: "01-101-12-0".into(),
            },
            facts,
            JalaliDate::parse("1405-09-13").unwrap(),
            JalaliDate::parse("1406-09-12").ok(),
            &key.id(),
        )
        .unwrap()
    }

    #[test]
    fn a_signed_record_verifies_with_the_published_key_after_a_round_trip() {
        let key = OfficeKey::from_secret(&[7; 32]);
        let signed = Compact {
            record: record(&key),
            signature: key.sign(&record(&key)),
        };
        let read = Compact::decode(&signed.encode()).unwrap();
        assert_eq!(read, signed);
        assert_eq!(
            verify(&read.record, &read.signature, &[key.public()]),
            Ok(())
        );
    }

    #[test]
    fn one_changed_fact_fails_the_signature() {
        let key = OfficeKey::from_secret(&[7; 32]);
        let mut changed = record(&key);
        let signature = key.sign(&changed);
        changed.facts.insert("floors".into(), "2".into());
        assert_eq!(
            verify(&changed, &signature, &[key.public()]),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn another_key_and_an_unlisted_key_are_told_apart() {
        let key = OfficeKey::from_secret(&[7; 32]);
        let other = OfficeKey::from_secret(&[8; 32]);
        let signed = record(&key);
        let signature = key.sign(&signed);
        assert!(matches!(
            verify(&signed, &signature, &[other.public()]),
            Err(SignatureError::UnknownKey(_))
        ));
        // Signed by the other key under this key's name: a mismatch.
        let forged = other.sign(&signed);
        assert_eq!(
            verify(&signed, &forged, &[key.public(), other.public()]),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_record_in_another_form_is_refused() {
        let key = OfficeKey::from_secret(&[7; 32]);
        let canonical = record(&key).canonical_bytes();
        let spaced = String::from_utf8(canonical).unwrap().replace(",", ", ");
        assert!(IssuedRecord::from_canonical(spaced.as_bytes()).is_err());
        assert!(Compact::decode("no-dot").is_err());
    }

    #[test]
    fn a_validity_ending_before_the_issue_day_is_refused() {
        let key = OfficeKey::from_secret(&[7; 32]);
        let refused = IssuedRecord::new(
            DocumentKind::BuildingPermit,
            &Serial::from_random(1),
            Subject::Case {
                tracking_code: "000000000018".into(),
            },
            BTreeMap::new(),
            JalaliDate::parse("1405-09-13").unwrap(),
            JalaliDate::parse("1405-09-12").ok(),
            &key.id(),
        );
        assert_eq!(refused, Err(crate::issued::RecordError::Validity));
    }
}
