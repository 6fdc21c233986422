-- Every read of a case, or of one of its documents, by staff: who, when, what. Internal
-- inspection lists them per case and per staff member (docs/SECURITY.md). Kept in step
-- with ../postgres/0009_staff_reads.sql.

CREATE TABLE staff_reads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    staff_id BIGINT NOT NULL REFERENCES staff_users (id),
    document_id BIGINT REFERENCES documents (id) ON DELETE CASCADE,
    at BIGINT NOT NULL
);
CREATE INDEX staff_reads_by_case ON staff_reads (case_id, id);
CREATE INDEX staff_reads_by_staff ON staff_reads (staff_id, id);

-- Documents by the file they name: a refused upload removes only files no document names.
CREATE INDEX documents_by_storage_key ON documents (storage_key);
