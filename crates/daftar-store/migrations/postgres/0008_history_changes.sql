-- The answers an action changed, recorded with the history row that took it: a JSON
-- list of {"field", "old", "new"} (docs/SECURITY.md). Kept in step with
-- ../sqlite/0008_history_changes.sql.

ALTER TABLE case_history ADD COLUMN changes TEXT;
