-- A state's checklist (docs/WORKFLOWS.md): each item of a case ticked once, by a named
-- staff member, at a moment, with the document that went with the tick, if any.
-- Kept in step with ../postgres/0021_checklist_ticks.sql.

CREATE TABLE checklist_ticks (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    item TEXT NOT NULL,
    staff_id BIGINT NOT NULL REFERENCES staff_users (id),
    document_id BIGINT REFERENCES documents (id),
    at BIGINT NOT NULL,
    PRIMARY KEY (case_id, item)
);
