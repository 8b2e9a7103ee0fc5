-- One row per background duty: the replica whose lease has not expired works the duty this tick. Taken and
-- given back with one conditional statement each, so no connection or lock is held across a tick (docs/operations.md).
CREATE TABLE duty_leases (
    name text PRIMARY KEY,
    holder text NOT NULL,
    expires_at timestamptz NOT NULL
);
