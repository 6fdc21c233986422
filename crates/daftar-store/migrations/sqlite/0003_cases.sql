-- Cases (a citizen's or business's file for one service), their open work items, their
-- append-only history, the outbox of notifications, and documents.
-- Kept in step with ../postgres/0003_cases.sql. Jalali dates are TEXT (1405-03-31), which
-- sorts as the dates do.

-- Staff may leave a mobile for notices (an overdue file in their unit).
ALTER TABLE staff_users ADD COLUMN mobile TEXT;

-- `version` is the optimistic-concurrency counter: every action writes
-- `version = version + 1 WHERE version = <what the actor saw>`, so of two staff acting at
-- once exactly one wins. `position` is the workflow engine's position as JSON (branch
-- decisions, the state a returned file goes back to); `fields` the application's values.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tracking_code TEXT NOT NULL UNIQUE,
    service_id TEXT NOT NULL,
    workflow_id TEXT NOT NULL,
    workflow_version BIGINT NOT NULL,
    applicant_national_id TEXT NOT NULL,
    applicant_legal_id TEXT,
    office_code TEXT NOT NULL REFERENCES offices (code),
    district BIGINT,
    state TEXT NOT NULL,
    position TEXT NOT NULL,
    fields TEXT NOT NULL,
    version BIGINT NOT NULL,
    sla_due TEXT,
    overdue_at BIGINT,
    closed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cases_by_applicant ON cases (applicant_national_id, id);

-- One row per open work item: who may act on a case now. Parallel reviews have one row
-- per branch. Queues read only this table, so its columns repeat what they filter on.
CREATE TABLE case_tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    state TEXT NOT NULL,
    office_code TEXT NOT NULL,
    service_id TEXT NOT NULL,
    district BIGINT,
    sla_due TEXT NOT NULL,
    assignee BIGINT REFERENCES staff_users (id),
    overdue_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX case_tasks_queue ON case_tasks (role, office_code, sla_due, case_id);
-- A queue filtered by service or by district reads a range of one of these.
CREATE INDEX case_tasks_queue_by_service ON case_tasks (role, office_code, service_id, sla_due, case_id);
CREATE INDEX case_tasks_queue_by_district ON case_tasks (role, office_code, district, sla_due, case_id);
CREATE INDEX case_tasks_by_case ON case_tasks (case_id);
CREATE INDEX case_tasks_by_office ON case_tasks (office_code, sla_due, case_id);
CREATE INDEX case_tasks_sweep ON case_tasks (sla_due) WHERE overdue_at IS NULL;
CREATE INDEX case_tasks_by_assignee ON case_tasks (assignee, sla_due);

-- Append-only: rows are inserted and never updated or deleted.
CREATE TABLE case_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_staff_id BIGINT REFERENCES staff_users (id),
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    comment TEXT
);
CREATE INDEX case_history_by_case ON case_history (case_id, id);

-- Notifications written in the same transaction as the change they announce, and sent
-- by a dispatcher afterwards: a change is never announced without happening, nor lost.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT REFERENCES cases (id) ON DELETE CASCADE,
    recipient_kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL;

-- Every uploaded version of a document is kept; the file itself lives outside the
-- database under `storage_key`, and `sha256` is the hash of its bytes.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    approved_by TEXT,
    approved_at BIGINT,
    UNIQUE (case_id, kind, version)
);

-- Who looked at which document, and when.
CREATE TABLE document_views (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    viewer TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX document_views_by_document ON document_views (document_id, id);
