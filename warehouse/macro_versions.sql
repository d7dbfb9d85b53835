-- Which text of each macro file the database's macros were created from (storage/macros.py).

-- name: create
CREATE TABLE IF NOT EXISTS macro_versions (
    file            VARCHAR PRIMARY KEY,   -- macros.sql, search.sql
    digest          VARCHAR NOT NULL       -- sha256 of the file's text when its macros were created
);

-- name: stored
SELECT file, digest FROM macro_versions;

-- name: record
INSERT OR REPLACE INTO macro_versions VALUES ($file, $digest);
