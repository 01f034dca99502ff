//! A 100,000-image synthetic catalog: newest-first keyset pages and FTS queries.
//! Targets: a page of 200 < 2 ms, an FTS query < 20 ms, any two filters combined < 10 ms.

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
    println!("\n== catalog: {ROWS} synthetic rows");
    let dir = tempfile::tempdir().expect("tempdir");
    // VITRINE_BENCH_CATALOG=FILE keeps (and reuses) the synthetic catalog between runs.
    let path = std::env::var_os("VITRINE_BENCH_CATALOG")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("catalog.db"));
    let mut cat = Catalog::open(&path).expect("open");
    let t = Instant::now();
    let inserted = fill(&mut cat, ROWS);
    if inserted > 0 {
        println!(
            "insert      {inserted} rows in {:.1} s ({:.0} rows/s, one transaction each)",
            t.elapsed().as_secs_f64(),
            inserted as f64 / t.elapsed().as_secs_f64()
        );
    }

    let page = |q: ListQuery| {
        let mut n = 0;
        let d = median(51, || n = cat.list(&q).expect("list").len());
        (d, n)
    };
    let first = page(ListQuery {
        limit: Some(200),
        ..Default::default()
    });
    println!(
        "newest page of 200 (first)         {:7.3} ms  ({} rows)  target < 2 ms",
        ms(first.0),
        first.1
    );
    let all = cat
        .list(&ListQuery {
            limit: Some(50_200),
            ..Default::default()
        })
        .expect("list");
    let deep_cursor = all.last().map(|r| r.id.clone());
    let deep = page(ListQuery {
        limit: Some(200),
        after: deep_cursor.clone(),
        ..Default::default()
    });
    println!(
        "newest page of 200 (after 50,000)  {:7.3} ms  ({} rows)  target < 2 ms",
        ms(deep.0),
        deep.1
    );
    for sort in [Sort::Oldest, Sort::Taken, Sort::Name, Sort::Size] {
        let p = page(ListQuery {
            limit: Some(200),
            sort: Some(sort),
            after: deep_cursor.clone(),
            ..Default::default()
        });
        println!(
            "{:<10} page of 200 (deep)      {:7.3} ms  ({} rows)",
            sort.as_str(),
            ms(p.0),
            p.1
        );
    }
    let tag = page(ListQuery {
        limit: Some(200),
        tag: Some("favourite".into()),
        ..Default::default()
    });
    println!(
        "tag filter page of 200             {:7.3} ms  ({} rows)",
        ms(tag.0),
        tag.1
    );
    let vis = page(ListQuery {
        limit: Some(200),
        visibility: Some(Visibility::Public),
        ..Default::default()
    });
    println!(
        "visibility filter page of 200      {:7.3} ms  ({} rows)",
        ms(vis.0),
        vis.1
    );
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
    ];
    for (what, q) in pairs {
        let p = page(ListQuery {
            limit: Some(200),
            ..q
        });
        println!(
            "{:<34} {:7.3} ms  ({} rows)  target < 10 ms",
            what,
            ms(p.0),
            p.1
        );
    }
    for q in [
        "dragon",
        "golden hour castle",
        "IMG_0420",
        "model-3",
        "nothingmatches",
    ] {
        let p = page(ListQuery {
            limit: Some(200),
            search: Some(q.into()),
            ..Default::default()
        });
        println!(
            "FTS {:<24} (200)     {:7.3} ms  ({} rows)  target < 20 ms",
            format!("{q:?}"),
            ms(p.0),
            p.1
        );
    }
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
