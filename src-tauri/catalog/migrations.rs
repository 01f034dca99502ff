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
    // 2: remotes and the durable sync queue. Triggers keep the queue in step with every
    // writer (app, CLI, watcher, another process), so no code path can forget to queue work.
    r#"
CREATE TABLE remotes (
    name           TEXT PRIMARY KEY,
    provider       TEXT NOT NULL,
    endpoint       TEXT NOT NULL DEFAULT '',
    region         TEXT NOT NULL DEFAULT '',
    bucket         TEXT NOT NULL DEFAULT '',
    prefix         TEXT NOT NULL DEFAULT '',
    path_style     INTEGER NOT NULL DEFAULT 0,
    path           TEXT,
    public_url     TEXT,
    -- Strip GPS and camera serials from what public/unlisted URLs serve.
    strip_private  INTEGER NOT NULL DEFAULT 1,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     INTEGER NOT NULL
);
CREATE UNIQUE INDEX remotes_one_active ON remotes (active) WHERE active = 1;

-- Work for the bucket. `image` rows bring an image's object where its visibility wants it
-- (upload, or move between areas); `delete` rows remove an object (of a removed image, or the
-- old copy after a move); the one `feed` row republishes feed.json. `generation` grows when
-- an image changes while its job runs, so the job is run again instead of being dropped.
CREATE TABLE sync_queue (
    -- AUTOINCREMENT: a finished job's id is never reused, so "finish job N" cannot hit another.
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('image', 'delete', 'feed')),
    image_id    TEXT UNIQUE,
    sha256      TEXT,
    object_key  TEXT,
    trash       INTEGER NOT NULL DEFAULT 0,
    generation  INTEGER NOT NULL DEFAULT 0,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL DEFAULT 0,
    quarantined INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    owner       TEXT,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX sync_queue_one_feed ON sync_queue (kind) WHERE kind = 'feed';
CREATE UNIQUE INDEX sync_queue_one_delete ON sync_queue (object_key) WHERE kind = 'delete';
CREATE INDEX sync_queue_ready ON sync_queue (quarantined, next_at);
CREATE INDEX sync_queue_sha ON sync_queue (sha256) WHERE sha256 IS NOT NULL;

-- Multipart uploads in flight, so a killed process resumes them (or aborts them).
CREATE TABLE sync_uploads (
    image_id   TEXT PRIMARY KEY,
    object_key TEXT NOT NULL,
    upload_id  TEXT,
    part_size  INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE sync_parts (
    image_id TEXT NOT NULL REFERENCES sync_uploads (image_id) ON DELETE CASCADE,
    number   INTEGER NOT NULL,
    etag     TEXT NOT NULL,
    PRIMARY KEY (image_id, number)
) WITHOUT ROWID;

CREATE INDEX images_object_key ON images (object_key) WHERE object_key IS NOT NULL;

CREATE TRIGGER sync_on_insert AFTER INSERT ON images
WHEN EXISTS (SELECT 1 FROM remotes WHERE active = 1)
BEGIN
    INSERT OR IGNORE INTO sync_queue (kind, image_id, sha256, created_at)
        VALUES ('image', new.id, new.sha256, CAST(unixepoch('subsec') * 1000 AS INTEGER));
    UPDATE images SET remote_state = 'pending' WHERE seq = new.seq;
END;

CREATE TRIGGER sync_on_visibility AFTER UPDATE OF visibility ON images
WHEN old.visibility <> new.visibility AND EXISTS (SELECT 1 FROM remotes WHERE active = 1)
BEGIN
    INSERT OR IGNORE INTO sync_queue (kind, image_id, sha256, created_at)
        VALUES ('image', new.id, new.sha256, CAST(unixepoch('subsec') * 1000 AS INTEGER));
    UPDATE sync_queue SET generation = generation + 1, attempts = 0, quarantined = 0,
        next_at = 0, last_error = NULL
        WHERE image_id = new.id;
    UPDATE images SET remote_state = 'pending', remote_error = NULL, remote_attempts = 0
        WHERE seq = new.seq;
END;

CREATE TRIGGER sync_on_delete AFTER DELETE ON images
BEGIN
    -- Removed during its first upload: the object may have landed without being recorded,
    -- in either area; delete both keys (deleting a missing key is cheap).
    INSERT OR IGNORE INTO sync_queue (kind, sha256, object_key, trash, created_at)
        SELECT 'delete', old.sha256,
               (CASE WHEN r.prefix = '' THEN '' ELSE r.prefix || '/' END) || a.area || '/'
                   || substr(old.sha256, 1, 2) || '/' || old.sha256 || '.' || old.ext,
               1, CAST(unixepoch('subsec') * 1000 AS INTEGER)
        FROM remotes r, (SELECT 'private' AS area UNION ALL SELECT 'public') a
        WHERE r.active = 1 AND old.object_key IS NULL
          AND EXISTS (SELECT 1 FROM sync_queue WHERE image_id = old.id AND owner IS NOT NULL);
    DELETE FROM sync_queue WHERE image_id = old.id;
    INSERT OR IGNORE INTO sync_queue (kind, sha256, object_key, trash, created_at)
        SELECT 'delete', old.sha256, old.object_key, 1, CAST(unixepoch('subsec') * 1000 AS INTEGER)
        WHERE old.object_key IS NOT NULL AND EXISTS (SELECT 1 FROM remotes WHERE active = 1);
    UPDATE sync_queue SET trash = 1, generation = generation + 1
        WHERE kind = 'delete' AND object_key = old.object_key;
END;

-- Queues a feed rebuild (coalesced into one row) when what the feed shows may change.
CREATE TRIGGER feed_on_public AFTER UPDATE OF visibility, object_key, remote_state ON images
WHEN (old.visibility = 'public' OR new.visibility = 'public')
    AND EXISTS (SELECT 1 FROM remotes WHERE active = 1)
BEGIN
    INSERT OR IGNORE INTO sync_queue (kind, created_at)
        VALUES ('feed', CAST(unixepoch('subsec') * 1000 AS INTEGER));
    UPDATE sync_queue SET generation = generation + 1, attempts = 0, quarantined = 0, next_at = 0
        WHERE kind = 'feed';
END;

CREATE TRIGGER feed_on_public_delete AFTER DELETE ON images
WHEN old.visibility = 'public' AND EXISTS (SELECT 1 FROM remotes WHERE active = 1)
BEGIN
    INSERT OR IGNORE INTO sync_queue (kind, created_at)
        VALUES ('feed', CAST(unixepoch('subsec') * 1000 AS INTEGER));
    UPDATE sync_queue SET generation = generation + 1, attempts = 0, quarantined = 0, next_at = 0
        WHERE kind = 'feed';
END;

CREATE TRIGGER feed_on_tag_add AFTER INSERT ON image_tags
WHEN EXISTS (SELECT 1 FROM images WHERE seq = new.image_seq AND visibility = 'public')
    AND EXISTS (SELECT 1 FROM remotes WHERE active = 1)
BEGIN
    INSERT OR IGNORE INTO sync_queue (kind, created_at)
        VALUES ('feed', CAST(unixepoch('subsec') * 1000 AS INTEGER));
    UPDATE sync_queue SET generation = generation + 1, attempts = 0, quarantined = 0, next_at = 0
        WHERE kind = 'feed';
END;

CREATE TRIGGER feed_on_tag_remove AFTER DELETE ON image_tags
WHEN EXISTS (SELECT 1 FROM images WHERE seq = old.image_seq AND visibility = 'public')
    AND EXISTS (SELECT 1 FROM remotes WHERE active = 1)
BEGIN
    INSERT OR IGNORE INTO sync_queue (kind, created_at)
        VALUES ('feed', CAST(unixepoch('subsec') * 1000 AS INTEGER));
    UPDATE sync_queue SET generation = generation + 1, attempts = 0, quarantined = 0, next_at = 0
        WHERE kind = 'feed';
END;
"#,
    // 3: watched folders, what was last seen in them, and what the watcher did.
    r#"
CREATE TABLE watched_folders (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    path       TEXT NOT NULL UNIQUE,
    recursive  INTEGER NOT NULL DEFAULT 0,
    include    TEXT NOT NULL DEFAULT '[]',
    exclude    TEXT NOT NULL DEFAULT '[]',
    tags       TEXT NOT NULL DEFAULT '[]',
    visibility TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'unlisted', 'public')),
    copy       INTEGER NOT NULL DEFAULT 0,
    on_delete  TEXT NOT NULL DEFAULT 'keep' CHECK (on_delete IN ('keep', 'remove', 'remove-remote')),
    poll       INTEGER NOT NULL DEFAULT 0,
    paused     INTEGER NOT NULL DEFAULT 0,
    -- The device the folder was on when added: another device there means "not plugged in".
    device     INTEGER,
    -- Written by the process watching it (`owner`, a workspace token) for every reader.
    status     TEXT NOT NULL DEFAULT 'stopped',
    detail     TEXT,
    last_error TEXT,
    owner      TEXT,
    scanned_at INTEGER,
    added_at   INTEGER NOT NULL
);

