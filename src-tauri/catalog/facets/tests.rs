//! Facets against a real catalog: the values present with their counts, most common first,
//! each read from an index without a scan of the image rows.

use super::{
    most_common, FacetValue, Facets, CAMERA_MAKES, CAMERA_MODELS, FORMATS, GENERATORS, MAX_VALUES,
    MODELS,
};
use crate::catalog::query::tests::{plan, varied};
use crate::catalog::selection::tests::catalog;
use crate::catalog::ListQuery;

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

/// Every facet is a GROUP BY read from its index: never a scan of the image rows.
#[test]
fn facets_read_their_indexes_only() {
    let (_d, mut cat) = catalog();
    varied(&mut cat);
    for (sql, index) in [
        (GENERATORS, "images_generator"),
        (MODELS, "images_model"),
        (FORMATS, "images_format"),
        (CAMERA_MODELS, "images_camera_model"),
        (CAMERA_MAKES, "images_camera_make_only"),
    ] {
        let p = plan(&cat, sql, Vec::new());
        assert!(
            p.iter().any(
                |l| (l.starts_with("SCAN images ") || l.starts_with("SEARCH images "))
                    && l.contains(&format!(" USING COVERING INDEX {index}"))
            ),
            "{sql}: {p:?}"
        );
        assert!(!p.iter().any(|l| l.contains("TEMP B-TREE")), "{sql}: {p:?}");
    }
}
