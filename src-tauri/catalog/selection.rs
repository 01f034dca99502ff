//! Selections: which images a bulk action applies to. Either explicit ids, or everything a
//! query matches (the filters of `ls`/`search`) minus some ids — what the app's "select all"
//! sends, however many images that is. A selection is resolved in chunks, in `seq` order with
//! a keyset cursor, so no step holds more than one chunk of rows.

use rusqlite::types::Value;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::images::{record_from_row, ImageRecord, RECORD_COLUMNS};
use super::query::{filters, ListQuery, Purpose};
use crate::error::Result;

/// Which images a bulk action applies to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", rename_all = "snake_case")]
// One per bulk action, moved around a few times: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Selection {
    /// These images (ids are case-insensitive; an id given twice counts once). An unknown id
    /// is a per-image error of the action, not a failure of the whole action.
    Ids { ids: Vec<String> },
    /// Every image `query` matches (its tag, visibility, remote state, source and full-text
    /// filters; its sort, limit and paging are ignored) except the ids in `except`.
    Query {
        query: ListQuery,
        #[serde(default)]
        except: Vec<String>,
    },
}

/// One image of a chunk: found in the catalog, or an id that names no image.
#[derive(Debug, Clone)]
pub enum Target {
    Found(Box<ImageRecord>),
    Missing(String),
}

impl Target {
    /// The image's id, or the unknown id as it was given.
    pub fn id(&self) -> &str {
        match self {
            Target::Found(r) => &r.id,
            Target::Missing(id) => id,
        }
    }
}

/// Where the resolution of a selection is: the next index into the ids, or the last `seq`
/// handed out by a query (keyset: rows changed or removed by earlier chunks never shift it).
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    next: usize,
    after_seq: i64,
    /// Set for a walk from the newest image down (see [`Cursor::below`]): the seq the next
    /// chunk stays below.
    before_seq: Option<i64>,
    /// Explicit ids handed out so far (normalized), so a repeated one counts once.
    seen: std::collections::HashSet<String>,
}

impl Cursor {
    /// A cursor that walks a query selection from `seq` (excluded) down, newest first — the
    /// gallery's order, so the images on screen come first — at the id `next` of an id
    /// selection. Images added after the walk began (above `seq`) are never reached.
    pub fn below(seq: i64, next: usize) -> Self {
        Cursor {
            next,
            before_seq: Some(seq),
            ..Cursor::default()
        }
    }

    /// Where a [`Cursor::below`] walk is: the next index of an id selection, and the seq the
    /// next chunk of a query selection stays below.
    pub fn position(&self) -> (usize, i64) {
        (self.next, self.before_seq.unwrap_or(self.after_seq))
    }
}

fn normalize(id: &str) -> String {
    id.trim().to_ascii_uppercase()
}

impl Selection {
    /// A selection of explicit ids.
    pub fn ids<S: AsRef<str>>(ids: &[S]) -> Self {
        Selection::Ids {
            ids: ids.iter().map(|s| s.as_ref().to_string()).collect(),
        }
    }

    /// Explicit ids, without repeats (first spelling kept).
    fn unique_ids(ids: &[String]) -> Vec<&String> {
        let mut seen = std::collections::HashSet::new();
        ids.iter().filter(|id| seen.insert(normalize(id))).collect()
    }

    /// Walks the whole selection, `size` images per query (ids in their given order, a query in
    /// `seq` order), handing each image (or unknown id) to `f`; an error from `f` stops the walk.
    pub fn for_each(
        &self,
        conn: &Connection,
        size: usize,
        mut f: impl FnMut(Target) -> Result<()>,
    ) -> Result<()> {
        let mut cursor = Cursor::default();
        loop {
            let chunk = self.next_chunk(conn, &mut cursor, size)?;
            if chunk.is_empty() {
                return Ok(());
            }
            chunk.into_iter().try_for_each(&mut f)?;
        }
    }

