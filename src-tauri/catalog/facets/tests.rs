//! Facets against a real catalog: the values present with their counts, most common first,
//! read from the counts the triggers keep, and always what a scan of the images would give.

use super::{
    most_common, FacetValue, Facets, CAMERA_MAKES, CAMERA_MODELS, FORMATS, GENERATORS, MAX_VALUES,
    MODELS,
};
use crate::catalog::query::tests::{plan, varied};
use crate::catalog::selection::tests::catalog;
use crate::catalog::{Catalog, ListQuery};

fn v(value: &str, count: u64) -> FacetValue {
    FacetValue {
        value: value.into(),
        count,
    }
}

#[test]
fn facets_list_the_values_present_most_common_first() {
    let (_d, mut cat) = catalog();
    assert_eq!(cat.facets().unwrap(), Facets::default(), "an empty library");
    varied(&mut cat);
    let f = cat.facets().unwrap();
    assert_eq!(f.generators, vec![v("a1111", 3), v("comfyui", 1)]);
    assert_eq!(
        f.models,
        vec![v("SDXL", 3), v("Flux", 1)],
        "`SDXL` and `sdxl` are one model, as the filter compares them"
    );
    assert_eq!(f.formats, vec![v("jpeg", 6), v("png", 4), v("webp", 2)]);
    assert_eq!(
        f.cameras,
        vec![v("EOS R5", 3), v("Leica", 1), v("Pixel 8", 1)],
        "the model (any letter case), or the make of a camera without one"
    );
    // Each value is one the filter takes, and finds its images.
    for (value, count) in f.cameras.iter().map(|c| (&c.value, c.count)) {
        let q = ListQuery {
            camera: Some(value.clone()),
            ..ListQuery::default()
        };
        assert_eq!(cat.count(&q).unwrap(), count, "camera {value}");
    }
    for m in &f.models {
        let q = ListQuery {
            model: Some(m.value.clone()),
            ..ListQuery::default()
        };
        assert_eq!(cat.count(&q).unwrap(), m.count, "model {}", m.value);
    }
}

#[test]
fn most_common_merges_letter_case_drops_blanks_and_keeps_the_top() {
    let many: Vec<FacetValue> = (0..150).map(|i| v(&format!("m{i:03}"), i)).collect();
    let top = most_common(many, MAX_VALUES);
    assert_eq!(top.len(), MAX_VALUES);
    assert_eq!(top[0], v("m149", 149), "most common first");
    assert_eq!(top[99], v("m050", 50), "the 100 most common");
    assert_eq!(
        most_common(vec![v("b", 1), v(" ", 9), v("A", 2), v("a", 1)], 10),
        vec![v("A", 3), v("b", 1)],
        "one value per name whatever its case; ties by name"
    );
}

/// Every facet reads the counts table: never the image rows or their indexes.
#[test]
fn facets_read_the_counts_only() {
    let (_d, mut cat) = catalog();
    varied(&mut cat);
    for sql in [GENERATORS, MODELS, FORMATS, CAMERA_MODELS, CAMERA_MAKES] {
        let p = plan(&cat, sql, Vec::new());
        assert!(
            p.iter().all(|l| !l.contains("images ")
                && (!l.starts_with("SCAN") || l.contains("image_counts"))),
            "{sql}: {p:?}"
        );
        assert!(
            p.iter().any(|l| l.starts_with("SEARCH image_counts")),
            "{sql}: the facet's rows are found by key: {p:?}"
        );
    }
}

