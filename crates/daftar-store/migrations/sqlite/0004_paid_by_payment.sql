-- A bill is paid when a payment applied to it: the payment row says so, with its time and
-- trace number, and the bill row is no longer rewritten to repeat it. Reconciling a bank's
-- file then writes only the payments (docs/PERFORMANCE.md), and the unique index below
-- makes "paid once" a rule of the database, not only of the code.
-- Kept in step with ../postgres/0004_paid_by_payment.sql.

CREATE UNIQUE INDEX payments_paying ON payments (bill_row) WHERE outcome = 'applied';

ALTER TABLE bills DROP COLUMN paid_at;
ALTER TABLE bills DROP COLUMN trace_number;