-- Every file last seen in a watched folder: size and mtime decide whether it changed.
CREATE TABLE watched_files (
    folder_id INTEGER NOT NULL REFERENCES watched_folders (id) ON DELETE CASCADE,
    path      TEXT NOT NULL,
    size      INTEGER NOT NULL,
    mtime_ns  INTEGER NOT NULL,
    sha256    TEXT,
    error     TEXT,
    code      TEXT,
    PRIMARY KEY (folder_id, path)
) WITHOUT ROWID;
CREATE INDEX watched_files_sha ON watched_files (sha256) WHERE sha256 IS NOT NULL;

-- What the watcher did, newest last (trimmed), so the user sees edits, moves and failures.
CREATE TABLE watch_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    folder_id INTEGER REFERENCES watched_folders (id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    path      TEXT NOT NULL,
    image_id  TEXT,
    detail    TEXT
);
"#,
    // 4: what people read in words, as numbers and fields too: a folder's scan progress
    // (`detail` keeps "scanning 1200/5000"); a move's old path, the image an edit replaced and
    // the deletion rule that applied (an event's `detail` keeps its sentence).
    r#"
ALTER TABLE watched_folders ADD COLUMN scan_done INTEGER;
ALTER TABLE watched_folders ADD COLUMN scan_total INTEGER;
ALTER TABLE watch_events ADD COLUMN moved_from TEXT;
ALTER TABLE watch_events ADD COLUMN previous_id TEXT;
ALTER TABLE watch_events ADD COLUMN rule TEXT;
"#,
    // 4: more generators (SwarmUI, Midjourney, and content credentials (C2PA) from OpenAI,
    // Adobe Firefly or another AI service). Widening a CHECK needs no table rebuild: SQLite's
    // documented way to relax a constraint edits the stored schema (every row already passes
    // the wider check) and reloads it; the DDL pair bumps the schema cookie so that other
    // connections reload it too.
    r#"
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql,
       'generator IN (''a1111'', ''comfyui'', ''novelai'', ''invokeai'', ''fooocus'', ''unknown'')',
       'generator IN (''a1111'', ''comfyui'', ''novelai'', ''invokeai'', ''fooocus'', ''swarmui'', ''midjourney'', ''openai'', ''firefly'', ''c2pa'', ''unknown'')')
 WHERE type = 'table' AND name = 'images';
PRAGMA writable_schema = RESET;
CREATE TABLE migration_4_schema_cookie (x);
DROP TABLE migration_4_schema_cookie;
"#,
    // 6: the library replicated through the bucket (see `replica/`). `local`: the original
    // is on this computer (an image pulled from another computer, or offloaded, is not).
    // The replica tables keep, per image content, the clocks that decide merges; triggers keep
    // them (and the set of images whose state must be pushed) in step with every writer, in
    // the writer's own transaction. While `replica.applying` is set (changes pulled from the
    // bucket are being applied) they stand aside: a pulled change is not pushed back.
    r#"
ALTER TABLE images ADD COLUMN local INTEGER NOT NULL DEFAULT 1;

