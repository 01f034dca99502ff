//! Schema migrations, applied in one transaction on open. The schema version lives in
//! `PRAGMA user_version`; a catalog from a newer build is refused and never altered.

use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

use crate::error::{Error, Result};

/// Each entry moves the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
CREATE TABLE images (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    sha256          TEXT NOT NULL UNIQUE,
    filename        TEXT NOT NULL,
    format          TEXT NOT NULL,
    mime            TEXT NOT NULL,
    ext             TEXT NOT NULL,
    bytes           INTEGER NOT NULL,
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    orientation     INTEGER NOT NULL DEFAULT 1,
    storage         TEXT NOT NULL CHECK (storage IN ('managed', 'referenced')),
    path            TEXT NOT NULL,
    source_kind     TEXT NOT NULL CHECK (source_kind IN ('file', 'drop', 'paste', 'url', 'watch')),
    source          TEXT,
    fetched_at      INTEGER,
    taken_at        TEXT,
    camera_make     TEXT,
    camera_model    TEXT,
    has_gps         INTEGER NOT NULL DEFAULT 0,
    gps_lat         REAL,
    gps_lon         REAL,
    gps_alt         REAL,
    has_serial      INTEGER NOT NULL DEFAULT 0,
    exif_json       TEXT,
    icc             INTEGER NOT NULL DEFAULT 0,
    generator       TEXT CHECK (generator IN ('a1111', 'comfyui', 'novelai', 'invokeai', 'fooocus', 'unknown')),
    prompt          TEXT,
    negative_prompt TEXT,
    model           TEXT,
    seed            TEXT,
    steps           INTEGER,
    sampler         TEXT,
    cfg             REAL,
    ai_raw          TEXT,
    visibility      TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'unlisted', 'public')),
    remote_state    TEXT NOT NULL DEFAULT 'local' CHECK (remote_state IN ('local', 'pending', 'synced', 'failed')),
    remote_error    TEXT,
    remote_attempts INTEGER NOT NULL DEFAULT 0,
    object_key      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    accessed_at     INTEGER,
    expires_at      INTEGER
);
CREATE INDEX images_newest ON images (created_at DESC, seq DESC);
CREATE INDEX images_taken ON images (coalesce(taken_at, '') DESC, seq DESC);
CREATE INDEX images_name ON images (filename COLLATE NOCASE, seq);
CREATE INDEX images_size ON images (bytes DESC, seq DESC);
CREATE INDEX images_visibility ON images (visibility, created_at DESC, seq DESC);
CREATE INDEX images_source ON images (source_kind, created_at DESC, seq DESC);
CREATE INDEX images_remote_todo ON images (remote_state, created_at DESC, seq DESC)
    WHERE remote_state IN ('pending', 'failed');
CREATE INDEX images_expiry ON images (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE image_tags (
    tag_id    INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    image_seq INTEGER NOT NULL REFERENCES images (seq) ON DELETE CASCADE,
    PRIMARY KEY (tag_id, image_seq)
) WITHOUT ROWID;
CREATE INDEX image_tags_image ON image_tags (image_seq, tag_id);

-- Every way an image arrived; the first one is also on the image row.
CREATE TABLE image_sources (
    image_seq  INTEGER NOT NULL REFERENCES images (seq) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    source     TEXT NOT NULL,
    fetched_at INTEGER,
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (image_seq, kind, source)
) WITHOUT ROWID;

-- Removed images, kept so the sync engine deletes (and never re-uploads) their objects.
CREATE TABLE tombstones (
    id           TEXT PRIMARY KEY,
    sha256       TEXT NOT NULL,
    ext          TEXT NOT NULL,
    visibility   TEXT NOT NULL,
    object_key   TEXT,
    remote_state TEXT NOT NULL,
    deleted_at   INTEGER NOT NULL
);

-- Durable thumbnail work. `owner` names the process working on it (see workspace.rs);
-- a row whose owner is gone is picked up again by the next process.
CREATE TABLE thumb_jobs (
    image_seq  INTEGER PRIMARY KEY REFERENCES images (seq) ON DELETE CASCADE,
    sizes      INTEGER NOT NULL,
    -- A managed original still in its owner's temp folder, renamed into place after commit.
    original_tmp TEXT,
    owner      TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE VIRTUAL TABLE images_fts USING fts5 (
    filename, prompt, negative_prompt, model, tags, extra,
    tokenize = 'unicode61 remove_diacritics 2'
);
"#,
];

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

pub fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Fails with [`Error::NewerSchema`] when a newer build wrote this catalog.
pub fn refuse_newer(conn: &Connection, path: &Path) -> Result<()> {
    let found = user_version(conn)?;
    if found > LATEST {
        return Err(Error::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: LATEST,
        });
    }
    Ok(())
}

/// Brings the catalog up to [`LATEST`] in one transaction, or refuses a newer catalog.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    refuse_newer(conn, path)?;
    if user_version(conn)? == LATEST {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have migrated while we waited for the write lock.
    refuse_newer(&tx, path)?;
    let found = user_version(&tx)?;
    for sql in &MIGRATIONS[found as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", LATEST)?;
    tx.commit()?;
    Ok(())
}
