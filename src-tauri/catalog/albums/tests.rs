//! Albums against a real catalog: names unique in any letter case, membership in order and
//! without repeats, a deleted image leaving its albums, and the album filter shared by
//! `list`, `count` and selections.

use crate::catalog::selection::tests::{catalog, populate};
use crate::catalog::{Cursor, ListQuery, Selection};
use crate::error::ErrorCode;

fn seqs(cat: &crate::catalog::Catalog, ids: &[String]) -> Vec<i64> {
    ids.iter()
        .map(|id| cat.get(id).expect("image").seq)
        .collect()
}

fn in_album(name: &str) -> ListQuery {
    ListQuery {
        album: Some(name.into()),
        ..ListQuery::default()
    }
}

#[test]
fn names_are_unique_in_any_letter_case_and_checked() {
    let (_d, mut cat) = catalog();
    populate(&mut cat, 1);
    let a = cat.create_album("  Holidays ").expect("create");
    assert_eq!(a.name, "Holidays", "the name is trimmed");
    let e = cat
        .create_album("HOLIDAYS")
        .expect_err("same name, other case");
    assert_eq!(e.code(), ErrorCode::AlbumExists);
    assert_eq!(cat.album("holidays").expect("found in any case").id, a.id);
    assert_eq!(
        cat.album("nope").expect_err("unknown").code(),
        ErrorCode::AlbumNotFound
    );
    assert_eq!(
        cat.create_album(" ").expect_err("empty").code(),
        ErrorCode::InvalidInput
    );
    let b = cat.create_album("Work").expect("another");
    assert_eq!(
        cat.rename_album(b.id, "holidays")
            .expect_err("taken")
            .code(),
        ErrorCode::AlbumExists
    );
    assert_eq!(cat.rename_album(b.id, "Jobs").expect("rename").name, "Jobs");
    let names: Vec<String> = cat.albums().unwrap().into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["Holidays", "Jobs"], "listed by name");
}

#[test]
fn membership_keeps_the_order_added_and_never_repeats() {
    let (_d, mut cat) = catalog();
    let ids = populate(&mut cat, 5);
    let s = seqs(&cat, &ids);
    let a = cat.create_album("A").unwrap();
    assert_eq!(cat.add_album_images(a.id, &[s[3], s[1]]).unwrap(), 2);
    assert_eq!(
        cat.add_album_images(a.id, &[s[1], s[0]]).unwrap(),
        1,
        "an image already in the album is not added twice"
    );
    let order: Vec<String> = cat
        .album_images(a.id)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(order, [ids[3].clone(), ids[1].clone(), ids[0].clone()]);
    assert_eq!(cat.remove_album_images(a.id, &[s[1], s[4]]).unwrap(), 1);
    assert_eq!(cat.album_size(a.id).unwrap(), 2);
    assert_eq!(cat.albums().unwrap()[0].images, 2);
    cat.delete_album(a.id).unwrap();
    assert!(cat.albums().unwrap().is_empty());
    assert_eq!(cat.count(&ListQuery::default()).unwrap(), 5, "images stay");
}

#[test]
fn a_deleted_image_leaves_every_album() {
    let (_d, mut cat) = catalog();
    let ids = populate(&mut cat, 3);
    let s = seqs(&cat, &ids);
    let a = cat.create_album("A").unwrap();
    let b = cat.create_album("B").unwrap();
    cat.add_album_images(a.id, &s).unwrap();
    cat.add_album_images(b.id, &s[..1]).unwrap();
    cat.remove(&ids[0]).expect("remove image");
    assert_eq!(cat.album_size(a.id).unwrap(), 2);
    assert_eq!(cat.album_size(b.id).unwrap(), 0);
    let left: i64 = cat
        .conn()
        .query_row(
            "SELECT count(*) FROM album_images WHERE image_seq = ?1",
            [s[0]],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0, "no membership row outlives its image");
}

#[test]
fn the_album_filter_is_shared_by_list_count_and_selections() {
    let (_d, mut cat) = catalog();
    // Every third image is tagged `cat` (0, 3, 6, 9).
    let ids = populate(&mut cat, 10);
    let s = seqs(&cat, &ids);
    let a = cat.create_album("Mix").unwrap();
    cat.add_album_images(a.id, &[s[0], s[1], s[2], s[3]])
        .unwrap();
    let listed: Vec<String> = cat
        .list(&in_album("mix"))
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(listed.len(), 4);
    assert!(listed.iter().all(|id| ids[..4].contains(id)));
    assert_eq!(cat.count(&in_album("MIX")).unwrap(), 4);
    let with_tag = ListQuery {
        tag: Some("cat".into()),
        ..in_album("Mix")
    };
    assert_eq!(cat.count(&with_tag).unwrap(), 2, "album and tag combine");
    assert_eq!(cat.list(&with_tag).unwrap().len(), 2);
    let sel = Selection::Query {
        query: in_album("Mix"),
        except: vec![ids[1].clone()],
    };
    assert_eq!(sel.count(cat.conn()).unwrap(), 3);
    let chunk = sel
        .next_chunk(cat.conn(), &mut Cursor::default(), 10)
        .unwrap();
    let mut got: Vec<String> = chunk.iter().map(|t| t.id().to_string()).collect();
    got.sort();
    let mut want = vec![ids[0].clone(), ids[2].clone(), ids[3].clone()];
    want.sort();
    assert_eq!(
        got, want,
        "the selection resolves the album minus the exception"
    );
    assert_eq!(
        cat.count(&in_album("none"))
            .expect_err("unknown album")
            .code(),
        ErrorCode::AlbumNotFound
    );
}

#[test]
fn published_objects_are_recorded_before_they_are_written() {
    let (_d, mut cat) = catalog();
    populate(&mut cat, 1);
    let a = cat.create_album("A").unwrap();
    cat.set_album_slug(a.id, "slug").unwrap();
    cat.album_object_intent(a.id, "public/albums/slug/x.jpg")
        .unwrap();
    let o = &cat.album_objects(a.id).unwrap()[0];
    assert!(!o.done, "an intent is not done");
    cat.album_object_done(a.id, "public/albums/slug/x.jpg", "ab")
        .unwrap();
    assert!(cat.album_objects(a.id).unwrap()[0].done);
    cat.set_album_published(a.id, "http://x/index.html")
        .unwrap();
    assert_eq!(
        cat.album_summary("a").unwrap().published_url.as_deref(),
        Some("http://x/index.html")
    );
    cat.forget_album_object(a.id, "public/albums/slug/x.jpg")
        .unwrap();
    cat.clear_album_published(a.id).unwrap();
    let a = cat.album("A").unwrap();
    assert_eq!((a.slug, a.published_url), (None, None));
    assert!(cat.album_objects(a.id).unwrap().is_empty());
}
