-- The property file. A plot is what the municipality's GIS and the deed registry say of a
-- property, keyed as the register keys it (district and renewal code): the deed's
-- registration plate, section and area, the outline as GeoJSON (WGS 84, or none), and the
-- setbacks as JSON. Importing again replaces a plot's row. Every staff read of a file is
-- kept. A case names the property it is about, so the file lists its cases; cases filed
-- before this migration take it from their answers. The inquiry (استعلام) recorded on a
-- case keeps the answer and the map order as JSON, every version, with who recorded it.
-- Kept in step with ../postgres/0015_property_files.sql.

CREATE TABLE plots (
    district BIGINT NOT NULL,
    renewal_code TEXT NOT NULL,
    registration_plate TEXT NOT NULL,
    registration_section BIGINT NOT NULL,
    deed_area_centi_m2 BIGINT NOT NULL,
    outline TEXT,
    setbacks TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    PRIMARY KEY (district, renewal_code)
);

CREATE TABLE property_reads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    district BIGINT NOT NULL,
    renewal_code TEXT NOT NULL,
    staff_id BIGINT NOT NULL REFERENCES staff_users (id),
    at BIGINT NOT NULL
);
CREATE INDEX property_reads_by_property ON property_reads (district, renewal_code, id);

ALTER TABLE cases ADD COLUMN renewal_code TEXT;
UPDATE cases SET renewal_code = json_extract(fields, '$.renewal_code') WHERE district IS NOT NULL;
CREATE INDEX cases_by_property ON cases (district, renewal_code);

CREATE TABLE case_inquiries (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    version BIGINT NOT NULL,
    zoning_version BIGINT NOT NULL,
    answer TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES staff_users (id),
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, version)
);
