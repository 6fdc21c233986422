-- The operator-usage report (seed 000's service-level agreement; docs/SLA.md) is read
-- from the case history and the staff's sign-ins. A session row goes at sign-out or
-- expiry, so each staff sign-in is also kept here, written in the session's own
-- transaction; and the history is read by time for a period.
-- Kept in step with ../postgres/0024_usage_report.sql.

CREATE TABLE staff_sign_ins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id BIGINT NOT NULL REFERENCES staff_users (id),
    at BIGINT NOT NULL
);
CREATE INDEX staff_sign_ins_by_time ON staff_sign_ins (at);

-- A period's history rows, with what the report reads of each, from this index alone
-- (the rows of a month lie scattered through the table, in the order their cases began);
-- and a row's predecessor's time from the second alone.
CREATE INDEX case_history_by_time ON case_history (at, case_id, id, actor_staff_id, action,
    from_state, to_state);
CREATE INDEX case_history_steps ON case_history (case_id, id, at);
