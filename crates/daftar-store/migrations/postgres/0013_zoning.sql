-- The detailed plan: each version of the zone rules as loaded (the TOML text itself, so a
-- case decided on a version can be read against it later), and each import of the zoning
-- map with its features (a sub-zone's polygon as GeoJSON, and the area's flags, comma
-- separated). An import never changes an earlier version. Kept in step with
-- ../sqlite/0013_zoning.sql.

CREATE TABLE zone_rules (
    version TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    loaded_at BIGINT NOT NULL
);

CREATE TABLE zoning_maps (
    version BIGINT PRIMARY KEY,
    rules_version TEXT NOT NULL REFERENCES zone_rules (version),
    features BIGINT NOT NULL,
    imported_at BIGINT NOT NULL
);

CREATE TABLE zoning_features (
    map_version BIGINT NOT NULL REFERENCES zoning_maps (version),
    position BIGINT NOT NULL,
    code TEXT NOT NULL,
    geometry TEXT NOT NULL,
    flags TEXT NOT NULL,
    PRIMARY KEY (map_version, position)
);
