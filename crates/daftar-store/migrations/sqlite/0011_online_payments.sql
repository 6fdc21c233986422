-- Bills paid online: each hand-over of a citizen to a payment gateway, under a random
-- reference of ours (the return address names it), with the gateway's own token
-- (authority), the amount asked, and how it ended. The payment itself is recorded in
-- payments like any other (source 'online:<gateway>'). Kept in step with
-- ../postgres/0011_online_payments.sql.

CREATE TABLE online_payments (
    reference TEXT PRIMARY KEY,
    gateway TEXT NOT NULL,
    authority TEXT NOT NULL,
    bill_id TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    amount_rials BIGINT NOT NULL,
    status TEXT NOT NULL,
    ref_id TEXT,
    card_pan TEXT,
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE UNIQUE INDEX online_payments_by_authority ON online_payments (gateway, authority);
