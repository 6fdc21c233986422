-- Each time an issued document was handed out as a PDF: downloaded or opened to print, by
-- whom (a staff member, the case's applicant or the property's owner) and when. The case
-- page lists them beside the case's history.
-- Kept in step with ../sqlite/0020_issued_deliveries.sql.

CREATE TABLE issued_deliveries (
    id BIGSERIAL PRIMARY KEY,
    serial TEXT NOT NULL REFERENCES issued_documents (serial),
    purpose TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    staff_id BIGINT REFERENCES staff_users (id),
    at BIGINT NOT NULL
);
CREATE INDEX issued_deliveries_by_serial ON issued_deliveries (serial);