CREATE TABLE replica (
    one         INTEGER PRIMARY KEY CHECK (one = 1),
    -- This library's name in the bucket's log (random, 16 hex digits).
    device      TEXT NOT NULL,
    -- Hybrid logical clock: milliseconds * 65536 + a counter.
    clock       INTEGER NOT NULL DEFAULT 0,
    applying    INTEGER NOT NULL DEFAULT 0,
    -- The remote (kind, place, prefix) the fields below describe; another remote starts afresh.
    remote      TEXT,
    -- This library's whole state has been published there as a snapshot.
    based       INTEGER NOT NULL DEFAULT 0,
    -- Highest segment time seen in the log (ms), where the next LIST starts (less a margin).
    watermark   INTEGER NOT NULL DEFAULT 0,
    -- The last segment number this library wrote, and the one its last snapshot covers.
    segment     INTEGER NOT NULL DEFAULT 0,
    snapshot    INTEGER NOT NULL DEFAULT 0,
    pulled_at   INTEGER
);
INSERT INTO replica (one, device) VALUES (1, lower(hex(randomblob(8))));

-- One row per content ever cataloged here or seen in the bucket: the merge state.
CREATE TABLE replica_items (
    sha256     TEXT PRIMARY KEY,
    id         TEXT NOT NULL,
    added      INTEGER NOT NULL DEFAULT 0,
    added_by   TEXT NOT NULL DEFAULT '',
    deleted    INTEGER NOT NULL DEFAULT 0,
    deleted_by TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL DEFAULT 'private',
    vis_at     INTEGER NOT NULL DEFAULT 0,
    vis_by     TEXT NOT NULL DEFAULT '',
    filename   TEXT NOT NULL DEFAULT '',
    name_at    INTEGER NOT NULL DEFAULT 0,
    name_by    TEXT NOT NULL DEFAULT '',
    -- The image's metadata went out with a segment or snapshot.
    published  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Tags as an observed-remove set: every add is a dot (clock, library); a remove marks the
-- dots it saw. A tag is on an image while one of its dots is not removed.
CREATE TABLE replica_tags (
    sha256  TEXT NOT NULL,
    tag     TEXT NOT NULL COLLATE NOCASE,
    at      INTEGER NOT NULL,
    by      TEXT NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sha256, tag, at, by)
) WITHOUT ROWID;

-- The outbox: images whose state changed here and is not in the bucket's log yet.
CREATE TABLE replica_dirty (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL
);
CREATE INDEX replica_dirty_sha ON replica_dirty (sha256);

-- Log objects applied (or refused), by key; pruned behind the watermark.
CREATE TABLE replica_seen (
    key   TEXT PRIMARY KEY,
    at    INTEGER NOT NULL,
    error TEXT
) WITHOUT ROWID;

