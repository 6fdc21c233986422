-- The public look-up limit, shared by every instance: per client address and minute, how
-- many look-ups the instances have claimed (in leases of several, not a row a request).
-- Minutes older than the one before are forgotten hourly.
CREATE TABLE lookup_counts (
    client TEXT NOT NULL,
    window_minute BIGINT NOT NULL,
    claimed BIGINT NOT NULL,
    PRIMARY KEY (client, window_minute)
);

-- Secrets every instance shares, made by the first that needs one: the salt that keeps
-- client addresses out of lookup_counts (a digest of an IPv4 address alone could be
-- reversed by trying them all).
CREATE TABLE shared_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
