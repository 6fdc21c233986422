-- Offices, staff and their roles, citizens and legal entities, sign-in state and sessions.
-- Kept in step with ../sqlite/0001_foundation.sql: same tables, same columns, same meaning.
-- Times are UTC seconds since the Unix epoch.

CREATE TABLE offices (
    code TEXT PRIMARY KEY,
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL,
    district BIGINT NOT NULL
);

CREATE TABLE staff_users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE staff_roles (
    user_id BIGINT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    office_code TEXT NOT NULL REFERENCES offices (code),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, office_code, role)
);
CREATE INDEX staff_roles_by_office_role ON staff_roles (office_code, role);

CREATE TABLE citizens (
    national_id TEXT PRIMARY KEY,
    mobile TEXT NOT NULL,
    display_name TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE legal_entities (
    legal_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE legal_representatives (
    legal_id TEXT NOT NULL REFERENCES legal_entities (legal_id) ON DELETE CASCADE,
    national_id TEXT NOT NULL REFERENCES citizens (national_id) ON DELETE CASCADE,
    PRIMARY KEY (legal_id, national_id)
);

-- One row per national ID that has asked for a one-time code.
CREATE TABLE sign_in_states (
    national_id TEXT PRIMARY KEY,
    mobile TEXT,
    code_hash TEXT,
    code_sent_at BIGINT,
    code_expires_at BIGINT,
    wrong_codes BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT
);

-- Sessions of pages and API tokens alike; the token itself is never stored, only its hash.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    subject_kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    acting_for TEXT,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