-- Every other library writing to the log: the last segment number applied from it.
CREATE TABLE replica_devices (
    device TEXT PRIMARY KEY,
    last   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Grid thumbnails of pulled images still to fetch from the bucket, and of this library's
-- images still to put there.
CREATE TABLE replica_thumbs (sha256 TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE replica_thumbs_up (sha256 TEXT PRIMARY KEY) WITHOUT ROWID;

-- What this library already holds, as of its own clock.
INSERT INTO replica_items (sha256, id, added, added_by, visibility, vis_at, vis_by,
                           filename, name_at, name_by)
    SELECT i.sha256, i.id, i.created_at * 65536, r.device, i.visibility,
           i.updated_at * 65536, r.device, i.filename, i.created_at * 65536, r.device
    FROM images i, replica r;
INSERT INTO replica_items (sha256, id, deleted, deleted_by)
    SELECT t.sha256, min(t.id), max(t.deleted_at) * 65536, r.device
    FROM tombstones t, replica r GROUP BY t.sha256
    ON CONFLICT (sha256) DO UPDATE SET deleted = excluded.deleted, deleted_by = excluded.deleted_by
        WHERE excluded.deleted > replica_items.added;
INSERT OR IGNORE INTO replica_tags (sha256, tag, at, by)
    SELECT i.sha256, t.name, i.created_at * 65536, r.device
    FROM image_tags it JOIN images i ON i.seq = it.image_seq JOIN tags t ON t.id = it.tag_id,
         replica r;
UPDATE replica SET clock = max(
    CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536,
    coalesce((SELECT max(max(added, deleted, vis_at)) FROM replica_items), 0) + 1);

CREATE TRIGGER replica_on_insert AFTER INSERT ON images
WHEN (SELECT applying FROM replica) = 0
BEGIN
    UPDATE replica SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT INTO replica_items (sha256, id, added, added_by, visibility, vis_at, vis_by,
                               filename, name_at, name_by, published)
        SELECT new.sha256, new.id, clock, device, new.visibility, clock, device,
               new.filename, clock, device, 0
        FROM replica WHERE true
    ON CONFLICT (sha256) DO UPDATE SET
        id = min(replica_items.id, excluded.id),
        added = excluded.added, added_by = excluded.added_by,
        visibility = excluded.visibility, vis_at = excluded.vis_at, vis_by = excluded.vis_by,
        filename = excluded.filename, name_at = excluded.name_at, name_by = excluded.name_by,
        published = 0;
    INSERT INTO replica_dirty (sha256) SELECT new.sha256
        WHERE EXISTS (SELECT 1 FROM remotes WHERE active = 1);
END;

CREATE TRIGGER replica_on_visibility AFTER UPDATE OF visibility ON images
WHEN old.visibility <> new.visibility AND (SELECT applying FROM replica) = 0
BEGIN
    UPDATE replica SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    UPDATE replica_items SET visibility = new.visibility,
        vis_at = (SELECT clock FROM replica), vis_by = (SELECT device FROM replica)
        WHERE sha256 = new.sha256;
    INSERT INTO replica_dirty (sha256) SELECT new.sha256
        WHERE EXISTS (SELECT 1 FROM remotes WHERE active = 1);
END;

CREATE TRIGGER replica_on_rename AFTER UPDATE OF filename ON images
WHEN old.filename <> new.filename AND (SELECT applying FROM replica) = 0
BEGIN
    UPDATE replica SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    UPDATE replica_items SET filename = new.filename,
        name_at = (SELECT clock FROM replica), name_by = (SELECT device FROM replica)
        WHERE sha256 = new.sha256;
    INSERT INTO replica_dirty (sha256) SELECT new.sha256
        WHERE EXISTS (SELECT 1 FROM remotes WHERE active = 1);
END;

CREATE TRIGGER replica_on_delete AFTER DELETE ON images
WHEN (SELECT applying FROM replica) = 0
BEGIN
    UPDATE replica SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    UPDATE replica_items SET
        deleted = (SELECT clock FROM replica), deleted_by = (SELECT device FROM replica)
        WHERE sha256 = old.sha256;
    INSERT INTO replica_dirty (sha256) SELECT old.sha256
        WHERE EXISTS (SELECT 1 FROM remotes WHERE active = 1);
END;

CREATE TRIGGER replica_on_tag AFTER INSERT ON image_tags
WHEN (SELECT applying FROM replica) = 0
BEGIN
    UPDATE replica SET clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536);
    INSERT OR IGNORE INTO replica_tags (sha256, tag, at, by)
        SELECT i.sha256, t.name, r.clock, r.device
        FROM images i, tags t, replica r WHERE i.seq = new.image_seq AND t.id = new.tag_id;
    INSERT INTO replica_dirty (sha256)
        SELECT sha256 FROM images WHERE seq = new.image_seq
           AND EXISTS (SELECT 1 FROM remotes WHERE active = 1);
END;

CREATE TRIGGER replica_on_untag AFTER DELETE ON image_tags
WHEN (SELECT applying FROM replica) = 0 AND EXISTS (SELECT 1 FROM images WHERE seq = old.image_seq)
BEGIN
    UPDATE replica_tags SET removed = 1
        WHERE sha256 = (SELECT sha256 FROM images WHERE seq = old.image_seq)
          AND tag = (SELECT name FROM tags WHERE id = old.tag_id) AND removed = 0;
    INSERT INTO replica_dirty (sha256)
        SELECT sha256 FROM images WHERE seq = old.image_seq
           AND EXISTS (SELECT 1 FROM remotes WHERE active = 1);
END;

CREATE TRIGGER replica_on_source AFTER INSERT ON image_sources
WHEN (SELECT applying FROM replica) = 0
BEGIN
    INSERT INTO replica_dirty (sha256)
        SELECT sha256 FROM images WHERE seq = new.image_seq
           AND EXISTS (SELECT 1 FROM remotes WHERE active = 1);
END;
"#,
    // 7: the filters that combine (`ls --generator --model --format --camera --from --to`),
    // each served by an index; with the date added second, an equality filter also gives the
    // newest-first order, so a page stops after its 200 rows (measured in docs/BENCHMARKS.md).
    r#"
CREATE INDEX images_generator ON images (generator, created_at) WHERE generator IS NOT NULL;
CREATE INDEX images_model ON images (model COLLATE NOCASE, created_at) WHERE model IS NOT NULL;
CREATE INDEX images_format ON images (format, created_at);
CREATE INDEX images_camera_model ON images (camera_model COLLATE NOCASE, created_at)
    WHERE camera_model IS NOT NULL;
CREATE INDEX images_camera_make ON images (camera_make COLLATE NOCASE, created_at)
    WHERE camera_make IS NOT NULL;
CREATE INDEX images_day
    ON images (coalesce(substr(taken_at, 1, 10), date(created_at / 1000, 'unixepoch')));
"#,
    // 8: orientation and size filters (`ls --orientation --size`), each an expression of
    // `catalog::dimensions` (written there with `images.`) with the date added second, like 7;
    // the AI-made in date order (`--generator any` as a sorted stream, see query.rs);
    // and the makes of images without a camera model, for the cameras facet (the model, always
    // NULL there, makes the index cover the facet's query).
    r#"
CREATE INDEX images_shape ON images (CASE WHEN orientation BETWEEN 5 AND 8
    THEN sign(height - width) ELSE sign(width - height) END, created_at);
CREATE INDEX images_pixels ON images (CASE WHEN width * height < 1000000 THEN 0
    WHEN width * height < 8000000 THEN 1 ELSE 2 END, created_at);
CREATE INDEX images_ai ON images (created_at) WHERE generator IS NOT NULL;
CREATE INDEX images_camera_make_only ON images (camera_make COLLATE NOCASE, camera_model)
    WHERE camera_model IS NULL AND camera_make IS NOT NULL;
"#,
    // 9: albums (a name, unique in any letter case; published as an unlisted page under a
    // random slug), their images in order (a deleted image leaves every album), and the
    // objects a published album wrote, recorded before each is written so that a re-run after
    // a kill finds and finishes (or removes) them (`albums/publish.rs`).
    r#"
CREATE TABLE albums (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    slug          TEXT,
    published_url TEXT,
    published_at  INTEGER
);
CREATE TABLE album_images (
    album_id  INTEGER NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    image_seq INTEGER NOT NULL REFERENCES images (seq) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    PRIMARY KEY (album_id, image_seq)
) WITHOUT ROWID;
CREATE INDEX album_images_image ON album_images (image_seq);
CREATE INDEX album_images_order ON album_images (album_id, position);
CREATE TABLE album_objects (
    album_id INTEGER NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    sha256   TEXT,
    done     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (album_id, key)
) WITHOUT ROWID;
"#,
    // 10: bulk jobs (`bulk_jobs.rs`): a visibility change on a selection, recorded at once and
    // applied in chunks in the background, resumed after a crash from its cursor; each image
    // it changed with the visibility it had, which is what its undo (a `revert` job) puts back.
    r#"
CREATE TABLE bulk_jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('visibility', 'revert')),
    selection   TEXT,
    visibility  TEXT,
    reverts     INTEGER,
    -- Where the walk is: the next index of an id selection, the seq below which a query
    -- selection goes on (it starts above the newest image when recorded), the seq after which
    -- a revert goes on.
    next_index  INTEGER NOT NULL DEFAULT 0,
    next_seq    INTEGER NOT NULL DEFAULT 0,
    total       INTEGER NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    changed     INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    state       TEXT NOT NULL DEFAULT 'running'
                CHECK (state IN ('running', 'done', 'cancelled', 'failed')),
    error       TEXT,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX bulk_jobs_running ON bulk_jobs (id) WHERE state = 'running';
