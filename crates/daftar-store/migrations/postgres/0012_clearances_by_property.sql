-- A property's clearances, newest last: a valid one is returned rather than another
-- minted, and an owner lists theirs. Kept in step with ../sqlite/0012_clearances_by_property.sql.

CREATE INDEX clearances_by_property ON clearances (property_id, issued_at);
