-- What the public tracking look-up shows of a bill, where one look-up finds it
-- (docs/PERFORMANCE.md, "Tracking a bill"): the property's district and renewal code are
-- copied onto the bill when it is issued (and the district again when a re-import moves
-- the property), and the paying payment's time and trace number are kept in
-- `bill_payments`, one row per paid bill under the bill's row id. Its key takes over from
-- the unique partial index on `payments` as the rule that a bill is paid once.
-- Kept in step with ../sqlite/0005_tracked_bill.sql.

ALTER TABLE bills ADD COLUMN district BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bills ADD COLUMN renewal_code TEXT NOT NULL DEFAULT '';
UPDATE bills SET
    district = p.district,
    renewal_code = p.renewal_code
FROM properties p WHERE p.id = bills.property_id;

CREATE TABLE bill_payments (
    bill_row BIGINT PRIMARY KEY REFERENCES bills (id),
    paid_at BIGINT NOT NULL,
    trace_number TEXT NOT NULL
);
INSERT INTO bill_payments (bill_row, paid_at, trace_number)
    SELECT bill_row, paid_at, trace_number FROM payments WHERE outcome = 'applied';

DROP INDEX payments_paying;
