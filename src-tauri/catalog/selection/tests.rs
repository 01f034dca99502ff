//! Selections resolved against a real catalog: a query minus exceptions, ids in their order
//! with unknown ones named, and keyset chunks that neither repeat nor skip an image while
//! earlier chunks are being changed.

use super::{chunk_sql, query_where, Cursor, Selection, Target};
use crate::catalog::{Catalog, ListQuery, NewImage};
use crate::model::{SourceKind, Storage, Visibility};

/// A catalog row without a file: enough for selections and bulk edits.
pub(crate) fn fake(i: usize, filename: &str, visibility: Visibility) -> NewImage {
    let sha256 = format!("{:064x}", i + 1);
    NewImage {
        id: ulid::Ulid::new().to_string(),
        filename: filename.to_string(),
        format: "jpeg".into(),
        mime: "image/jpeg".into(),
        ext: "jpg".into(),
        bytes: 100,
        width: 10,
        height: 10,
        orientation: 1,
        storage: Storage::Managed,
        path: format!("{}/{}/{sha256}.jpg", &sha256[..2], &sha256[2..4]),
        sha256,
        source_kind: SourceKind::File,
        source: None,
        fetched_at: None,
        taken_at: None,
        camera_make: None,
        camera_model: None,
        gps: None,
        has_serial: false,
        exif_json: None,
        icc: false,
        ai: None,
        ai_search: String::new(),
        visibility,
        created_at: 1_700_000_000_000 + i as i64,
    }
}

/// Adds `n` rows (`img-<i>.jpg`; every third one tagged `cat`); their ids in insertion order.
pub(crate) fn populate(cat: &mut Catalog, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let img = fake(i, &format!("img-{i}.jpg"), Visibility::Private);
            let tags: Vec<String> = if i % 3 == 0 {
                vec!["cat".into()]
            } else {
                vec![]
            };
            cat.insert_image(&img, &tags, 0, "test", None)
                .expect("insert");
            img.id
        })
        .collect()
}

pub(crate) fn catalog() -> (tempfile::TempDir, Catalog) {
    let dir = tempfile::tempdir().expect("tempdir");
    let cat = Catalog::open(&dir.path().join("catalog.db")).expect("open catalog");
    (dir, cat)
}

fn drain(cat: &Catalog, sel: &Selection, size: usize) -> Vec<Vec<String>> {
    let mut cursor = Cursor::default();
    let mut chunks = Vec::new();
    loop {
        let chunk = sel.next_chunk(cat.conn(), &mut cursor, size).unwrap();
        if chunk.is_empty() {
            return chunks;
        }
        assert!(chunk.len() <= size, "a chunk never exceeds its size");
        chunks.push(chunk.iter().map(|t| t.id().to_string()).collect());
    }
}

#[test]
fn a_query_selects_what_ls_lists_minus_the_exceptions_in_chunks() {
    let (_d, mut cat) = catalog();
    let ids = populate(&mut cat, 10);
    let cats: Vec<String> = [0, 3, 6, 9].iter().map(|&i| ids[i].clone()).collect();
    let sel = Selection::Query {
        query: ListQuery {
            tag: Some("CAT".into()),
            // Sort, limit and paging of the query are not part of a selection.
            limit: Some(1),
            ..ListQuery::default()
        },
        except: vec![cats[1].to_ascii_lowercase()],
    };
    assert_eq!(sel.count(cat.conn()).unwrap(), 3, "4 tagged, 1 excepted");
    let chunks = drain(&cat, &sel, 2);
    assert_eq!(
        chunks,
        vec![
            vec![cats[0].clone(), cats[2].clone()],
            vec![cats[3].clone()]
        ],
        "seq order, in chunks of 2, the exception left out"
    );

    let search = Selection::Query {
        query: ListQuery {
            search: Some("img-7".into()),
            ..ListQuery::default()
        },
        except: vec![],
    };
    assert_eq!(drain(&cat, &search, 5), vec![vec![ids[7].clone()]]);
    let nothing = Selection::Query {
        query: ListQuery {
            search: Some(" ,, ".into()),
            ..ListQuery::default()
        },
        except: vec![],
    };
    assert_eq!(
        nothing.count(cat.conn()).unwrap(),
        0,
        "no words match nothing"
    );
    assert!(drain(&cat, &nothing, 5).is_empty());
    let everything = Selection::Query {
        query: ListQuery::default(),
        except: vec![],
    };
    assert_eq!(everything.count(cat.conn()).unwrap(), 10);
    assert_eq!(
        drain(&cat, &everything, 4).concat(),
        ids,
        "everything, once"
    );
}

