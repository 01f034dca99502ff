//! Filters against a real catalog: `count` counts exactly what `list` lists, orientation and
//! size as displayed, and the plans that keep a page of them off a full scan and a sort.

use super::{count_sql, page_sql};
use crate::catalog::selection::tests::{catalog, fake};
use crate::catalog::{Catalog, ListQuery};
use crate::import::ai::{AiParams, Generator};
use crate::model::Visibility;

/// Twelve images `img-<i>.jpg` of every kind the filters tell apart; their ids by `i`.
///
/// - AI (i % 3 == 0): PNG, a1111 (0, 3, 6: models `SDXL`, `SDXL`, `sdxl`) or comfyui (9,
///   `Flux`); the others JPEG but 5 and 10 (WebP).
/// - cameras: 1 and 4 Canon EOS R5, 2 Google Pixel 8, 8 `eos r5` without a make, 7 a Leica
///   without a model.
/// - shape by i % 4: 0 4000×3000 (landscape, large), 1 3000×4000 (portrait, large),
///   2 1200×900 turned by EXIF orientation 6 (portrait, medium), 3 800×800 (square, small).
/// - tags: even i `red`, i % 3 == 0 `blue`; taken 2020-06-0(i+1) for i < 6.
pub(crate) fn varied(cat: &mut Catalog) -> Vec<String> {
    (0..12)
        .map(|i| {
            let mut img = fake(i, &format!("img-{i}.jpg"), Visibility::Private);
            if i % 3 == 0 {
                img.format = "png".into();
                img.ai = Some(AiParams {
                    generator: if i == 9 {
                        Generator::ComfyUi
                    } else {
                        Generator::A1111
                    },
                    prompt: Some("a red fox".into()),
                    negative_prompt: None,
                    model: Some(["SDXL", "SDXL", "sdxl", "Flux"][i / 3].into()),
                    seed: None,
                    steps: None,
                    sampler: None,
                    cfg: None,
                    raw: Default::default(),
                });
            } else if i == 5 || i == 10 {
                img.format = "webp".into();
            }
            (img.camera_make, img.camera_model) = match i {
                1 | 4 => (Some("Canon".into()), Some("EOS R5".into())),
                2 => (Some("Google".into()), Some("Pixel 8".into())),
                7 => (Some("Leica".into()), None),
                8 => (None, Some("eos r5".into())),
                _ => (None, None),
            };
            (img.width, img.height, img.orientation) = match i % 4 {
                0 => (4000, 3000, 1),
                1 => (3000, 4000, 1),
                2 => (1200, 900, 6),
                _ => (800, 800, 1),
            };
            img.taken_at = (i < 6).then(|| format!("2020-06-0{}T10:00:00", i + 1));
            let mut tags = Vec::new();
            if i % 2 == 0 {
                tags.push("red".to_string());
            }
            if i % 3 == 0 {
                tags.push("blue".to_string());
            }
            cat.insert_image(&img, &tags, 0, "test", None)
                .expect("insert");
            img.id
        })
        .collect()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[test]
fn count_is_what_list_lists_for_every_filter() {
    let (_d, mut cat) = catalog();
    let ids = varied(&mut cat);
    let tags = |t: &[&str], all: bool| ListQuery {
        tags: Some(t.iter().map(|t| t.to_string()).collect()),
        all_tags: all.then_some(true),
        ..ListQuery::default()
    };
    // (query, the images it matches by i)
    let cases: Vec<(ListQuery, Vec<usize>)> = vec![
        (ListQuery::default(), (0..12).collect()),
        (
            ListQuery {
                generator: s("a1111"),
                ..ListQuery::default()
            },
            vec![0, 3, 6],
        ),
        (
            ListQuery {
                model: s("sdxl"),
                ..ListQuery::default()
            },
            vec![0, 3, 6],
        ),
        (
            ListQuery {
                format: s("webp"),
                ..ListQuery::default()
            },
            vec![5, 10],
        ),
        (
            ListQuery {
                camera: s("canon"),
                ..ListQuery::default()
            },
            vec![1, 4],
        ),
        (
            ListQuery {
                camera: s("EOS R5"),
                ..ListQuery::default()
            },
            vec![1, 4, 8],
        ),
        (
            ListQuery {
                orientation: s("portrait"),
                ..ListQuery::default()
            },
            vec![1, 2, 5, 6, 9, 10],
        ),
        (
            ListQuery {
                orientation: s("Landscape"),
                ..ListQuery::default()
            },
            vec![0, 4, 8],
        ),
        (
            ListQuery {
                orientation: s("square"),
                size: s("small"),
                ..ListQuery::default()
            },
            vec![3, 7, 11],
        ),
        (
            ListQuery {
                size: s("large"),
                orientation: s("portrait"),
                ..ListQuery::default()
            },
            vec![1, 5, 9],
        ),
        (
            ListQuery {
                size: s("medium"),
                ..ListQuery::default()
            },
            vec![2, 6, 10],
        ),
        (tags(&["red", "blue"], false), vec![0, 2, 3, 4, 6, 8, 9, 10]),
        (tags(&["red", "blue"], true), vec![0, 6]),
        (
            ListQuery {
                tag: s("blue"),
                size: s("large"),
                ..tags(&["red"], true)
            },
            vec![0],
        ),
        (
            ListQuery {
                search: s("img-7"),
                ..ListQuery::default()
            },
            vec![7],
        ),
        (
            ListQuery {
                search: s("fox"),
                orientation: s("portrait"),
                ..ListQuery::default()
            },
            vec![6, 9],
        ),
        (
            ListQuery {
                from: s("2020-06-01"),
                to: s("2020-06-03"),
                generator: s("none"),
                ..ListQuery::default()
            },
            vec![1, 2],
        ),
        (
            ListQuery {
                search: s(" ,, "),
                ..ListQuery::default()
            },
            vec![],
        ),
    ];
    for (q, want) in cases {
        let mut want: Vec<String> = want.iter().map(|&i| ids[i].clone()).collect();
        want.sort();
        let mut listed: Vec<String> = cat.list(&q).unwrap().into_iter().map(|r| r.id).collect();
        listed.sort();
        assert_eq!(listed, want, "list {q:?}");
        assert_eq!(cat.count(&q).unwrap(), want.len() as u64, "count {q:?}");
        let paged = ListQuery {
            limit: Some(1),
            after: listed.first().cloned(),
            ..q.clone()
        };
        assert_eq!(
            cat.count(&paged).unwrap_or(u64::MAX),
            want.len() as u64,
            "count ignores limit and page position: {q:?}"
        );
    }
    for (q, what) in [
        (
            ListQuery {
                orientation: s("tall"),
                ..ListQuery::default()
            },
            "orientation",
        ),
        (
            ListQuery {
                size: s("huge"),
                ..ListQuery::default()
            },
            "size",
        ),
    ] {
        let e = cat.count(&q).unwrap_err();
        assert!(
            matches!(&e, crate::error::Error::Invalid { what: w, .. } if *w == what),
            "{e}"
        );
        assert!(cat.list(&q).is_err(), "list refuses it too");
    }
}

/// The plan of a statement with its arguments, one line per step.
pub(crate) fn plan(cat: &Catalog, sql: &str, args: Vec<rusqlite::types::Value>) -> Vec<String> {
    let mut stmt = cat
        .conn()
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    stmt.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// A newest-first page of one orientation or size walks its index (schema 8) already in
/// order and stops after the page: no full scan, no sort. Counting reads the index alone.
#[test]
fn orientation_and_size_pages_walk_their_index_in_order() {
    let (_d, mut cat) = catalog();
    varied(&mut cat);
    for (q, index) in [
        (
            ListQuery {
                orientation: s("portrait"),
                ..ListQuery::default()
            },
            "images_shape",
        ),
        (
            ListQuery {
                size: s("large"),
                ..ListQuery::default()
            },
            "images_pixels",
        ),
    ] {
        let (sql, args) = page_sql(
            cat.conn(),
            &ListQuery {
                limit: Some(200),
                ..q.clone()
            },
        )
        .unwrap()
        .unwrap();
        let page = plan(&cat, &sql, args);
        assert!(
            page.iter()
                .any(|p| p.contains(&format!("INDEX {index} (<expr>=?)"))),
            "{q:?}: {page:?}"
        );
        assert!(!page.iter().any(|p| p.contains("TEMP B-TREE")), "{page:?}");
        let (sql, args) = count_sql(cat.conn(), &q).unwrap().unwrap();
        let count = plan(&cat, &sql, args);
        assert_eq!(
            count,
            vec![format!(
                "SEARCH images USING COVERING INDEX {index} (<expr>=?)"
            )],
            "{q:?}"
        );
    }
}

/// Filters that each walk their own index in date order are intersected as sorted streams
/// (index only, no sort), and paging through them with `after`, newest or oldest first,
/// neither repeats nor skips an image.
#[test]
fn filters_in_date_order_merge_their_index_walks_and_page() {
    use crate::model::Sort;
    let (_d, mut cat) = catalog();
    varied(&mut cat);
    let merged = [
        ListQuery {
            generator: s("any"),
            orientation: s("portrait"),
            ..ListQuery::default()
        },
        ListQuery {
            format: s("jpeg"),
            size: s("large"),
            visibility: Some(Visibility::Private),
            ..ListQuery::default()
        },
        ListQuery {
            camera: s("eos r5"),
            orientation: s("landscape"),
            ..ListQuery::default()
        },
    ];
    for q in &merged {
        let (sql, args) = page_sql(cat.conn(), q).unwrap().unwrap();
        let p = plan(&cat, &sql, args);
        assert!(
            p.iter().any(|l| l.contains("MERGE (INTERSECT)")),
            "{q:?}: {p:?}"
        );
        assert!(!p.iter().any(|l| l.contains("TEMP B-TREE")), "{q:?}: {p:?}");
        assert!(
            !p.iter()
                .any(|l| l.starts_with("SCAN images") && !l.contains("INDEX")),
            "{q:?}: {p:?}"
        );
    }
    let not_merged = ListQuery {
        generator: s("none"),
        format: s("jpeg"),
        ..ListQuery::default()
    };
    let (sql, args) = page_sql(cat.conn(), &not_merged).unwrap().unwrap();
    assert!(
        !plan(&cat, &sql, args)
            .iter()
            .any(|l| l.contains("INTERSECT")),
        "`none` has no index of its own: the usual plan"
    );
    for q in merged.into_iter().chain([not_merged]) {
        for sort in [Sort::Newest, Sort::Oldest] {
            let q = ListQuery {
                sort: Some(sort),
                ..q.clone()
            };
            let all: Vec<String> = cat.list(&q).unwrap().into_iter().map(|r| r.id).collect();
            assert!(!all.is_empty(), "{q:?} matches something");
            assert_eq!(cat.count(&q).unwrap(), all.len() as u64, "{q:?}");
            let mut paged = Vec::new();
            let mut after = None;
            loop {
                let page = cat
                    .list(&ListQuery {
                        limit: Some(1),
                        after: after.clone(),
                        ..q.clone()
                    })
                    .unwrap();
                let Some(last) = page.last() else { break };
                after = Some(last.id.clone());
                paged.extend(page.into_iter().map(|r| r.id));
            }
            assert_eq!(paged, all, "{q:?}: pages of one, in order");
            let mut newest_first = all.clone();
            if sort == Sort::Oldest {
                newest_first.reverse();
            }
            let mut by_created = newest_first.clone();
            by_created.sort_by_key(|id| {
                std::cmp::Reverse(cat.get(id).map(|r| (r.created_ms, r.seq)).unwrap())
            });
            assert_eq!(newest_first, by_created, "{q:?}: {sort:?} order");
        }
    }
}

/// A large tag or search is paged from a window of the date index first (`page_sql_in`).
/// Forced here on a small catalog whose dates are out of step with the order images were
/// added in (as after a restore): every window that holds a full page gives exactly the
/// whole walk's page, at every position of the listing, and its plan seeks the FTS and tag
/// indexes to the window's `seq` range.
#[test]
fn a_window_of_the_date_index_pages_exactly_like_the_whole_walk() {
    use super::page_sql_with;
    let (_d, mut cat) = catalog();
    for i in 0..90usize {
        let mut img = fake(i, &format!("img-{i}.jpg"), Visibility::Private);
        // Mostly in step with `seq`, with some added long before or after their neighbours.
        img.created_at = 1_000_000
            + if i % 7 == 3 {
                (89 - i) as i64
            } else {
                i as i64
            } * 1000;
        if i % 5 == 0 {
            img.created_at = 1_000_000 + 40_000; // ties, broken by `seq`
        }
        img.visibility = [Visibility::Private, Visibility::Public][i % 2];
        let mut tags = Vec::new();
        if i % 3 != 0 {
            tags.push("red".to_string());
        }
        if i % 4 == 0 {
            tags.push("blue".to_string());
        }
        img.ai_search = if i % 3 == 1 {
            "dragon".into()
        } else {
            String::new()
        };
        cat.insert_image(&img, &tags, 0, "test", None)
            .expect("insert");
    }
    let run = |(sql, args): (String, Vec<rusqlite::types::Value>)| -> Vec<i64> {
        let mut stmt = cat.conn().prepare(&sql).unwrap();
        stmt.query_map(rusqlite::params_from_iter(args), |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let queries = [
        ListQuery {
            tag: s("red"),
            ..Default::default()
        },
        ListQuery {
            tags: Some(vec!["red".into(), "blue".into()]),
            ..Default::default()
        },
        ListQuery {
            tags: Some(vec!["red".into(), "blue".into()]),
            all_tags: Some(true),
            ..Default::default()
        },
        ListQuery {
            search: s("drag"),
            visibility: Some(Visibility::Public),
            ..Default::default()
        },
        ListQuery {
            search: s("dragon"),
            tag: s("red"),
            sort: Some(crate::model::Sort::Oldest),
            ..Default::default()
        },
    ];
    let mut windows_used = 0;
    for q in queries {
        for limit in [1, 4, 7] {
            let mut after: Option<String> = None;
            let mut listed = Vec::new();
            loop {
                let q = ListQuery {
                    limit: Some(limit),
                    after: after.clone(),
                    ..q.clone()
                };
                let page = page_sql_with(cat.conn(), &q, 0, 10).unwrap().unwrap();
                let whole = run(page.whole);
                let window = page.window.expect("a window on 90 images");
                let plan = plan(&cat, &window.0, window.1.clone());
                assert!(
                    plan.iter().any(|p| p.contains("images_fts VIRTUAL TABLE")
                        || p.contains(
                            "USING PRIMARY KEY (tag_id=? AND image_seq>? AND image_seq<?)"
                        )),
                    "{q:?}: the window seeks its set by seq range: {plan:?}"
                );
                let from_window = run(window);
                if from_window.len() == limit {
                    windows_used += 1;
                    assert_eq!(from_window, whole, "{q:?}: the window's page is the page");
                }
                if whole.is_empty() {
                    break;
                }
                listed.extend(whole.iter().copied());
                after = Some(cat.get_by_seq(*whole.last().unwrap()).unwrap().id);
            }
            let all = cat
                .list(&ListQuery {
                    limit: Some(1000),
                    ..q.clone()
                })
                .unwrap();
            assert_eq!(
                listed,
                all.iter().map(|r| r.seq).collect::<Vec<_>>(),
                "{q:?}: pages of {limit} list everything once, in order"
            );
        }
    }
    assert!(
        windows_used > 20,
        "windows answered most pages ({windows_used})"
    );
}
