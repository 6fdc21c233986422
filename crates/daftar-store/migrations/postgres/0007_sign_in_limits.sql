-- Signing in that cannot be abused (docs/SECURITY.md). Kept in step with
-- ../sqlite/0007_sign_in_limits.sql.

-- Counts in fixed windows: codes sent to a mobile, code requests from an address, codes
-- sent in a day; wrong staff passwords per account and per address. Keys are hashed
-- (`mobile:<sha-256>`, `address:<sha-256>`, `day`, `staff:<sha-256>`), so the
-- table holds no number or address in the clear.
CREATE TABLE sign_in_counters (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL
);

CREATE TABLE staff_password_tries (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failed_at BIGINT,
    locked_until BIGINT
);

-- A citizen's mobile confirmed by the national ownership inquiry; the code in flight
-- went to a confirmed mobile; a session opened from one (sessions open before this
-- migration were not: nothing was confirmed then); a case filed in one (cases filed
-- before it keep no mark).
ALTER TABLE citizens ADD COLUMN mobile_verified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sign_in_states ADD COLUMN code_mobile_verified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sessions ADD COLUMN verified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN applicant_verified BOOLEAN NOT NULL DEFAULT TRUE;

-- An optional second factor for staff: a TOTP secret (base32).
ALTER TABLE staff_users ADD COLUMN totp_secret TEXT;