CREATE TABLE bulk_job_changes (
    job_id   INTEGER NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
    seq      INTEGER NOT NULL,
    previous TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
"#,
    // 11: the library's counts kept by triggers (read in `stats.rs`): images and bytes in all, by
    // format, source, visibility, remote state and generator, and each tag's images. What the
    // sidebar reads after every change cost a scan of the images per group (~0.2 s each on a
    // million rows); now it reads a few dozen rows. Every writer keeps them, whatever it runs.
    r#"
CREATE TABLE image_counts (
    facet  TEXT NOT NULL,
    value  TEXT NOT NULL,
    images INTEGER NOT NULL,
    bytes  INTEGER NOT NULL,
    PRIMARY KEY (facet, value)
) WITHOUT ROWID;
INSERT INTO image_counts (facet, value, images, bytes)
    SELECT 'all', '', count(*), coalesce(sum(bytes), 0) FROM images;
INSERT INTO image_counts (facet, value, images, bytes)
    SELECT 'format', format, count(*), sum(bytes) FROM images GROUP BY format;
INSERT INTO image_counts (facet, value, images, bytes)
    SELECT 'source', source_kind, count(*), sum(bytes) FROM images GROUP BY source_kind;
INSERT INTO image_counts (facet, value, images, bytes)
    SELECT 'visibility', visibility, count(*), sum(bytes) FROM images GROUP BY visibility;
INSERT INTO image_counts (facet, value, images, bytes)
    SELECT 'remote_state', remote_state, count(*), sum(bytes) FROM images GROUP BY remote_state;
INSERT INTO image_counts (facet, value, images, bytes)
    SELECT 'generator', generator, count(*), sum(bytes) FROM images
    WHERE generator IS NOT NULL GROUP BY generator;

CREATE TRIGGER counts_on_insert AFTER INSERT ON images
BEGIN
    INSERT INTO image_counts (facet, value, images, bytes)
        SELECT f, v, 1, new.bytes FROM (
            SELECT 'all' AS f, '' AS v UNION ALL SELECT 'format', new.format
            UNION ALL SELECT 'source', new.source_kind
            UNION ALL SELECT 'visibility', new.visibility
            UNION ALL SELECT 'remote_state', new.remote_state
            UNION ALL SELECT 'generator', new.generator) WHERE v IS NOT NULL
    ON CONFLICT (facet, value) DO UPDATE SET
        images = images + excluded.images, bytes = bytes + excluded.bytes;
END;

CREATE TRIGGER counts_on_delete AFTER DELETE ON images
BEGIN
    UPDATE image_counts SET images = images - 1, bytes = bytes - old.bytes
        WHERE (facet, value) IN (VALUES ('all', ''), ('format', old.format),
            ('source', old.source_kind), ('visibility', old.visibility),
            ('remote_state', old.remote_state), ('generator', old.generator));
END;

CREATE TRIGGER counts_on_update
AFTER UPDATE OF format, source_kind, visibility, remote_state, generator, bytes ON images
WHEN old.format IS NOT new.format OR old.source_kind IS NOT new.source_kind
  OR old.visibility IS NOT new.visibility OR old.remote_state IS NOT new.remote_state
  OR old.generator IS NOT new.generator OR old.bytes IS NOT new.bytes
BEGIN
    UPDATE image_counts SET images = images - 1, bytes = bytes - old.bytes
        WHERE (facet, value) IN (VALUES ('all', ''), ('format', old.format),
            ('source', old.source_kind), ('visibility', old.visibility),
            ('remote_state', old.remote_state), ('generator', old.generator));
    INSERT INTO image_counts (facet, value, images, bytes)
        SELECT f, v, 1, new.bytes FROM (
            SELECT 'all' AS f, '' AS v UNION ALL SELECT 'format', new.format
            UNION ALL SELECT 'source', new.source_kind
            UNION ALL SELECT 'visibility', new.visibility
            UNION ALL SELECT 'remote_state', new.remote_state
            UNION ALL SELECT 'generator', new.generator) WHERE v IS NOT NULL
    ON CONFLICT (facet, value) DO UPDATE SET
        images = images + excluded.images, bytes = bytes + excluded.bytes;
END;

ALTER TABLE tags ADD COLUMN images INTEGER NOT NULL DEFAULT 0;
UPDATE tags SET images = (SELECT count(*) FROM image_tags it WHERE it.tag_id = tags.id);
CREATE TRIGGER counts_on_tag AFTER INSERT ON image_tags
BEGIN
    UPDATE tags SET images = images + 1 WHERE id = new.tag_id;
END;
CREATE TRIGGER counts_on_untag AFTER DELETE ON image_tags
BEGIN
    UPDATE tags SET images = images - 1 WHERE id = old.tag_id;
END;
"#,
    // 12: the filter bar's facets counted by the same triggers (read in `facets.rs`): AI models,
    // camera models, and the makes of images without a camera model. Counted per exact value;
    // `facets()` groups the few counted values by letter case and takes the smallest spelling,
    // as its `GROUP BY … COLLATE NOCASE` over the images did (a display value kept per group
    // would need a scan of the group's rows whenever the row that gave it went away).
    r#"
DROP TRIGGER counts_on_insert;
DROP TRIGGER counts_on_delete;
DROP TRIGGER counts_on_update;
INSERT INTO image_counts (facet, value, images, bytes)
    SELECT 'model', model, count(*), sum(bytes) FROM images
    WHERE model IS NOT NULL GROUP BY model;
INSERT INTO image_counts (facet, value, images, bytes)
    SELECT 'camera_model', camera_model, count(*), sum(bytes) FROM images
    WHERE camera_model IS NOT NULL GROUP BY camera_model;
INSERT INTO image_counts (facet, value, images, bytes)
    SELECT 'camera_make', camera_make, count(*), sum(bytes) FROM images
    WHERE camera_model IS NULL AND camera_make IS NOT NULL GROUP BY camera_make;

CREATE TRIGGER counts_on_insert AFTER INSERT ON images
BEGIN
    INSERT INTO image_counts (facet, value, images, bytes)
        SELECT f, v, 1, new.bytes FROM (
            SELECT 'all' AS f, '' AS v UNION ALL SELECT 'format', new.format
            UNION ALL SELECT 'source', new.source_kind
            UNION ALL SELECT 'visibility', new.visibility
            UNION ALL SELECT 'remote_state', new.remote_state
            UNION ALL SELECT 'generator', new.generator
            UNION ALL SELECT 'model', new.model
            UNION ALL SELECT 'camera_model', new.camera_model
            UNION ALL SELECT 'camera_make',
                CASE WHEN new.camera_model IS NULL THEN new.camera_make END) WHERE v IS NOT NULL
    ON CONFLICT (facet, value) DO UPDATE SET
        images = images + excluded.images, bytes = bytes + excluded.bytes;
END;

CREATE TRIGGER counts_on_delete AFTER DELETE ON images
BEGIN
    UPDATE image_counts SET images = images - 1, bytes = bytes - old.bytes
        WHERE (facet, value) IN (VALUES ('all', ''), ('format', old.format),
            ('source', old.source_kind), ('visibility', old.visibility),
            ('remote_state', old.remote_state), ('generator', old.generator),
            ('model', old.model), ('camera_model', old.camera_model),
            ('camera_make', CASE WHEN old.camera_model IS NULL THEN old.camera_make END));
END;

CREATE TRIGGER counts_on_update
AFTER UPDATE OF format, source_kind, visibility, remote_state, generator, bytes, model,
    camera_model, camera_make ON images
WHEN old.format IS NOT new.format OR old.source_kind IS NOT new.source_kind
  OR old.visibility IS NOT new.visibility OR old.remote_state IS NOT new.remote_state
  OR old.generator IS NOT new.generator OR old.bytes IS NOT new.bytes
  OR old.model IS NOT new.model OR old.camera_model IS NOT new.camera_model
  OR old.camera_make IS NOT new.camera_make
BEGIN
    UPDATE image_counts SET images = images - 1, bytes = bytes - old.bytes
        WHERE (facet, value) IN (VALUES ('all', ''), ('format', old.format),
            ('source', old.source_kind), ('visibility', old.visibility),
            ('remote_state', old.remote_state), ('generator', old.generator),
            ('model', old.model), ('camera_model', old.camera_model),
            ('camera_make', CASE WHEN old.camera_model IS NULL THEN old.camera_make END));
    INSERT INTO image_counts (facet, value, images, bytes)
        SELECT f, v, 1, new.bytes FROM (
            SELECT 'all' AS f, '' AS v UNION ALL SELECT 'format', new.format
            UNION ALL SELECT 'source', new.source_kind
            UNION ALL SELECT 'visibility', new.visibility
            UNION ALL SELECT 'remote_state', new.remote_state
            UNION ALL SELECT 'generator', new.generator
            UNION ALL SELECT 'model', new.model
            UNION ALL SELECT 'camera_model', new.camera_model
            UNION ALL SELECT 'camera_make',
                CASE WHEN new.camera_model IS NULL THEN new.camera_make END) WHERE v IS NOT NULL
    ON CONFLICT (facet, value) DO UPDATE SET
        images = images + excluded.images, bytes = bytes + excluded.bytes;
END;
"#,
    // 13: the search index's vocabulary, one row per occurrence of each term (`search.rs` seeks
    // it to write a typed prefix as the few terms it stands for). A view of `images_fts`
    // itself: nothing stored, nothing to fill.
    r#"
CREATE VIRTUAL TABLE images_fts_terms USING fts5vocab (images_fts, instance);
"#,
];

