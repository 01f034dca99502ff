//! Tags: a many-to-many table, names unique without regard to case.

use rusqlite::{params, Transaction};

use super::Catalog;
use crate::error::{Error, Result};

/// Trims and validates tag names; drops duplicates (case-insensitive), keeps first spelling.
pub fn normalize(tags: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim();
        if t.is_empty() || t.len() > 200 || t.chars().any(char::is_control) {
            return Err(Error::Invalid {
                what: "tag",
                value: t.to_string(),
                hint: "a tag is 1 to 200 characters with no control characters",
            });
        }
        if !out.iter().any(|o| o.to_lowercase() == t.to_lowercase()) {
            out.push(t.to_string());
        }
    }
    Ok(out)
}

pub(super) fn attach(tx: &Transaction, seq: i64, tags: &[String]) -> Result<()> {
    for tag in tags {
        tx.execute("INSERT OR IGNORE INTO tags (name) VALUES (?1)", [tag])?;
        tx.execute(
            "INSERT OR IGNORE INTO image_tags (tag_id, image_seq)
             SELECT id, ?2 FROM tags WHERE name = ?1",
            params![tag, seq],
        )?;
    }
    Ok(())
}

impl Catalog {
    /// Every tag in use with its image count, most used first.
    pub fn tag_counts(&self) -> Result<Vec<(String, i64)>> {
        // `tags.images` is kept by the catalog's triggers (schema 11).
        let mut stmt = self.conn().prepare_cached(
            "SELECT name, images FROM tags WHERE images > 0 ORDER BY images DESC, name",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}
