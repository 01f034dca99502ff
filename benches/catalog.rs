//! A 100,000-image synthetic catalog: newest-first keyset pages at several depths, filters
//! alone and combined, FTS queries, the sidebar's counts, bytes per image. `million.rs` runs
//! the same on 1,000,000 rows. Targets: a page of 200 < 2 ms, an FTS query < 20 ms, a filter or
//! any two combined < 10 ms, the sidebar's counts < 50 ms.

use std::time::Instant;

use vitrine::catalog::{Catalog, ListQuery, NewImage};
use vitrine::import::ai::{AiParams, Generator};
use vitrine::model::{Sort, SourceKind, Storage, Visibility};

use super::{median, ms};

const ROWS: usize = 100_000;
const CAMERAS: &[(&str, &str)] = &[
    ("Canon", "EOS R5"),
    ("Apple", "iPhone 15 Pro"),
    ("FUJIFILM", "X-T5"),
    ("Google", "Pixel 8"),
];
const WORDS: &[&str] = &[
    "portrait",
    "landscape",
    "castle",
    "dragon",
    "forest",
    "neon",
    "city",
    "night",
    "sunset",
    "ocean",
    "cat",
    "dog",
    "robot",
    "flower",
    "mountain",
    "river",
    "snow",
    "desert",
    "space",
    "galaxy",
    "watercolor",
    "oil",
    "painting",
    "photo",
    "cinematic",
    "lighting",
    "detailed",
    "masterpiece",
    "anime",
    "sketch",
    "vintage",
    "futuristic",
    "misty",
    "golden",
    "hour",
];

pub fn run() {
    let dir = tempfile::tempdir().expect("tempdir");
    // VITRINE_BENCH_CATALOG=FILE keeps (and reuses) the synthetic catalog between runs.
    let path = std::env::var_os("VITRINE_BENCH_CATALOG")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("catalog.db"));
    let cat = build(&path, ROWS);
    measure(&cat, ROWS);
}

/// Opens the catalog at `path` and fills it to `rows` synthetic images (printing the insert
/// rate when it added any).
pub fn build(path: &std::path::Path, rows: usize) -> Catalog {
    println!("\n== catalog: {rows} synthetic rows");
    let mut cat = Catalog::open(path).expect("open");
    let t = Instant::now();
    // A million rows' indexes outgrow the app's 16 MB page cache; a bigger one while filling
    // only makes the fixture faster to build (the rows are the same).
    let big = rows > ROWS;
    if big {
        cat.conn()
            .execute_batch("PRAGMA cache_size = -262144")
            .expect("cache");
    }
    let inserted = fill(&mut cat, rows.min(BLOCK));
    if inserted > 0 {
        println!(
            "insert      {inserted} rows in {:.1} s ({:.0} rows/s, one transaction each)",
            t.elapsed().as_secs_f64(),
            inserted as f64 / t.elapsed().as_secs_f64()
        );
    }
    let t = Instant::now();
    let copied = if rows > BLOCK {
        grow(&mut cat, rows)
    } else {
        0
    };
    if copied > 0 {
        println!(
            "copied      {copied} rows in {:.1} s (rows of the first {BLOCK}, 20,000 per transaction)",
            t.elapsed().as_secs_f64()
        );
    }
    if big {
        cat.conn()
            .execute_batch("PRAGMA cache_size = -16000")
            .expect("cache");
    }
    cat
}

