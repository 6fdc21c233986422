-- Building violations and the Article 100 commission.
-- - property_permits: what a property's permit allowed (floors, uses, parking) as JSON,
--   the latest replacing the earlier, with who recorded it.
-- - case_violations: the violations computed from a case's latest sketch (JSON, with the
--   totals the violation-review queue shows), and the reviewed list once the unit has
--   reviewed it, kept beside the computed list it reviewed.
-- - case_rulings: the commission's rulings on a case, one per level (first, appeal), as
--   JSON; issued when the workflow action that issues it is taken.
-- - case_fine_bills: the bills a final ruling's fines became (rows of `bills`).
-- - fire_safety_firms: the firms registered with the violation-review unit.
-- Kept in step with ../sqlite/0017_violations.sql.

CREATE TABLE property_permits (
    district BIGINT NOT NULL,
    renewal_code TEXT NOT NULL,
    permit TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES staff_users (id),
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (district, renewal_code)
);

CREATE TABLE case_violations (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    computed TEXT NOT NULL,
    violation_count BIGINT NOT NULL,
    total_centi_m2 BIGINT NOT NULL,
    fine_min_rials BIGINT NOT NULL,
    fine_max_rials BIGINT NOT NULL,
    computed_at BIGINT NOT NULL,
    reviewed TEXT,
    reviewed_of TEXT,
    reviewed_by BIGINT REFERENCES staff_users (id),
    reviewed_at BIGINT
);

CREATE TABLE case_rulings (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    level TEXT NOT NULL,
    ruling TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES staff_users (id),
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, level)
);

CREATE TABLE case_fine_bills (
    bill_row BIGINT PRIMARY KEY REFERENCES bills (id),
    case_id BIGINT NOT NULL REFERENCES cases (id)
);
CREATE INDEX case_fine_bills_by_case ON case_fine_bills (case_id);

CREATE TABLE fire_safety_firms (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    legal_id TEXT NOT NULL UNIQUE,
    licence_number TEXT NOT NULL,
    licence_valid_until TEXT NOT NULL,
    registered_by BIGINT NOT NULL REFERENCES staff_users (id),
    registered_at BIGINT NOT NULL
);