/// What the migrations leave of an empty database, which a new catalog gets in one step (no
/// table rebuilt, no trigger made twice: 3.7 ms with its commit where the migrations take 6.8). Written by
/// `VITRINE_WRITE_SCHEMA=1 cargo test fresh_schema`; the test fails whenever it is not exactly
/// what the migrations make (schema, seed rows, pragmas).
const FRESH: &str = include_str!("schema.sql");

/// Values a new catalog makes for itself instead of copying them: (table, column, SQL).
#[cfg(test)]
const MADE_PER_CATALOG: &[(&str, &str, &str)] = &[
    ("replica", "device", "lower(hex(randomblob(8)))"),
    (
        "replica",
        "clock",
        "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536",
    ),
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
    let empty: i64 = tx.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    if found == 0 && empty == 0 {
        // A new catalog: the schema the migrations would leave, at once.
        tx.execute_batch(FRESH)?;
    } else {
        for sql in &MIGRATIONS[found as usize..] {
            tx.execute_batch(sql)?;
        }
    }
    tx.pragma_update(None, "user_version", LATEST)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inserts a minimal image row with this generator under a fresh id.
    fn insert(conn: &Connection, generator: &str) -> rusqlite::Result<usize> {
        let id = ulid::Ulid::new().to_string();
        conn.execute(
            "INSERT INTO images (id, sha256, filename, format, mime, ext, bytes, width, height,
                storage, path, source_kind, generator, created_at, updated_at)
             VALUES (?1, ?1, 'a.png', 'png', 'image/png', 'png', 1, 1, 1, 'managed', 'p', 'file',
                ?2, 0, 0)",
            [id.as_str(), generator],
        )
    }

    #[test]
    fn migration_4_widens_the_generator_check_for_every_connection() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("catalog.db");
        let mut conn = Connection::open(&path).expect("open");
        for sql in &MIGRATIONS[..3] {
            conn.execute_batch(sql).expect("migrations 1-3");
        }
        conn.pragma_update(None, "user_version", 3)
            .expect("version 3");
        insert(&conn, "a1111").expect("a version-3 row");
        let other = Connection::open(&path).expect("a second connection");
        assert!(
            insert(&other, "midjourney").is_err(),
            "version 3 refuses it"
        );

        migrate(&mut conn, &path).expect("migrate to the latest");
        for (c, which) in [(&conn, "the migrating connection"), (&other, "another one")] {
            for g in ["swarmui", "midjourney", "openai", "firefly", "c2pa"] {
                insert(c, g).unwrap_or_else(|e| panic!("{which} accepts {g}: {e}"));
            }
            assert!(
                insert(c, "dalle").is_err(),
                "{which} still checks the value"
            );
        }
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity check");
        assert_eq!(check, "ok", "the edited schema is consistent");
        assert_eq!(user_version(&conn).expect("version"), LATEST);
    }

    #[test]
    fn migration_8_indexes_orientation_and_size_of_existing_rows() {
        use crate::catalog::dimensions::{Orientation, SizeClass, PIXELS, SHAPE};
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("catalog.db");
        let mut conn = Connection::open(&path).expect("open");
        for sql in &MIGRATIONS[..7] {
            conn.execute_batch(sql).expect("migrations 1-7");
        }
        conn.pragma_update(None, "user_version", 7)
            .expect("version 7");
        insert(&conn, "a1111").expect("a version-7 row (1×1)");
        migrate(&mut conn, &path).expect("migrate to the latest");
        for (index, expr, key) in [
            ("images_shape", SHAPE, Orientation::Square.key()),
            ("images_pixels", PIXELS, SizeClass::Small.key()),
        ] {
            let n: i64 = conn
                .query_row(
                    &format!("SELECT count(*) FROM images INDEXED BY {index} WHERE {expr} = ?1"),
                    [key],
                    |r| r.get(0),
                )
                .unwrap_or_else(|e| panic!("{index} serves its expression: {e}"));
            assert_eq!(n, 1, "{index} holds the row from before");
        }
    }

    #[test]
    fn migration_9_adds_albums_to_a_catalog_with_rows() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("catalog.db");
        let mut conn = Connection::open(&path).expect("open");
        for sql in &MIGRATIONS[..8] {
            conn.execute_batch(sql).expect("migrations 1-8");
        }
        conn.pragma_update(None, "user_version", 8)
            .expect("version 8");
        insert(&conn, "a1111").expect("a version-8 row");
        migrate(&mut conn, &path).expect("migrate to the latest");
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .expect("foreign keys");
        conn.execute(
            "INSERT INTO albums (name, created_at, updated_at) VALUES ('Trip', 0, 0)",
            [],
        )
        .expect("an album");
        conn.execute(
            "INSERT INTO album_images (album_id, image_seq, position)
             SELECT 1, seq, 1 FROM images",
            [],
        )
        .expect("the old row joins it");
        assert!(
            conn.execute(
                "INSERT INTO albums (name, created_at, updated_at) VALUES ('TRIP', 0, 0)",
                []
            )
            .is_err(),
            "names are unique in any letter case"
        );
        conn.execute("DELETE FROM images", [])
            .expect("delete the image");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM album_images", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 0, "the membership went with the image");
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity check");
        assert_eq!(check, "ok");
    }

    #[test]
    fn migration_11_counts_the_images_and_tags_already_there() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("catalog.db");
        let mut conn = Connection::open(&path).expect("open");
        for sql in &MIGRATIONS[..10] {
            conn.execute_batch(sql).expect("migrations 1-10");
        }
        conn.pragma_update(None, "user_version", 10)
            .expect("version 10");
        for g in ["a1111", "a1111", "comfyui"] {
            insert(&conn, g).expect("a version-10 row");
        }
        conn.execute_batch(
            "INSERT INTO tags (name) VALUES ('red'), ('unused');
             INSERT INTO image_tags (tag_id, image_seq) SELECT 1, seq FROM images LIMIT 2;",
        )
        .expect("tags");
        migrate(&mut conn, &path).expect("migrate to the latest");
        let counts: Vec<(String, String, i64, i64)> = conn
            .prepare("SELECT facet, value, images, bytes FROM image_counts ORDER BY facet, value")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let row = |f: &str, v: &str, n: i64| (f.to_string(), v.to_string(), n, n);
        assert_eq!(
            counts,
            vec![
                row("all", "", 3),
                row("format", "png", 3),
                row("generator", "a1111", 2),
                row("generator", "comfyui", 1),
                row("remote_state", "local", 3),
                row("source", "file", 3),
                row("visibility", "private", 3),
            ],
            "the rows from before are counted, bytes too"
        );
        let tags: Vec<(String, i64)> = conn
            .prepare("SELECT name, images FROM tags ORDER BY name")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(tags, vec![("red".into(), 2), ("unused".into(), 0)]);
        insert(&conn, "novelai").expect("a new row");
        let all: i64 = conn
            .query_row(
                "SELECT images FROM image_counts WHERE facet = 'all'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(all, 4, "and the triggers count the next one");
    }

    #[test]
    fn migration_12_counts_the_models_and_cameras_already_there() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("catalog.db");
        let mut conn = Connection::open(&path).expect("open");
        for sql in &MIGRATIONS[..11] {
            conn.execute_batch(sql).expect("migrations 1-11");
        }
        conn.pragma_update(None, "user_version", 11)
            .expect("version 11");
        let set =
            |conn: &Connection, model: Option<&str>, make: Option<&str>, cam: Option<&str>| {
                insert(conn, "a1111").expect("a version-11 row");
                conn.execute(
                    "UPDATE images SET model = ?1, camera_make = ?2, camera_model = ?3
                 WHERE seq = last_insert_rowid()",
                    (model, make, cam),
                )
                .expect("its model and camera");
            };
        set(&conn, Some("SDXL"), Some("Canon"), Some("EOS R5"));
        set(&conn, Some("sdxl"), None, Some("EOS R5"));
        set(&conn, None, Some("Leica"), None);
        set(&conn, None, None, None);
        migrate(&mut conn, &path).expect("migrate to the latest");
        let counts = |conn: &Connection| -> Vec<(String, String, i64)> {
            conn.prepare(
                "SELECT facet, value, images FROM image_counts
                 WHERE facet IN ('model', 'camera_model', 'camera_make') AND images > 0
                 ORDER BY facet, value",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
        };
        let row = |f: &str, v: &str, n: i64| (f.to_string(), v.to_string(), n);
        assert_eq!(
            counts(&conn),
            vec![
                row("camera_make", "Leica", 1),
                row("camera_model", "EOS R5", 2),
                row("model", "SDXL", 1),
                row("model", "sdxl", 1),
            ],
            "each exact value of the rows from before; a make only where no model is named"
        );
        set(&conn, Some("Flux"), Some("Leica"), None);
        conn.execute("DELETE FROM images WHERE model = 'sdxl'", [])
            .expect("a delete");
        assert_eq!(
            counts(&conn),
            vec![
                row("camera_make", "Leica", 2),
                row("camera_model", "EOS R5", 1),
                row("model", "Flux", 1),
                row("model", "SDXL", 1),
            ],
            "and the triggers count what comes next"
        );
    }
}

