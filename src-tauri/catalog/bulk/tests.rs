//! Bulk edits against a real catalog: one transaction per chunk, unchanged images left
//! untouched, tags added then removed, removals leaving tombstones.

use crate::catalog::selection::tests::{catalog, populate};
use crate::catalog::{Cursor, Edit, ListQuery, Selection};
use crate::error::ErrorCode;
use crate::model::Visibility;

fn all() -> Selection {
    Selection::Query {
        query: ListQuery::default(),
        except: vec![],
    }
}

#[test]
fn visibility_is_set_chunk_by_chunk_and_unchanged_images_are_not_written() {
    let (_d, mut cat) = catalog();
    let ids = populate(&mut cat, 1200);
    cat.set_visibility(&ids[0], Visibility::Public).unwrap();
    let stamp = |cat: &crate::catalog::Catalog| -> i64 {
        cat.conn()
            .query_row(
                "SELECT updated_at FROM images WHERE id = ?1",
                [&ids[0]],
                |r| r.get(0),
            )
            .unwrap()
    };
    let before = stamp(&cat);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let sel = all();
    let mut cursor = Cursor::default();
    let mut sizes = Vec::new();
    let (mut changed, mut unchanged) = (0, 0);
    while let Some(items) = cat
        .set_visibility_chunk(&sel, &mut cursor, 500, Visibility::Public)
        .unwrap()
    {
        sizes.push(items.len());
        for (_, r) in items {
            match r.unwrap() {
                Edit::Changed(c) => {
                    assert_eq!(c.previous, Visibility::Private);
                    changed += 1
                }
                Edit::Unchanged(c) => {
                    assert_eq!(c.previous, Visibility::Public);
                    unchanged += 1
                }
            }
        }
    }
    assert_eq!(sizes, vec![500, 500, 200], "1,200 images in chunks of 500");
    assert_eq!((changed, unchanged), (1199, 1));
    assert_eq!(
        cat.list(&ListQuery {
            visibility: Some(Visibility::Public),
            ..ListQuery::default()
        })
        .unwrap()
        .len(),
        1200
    );
    assert_eq!(stamp(&cat), before, "an unchanged image is not written");
}

#[test]
fn tags_are_added_then_removed_per_image_and_unknown_ids_fail_alone() {
    let (_d, mut cat) = catalog();
    let ids = populate(&mut cat, 3); // ids[0] has "cat"
    let sel = Selection::ids(&[ids[0].as_str(), "NOPE", &ids[1]]);
    let items = cat
        .edit_tags_chunk(
            &sel,
            &mut Cursor::default(),
            10,
            &["Dog".into(), "x".into()],
            &["cat".into(), "x".into()],
        )
        .unwrap()
        .unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[0].1.as_ref().unwrap(),
        &Edit::Changed(vec!["Dog".to_string()])
    );
    let err = items[1].1.as_ref().unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert_eq!(items[1].0, "NOPE", "the unknown id as given");
    assert_eq!(
        items[2].1.as_ref().unwrap(),
        &Edit::Changed(vec!["Dog".to_string()])
    );
    assert_eq!(
        cat.get(&ids[2]).unwrap().tags,
        Vec::<String>::new(),
        "not selected"
    );
    assert!(
        cat.tag_counts()
            .unwrap()
            .iter()
            .all(|(t, _)| t != "cat" && t != "x"),
        "tags nobody uses are forgotten"
    );
    let again = cat
        .edit_tags_chunk(
            &Selection::ids(&[&ids[0]]),
            &mut Cursor::default(),
            10,
            &["dog".into()],
            &[],
        )
        .unwrap()
        .unwrap();
    assert_eq!(
        again[0].1.as_ref().unwrap(),
        &Edit::Unchanged(vec!["Dog".to_string()]),
        "tags are case-insensitive: nothing to add"
    );
    let found = cat
        .list(&ListQuery {
            search: Some("dog".into()),
            ..ListQuery::default()
        })
        .unwrap();
    assert_eq!(found.len(), 2, "the search index follows the tags");
}

#[test]
fn removal_leaves_a_tombstone_per_image() {
    let (_d, mut cat) = catalog();
    let ids = populate(&mut cat, 5);
    let sel = Selection::Query {
        query: ListQuery {
            tag: Some("cat".into()),
            ..ListQuery::default()
        },
        except: vec![],
    };
    let mut cursor = Cursor::default();
    let mut removed = Vec::new();
    while let Some(items) = cat.remove_chunk(&sel, &mut cursor, 1, true).unwrap() {
        for (id, r) in items {
            assert!(matches!(r.unwrap(), Edit::Changed(rec) if rec.id == id));
            removed.push(id);
        }
    }
    assert_eq!(removed, vec![ids[0].clone(), ids[3].clone()]);
    let tombs: Vec<String> = cat
        .tombstones()
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(tombs.len(), 2);
    assert!(removed.iter().all(|id| tombs.contains(id)));
    assert_eq!(cat.list(&ListQuery::default()).unwrap().len(), 3);
}