/// Times what the app asks of a catalog of `rows` images: pages at several depths, filters
/// alone and combined, full-text search, and the counts of the sidebar and the filter bar.
pub fn measure(cat: &Catalog, rows: usize) {
    let page = |q: ListQuery| {
        let mut n = 0;
        let d = median(51, || n = cat.list(&q).expect("list").len());
        (d, n)
    };
    let show = |what: &str, (d, n): (std::time::Duration, usize), target: &str| {
        println!("{what:<44} {:8.3} ms  ({n} rows){target}", ms(d));
    };
    // The id of the last image before row `depth` of a query's listing: the app's cursor
    // there, reached as the app would, page after page (in pages of 5,000 to go faster).
    let cursor_at = |q: &ListQuery, depth: usize| -> Option<String> {
        let mut after = None;
        let mut left = depth;
        while left > 0 {
            let step = left.min(5_000);
            let rows = cat
                .list(&ListQuery {
                    limit: Some(step),
                    after: after.clone(),
                    ..q.clone()
                })
                .expect("list");
            after = Some(rows.last()?.id.clone());
            left -= step;
        }
        after
    };
    let newest = ListQuery::default();
    let depths = [
        ("first", 0),
        ("middle", rows / 2),
        ("last", rows.saturating_sub(200)),
    ];
    let mut middle_cursor = None;
    for (name, depth) in depths {
        let after = cursor_at(&newest, depth);
        if name == "middle" {
            middle_cursor = after.clone();
        }
        show(
            &format!("newest page of 200 ({name}: after {depth})"),
            page(ListQuery {
                limit: Some(200),
                after,
                ..Default::default()
            }),
            "  target < 2 ms",
        );
    }
    for sort in [Sort::Oldest, Sort::Taken, Sort::Name, Sort::Size] {
        show(
            &format!("{} page of 200 (middle)", sort.as_str()),
            page(ListQuery {
                limit: Some(200),
                sort: Some(sort),
                after: middle_cursor.clone(),
                ..Default::default()
            }),
            "",
        );
    }
    // One filter: first page, and a page halfway through its matches (keyset, as the app pages).
    let single: Vec<(&str, ListQuery)> = vec![
        (
            "tag favourite",
            ListQuery {
                tag: Some("favourite".into()),
                ..Default::default()
            },
        ),
        (
            "visibility public",
            ListQuery {
                visibility: Some(Visibility::Public),
                ..Default::default()
            },
        ),
    ];
    for (what, q) in &single {
        let matches = cat.count(q).expect("count") as usize;
        for (name, depth) in [("first", 0), ("middle", matches / 2)] {
            show(
                &format!("{what} page of 200 ({name})"),
                page(ListQuery {
                    limit: Some(200),
                    after: cursor_at(q, depth),
                    ..q.clone()
                }),
                "  target < 10 ms",
            );
        }
    }
    // Filters that combine (issue 18): any two, a page of 200 newest first.
    let day = |d: &str| Some(d.to_string());
    let pairs: Vec<(&str, ListQuery)> = vec![
        (
            "generator a1111 + model model-3",
            ListQuery {
                generator: Some("a1111".into()),
                model: Some("model-3".into()),
                ..Default::default()
            },
        ),
        (
            "format png + tag favourite",
            ListQuery {
                format: Some("png".into()),
                tags: Some(vec!["favourite".into()]),
                ..Default::default()
            },
        ),
        (
            "camera EOS R5 + taken in 2020",
            ListQuery {
                camera: Some("EOS R5".into()),
                from: day("2020-01-01"),
                to: day("2020-12-31"),
                ..Default::default()
            },
        ),
        (
            "AI-made + public",
            ListQuery {
                generator: Some("any".into()),
                visibility: Some(Visibility::Public),
                ..Default::default()
            },
        ),
        (
            "format webp + taken since 2024",
            ListQuery {
                format: Some("webp".into()),
                from: day("2024-01-01"),
                ..Default::default()
            },
        ),
        (
            "tags favourite AND travel",
            ListQuery {
                tags: Some(vec!["favourite".into(), "travel".into()]),
                all_tags: Some(true),
                ..Default::default()
            },
        ),
        (
            "camera Pixel 8 + format jpeg",
            ListQuery {
                camera: Some("pixel 8".into()),
                format: Some("jpeg".into()),
                ..Default::default()
            },
        ),
        (
            "portrait + format webp",
            ListQuery {
                orientation: Some("portrait".into()),
                format: Some("webp".into()),
                ..Default::default()
            },
        ),
        (
            "size small + AI-made",
            ListQuery {
                size: Some("small".into()),
                generator: Some("any".into()),
                ..Default::default()
            },
        ),
        (
            "taken in May 2010 + not AI",
            ListQuery {
                from: day("2010-05-01"),
                to: day("2010-05-31"),
                generator: Some("none".into()),
                ..Default::default()
            },
        ),
        (
            "tag favourite + public",
            ListQuery {
                tag: Some("favourite".into()),
                visibility: Some(Visibility::Public),
                ..Default::default()
            },
        ),
        (
            "search dragon + tag favourite",
            ListQuery {
                search: Some("dragon".into()),
                tag: Some("favourite".into()),
                ..Default::default()
            },
        ),
    ];
    for (what, q) in &pairs {
        show(
            what,
            page(ListQuery {
                limit: Some(200),
                ..q.clone()
            }),
            "  target < 10 ms",
        );
    }
    // Full text: a common word, several words, a rare one (one file name), prefixes.
    for q in [
        "dragon",
        "golden hour castle",
        "IMG_042017",
        "IMG_0420",
        "drag",
        "model-3",
        "nothingmatches",
    ] {
        show(
            &format!("FTS {q:?} (200 newest)"),
            page(ListQuery {
                limit: Some(200),
                search: Some(q.into()),
                ..Default::default()
            }),
            "  target < 20 ms",
        );
    }
    counts(cat, &single, &pairs);
    println!(
        "catalog.db  {:.0} bytes per image ({:.1} MiB)",
        file_bytes(cat.path()) as f64 / rows as f64,
        file_bytes(cat.path()) as f64 / (1024.0 * 1024.0)
    );
}

