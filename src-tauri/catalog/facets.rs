//! Facets: the values the library holds for the filters of the app's chips (generators, AI
//! models, formats, cameras) and how many images have each, most common first. Each list is
//! read from `image_counts`, which the catalog's triggers keep (schema 11 and 12): a few dozen
//! rows, however many images there are.

use serde::Serialize;

use super::Catalog;
use crate::error::Result;

/// Most models and cameras listed (the most common ones).
pub const MAX_VALUES: usize = 100;

/// One value of a filter and how many images have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct FacetValue {
    /// What the filter takes (`ListQuery.generator`, `.model`, `.format`, `.camera`).
    pub value: String,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub count: u64,
}

/// The values present in the library, each list most common first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct Facets {
    pub generators: Vec<FacetValue>,
    /// The 100 most common AI models (letter case aside, as the filter compares them).
    pub models: Vec<FacetValue>,
    pub formats: Vec<FacetValue>,
    /// The 100 most common cameras: the camera's model, or its make when it names no model.
    pub cameras: Vec<FacetValue>,
}

/// Each facet's query: `value, count` per group, from the counts the triggers keep. Models and
/// cameras are counted per exact value and grouped here by letter case, under their smallest
/// spelling (what `GROUP BY model COLLATE NOCASE` with `min(model)` gave over the images).
pub(super) const GENERATORS: &str = "SELECT value, images FROM image_counts
     WHERE facet = 'generator' AND images > 0";
pub(super) const MODELS: &str = "SELECT min(value), sum(images) FROM image_counts
     WHERE facet = 'model' AND images > 0 GROUP BY value COLLATE NOCASE";
pub(super) const FORMATS: &str = "SELECT value, images FROM image_counts
     WHERE facet = 'format' AND images > 0";
pub(super) const CAMERA_MODELS: &str = "SELECT min(value), sum(images) FROM image_counts
     WHERE facet = 'camera_model' AND images > 0 GROUP BY value COLLATE NOCASE";
/// Makes of the images without a camera model.
pub(super) const CAMERA_MAKES: &str = "SELECT min(value), sum(images) FROM image_counts
     WHERE facet = 'camera_make' AND images > 0 GROUP BY value COLLATE NOCASE";

impl Catalog {
    /// The generators, models, formats and cameras present, with their counts.
    pub fn facets(&self) -> Result<Facets> {
        let group = |sql: &str| -> Result<Vec<FacetValue>> {
            let mut stmt = self.conn().prepare_cached(sql)?;
            let rows = stmt.query_map([], |r| {
                Ok(FacetValue {
                    value: r.get(0)?,
                    count: r.get::<_, i64>(1)? as u64,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        };
        let mut cameras = group(CAMERA_MODELS)?;
        cameras.extend(group(CAMERA_MAKES)?);
        Ok(Facets {
            generators: most_common(group(GENERATORS)?, usize::MAX),
            models: most_common(group(MODELS)?, MAX_VALUES),
            formats: most_common(group(FORMATS)?, usize::MAX),
            cameras: most_common(cameras, MAX_VALUES),
        })
    }
}

/// Blank values dropped, the same value (letter case aside) counted once, most common first
/// (then by name), at most `max`.
fn most_common(values: Vec<FacetValue>, max: usize) -> Vec<FacetValue> {
    let mut merged: Vec<FacetValue> = Vec::with_capacity(values.len());
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for v in values {
        let value = v.value.trim();
        if value.is_empty() {
            continue;
        }
        match at.entry(value.to_lowercase()) {
            std::collections::hash_map::Entry::Occupied(i) => merged[*i.get()].count += v.count,
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(merged.len());
                merged.push(FacetValue {
                    value: value.to_string(),
                    count: v.count,
                });
            }
        }
    }
    merged.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.value.to_lowercase().cmp(&b.value.to_lowercase()))
    });
    merged.truncate(max);
    merged
}

#[cfg(test)]
mod tests;
