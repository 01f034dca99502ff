//! The counts the triggers keep (schema 11) against the images themselves: after inserts,
//! duplicates, visibility and remote-state changes, tag edits and deletes, `stats`,
//! `tag_counts` and `count` say what a scan of the rows says.

use std::collections::BTreeMap;

use super::Bucket;
use crate::catalog::query::tests::varied;
use crate::catalog::selection::tests::catalog;
use crate::catalog::{Catalog, Cursor, ListQuery, Selection};
use crate::model::Visibility;

/// Counts and bytes per value of a column, scanned from the rows (what `stats` used to run).
fn scanned(cat: &Catalog, col: &str) -> BTreeMap<String, Bucket> {
    let mut stmt = cat
        .conn()
        .prepare(&format!(
            "SELECT {col}, count(*), sum(bytes) FROM images WHERE {col} IS NOT NULL GROUP BY {col}"
        ))
        .expect("prepare");
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Bucket {
                count: r.get::<_, i64>(1)? as u64,
                bytes: r.get::<_, i64>(2)? as u64,
            },
        ))
    })
    .expect("query")
    .collect::<Result<_, _>>()
    .expect("rows")
}

fn scanned_tags(cat: &Catalog) -> Vec<(String, i64)> {
    let mut stmt = cat
        .conn()
        .prepare(
            "SELECT t.name, count(*) AS n FROM tags t JOIN image_tags it ON it.tag_id = t.id
             GROUP BY t.id ORDER BY n DESC, t.name",
        )
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn assert_counts_match_rows(cat: &Catalog, after: &str) {
    let stats = cat.stats().expect("stats");
    let (images, bytes): (i64, i64) = cat
        .conn()
        .query_row(
            "SELECT count(*), coalesce(sum(bytes), 0) FROM images",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("scan");
    assert_eq!(
        (stats.images, stats.bytes),
        (images as u64, bytes as u64),
        "{after}: images and bytes in all"
    );
    assert_eq!(
        cat.count(&ListQuery::default()).expect("count"),
        images as u64,
        "{after}: the unfiltered count"
    );
    for (facet, col) in [
        (&stats.by_format, "format"),
        (&stats.by_source, "source_kind"),
        (&stats.by_visibility, "visibility"),
        (&stats.by_remote_state, "remote_state"),
    ] {
        assert_eq!(facet, &scanned(cat, col), "{after}: by {col}");
    }
    let ai: u64 = scanned(cat, "generator").values().map(|b| b.count).sum();
    assert_eq!(stats.with_ai_parameters, ai, "{after}: made by AI");
    assert_eq!(
        cat.tag_counts().expect("tag counts"),
        scanned_tags(cat),
        "{after}: tags"
    );
}

#[test]
fn the_kept_counts_follow_every_change_to_the_images() {
    let (_d, mut cat) = catalog();
    assert_counts_match_rows(&cat, "an empty catalog");
    let ids = varied(&mut cat);
    assert_counts_match_rows(&cat, "twelve imports");
    assert_eq!(cat.stats().unwrap().images, 12);

    // A duplicate import merges; nothing is counted twice.
    let mut again = crate::catalog::selection::tests::fake(0, "again.jpg", Visibility::Public);
    again.format = "png".into();
    cat.insert_image(&again, &["green".into()], 0, "test", None)
        .expect("duplicate");
    assert_counts_match_rows(&cat, "a duplicate with a new tag");

    cat.set_visibility(&ids[1], Visibility::Public)
        .expect("public");
    cat.set_visibility(&ids[1], Visibility::Public)
        .expect("public again");
    let everything = Selection::Query {
        query: ListQuery {
            format: Some("png".into()),
            ..Default::default()
        },
        except: Vec::new(),
    };
    cat.set_visibility_chunk(
        &everything,
        &mut Cursor::default(),
        500,
        Visibility::Unlisted,
    )
    .expect("bulk visibility");
    assert_counts_match_rows(&cat, "visibility changes");

    cat.conn()
        .execute(
            "UPDATE images SET remote_state = 'failed' WHERE id = ?1",
            [&ids[2]],
        )
        .expect("a failed upload");
    cat.conn()
        .execute(
            "UPDATE images SET remote_state = 'synced' WHERE remote_state = 'local' AND seq % 2 = 0",
            [],
        )
        .expect("some uploaded");
    assert_counts_match_rows(&cat, "remote states");

    cat.edit_tags_chunk(
        &everything,
        &mut Cursor::default(),
        500,
        &["travel".into()],
        &["blue".into()],
    )
    .expect("tag edit");
    assert_counts_match_rows(&cat, "tags added and removed");

    cat.remove(&ids[0]).expect("remove");
    cat.forget(&ids[5]).expect("forget");
    cat.remove_chunk(&everything, &mut Cursor::default(), 500, true)
        .expect("bulk remove");
    assert_counts_match_rows(&cat, "deletes");
    assert!(
        !cat.stats().unwrap().by_format.contains_key("png"),
        "a format no image has any more is not listed"
    );
    assert!(
        !cat.tag_counts().unwrap().iter().any(|(t, _)| t == "travel"),
        "nor a tag no image has"
    );
}
