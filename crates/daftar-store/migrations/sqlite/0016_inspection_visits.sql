-- Inspection visits: a case's visit booked in an inspector's calendar, on a Jalali day
-- (1405-03-10, which sorts as text) at one of the office's slots (09:00). A reschedule
-- cancels the live visit, with who and why, and books another: every change is kept. One
-- live visit per slot of an inspector, and per case. Kept in step with
-- ../postgres/0016_inspection_visits.sql.

CREATE TABLE inspection_visits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    office_code TEXT NOT NULL REFERENCES offices (code),
    inspector_id BIGINT NOT NULL REFERENCES staff_users (id),
    day TEXT NOT NULL,
    slot TEXT NOT NULL,
    booked_by BIGINT NOT NULL REFERENCES staff_users (id),
    booked_at BIGINT NOT NULL,
    cancelled_at BIGINT,
    cancelled_by BIGINT REFERENCES staff_users (id),
    cancel_reason TEXT
);
CREATE UNIQUE INDEX inspection_visits_one_per_slot
    ON inspection_visits (inspector_id, day, slot) WHERE cancelled_at IS NULL;
CREATE UNIQUE INDEX inspection_visits_one_live_per_case
    ON inspection_visits (case_id) WHERE cancelled_at IS NULL;
CREATE INDEX inspection_visits_by_office_day ON inspection_visits (office_code, day);
