-- A case's history as a hash chain (daftar_core::cases::HistoryLink): each row's hash
-- covers its columns and the previous row's hash; the case keeps its last row's hash,
-- which the next move, under its compare-and-set, chains to. Rows written before this
-- migration have no hash; a chain starts at the first that has one. Kept in step with
-- ../postgres/0010_history_chain.sql.

ALTER TABLE case_history ADD COLUMN hash TEXT;
ALTER TABLE cases ADD COLUMN history_hash TEXT;
