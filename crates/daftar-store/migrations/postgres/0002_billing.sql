-- The property register, bills, payments and clearances.
-- Kept in step with ../sqlite/0002_billing.sql.

CREATE TABLE properties (
    id BIGSERIAL PRIMARY KEY,
    renewal_code TEXT NOT NULL UNIQUE,
    district BIGINT NOT NULL,
    address TEXT NOT NULL,
    postal_code TEXT,
    land_area_centi BIGINT NOT NULL,
    built_area_centi BIGINT NOT NULL,
    use_kind TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX properties_by_district ON properties (district, id);

CREATE TABLE property_owners (
    property_id BIGINT NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    national_id TEXT NOT NULL,
    name TEXT NOT NULL,
    mobile TEXT,
    share_hundredths BIGINT NOT NULL,
    PRIMARY KEY (property_id, national_id)
);
CREATE INDEX property_owners_by_national_id ON property_owners (national_id);

-- One bill per property, year and period. `lines` is the demand as JSON; `due_date` is
-- Jalali (1405-03-31), which sorts as text.
CREATE TABLE bills (
    id BIGSERIAL PRIMARY KEY,
    property_id BIGINT NOT NULL REFERENCES properties (id),
    year BIGINT NOT NULL,
    period BIGINT NOT NULL,
    bill_id TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    barcode TEXT NOT NULL UNIQUE,
    amount_rials BIGINT NOT NULL,
    lines TEXT NOT NULL,
    due_date TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    paid_at BIGINT,
    trace_number TEXT,
    cancelled_at BIGINT,
    UNIQUE (property_id, year, period)
);
CREATE INDEX bills_by_year ON bills (year, id);

-- Every settlement row ever received, by its bank trace number (which makes imports
-- idempotent), with what became of it.
CREATE TABLE payments (
    trace_number TEXT PRIMARY KEY,
    bill_row BIGINT REFERENCES bills (id),
    barcode TEXT NOT NULL,
    amount_rials BIGINT NOT NULL,
    paid_at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    source TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);

CREATE TABLE clearances (
    code TEXT PRIMARY KEY,
    property_id BIGINT NOT NULL REFERENCES properties (id),
    renewal_code TEXT NOT NULL,
    district BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    issued_by TEXT NOT NULL
);
