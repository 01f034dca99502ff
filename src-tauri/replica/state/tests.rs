use super::*;
use proptest::prelude::*;

const SHA: &str = "ab00000000000000000000000000000000000000000000000000000000000000";

fn base(id: &str, added: i64, by: &str) -> ItemState {
    ItemState {
        sha256: SHA.into(),
        id: id.into(),
        added: Stamp::new(added, by),
        deleted: Stamp::default(),
        visibility: Lww {
            value: Visibility::Private,
            stamp: Stamp::new(added, by),
        },
        filename: Lww {
            value: "a.png".into(),
            stamp: Stamp::new(added, by),
        },
        tags: Vec::new(),
        sources: Vec::new(),
        meta: None,
    }
}

fn dot(tag: &str, at: i64, by: &str, removed: bool) -> Dot {
    Dot {
        tag: tag.into(),
        at,
        by: by.into(),
        removed,
    }
}

#[test]
fn the_same_file_on_two_computers_is_one_image_with_the_smaller_id() {
    let a = base("01B", 10, "aa");
    let b = base("01A", 20, "bb");
    assert_eq!(a.join(&b).id, "01A");
    assert_eq!(b.join(&a).id, "01A");
}

#[test]
fn the_last_writer_wins_and_a_tie_goes_to_the_larger_library_id() {
    let mut a = base("01A", 10, "aa");
    let mut b = a.clone();
    a.visibility = Lww {
        value: Visibility::Public,
        stamp: Stamp::new(30, "aa"),
    };
    b.visibility = Lww {
        value: Visibility::Unlisted,
        stamp: Stamp::new(30, "bb"),
    };
    assert_eq!(a.join(&b).visibility.value, Visibility::Unlisted);
    assert_eq!(b.join(&a).visibility.value, Visibility::Unlisted);
    b.visibility.stamp.at = 29;
    assert_eq!(a.join(&b).visibility.value, Visibility::Public);
}

#[test]
fn a_delete_is_not_undone_by_an_older_add_but_a_new_import_brings_it_back() {
    let mut deleted = base("01A", 10, "aa");
    deleted.deleted = Stamp::new(50, "aa");
    let older = base("01A", 40, "bb");
    assert!(!deleted.join(&older).alive());
    let again = base("01C", 60, "bb");
    let merged = deleted.join(&again);
    assert!(merged.alive());
    assert_eq!(merged.id, "01A", "the content keeps its id");
}

#[test]
fn a_tag_removed_here_and_added_there_concurrently_stays() {
    let mut a = base("01A", 10, "aa");
    a.tags = vec![dot("trip", 11, "aa", true)];
    let mut b = base("01A", 10, "aa");
    b.tags = vec![dot("trip", 11, "aa", false), dot("Trip", 12, "bb", false)];
    let m = a.join(&b);
    assert_eq!(m.tags(), vec!["Trip".to_string()]);
    let mut c = m.clone();
    for d in &mut c.tags {
        d.removed = true;
    }
    assert!(m.join(&c).tags().is_empty(), "a remove that saw both dots");
}

fn arb_state() -> impl Strategy<Value = ItemState> {
    let by = prop::sample::select(vec!["aa", "bb", "cc"]);
    (
        prop::sample::select(vec!["01A", "01B", "01C"]),
        (1i64..50, by.clone()),
        prop::option::of((1i64..50, by.clone())),
        (1i64..50, by.clone(), 0usize..1),
        (1i64..50, by.clone(), 0usize..1),
        prop::collection::vec(
            (
                prop::sample::select(vec!["x", "X", "y"]),
                1i64..50,
                by,
                any::<bool>(),
            ),
            0..4,
        ),
    )
        .prop_map(|(id, added, deleted, vis, name, tags)| {
            let mut s = base(id, added.0, added.1);
            if let Some((at, by)) = deleted {
                s.deleted = Stamp::new(at, by);
            }
            // One write per clock: the value is a function of the stamp.
            let pick = |at: i64, by: &str| at as usize + by.as_bytes()[0] as usize;
            let _ = (vis.2, name.2);
            s.visibility = Lww {
                value: Visibility::ALL[pick(vis.0, vis.1) % 3],
                stamp: Stamp::new(vis.0, vis.1),
            };
            s.filename = Lww {
                value: ["a.png", "b.png"][pick(name.0, name.1) % 2].into(),
                stamp: Stamp::new(name.0, name.1),
            };
            // One dot per (tag, clock, library): the same add seen on two computers.
            let mut dots: Vec<Dot> = Vec::new();
            for (t, at, by, removed) in tags {
                if !dots
                    .iter()
                    .any(|d| d.tag.to_lowercase() == t.to_lowercase() && d.at == at && d.by == by)
                {
                    dots.push(dot(t, at, by, removed));
                }
            }
            s.tags = dots;
            s
        })
}

/// What two computers show: the state's observable parts.
fn view(s: &ItemState) -> (String, bool, Visibility, String, Vec<String>) {
    (
        s.id.clone(),
        s.alive(),
        s.visibility.value,
        s.filename.value.clone(),
        s.tags().iter().map(|t| t.to_lowercase()).collect(),
    )
}

proptest! {
    #[test]
    fn merging_is_commutative_associative_and_idempotent(
        a in arb_state(), b in arb_state(), c in arb_state()
    ) {
        prop_assert_eq!(view(&a.join(&b)), view(&b.join(&a)));
        prop_assert_eq!(view(&a.join(&b).join(&c)), view(&a.join(&b.join(&c))));
        prop_assert_eq!(view(&a.join(&a)), view(&a));
        prop_assert_eq!(view(&a.join(&b).join(&b)), view(&a.join(&b)));
    }
}
