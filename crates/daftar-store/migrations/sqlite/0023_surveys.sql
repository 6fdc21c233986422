-- Satisfaction surveys (seed 000's service-level agreement; docs/SLA.md): one response
-- per closed case, by its applicant, and the tallies, kept up to date in the response's
-- own transaction so that the results page reads a few rows, never the responses. A tally is one item's count of each score for one
-- service in one Jalali month (the month its case closed, 140509 for Azar 1405); a
-- unit's results sum its services' tallies. The scores read `informed=4,on_time=5,…`.
-- The remark is kept for the office and never
-- published.
-- Kept in step with ../postgres/0023_surveys.sql.

CREATE TABLE survey_responses (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    service_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    month INTEGER NOT NULL,
    scores TEXT NOT NULL,
    remark TEXT,
    answered_at BIGINT NOT NULL
);

CREATE TABLE survey_tallies (
    month INTEGER NOT NULL,
    service_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    item TEXT NOT NULL,
    score_1 BIGINT NOT NULL,
    score_2 BIGINT NOT NULL,
    score_3 BIGINT NOT NULL,
    score_4 BIGINT NOT NULL,
    score_5 BIGINT NOT NULL,
    PRIMARY KEY (month, service_id, item)
);

-- What is published: a service's month tallies as they stood at its latest multiple of
-- five responses, copied in the response's transaction that reached it. Results move in
-- steps of five, so that comparing them before and after never shows one answer.
CREATE TABLE survey_published (
    month INTEGER NOT NULL,
    service_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    item TEXT NOT NULL,
    score_1 BIGINT NOT NULL,
    score_2 BIGINT NOT NULL,
    score_3 BIGINT NOT NULL,
    score_4 BIGINT NOT NULL,
    score_5 BIGINT NOT NULL,
    PRIMARY KEY (month, service_id, item)
);