/// What the sidebar reads after every change (`library_info`, `stats`, `tag_counts`, the
/// sync status), the filter bar's values (`facets`) and the result count of the chips
/// (`count_images`, asked when the library's counts cannot tell: two filters or a search).
fn counts(cat: &Catalog, single: &[(&str, ListQuery)], pairs: &[(&str, ListQuery)]) {
    let time = |what: &str, f: &mut dyn FnMut() -> u64| {
        let mut n = 0;
        let d = median(11, || n = f());
        println!("{what:<44} {:8.3} ms  ({n})  target < 50 ms", ms(d));
        d
    };
    let sidebar = [
        time("count: library_info (all images)", &mut || {
            cat.count(&ListQuery::default()).expect("count")
        }),
        time("count: stats", &mut || cat.stats().expect("stats").images),
        time("count: tag_counts", &mut || {
            cat.tag_counts().expect("tags").len() as u64
        }),
        time("count: sync status", &mut || {
            cat.sync_counts().expect("sync").queued
        }),
    ];
    println!(
        "{:<44} {:8.3} ms  (one refresh, one after another)",
        "count: the sidebar's refresh",
        ms(sidebar.iter().sum())
    );
    time("count: facets (filter bar)", &mut || {
        cat.facets().expect("facets").formats.len() as u64
    });
    for (what, q) in single.iter().chain(pairs.iter().take(4)) {
        time(&format!("count_images: {what}"), &mut || {
            cat.count(q).expect("count")
        });
    }
    time("count_images: search dragon", &mut || {
        cat.count(&ListQuery {
            search: Some("dragon".into()),
            ..Default::default()
        })
        .expect("count")
    });
}

/// A SQLite database's size on disk, its WAL included.
pub fn file_bytes(db: &std::path::Path) -> u64 {
    let len = |p: std::path::PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    len(db.to_path_buf()) + len(wal.into())
}

/// Rows made one by one before [`grow`] copies them: every pattern of [`fill`] (i mod 3, 4,
/// 5, 7, 8, 10) repeats after 840 rows, and 120 of those make 100,800.
pub const BLOCK: usize = 100_800;

/// Grows a catalog of at least [`BLOCK`] rows made by [`fill`] to `rows`, fast: row `i`
/// copies row `i mod BLOCK` (its prompt, tags, dates taken, sizes) under its own id, content
/// hash, file name and date added, with its tags, source and search entry, in transactions of
/// 20,000 rows (one per image would take an hour for a million). The catalog's triggers run
/// for every row, as at import.
pub fn grow(cat: &mut Catalog, rows: usize) -> usize {
    let existing: i64 = cat
        .conn()
        .query_row("SELECT count(*) FROM images", [], |r| r.get(0))
        .expect("count");
    let existing = existing as usize;
    assert!(existing >= BLOCK, "grow needs {BLOCK} rows made by fill");
    let mut i = existing;
    while i < rows {
        let end = rows.min(i + 20_000);
        let tx = cat.write().expect("write");
        {
            let mut src = tx
                .prepare_cached("SELECT seq FROM images WHERE created_at = ?1")
                .expect("src");
            let mut image = tx
                .prepare_cached(
                    "INSERT INTO images (id, sha256, filename, format, mime, ext, bytes, width,
                        height, orientation, storage, path, source_kind, source, taken_at,
                        camera_make, camera_model, generator, prompt, negative_prompt, model, seed,
                        steps, sampler, cfg, ai_raw, visibility, created_at, updated_at)
                     SELECT ?2, ?3, ?4 || substr(filename, 11), format, mime, ext, bytes, width,
                        height, orientation, storage, substr(?3, 1, 2) || '/' || substr(?3, 3, 2)
                        || '/' || ?3 || '.' || ext, source_kind, ?5, taken_at, camera_make,
                        camera_model, generator, prompt, negative_prompt, model, seed, steps,
                        sampler, cfg, ai_raw, visibility, ?6, ?6
                     FROM images WHERE seq = ?1",
                )
                .expect("image");
            let mut rest = tx
                .prepare_cached(
                    "INSERT INTO image_tags (tag_id, image_seq)
                         SELECT tag_id, ?2 FROM image_tags WHERE image_seq = ?1",
                )
                .expect("tags");
            let mut source = tx
                .prepare_cached(
                    "INSERT INTO image_sources (image_seq, kind, source, fetched_at, added_at)
                     SELECT ?1, source_kind, source, NULL, created_at FROM images WHERE seq = ?1",
                )
                .expect("source");
            let mut fts = tx
                .prepare_cached(
                    "INSERT INTO images_fts (rowid, filename, prompt, negative_prompt, model, tags, extra)
                     SELECT seq, filename, coalesce(prompt, ''), coalesce(negative_prompt, ''),
                            coalesce(model, ''),
                            coalesce((SELECT group_concat(t.name, ' ') FROM image_tags it
                                      JOIN tags t ON t.id = it.tag_id WHERE it.image_seq = ?2), ''),
                            (SELECT extra FROM images_fts WHERE rowid = ?1)
                     FROM images WHERE seq = ?2",
                )
                .expect("fts");
            for n in i..end {
                let from: i64 = src
                    .query_row([1_700_000_000_000 + (n % BLOCK) as i64 * 1000], |r| {
                        r.get(0)
                    })
                    .expect("source row");
                let sha = format!("{:064x}", n as u128 * 0x9E3779B97F4A7C15);
                image
                    .execute(rusqlite::params![
                        from,
                        ulid::Ulid::new().to_string(),
                        sha,
                        format!("IMG_{n:06}"),
                        format!("/photos/{n}.jpg"),
                        1_700_000_000_000 + n as i64 * 1000,
                    ])
                    .expect("copy image");
                let seq = tx.last_insert_rowid();
                rest.execute([from, seq]).expect("copy tags");
                source.execute([seq]).expect("source");
                fts.execute([from, seq]).expect("search entry");
            }
        }
        tx.commit().expect("commit");
        i = end;
    }
    rows.saturating_sub(existing)
}

