-- Delivering the outbox from several instances: a worker claims the rows it is about to
-- send until `claimed_until`, and nobody else is handed them meanwhile
-- (src/outbox/mod.rs). A row tried ten times is given up: the index of the rows to send
-- leaves it out, so given-up rows never fill a claim ahead of the rows still to send
-- (`outbox_pending` stays for the operator's view of everything unsent).
-- Kept in step with ../postgres/0006_outbox_claims.sql.

ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;

CREATE INDEX outbox_to_send ON outbox (id) WHERE sent_at IS NULL AND attempts < 10;