/// What `facets()` returned before the counts (schema 11): a `GROUP BY` over the images.
fn scanned(cat: &Catalog) -> Facets {
    let group = |sql: &str| -> Vec<FacetValue> {
        let mut stmt = cat.conn().prepare(sql).unwrap();
        stmt.query_map([], |r| {
            Ok(v(&r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    let mut cameras = group(
        "SELECT min(camera_model), count(*) FROM images
         WHERE camera_model IS NOT NULL GROUP BY camera_model COLLATE NOCASE",
    );
    cameras.extend(group(
        "SELECT min(camera_make), count(*) FROM images
         WHERE camera_model IS NULL AND camera_make IS NOT NULL GROUP BY camera_make COLLATE NOCASE",
    ));
    Facets {
        generators: most_common(
            group(
                "SELECT generator, count(*) FROM images
                 WHERE generator IS NOT NULL GROUP BY generator",
            ),
            usize::MAX,
        ),
        models: most_common(
            group(
                "SELECT min(model), count(*) FROM images
                 WHERE model IS NOT NULL GROUP BY model COLLATE NOCASE",
            ),
            MAX_VALUES,
        ),
        formats: most_common(
            group("SELECT format, count(*) FROM images GROUP BY format"),
            usize::MAX,
        ),
        cameras: most_common(cameras, MAX_VALUES),
    }
}

/// Inserts, updates and deletes keep the counts equal to a scan of the images: letter-case
/// variants of one model or camera, the smallest spelling shown while it lasts, and a make
/// counted only while its image names no camera model.
#[test]
fn facets_follow_inserts_updates_and_deletes() {
    let (_d, mut cat) = catalog();
    let ids = varied(&mut cat);
    assert_eq!(cat.facets().unwrap(), scanned(&cat), "after the inserts");
    let sql = |cat: &Catalog, sql: &str, id: &str| {
        let n = cat.conn().execute(sql, [id]).unwrap();
        assert_eq!(n, 1, "{sql}");
    };
    // 1 and 4 are Canon EOS R5, 8 is `eos r5` without a make, 7 a Leica without a model.
    sql(
        &cat,
        "UPDATE images SET camera_model = 'EOS r5' WHERE id = ?1",
        &ids[1],
    );
    let f = cat.facets().unwrap();
    assert_eq!(f, scanned(&cat), "a camera model respelled");
    assert_eq!(
        f.cameras[0],
        v("EOS R5", 3),
        "the smallest spelling present names the group"
    );
    sql(
        &cat,
        "UPDATE images SET camera_model = NULL WHERE id = ?1",
        &ids[4],
    );
    let f = cat.facets().unwrap();
    assert_eq!(f, scanned(&cat), "a model removed: its make counts now");
    assert!(f.cameras.contains(&v("Canon", 1)), "{:?}", f.cameras);
    sql(
        &cat,
        "UPDATE images SET camera_model = 'M11' WHERE id = ?1",
        &ids[7],
    );
    let f = cat.facets().unwrap();
    assert_eq!(f, scanned(&cat), "a model given: its make no longer counts");
    assert!(
        !f.cameras.iter().any(|c| c.value == "Leica"),
        "{:?}",
        f.cameras
    );
    sql(
        &cat,
        "UPDATE images SET camera_make = 'LEICA' WHERE id = ?1",
        &ids[7],
    );
    assert_eq!(
        cat.facets().unwrap(),
        scanned(&cat),
        "a make changed beside a model"
    );
    sql(
        &cat,
        "UPDATE images SET model = 'FLUX' WHERE id = ?1",
        &ids[0],
    );
    let f = cat.facets().unwrap();
    assert_eq!(f, scanned(&cat), "an AI model respelled");
    assert_eq!(f.models, vec![v("FLUX", 2), v("SDXL", 2)]);
    sql(
        &cat,
        "UPDATE images SET format = 'webp', generator = NULL, model = NULL WHERE id = ?1",
        &ids[9],
    );
    assert_eq!(
        cat.facets().unwrap(),
        scanned(&cat),
        "format, generator and model at once"
    );
    cat.remove(&ids[3]).unwrap();
    cat.remove(&ids[2]).unwrap();
    let f = cat.facets().unwrap();
    assert_eq!(f, scanned(&cat), "after deletes");
    assert!(
        !f.cameras.iter().any(|c| c.value == "Pixel 8"),
        "{:?}",
        f.cameras
    );
    for id in &ids {
        let _ = cat.remove(id);
    }
    assert_eq!(
        cat.facets().unwrap(),
        Facets::default(),
        "an emptied library"
    );
    varied(&mut cat);
    assert_eq!(cat.facets().unwrap(), scanned(&cat), "filled again");
}
