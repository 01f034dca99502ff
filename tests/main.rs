//! Vitrine's integration tests: one binary, one module per area. Most tests run the built
//! `vitrine` CLI against a temp library; a few use the library API directly.
//! Tests that need the shared image corpus skip (with one printed line) when it is absent.

mod support;

// Every format imports with the right size and a thumbnail; sniffing beats file names.
mod formats;
// Refusals: clear message + code, nothing written, batch continues; loops; odd names.
mod bad_input;
// Formats Vitrine does not read are refused by name, folders included; non-images are counted.
mod named_formats;
// Camera RAWs from their largest embedded JPEG preview, laid out as each camera writes them
// (CR2, NEF, ARW, DNG, ORF, RW2, RAF, CR3), cross-checked with exiftool; too small or damaged.
mod raw;
// Same bytes twice: one image, merged tags and sources, one original.
mod dedup;
// AI parameters: A1111, ComfyUI, NovelAI, InvokeAI, Fooocus, EXIF UserComment, garbage.
mod ai_metadata;
// Generator metadata byte for byte as the tools write it: A1111 UserComment encodings in JPEG
// and WebP, InvokeAI Dream/sd-metadata, SwarmUI, Midjourney, C2PA claim generators.
mod ai_writers;
// EXIF orientation 1..8: upright thumbnails (generated pictures and the corpus).
mod orientation;
// HEIC, AVIF and JPEG XL made by the reference encoders in the run: format, size, colour,
// HEIF's own rotation applied once, first frame of an animation, truncated files, pixel cap.
mod heif_avif_jxl;
// WebP made by cwebp/img2webp: scaled on load through libwebp, lossy and lossless in their
// colours, alpha and EXIF orientation kept, first frame of an animation, truncated = corrupt.
mod webp;
// Large progressive JPEGs from their DC scans: cjpeg and jpegtran's scan scripts, restarts,
// sampling, grey; arithmetic-coded and cut files left to TurboJPEG.
mod progressive_jpeg;
// Crash safety: failpoints before/after the catalog commit, recovery on the next open.
mod atomicity;
// Schema versions: latest on create, newer catalogs refused untouched.
mod migrations;
// The CLI: global options, JSON shapes, filters, sort + paging, show/search/tag/visibility,
// rm + tombstones, stats, thumbnails.
mod albums;
mod bulk;
mod cli;
// export --zip (byte-identical originals + sidecars) and fsck / fsck --repair.
mod export_fsck;
// Two importers and a reader on one library at once.
mod concurrency;
// URL imports against a loopback server: 200/404/410/403, retry, redirects, caps, timeouts.
mod url_import;
// The shared corpus against manifest.json (skips when ../shared/corpus/build.sh was not run).
mod corpus;
// One conformance suite for the folder and S3 backends (real s3s-fs server on loopback).
mod storage;
// Sync through the CLI to a real S3 server, checked with the aws CLI: headers, moves, links,
// stripped public copies, trash, mass-delete guard, quarantine, multipart, errors.
mod sync;
// kill -9 during a 200-file sync (mid-multipart too) and a fault-injecting proxy: 0 lost,
// 0 duplicated, 0 orphaned.
mod sync_faults;
// The library replicated through the bucket: two and three libraries converge after
// concurrent edits, a new computer restores the catalog and thumbnails, bad log objects are
// refused whole, kill -9 during pull, push and compaction.
mod replica;
// Credentials only in the real Secret Service; no secret in library files or output; a clear
// error without a keychain.
mod keychain;
// import --in-place: referenced files are thumbnailed and synced, never copied or deleted; an
// edited one is not uploaded under its old hash.
mod in_place;
// Watched folders: real filesystem events, restarts, renames, edits, deletes, 1,000-file
// copies, unplugged folders, polling; catalog and bucket state checked.
mod watch;
// The CLI's log file: commands, imports, sync runs; levels; no credential or signature in it.
mod logs;
// Free up space: offload only what the bucket verifies (S3 and folder), fetch back identical
// bytes, thumbnails kept, export and previews fetched on demand, fsck clean.
mod offload;
