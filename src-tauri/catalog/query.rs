//! Listing and searching: keyset paging in every sort order, filters, FTS5 search.

use rusqlite::types::Value;
use rusqlite::OptionalExtension;

use super::images::{record_from_row, ImageRecord, RECORD_COLUMNS};
use super::Catalog;
use crate::error::Result;
use crate::model::{RemoteState, Sort, SourceKind, Visibility};

/// A gallery page: what the UI asks for by default.
pub const DEFAULT_PAGE: usize = 200;

/// Filters, order and page position. `after` is the id of the last image of the previous
/// page: the next page starts right after it in the chosen order.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub tag: Option<String>,
    pub visibility: Option<Visibility>,
    pub remote_state: Option<RemoteState>,
    pub source: Option<SourceKind>,
    pub limit: Option<usize>,
    pub after: Option<String>,
    pub sort: Option<Sort>,
    /// Full-text query (FTS5 over filename, prompts, model, tags and raw AI text).
    pub search: Option<String>,
}

/// Column expression, direction and the SQL that reads the cursor row's key.
fn order(sort: Sort) -> (&'static str, &'static str) {
    match sort {
        Sort::Newest => ("images.created_at", "DESC"),
        Sort::Oldest => ("images.created_at", "ASC"),
        Sort::Taken => ("coalesce(images.taken_at, '')", "DESC"),
        Sort::Name => ("images.filename COLLATE NOCASE", "ASC"),
        Sort::Size => ("images.bytes", "DESC"),
    }
}

/// Turns what a person types into a safe FTS5 query: every word must match, as a prefix.
pub fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|t| !t.is_empty())
        .map(|t| format!("\"{}\"*", t.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

impl Catalog {
    pub fn list(&self, q: &ListQuery) -> Result<Vec<ImageRecord>> {
        let sort = q.sort.unwrap_or(Sort::Newest);
        let (key, dir) = order(sort);
        let cmp = if dir == "DESC" { "<" } else { ">" };
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        let arg = |v: Value, args: &mut Vec<Value>| {
            args.push(v);
            format!("?{}", args.len())
        };
        if let Some(tag) = &q.tag {
            let p = arg(Value::Text(tag.trim().to_string()), &mut args);
            clauses.push(format!(
                "images.seq IN (SELECT it.image_seq FROM image_tags it JOIN tags t ON t.id = it.tag_id WHERE t.name = {p})"
            ));
        }
        if let Some(v) = q.visibility {
            let p = arg(Value::Text(v.as_str().into()), &mut args);
            clauses.push(format!("images.visibility = {p}"));
        }
        if let Some(s) = q.remote_state {
            let p = arg(Value::Text(s.as_str().into()), &mut args);
            clauses.push(format!("images.remote_state = {p}"));
        }
        if let Some(s) = q.source {
            let p = arg(Value::Text(s.as_str().into()), &mut args);
            clauses.push(format!("images.source_kind = {p}"));
        }
        if let Some(text) = &q.search {
            let Some(fts) = fts_query(text) else {
                return Ok(Vec::new());
            };
            let p = arg(Value::Text(fts), &mut args);
            clauses.push(format!(
                "images.seq IN (SELECT rowid FROM images_fts WHERE images_fts MATCH {p})"
            ));
        }
        if let Some(after) = &q.after {
            let cursor: Option<(Value, i64)> = self
                .conn()
                .query_row(
                    &format!("SELECT {key}, images.seq FROM images WHERE images.id = ?1"),
                    [after.trim().to_ascii_uppercase()],
                    |r| Ok((r.get::<_, Value>(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((k, seq)) = cursor else {
                return Err(crate::error::Error::NotFound(after.clone()));
            };
            let pk = arg(k, &mut args);
            let ps = arg(Value::Integer(seq), &mut args);
            clauses.push(format!("({key}, images.seq) {cmp} ({pk}, {ps})"));
        }
        let limit = q.limit.map(|l| l as i64).unwrap_or(-1);
        let lp = arg(Value::Integer(limit), &mut args);
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM images {filter} ORDER BY {key} {dir}, images.seq {dir} LIMIT {lp}"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), record_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn fts_query_quotes_every_term_as_prefix() {
        assert_eq!(
            fts_query("red cat").as_deref(),
            Some("\"red\"* AND \"cat\"*")
        );
        assert_eq!(
            fts_query("\"oops AND (x:1.2)").as_deref(),
            Some("\"oops\"* AND \"AND\"* AND \"x:1.2\"*"),
            "syntax characters must be quoted, not interpreted"
        );
        assert_eq!(fts_query("  ,, "), None, "nothing to search for");
    }
}
