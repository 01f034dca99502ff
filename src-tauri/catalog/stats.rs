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

impl Catalog {
    pub fn stats(&self) -> Result<Stats> {
        let conn = self.conn();
        let group = |col: &str| -> Result<BTreeMap<String, Bucket>> {
            let mut stmt = conn.prepare(&format!(
                "SELECT {col}, count(*), coalesce(sum(bytes), 0) FROM images GROUP BY {col}"
            ))?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Bucket {
                        count: r.get::<_, i64>(1)? as u64,
                        bytes: r.get::<_, i64>(2)? as u64,
                    },
                ))
            })?;
            Ok(rows.collect::<Result<BTreeMap<_, _>, _>>()?)
        };
        let (images, bytes): (i64, i64) = conn.query_row(
            "SELECT count(*), coalesce(sum(bytes), 0) FROM images",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let count = |sql: &str| -> Result<u64> {
            Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
        };
        let mut stmt = conn.prepare(
            "SELECT id, filename, remote_error, remote_attempts FROM images
             WHERE remote_state = 'failed' ORDER BY created_at DESC, seq DESC",
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
            images: images as u64,
            bytes: bytes as u64,
            by_format: group("format")?,
            by_source: group("source_kind")?,
            by_visibility: group("visibility")?,
            by_remote_state: group("remote_state")?,
            tags: count("SELECT count(*) FROM tags")?,
            with_ai_parameters: count("SELECT count(*) FROM images WHERE generator IS NOT NULL")?,
            thumbnails_pending: count("SELECT count(*) FROM thumb_jobs")?,
            tombstones: count("SELECT count(*) FROM tombstones")?,
            failed,
        })
    }
}