/// Adds synthetic rows until the catalog has `rows` images; returns how many it added.
pub fn fill(cat: &mut Catalog, rows: usize) -> usize {
    let existing: i64 = cat
        .conn()
        .query_row("SELECT count(*) FROM images", [], |r| r.get(0))
        .expect("count");
    let mut seed = 0x2545F4914F6CDD1Du64;
    let mut rnd = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in existing as usize..rows {
        let prompt: Vec<&str> = (0..12)
            .map(|_| WORDS[(rnd() % WORDS.len() as u64) as usize])
            .collect();
        let sha = format!("{:064x}", i as u128 * 0x9E3779B97F4A7C15);
        let ai = (i % 3 == 0).then(|| AiParams {
            generator: Generator::A1111,
            prompt: Some(prompt.join(", ")),
            negative_prompt: Some("blurry, lowres".into()),
            model: Some(format!("model-{}", i % 7)),
            seed: Some(rnd()),
            steps: Some(20),
            sampler: Some("Euler a".into()),
            cfg: Some(7.0),
            raw: Default::default(),
        });
        // AI images are PNGs; one photo in five a WebP; the rest JPEGs from four cameras.
        let (format, ext) = if i % 3 == 0 {
            ("png", "png")
        } else if i % 5 == 0 {
            ("webp", "webp")
        } else {
            ("jpeg", "jpg")
        };
        let camera = (i % 3 != 0).then(|| CAMERAS[i % CAMERAS.len()]);
        // Five in eight landscape 12 MP, one a 12 MP photo turned upright by its EXIF
        // orientation, one a 1.5 MP portrait, one a small square.
        let (width, height, orientation) = match i % 8 {
            0..=4 => (4000, 3000, 1),
            5 => (4000, 3000, 6),
            6 => (1024, 1536, 1),
            _ => (512, 512, 1),
        };
        let img = NewImage {
            id: ulid::Ulid::new().to_string(),
            sha256: sha.clone(),
            filename: format!("IMG_{i:06}_{}.{ext}", prompt[0]),
            format: format.into(),
            mime: format!("image/{format}"),
            ext: ext.into(),
            bytes: 100_000 + rnd() % 5_000_000,
            width,
            height,
            orientation,
            storage: Storage::Managed,
            path: format!("{}/{}/{sha}.{ext}", &sha[0..2], &sha[2..4]),
            source_kind: SourceKind::File,
            source: Some(format!("/photos/{i}.jpg")),
            fetched_at: None,
            taken_at: Some(format!(
                "20{:02}-{:02}-{:02}T12:00:00",
                rnd() % 25,
                1 + rnd() % 12,
                1 + rnd() % 28
            )),
            camera_make: camera.map(|c| c.0.to_string()),
            camera_model: camera.map(|c| c.1.to_string()),
            gps: None,
            has_serial: false,
            exif_json: None,
            icc: false,
            ai_search: String::new(),
            ai,
            visibility: [
                Visibility::Private,
                Visibility::Unlisted,
                Visibility::Public,
            ][i % 3],
            created_at: 1_700_000_000_000 + i as i64 * 1000,
        };
        let mut tags = Vec::new();
        if i % 10 == 0 {
            tags.push("favourite".to_string());
        }
        if i % 7 == 0 {
            tags.push("travel".to_string());
        }
        cat.insert_image(&img, &tags, 0, "bench", None)
            .expect("insert");
    }
    rows.saturating_sub(existing as usize)
}
