-- Issued documents (docs/DOCUMENTS.md): the office's signing keys by their id, with the
-- public half and when each signed (old keys stay listed to verify what they signed); and
-- each issued document by its serial: its kind, the canonical record that was signed and
-- the signature, what it is about (a case and/or a property), who issued it in which role
-- and office, and its revocation or the document that superseded it.
-- Kept in step with ../postgres/0019_issued_documents.sql.

CREATE TABLE office_keys (
    id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_until BIGINT
);

CREATE TABLE issued_documents (
    serial TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    record TEXT NOT NULL,
    signature TEXT NOT NULL,
    case_id BIGINT REFERENCES cases (id),
    district BIGINT,
    renewal_code TEXT,
    issued_at BIGINT NOT NULL,
    issued_by BIGINT REFERENCES staff_users (id),
    issued_role TEXT,
    office_code TEXT,
    revoked_at BIGINT,
    revoked_by BIGINT REFERENCES staff_users (id),
    revoke_reason TEXT,
    superseded_by TEXT REFERENCES issued_documents (serial)
);
CREATE INDEX issued_documents_by_case ON issued_documents (case_id);
CREATE INDEX issued_documents_by_property ON issued_documents (district, renewal_code);