    /// The ids of the images the selection names now (unknown ids left out).
    pub fn found_ids(&self, conn: &Connection, size: usize) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        self.for_each(conn, size, |t| {
            if let Target::Found(r) = t {
                ids.push(r.id);
            }
            Ok(())
        })?;
        Ok(ids)
    }

    /// How many images the selection names: for ids, how many distinct ids were given
    /// (unknown ones included: each gets a result); for a query, how many images match now.
    pub fn count(&self, conn: &Connection) -> Result<u64> {
        match self {
            Selection::Ids { ids } => Ok(Self::unique_ids(ids).len() as u64),
            Selection::Query { query, except } => {
                let mut args = Vec::new();
                let Some(where_) = query_where(conn, query, except, &mut args)? else {
                    return Ok(0);
                };
                let n: i64 = conn.query_row(
                    &format!("SELECT count(*) FROM images {where_}"),
                    rusqlite::params_from_iter(args),
                    |r| r.get(0),
                )?;
                Ok(n as u64)
            }
        }
    }

    /// The next chunk of at most `size` images (ids keep their given order, a query goes in
    /// `seq` order); empty when the selection is exhausted. Run it inside the transaction that
    /// changes the chunk, so what is read is what is changed.
    pub fn next_chunk(
        &self,
        conn: &Connection,
        cursor: &mut Cursor,
        size: usize,
    ) -> Result<Vec<Target>> {
        let size = size.max(1);
        match self {
            Selection::Ids { ids } => {
                let mut chunk: Vec<&String> = Vec::with_capacity(size.min(ids.len()));
                let mut wanted: Vec<String> = Vec::with_capacity(chunk.capacity());
                while chunk.len() < size && cursor.next < ids.len() {
                    let id = &ids[cursor.next];
                    cursor.next += 1;
                    let key = normalize(id);
                    if cursor.seen.insert(key.clone()) {
                        chunk.push(id);
                        wanted.push(key);
                    }
                }
                if chunk.is_empty() {
                    return Ok(Vec::new());
                }
                let mut found: std::collections::HashMap<String, ImageRecord> =
                    records(conn, "images.id", &wanted)?
                        .into_iter()
                        .map(|r| (r.id.clone(), r))
                        .collect();
                Ok(chunk
                    .iter()
                    .zip(&wanted)
                    .map(|(given, key)| match found.remove(key) {
                        Some(r) => Target::Found(Box::new(r)),
                        None => Target::Missing(given.to_string()),
                    })
                    .collect())
            }
            Selection::Query { query, except } => {
                let mut args = Vec::new();
                let Some(where_) = query_where(conn, query, except, &mut args)? else {
                    return Ok(Vec::new());
                };
                args.push(Value::Integer(
                    cursor.before_seq.unwrap_or(cursor.after_seq),
                ));
                let from = args.len();
                args.push(Value::Integer(size as i64));
                let limit = args.len();
                let sql = chunk_sql(&where_, from, limit, cursor.before_seq.is_some());
                let seqs: Vec<i64> = {
                    let mut stmt = conn.prepare_cached(&sql)?;
                    let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| r.get(0))?;
                    rows.collect::<Result<Vec<_>, _>>()?
                };
                let Some(&last) = seqs.last() else {
                    return Ok(Vec::new());
                };
                match cursor.before_seq {
                    Some(_) => cursor.before_seq = Some(last),
                    None => cursor.after_seq = last,
                }
                let mut recs = records(conn, "images.seq", &seqs)?;
                recs.sort_by_key(|r| r.seq);
                if cursor.before_seq.is_some() {
                    recs.reverse();
                }
                Ok(recs
                    .into_iter()
                    .map(|r| Target::Found(Box::new(r)))
                    .collect())
            }
        }
    }
}

/// The next chunk's `seq`s, after `?from` (or below it, walking down). NOT INDEXED: walk the
/// `seq` range from the cursor (the rowid), never an index of a filtered column, which would
/// visit every match again for each chunk.
fn chunk_sql(where_: &str, from: usize, limit: usize, down: bool) -> String {
    let (op, order) = if down { ("<", "DESC") } else { (">", "ASC") };
    format!(
        "SELECT images.seq FROM images NOT INDEXED {where_} AND images.seq {op} ?{from}
         ORDER BY images.seq {order} LIMIT ?{limit}"
    )
}

/// `WHERE …` of a query selection (always at least one clause, so `AND` may follow);
/// `None` when nothing can match.
fn query_where(
    conn: &Connection,
    query: &ListQuery,
    except: &[String],
    args: &mut Vec<Value>,
) -> Result<Option<String>> {
    let Some(f) = filters(conn, query, args, Purpose::Selection)? else {
        return Ok(None);
    };
    let mut clauses = f.clauses;
    let except: Vec<String> = except.iter().map(|id| normalize(id)).collect();
    args.push(Value::Text(
        serde_json::to_string(&except).unwrap_or_else(|_| "[]".into()),
    ));
    clauses.push(format!(
        "images.id NOT IN (SELECT value FROM json_each(?{}))",
        args.len()
    ));
    Ok(Some(format!("WHERE {}", clauses.join(" AND "))))
}

/// The records whose `column` is one of `values`, in no particular order.
fn records<T: Serialize>(
    conn: &Connection,
    column: &str,
    values: &[T],
) -> Result<Vec<ImageRecord>> {
    let list = serde_json::to_string(values).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM images WHERE {column} IN (SELECT value FROM json_each(?1))"
    ))?;
    let rows = stmt.query_map([list], record_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

#[cfg(test)]
pub(crate) mod tests;
