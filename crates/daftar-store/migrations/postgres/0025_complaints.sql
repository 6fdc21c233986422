-- Complaints, criticisms and suggestions (docs/SLA.md): each is a case of the complaint
-- workflow, and this register keeps, beside it, what the case's answers cannot carry: its
-- kind, whether Open311 lists it, the point on the map (in millionths of a degree), the
-- staff member it names (who is kept from it), and the Open311 client that sent it.
-- Open311's lists read this table newest first, joined to the case for its state.
-- Kept in step with ../sqlite/0025_complaints.sql.

CREATE TABLE open311_clients (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE complaints (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    kind TEXT NOT NULL,
    public BOOLEAN NOT NULL,
    description TEXT NOT NULL,
    latitude_micro BIGINT,
    longitude_micro BIGINT,
    named_staff BIGINT REFERENCES staff_users (id),
    client_id BIGINT REFERENCES open311_clients (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX complaints_public ON complaints (public, created_at, case_id);
CREATE INDEX complaints_by_kind ON complaints (kind, created_at, case_id);
CREATE INDEX complaints_naming ON complaints (named_staff);
-- Open311's list of open requests: only the complaints still being looked into, newest
-- first, so a filter that few rows pass does not walk the whole register.
CREATE INDEX cases_open_complaints ON cases (created_at, id)
    WHERE workflow_id = 'complaint' AND state = 'review';
