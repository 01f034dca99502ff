//! The search expression: the prefix form, its expansion from the vocabulary, and the same
//! rows either way on a catalog whose words share their beginnings.

use super::{fts_query, fts_query_in, terms_starting_with, MAX_EXPANSION};
use crate::catalog::query::tests::plan;
use crate::catalog::selection::tests::{catalog, fake};
use crate::catalog::{Catalog, ListQuery};
use crate::model::Visibility;

#[test]
fn fts_query_quotes_every_term_as_prefix() {
    assert_eq!(
        fts_query("red cat").as_deref(),
        Some("\"red\"* AND \"cat\"*")
    );
    assert_eq!(
        fts_query("\"oops AND (x:1.2)").as_deref(),
        Some("\"oops\"* AND \"AND\"* AND \"x:1.2\"*"),
        "syntax characters must be quoted, not interpreted"
    );
    assert_eq!(fts_query("  ,, "), None, "nothing to search for");
}

/// File names whose words share beginnings: `cat`, `cats`, `catalog`; `model-3`, `model-30`,
/// `model 3b`; letters with accents; and more than [`MAX_EXPANSION`] words starting with `ab`.
fn shared_prefixes(cat: &mut Catalog) {
    let mut names: Vec<String> = [
        "cat on a mat",
        "cats and dogs",
        "CATALOG page",
        "model-3 render",
        "model-30 render",
        "model 3b test",
        "3 models",
        "Café crème",
        "über cat",
        "IMG_0420",
        "IMG_042017",
        "img_5",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    names.extend((0..MAX_EXPANSION + 4).map(|i| format!("ab{i:02} abc")));
    for (i, name) in names.iter().enumerate() {
        cat.insert_image(
            &fake(i, &format!("{name}.jpg"), Visibility::Private),
            &[],
            0,
            "test",
            None,
        )
        .expect("insert");
    }
}

fn rows(cat: &Catalog, fts: &str) -> Vec<i64> {
    let mut stmt = cat
        .conn()
        .prepare("SELECT rowid FROM images_fts WHERE images_fts MATCH ?1 ORDER BY rowid")
        .unwrap();
    stmt.query_map([fts], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn expanded_searches_find_what_the_prefix_search_finds() {
    let (_d, mut cat) = catalog();
    shared_prefixes(&mut cat);
    for q in [
        "cat",
        "ca",
        "cats",
        "catalog",
        "CAT dog",
        "model-3",
        "model-30",
        "model 3",
        "model-3 render",
        "3",
        "img_0420",
        "IMG",
        "img_5",
        "ab",
        "ab1",
        "abc ab0",
        "caf",
        "café",
        "uber",
        "über",
        "jpg",
        "x",
        "cat zebra",
        "\"oops AND (x:1.2)",
    ] {
        let prefix = fts_query(q).expect("words");
        let expanded = fts_query_in(cat.conn(), q).expect("lookup");
        let found = expanded
            .as_deref()
            .map(|e| rows(&cat, e))
            .unwrap_or_default();
        assert_eq!(
            found,
            rows(&cat, &prefix),
            "{q:?}: {expanded:?} finds what {prefix:?} finds"
        );
        let listed = cat
            .list(&ListQuery {
                search: Some(q.into()),
                ..ListQuery::default()
            })
            .expect("list");
        assert_eq!(listed.len(), found.len(), "{q:?}: list");
    }
}

#[test]
fn few_terms_replace_the_prefix_and_many_keep_it() {
    let (_d, mut cat) = catalog();
    shared_prefixes(&mut cat);
    let q = |s: &str| fts_query_in(cat.conn(), s).expect("lookup");
    assert_eq!(q("catalog").as_deref(), Some("\"catalog\""), "a whole word");
    assert_eq!(
        q("Cat").as_deref(),
        Some("(\"cat\" OR \"catalog\" OR \"cats\")"),
        "the terms a prefix stands for, in the index's letter case"
    );
    assert_eq!(
        q("model-3").as_deref(),
        Some("(\"model 3\" OR \"model 30\" OR \"model 3b\")"),
        "a phrase: its last token stands for the terms"
    );
    assert_eq!(
        q("golden cats").as_deref(),
        None,
        "a word no term starts with: nothing can match"
    );
    assert_eq!(
        q("ab").as_deref(),
        Some("\"ab\"*"),
        "too many terms: the prefix"
    );
    assert_eq!(
        q("café").as_deref(),
        Some("\"café\"*"),
        "not ASCII: the prefix"
    );
    assert_eq!(q(" ,, ").as_deref(), None, "no words");
}

#[test]
fn the_vocabulary_is_sought_not_scanned() {
    let (_d, mut cat) = catalog();
    shared_prefixes(&mut cat);
    assert_eq!(
        terms_starting_with(cat.conn(), "ab1", MAX_EXPANSION).unwrap(),
        Some(
            (10..MAX_EXPANSION + 4)
                .map(|i| format!("ab{i:02}"))
                .collect()
        ),
    );
    assert_eq!(
        terms_starting_with(cat.conn(), "ab", MAX_EXPANSION).unwrap(),
        None
    );
    let p = plan(
        &cat,
        "SELECT term FROM images_fts_terms WHERE term >= ?1 LIMIT 1",
        vec![rusqlite::types::Value::Text("ab".into())],
    );
    // fts5vocab's plan number carries FTS5_VOCAB_TERM_GE (0x200) when it seeks to the term.
    let index: i64 = p
        .iter()
        .find_map(|l| l.split("VIRTUAL TABLE INDEX ").nth(1))
        .and_then(|n| n.trim_end_matches(':').split(':').next()?.parse().ok())
        .unwrap_or_else(|| panic!("a virtual table plan: {p:?}"));
    assert_ne!(
        index & 0x200,
        0,
        "the term bound goes to the vocabulary: {p:?}"
    );
}

/// A search's size for the plan: scaled from the newest images when they hold enough matches
/// (a prefix sampled as the whole word), counted in full otherwise.
#[test]
fn a_search_is_sized_from_the_newest_images() {
    use crate::catalog::query::search_matches_with;
    let (_d, mut cat) = catalog();
    // 300 images: "old" in the first 30, then "red" in every third.
    for i in 0..300 {
        let name = match i {
            _ if i < 30 => format!("old {i}.jpg"),
            _ if i % 3 == 0 => format!("red {i}.jpg"),
            _ => format!("blue {i}.jpg"),
        };
        cat.insert_image(&fake(i, &name, Visibility::Private), &[], 0, "test", None)
            .expect("insert");
    }
    let size = |fts: &str, sample| search_matches_with(cat.conn(), fts, sample).unwrap();
    assert_eq!(
        size("\"red\"", 90),
        30 * 300 / 90,
        "30 of the newest 90, scaled"
    );
    assert_eq!(
        size("\"old\"", 90),
        30,
        "none among the newest: counted in full"
    );
    assert_eq!(
        size("\"red\"*", 90),
        30 * 300 / 90,
        "a prefix: sampled as the whole word"
    );
    assert_eq!(
        size("\"re\"*", 90),
        90,
        "a prefix that is no word: counted in full"
    );
    assert_eq!(
        size("\"red\"", 200),
        90,
        "the sample would be most of the library: counted in full"
    );
}
