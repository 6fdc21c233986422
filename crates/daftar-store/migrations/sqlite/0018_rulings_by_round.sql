-- The commission's rulings kept by round: an unpaid commercial fine (Note 3) sends the
-- case back to the commission, whose new ruling is the second round's and leaves the
-- first's as it was issued. SQLite cannot change a primary key in place, so the table is
-- rebuilt; PostgreSQL takes the same steps. Kept in step with
-- ../postgres/0018_rulings_by_round.sql.

CREATE TABLE case_rulings_by_round (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    round BIGINT NOT NULL,
    level TEXT NOT NULL,
    ruling TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES staff_users (id),
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, round, level)
);

INSERT INTO case_rulings_by_round (case_id, round, level, ruling, recorded_by, recorded_at)
SELECT case_id, 1, level, ruling, recorded_by, recorded_at FROM case_rulings;

DROP TABLE case_rulings;
ALTER TABLE case_rulings_by_round RENAME TO case_rulings;
