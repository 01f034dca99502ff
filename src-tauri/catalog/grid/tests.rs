//! Tiles list exactly what `list` lists, and a page by position (`offset`) is the same slice
//! of the listing as paging to it, in every order and with the filters that change the plan.

use super::{prompt_start, PROMPT_START_CHARS};
use crate::catalog::query::tests::varied;
use crate::catalog::selection::tests::{catalog, fake};
use crate::catalog::ListQuery;
use crate::import::ai::{AiParams, Generator};
use crate::model::{Sort, Visibility};

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

/// Queries whose plans differ: plain, each order, a tag, a search, two filters walked side by
/// side (generator + visibility), and a day range.
fn queries() -> Vec<ListQuery> {
    let mut out: Vec<ListQuery> = Sort::ALL
        .iter()
        .map(|&sort| ListQuery {
            sort: Some(sort),
            ..Default::default()
        })
        .collect();
    out.extend([
        ListQuery {
            tag: s("red"),
            ..Default::default()
        },
        ListQuery {
            search: s("fox"),
            ..Default::default()
        },
        ListQuery {
            generator: s("any"),
            visibility: Some(Visibility::Private),
            ..Default::default()
        },
        ListQuery {
            format: s("jpeg"),
            sort: Some(Sort::Oldest),
            ..Default::default()
        },
        ListQuery {
            from: s("2020-06-01"),
            to: s("2020-06-30"),
            ..Default::default()
        },
    ]);
    out
}

#[test]
fn tiles_are_the_listing_in_its_order_with_the_fields_a_tile_shows() {
    let (_d, mut cat) = catalog();
    varied(&mut cat);
    for q in queries() {
        let records = cat.list(&q).unwrap();
        assert!(!records.is_empty(), "{q:?} lists something");
        let tiles = cat.list_grid(&q).unwrap();
        assert_eq!(tiles.len(), records.len(), "{q:?}");
        for (t, r) in tiles.iter().zip(&records) {
            assert_eq!(t.id, r.id, "{q:?}: same order");
            assert_eq!(
                (&t.filename, &t.format, t.width, t.height),
                (&r.filename, &r.format, r.width, r.height)
            );
            assert_eq!(
                (t.visibility, t.remote_state),
                (r.visibility, r.remote_state)
            );
            assert_eq!((&t.remote_error, t.local), (&r.remote_error, r.local));
            assert_eq!(t.prompt_start, r.prompt.clone().and_then(prompt_start));
        }
    }
    let ai = cat
        .list_grid(&ListQuery {
            generator: s("any"),
            ..Default::default()
        })
        .unwrap();
    assert!(ai
        .iter()
        .all(|t| t.prompt_start.as_deref() == Some("a red fox")));
    let json = serde_json::to_value(&ai[0]).unwrap();
    assert_eq!(
        json["promptStart"], "a red fox",
        "the UI's field name: {json}"
    );
    assert!(
        json.get("sha256").is_none(),
        "no field a tile does not show"
    );
}

#[test]
fn a_prompt_is_cut_to_its_first_characters_on_a_character_boundary() {
    let short = "a cat in the rain".to_string();
    assert_eq!(prompt_start(short.clone()), Some(short));
    assert_eq!(prompt_start("   ".into()), None);
    // Multi-byte characters at the cut: counted as characters, never split.
    let long: String = "é🦊x ".repeat(100);
    let cut = prompt_start(long.clone()).unwrap();
    assert!(cut.ends_with('…'));
    let kept = cut.trim_end_matches('…');
    assert!(long.starts_with(kept));
    assert_eq!(
        kept.chars().count(),
        PROMPT_START_CHARS - 1,
        "160 characters, the trailing space trimmed"
    );
    let exact: String = "x".repeat(PROMPT_START_CHARS);
    assert_eq!(
        prompt_start(exact.clone()),
        Some(exact),
        "no cut at the limit"
    );
}

#[test]
fn a_page_by_position_is_the_same_slice_as_paging_to_it() {
    let (_d, mut cat) = catalog();
    varied(&mut cat);
    // More rows, some added at the same moment (ties broken by `seq`), so every query has
    // several pages to skip.
    for i in 12..60usize {
        let mut img = fake(i, &format!("more-{}.jpg", i % 7), Visibility::Private);
        img.created_at = 1_700_000_000_000 + (i as i64 / 3);
        img.bytes = (i as u64 * 37) % 11;
        if i % 3 == 0 {
            img.format = "png".into();
            img.ai = Some(AiParams {
                generator: Generator::ComfyUi,
                prompt: Some(format!("fox number {i}")),
                negative_prompt: None,
                model: None,
                seed: None,
                steps: None,
                sampler: None,
                cfg: None,
                raw: Default::default(),
            });
        }
        img.taken_at = (i % 4 == 0).then(|| format!("2020-06-{:02}T10:00:00", i % 28 + 1));
        let tags: Vec<String> = if i % 2 == 0 {
            vec!["red".into()]
        } else {
            vec![]
        };
        cat.insert_image(&img, &tags, 0, "test", None)
            .expect("insert");
    }
    for q in queries() {
        let all: Vec<String> = cat.list(&q).unwrap().into_iter().map(|r| r.id).collect();
        for limit in [1, 3, 5] {
            for offset in 0..=all.len() {
                let page = ListQuery {
                    limit: Some(limit),
                    offset: Some(offset as u64),
                    ..q.clone()
                };
                let want: Vec<String> = all.iter().skip(offset).take(limit).cloned().collect();
                let got: Vec<String> = cat.list(&page).unwrap().into_iter().map(|r| r.id).collect();
                assert_eq!(got, want, "{page:?}");
                let tiles: Vec<String> = cat
                    .list_grid(&page)
                    .unwrap()
                    .into_iter()
                    .map(|t| t.id)
                    .collect();
                assert_eq!(tiles, want, "tiles of {page:?}");
            }
        }
        // After a cursor: the offset counts from the image after it.
        if all.len() > 4 {
            let page = ListQuery {
                after: Some(all[1].clone()),
                offset: Some(2),
                limit: Some(2),
                ..q.clone()
            };
            let got: Vec<String> = cat.list(&page).unwrap().into_iter().map(|r| r.id).collect();
            assert_eq!(got, all[4..all.len().min(6)].to_vec(), "{page:?}");
        }
    }
}
