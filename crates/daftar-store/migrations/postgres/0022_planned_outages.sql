-- Planned outages announced on the website in advance (seed 000's service-level
-- agreement; docs/SLA.md): from when to when, what is affected in Persian and English,
-- who announced it, and when it was withdrawn, if it was.
-- Kept in step with ../sqlite/0022_planned_outages.sql.

CREATE TABLE planned_outages (
    id BIGSERIAL PRIMARY KEY,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    affected_fa TEXT NOT NULL,
    affected_en TEXT NOT NULL,
    announced_by BIGINT NOT NULL REFERENCES staff_users (id),
    announced_at BIGINT NOT NULL,
    withdrawn_at BIGINT
);

CREATE INDEX planned_outages_by_end ON planned_outages (ends_at);