#[cfg(test)]
mod fresh_schema {
    use super::*;

    /// The migrations run one by one on an empty database, as catalogs made before
    /// [`FRESH`] were.
    fn migrated(path: &Path) -> Connection {
        let conn = Connection::open(path).expect("open");
        for sql in MIGRATIONS {
            conn.execute_batch(sql).expect("migration");
        }
        conn.pragma_update(None, "user_version", LATEST)
            .expect("version");
        conn
    }

    fn strings(conn: &Connection, sql: &str) -> Vec<Vec<String>> {
        let mut st = conn.prepare(sql).expect(sql);
        let n = st.column_count();
        st.query_map([], |r| {
            (0..n)
                .map(|i| {
                    r.get::<_, rusqlite::types::Value>(i)
                        .map(|v| format!("{v:?}"))
                })
                .collect()
        })
        .expect(sql)
        .map(|r| r.expect("row"))
        .collect()
    }

    /// The first column of every row, as text.
    fn names(conn: &Connection, sql: &str) -> Vec<String> {
        let mut st = conn.prepare(sql).expect(sql);
        st.query_map([], |r| r.get(0))
            .expect(sql)
            .map(|r| r.expect("row"))
            .collect()
    }

    /// Every table's name, shadow tables and `sqlite_sequence` included.
    fn tables(conn: &Connection) -> Vec<String> {
        names(
            conn,
            "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'shadow') \
             AND name != 'sqlite_schema' ORDER BY name",
        )
    }

