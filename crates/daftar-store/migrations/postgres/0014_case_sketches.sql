-- The inspector's sketches (کروکی) of a case: every version kept, numbered from 1 within
-- the case, with who drew it and when. The sketch is the checked one, as JSON (floors,
-- parts in centimetres, areas in hundredths of a square metre); its total area is a
-- column of its own for listing. The property's place, when marked, is in ten-millionths
-- of a degree. Kept in step with ../sqlite/0014_case_sketches.sql.

CREATE TABLE case_sketches (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    version BIGINT NOT NULL,
    sketch TEXT NOT NULL,
    total_centi_m2 BIGINT NOT NULL,
    lat_e7 BIGINT,
    lon_e7 BIGINT,
    drawn_by BIGINT NOT NULL REFERENCES staff_users (id),
    drawn_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, version)
);
