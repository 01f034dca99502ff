-- The catalog at schema version 13: what its migrations leave of an empty database.
-- Written by `VITRINE_WRITE_SCHEMA=1 cargo test fresh_schema`; do not edit: change the
-- migrations, then rewrite it.
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
    generator       TEXT CHECK (generator IN ('a1111', 'comfyui', 'novelai', 'invokeai', 'fooocus', 'swarmui', 'midjourney', 'openai', 'firefly', 'c2pa', 'unknown')),
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
, local INTEGER NOT NULL DEFAULT 1);
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
, images INTEGER NOT NULL DEFAULT 0);
CREATE TABLE image_tags (
    tag_id    INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    image_seq INTEGER NOT NULL REFERENCES images (seq) ON DELETE CASCADE,
    PRIMARY KEY (tag_id, image_seq)
) WITHOUT ROWID;
CREATE INDEX image_tags_image ON image_tags (image_seq, tag_id);
CREATE TABLE image_sources (
    image_seq  INTEGER NOT NULL REFERENCES images (seq) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    source     TEXT NOT NULL,
    fetched_at INTEGER,
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (image_seq, kind, source)
) WITHOUT ROWID;
CREATE TABLE tombstones (
    id           TEXT PRIMARY KEY,
    sha256       TEXT NOT NULL,
    ext          TEXT NOT NULL,
    visibility   TEXT NOT NULL,
    object_key   TEXT,
    remote_state TEXT NOT NULL,
    deleted_at   INTEGER NOT NULL
);
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
, scan_done INTEGER, scan_total INTEGER);
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
CREATE TABLE watch_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    folder_id INTEGER REFERENCES watched_folders (id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    path      TEXT NOT NULL,
    image_id  TEXT,
    detail    TEXT
, moved_from TEXT, previous_id TEXT, rule TEXT);
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
CREATE TABLE replica_tags (
    sha256  TEXT NOT NULL,
    tag     TEXT NOT NULL COLLATE NOCASE,
    at      INTEGER NOT NULL,
    by      TEXT NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sha256, tag, at, by)
) WITHOUT ROWID;
CREATE TABLE replica_dirty (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL
);
CREATE INDEX replica_dirty_sha ON replica_dirty (sha256);
CREATE TABLE replica_seen (
    key   TEXT PRIMARY KEY,
    at    INTEGER NOT NULL,
    error TEXT
) WITHOUT ROWID;
CREATE TABLE replica_devices (
    device TEXT PRIMARY KEY,
    last   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE replica_thumbs (sha256 TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE replica_thumbs_up (sha256 TEXT PRIMARY KEY) WITHOUT ROWID;
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
CREATE INDEX images_generator ON images (generator, created_at) WHERE generator IS NOT NULL;
CREATE INDEX images_model ON images (model COLLATE NOCASE, created_at) WHERE model IS NOT NULL;
CREATE INDEX images_format ON images (format, created_at);
CREATE INDEX images_camera_model ON images (camera_model COLLATE NOCASE, created_at)
    WHERE camera_model IS NOT NULL;
CREATE INDEX images_camera_make ON images (camera_make COLLATE NOCASE, created_at)
    WHERE camera_make IS NOT NULL;
CREATE INDEX images_day
    ON images (coalesce(substr(taken_at, 1, 10), date(created_at / 1000, 'unixepoch')));
CREATE INDEX images_shape ON images (CASE WHEN orientation BETWEEN 5 AND 8
    THEN sign(height - width) ELSE sign(width - height) END, created_at);
CREATE INDEX images_pixels ON images (CASE WHEN width * height < 1000000 THEN 0
    WHEN width * height < 8000000 THEN 1 ELSE 2 END, created_at);
CREATE INDEX images_ai ON images (created_at) WHERE generator IS NOT NULL;
CREATE INDEX images_camera_make_only ON images (camera_make COLLATE NOCASE, camera_model)
    WHERE camera_model IS NULL AND camera_make IS NOT NULL;
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
CREATE TABLE image_counts (
    facet  TEXT NOT NULL,
    value  TEXT NOT NULL,
    images INTEGER NOT NULL,
    bytes  INTEGER NOT NULL,
    PRIMARY KEY (facet, value)
) WITHOUT ROWID;
CREATE TRIGGER counts_on_tag AFTER INSERT ON image_tags
BEGIN
    UPDATE tags SET images = images + 1 WHERE id = new.tag_id;
END;
CREATE TRIGGER counts_on_untag AFTER DELETE ON image_tags
BEGIN
    UPDATE tags SET images = images - 1 WHERE id = old.tag_id;
END;
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
CREATE VIRTUAL TABLE images_fts_terms USING fts5vocab (images_fts, instance);
INSERT INTO "image_counts" ("facet", "value", "images", "bytes") VALUES ('all', '', 0, 0);
INSERT INTO "replica" ("one", "device", "clock", "applying", "remote", "based", "watermark", "segment", "snapshot", "pulled_at") VALUES (1, lower(hex(randomblob(8))), CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536, 0, NULL, 0, 0, 0, 0, NULL);