    fn columns(conn: &Connection, table: &str) -> Vec<String> {
        names(
            conn,
            &format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
        )
    }

    /// The file [`FRESH`] should be: every object's SQL in creation order (shadow tables
    /// are made by their virtual table), then the seed rows.
    fn dump(conn: &Connection) -> String {
        let mut out = format!(
            "-- The catalog at schema version {LATEST}: what its migrations leave of an empty database.\n\
             -- Written by `VITRINE_WRITE_SCHEMA=1 cargo test fresh_schema`; do not edit: change the\n\
             -- migrations, then rewrite it.\n"
        );
        let sqls = names(
            conn,
            "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' \
             AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow') \
             ORDER BY rowid",
        );
        for sql in sqls {
            out.push_str(&sql);
            out.push_str(";\n");
        }
        let seeded = names(
            conn,
            "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        );
        for table in seeded {
            let cols = columns(conn, &table);
            let values: Vec<String> = cols
                .iter()
                .map(|c| {
                    MADE_PER_CATALOG
                        .iter()
                        .find(|(t, col, _)| *t == table && col == c)
                        .map(|(_, _, made)| format!("'{}'", made.replace('\'', "''")))
                        .unwrap_or_else(|| format!("quote(\"{c}\")"))
                })
                .collect();
            let rows = names(
                conn,
                &format!(
                    "SELECT {} FROM \"{table}\" ORDER BY 1",
                    values.join(" || ', ' || ")
                ),
            );
            for row in rows {
                out.push_str(&format!(
                    "INSERT INTO \"{table}\" ({}) VALUES ({row});\n",
                    cols.iter()
                        .map(|c| format!("\"{c}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        out
    }

    /// A table's rows, with the values made per catalog left out.
    fn rows(conn: &Connection, table: &str) -> Vec<Vec<String>> {
        let made: Vec<&str> = MADE_PER_CATALOG
            .iter()
            .filter(|(t, _, _)| *t == table)
            .map(|(_, c, _)| *c)
            .collect();
        let cols: Vec<String> = columns(conn, table)
            .into_iter()
            .filter(|c| !made.contains(&c.as_str()))
            .collect();
        if cols.is_empty() {
            return Vec::new();
        }
        let list = cols
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let mut all = strings(conn, &format!("SELECT {list} FROM \"{table}\""));
        all.sort();
        all
    }

    #[test]
    fn fresh_schema_is_what_the_migrations_make() {
        let dir = tempfile::tempdir().expect("temp dir");
        let old = migrated(&dir.path().join("migrated.db"));
        let expected = dump(&old);
        let written = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/catalog/schema.sql");
        if std::env::var_os("VITRINE_WRITE_SCHEMA").is_some() {
            std::fs::write(&written, &expected).expect("write schema.sql");
        }
        assert!(
            FRESH == expected,
            "src-tauri/catalog/schema.sql is not what the migrations make: run \
             `VITRINE_WRITE_SCHEMA=1 cargo test fresh_schema` and commit it"
        );

        let path = dir.path().join("fresh.db");
        let mut new = Connection::open(&path).expect("open");
        migrate(&mut new, &path).expect("a new catalog");
        let objects = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name";
        assert_eq!(
            strings(&new, objects),
            strings(&old, objects),
            "the same objects"
        );
        assert_eq!(tables(&new), tables(&old));
        for table in tables(&old) {
            assert_eq!(
                rows(&new, &table),
                rows(&old, &table),
                "{table}: the same rows"
            );
        }
        for pragma in [
            "user_version",
            "page_size",
            "auto_vacuum",
            "encoding",
            "application_id",
        ] {
            let get = |c: &Connection| strings(c, &format!("PRAGMA {pragma}"));
            assert_eq!(get(&new), get(&old), "PRAGMA {pragma}");
        }
        for (table, column, _) in MADE_PER_CATALOG {
            let q = format!("SELECT \"{column}\" FROM \"{table}\"");
            let (a, b) = (strings(&new, &q), strings(&old, &q));
            assert_eq!(a.len(), b.len(), "{table}.{column}");
            assert!(
                a.iter().flatten().all(|v| v != "Null"),
                "{table}.{column} is made for the new catalog: {a:?}"
            );
        }
        let fk: Vec<Vec<String>> = strings(&new, "PRAGMA foreign_key_check");
        assert!(fk.is_empty(), "{fk:?}");
    }
}
