//! Library statistics: counts and bytes by format, source, visibility and remote state.

use serde::Serialize;
use std::collections::BTreeMap;

use super::Catalog;
use crate::error::Result;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct Bucket {
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub count: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct FailedItem {
    pub id: String,
    pub filename: String,
    pub error: Option<String>,
    pub attempts: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct Stats {
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub images: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub bytes: u64,
    pub by_format: BTreeMap<String, Bucket>,
    pub by_source: BTreeMap<String, Bucket>,
    pub by_visibility: BTreeMap<String, Bucket>,
    pub by_remote_state: BTreeMap<String, Bucket>,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub tags: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub with_ai_parameters: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub thumbnails_pending: u64,
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub tombstones: u64,
    pub failed: Vec<FailedItem>,
}

/// How many images the library holds, as the triggers count them (schema 11).
pub(super) const ALL_IMAGES: &str =
    "SELECT coalesce((SELECT images FROM image_counts WHERE facet = 'all' AND value = ''), 0)";

impl Catalog {
    /// The library's counts: read from `image_counts` and `tags.images`, which the catalog's
    /// triggers keep (schema 11), so that they cost the same at a million images as at ten.
    pub fn stats(&self) -> Result<Stats> {
        let conn = self.conn();
        let mut facets: BTreeMap<String, BTreeMap<String, Bucket>> = BTreeMap::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT facet, value, images, bytes FROM image_counts WHERE images > 0
                 AND facet IN ('all', 'format', 'source', 'visibility', 'remote_state', 'generator')",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    Bucket {
                        count: r.get::<_, i64>(2)? as u64,
                        bytes: r.get::<_, i64>(3)? as u64,
                    },
                ))
            })?;
            for row in rows {
                let (facet, value, bucket) = row?;
                facets.entry(facet).or_default().insert(value, bucket);
            }
        }
        let mut take = |facet: &str| facets.remove(facet).unwrap_or_default();
        let all = take("all").remove("").unwrap_or_default();
        let with_ai_parameters = take("generator").values().map(|b| b.count).sum();
        let count = |sql: &str| -> Result<u64> {
            Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
        };
        let mut stmt = conn.prepare_cached(
            // The second term names `images_remote_todo`'s condition, so that its partial
            // index serves the query (SQLite does not infer it from the first): without it, a
            // scan of every row (0.5 s on a million images) for what is usually nothing.
            "SELECT id, filename, remote_error, remote_attempts FROM images
             WHERE remote_state = 'failed' AND remote_state IN ('pending', 'failed')
             ORDER BY created_at DESC, seq DESC",
        )?;
        let failed = stmt
            .query_map([], |r| {
                Ok(FailedItem {
                    id: r.get(0)?,
                    filename: r.get(1)?,
                    error: r.get(2)?,
                    attempts: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Stats {
            images: all.count,
            bytes: all.bytes,
            by_format: take("format"),
            by_source: take("source"),
            by_visibility: take("visibility"),
            by_remote_state: take("remote_state"),
            tags: count("SELECT count(*) FROM tags")?,
            with_ai_parameters,
            thumbnails_pending: count("SELECT count(*) FROM thumb_jobs")?,
            tombstones: count("SELECT count(*) FROM tombstones")?,
            failed,
        })
    }
}

#[cfg(test)]
mod tests;