#[test]
fn keyset_chunks_neither_repeat_nor_skip_while_earlier_chunks_change() {
    let (_d, mut cat) = catalog();
    let ids = populate(&mut cat, 7);
    let sel = Selection::Query {
        query: ListQuery {
            visibility: Some(Visibility::Private),
            ..ListQuery::default()
        },
        except: vec![],
    };
    let mut cursor = Cursor::default();
    let mut seen = Vec::new();
    loop {
        let chunk = sel.next_chunk(cat.conn(), &mut cursor, 3).unwrap();
        if chunk.is_empty() {
            break;
        }
        // Each chunk no longer matches once handled (as a bulk "make public" does).
        for t in &chunk {
            let Target::Found(r) = t else {
                panic!("a query finds only images")
            };
            cat.conn()
                .execute(
                    "UPDATE images SET visibility = 'public' WHERE seq = ?1",
                    [r.seq],
                )
                .unwrap();
            seen.push(r.id.clone());
        }
    }
    assert_eq!(seen, ids, "every private image exactly once");
}

#[test]
fn ids_keep_their_order_name_unknown_ones_and_count_once() {
    let (_d, mut cat) = catalog();
    let ids = populate(&mut cat, 4);
    let sel = Selection::ids(&[
        ids[2].as_str(),
        "01NOSUCHIMAGE0000000000000",
        &ids[0].to_ascii_lowercase(),
        &ids[2],
        &ids[1],
    ]);
    assert_eq!(
        sel.count(cat.conn()).unwrap(),
        4,
        "a repeated id counts once"
    );
    let mut cursor = Cursor::default();
    let first = sel.next_chunk(cat.conn(), &mut cursor, 3).unwrap();
    assert!(matches!(&first[0], Target::Found(r) if r.id == ids[2]));
    assert!(
        matches!(&first[1], Target::Missing(id) if id == "01NOSUCHIMAGE0000000000000"),
        "an unknown id is named, not an error of the whole selection"
    );
    assert!(
        matches!(&first[2], Target::Found(r) if r.id == ids[0]),
        "ids are case-insensitive"
    );
    let second = sel.next_chunk(cat.conn(), &mut cursor, 3).unwrap();
    assert_eq!(second.len(), 1);
    assert!(matches!(&second[0], Target::Found(r) if r.id == ids[1]));
    assert!(sel
        .next_chunk(cat.conn(), &mut cursor, 3)
        .unwrap()
        .is_empty());
}

#[test]
fn a_selection_travels_as_tagged_json() {
    let sel: Selection = serde_json::from_str(
        r#"{"kind":"query","query":{"tag":"cat","visibility":"private"},"except":["A"]}"#,
    )
    .unwrap();
    match &sel {
        Selection::Query { query, except } => {
            assert_eq!(query.tag.as_deref(), Some("cat"));
            assert_eq!(query.visibility, Some(Visibility::Private));
            assert_eq!(except, &vec!["A".to_string()]);
        }
        other => panic!("{other:?}"),
    }
    let ids: Selection = serde_json::from_str(r#"{"kind":"ids","ids":["X"]}"#).unwrap();
    assert!(matches!(ids, Selection::Ids { ids } if ids == ["X"]));
}

/// A chunk reads from the cursor on: the plan is a range of the rowid, with every filter
/// (tag, search, visibility) tested on the way, never an index that would hand back all the
/// matches (and a sort of them) for each chunk of a 100,000-image selection.
#[test]
fn a_chunk_walks_the_seq_range_from_the_cursor() {
    let (_d, mut cat) = catalog();
    populate(&mut cat, 3);
    let query = ListQuery {
        tag: Some("cat".into()),
        visibility: Some(Visibility::Private),
        search: Some("img".into()),
        ..ListQuery::default()
    };
    let mut args = Vec::new();
    let where_ = query_where(cat.conn(), &query, &["X".into()], &mut args)
        .unwrap()
        .unwrap();
    args.push(rusqlite::types::Value::Integer(0));
    let after = args.len();
    args.push(rusqlite::types::Value::Integer(500));
    let sql = format!(
        "EXPLAIN QUERY PLAN {}",
        chunk_sql(&where_, after, args.len(), false)
    );
    let mut stmt = cat.conn().prepare(&sql).unwrap();
    let plan: Vec<String> = stmt
        .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        plan.iter()
            .any(|p| p.contains("SEARCH images USING INTEGER PRIMARY KEY (rowid>?)")),
        "{plan:?}"
    );
    assert!(
        !plan
            .iter()
            .any(|p| p.contains("USING INDEX images_") || p.contains("TEMP B-TREE")),
        "{plan:?}"
    );
}
