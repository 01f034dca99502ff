//! Listing and searching: keyset paging in every sort order, filters, FTS5 search.

use rusqlite::types::Value;
use rusqlite::OptionalExtension;

use super::dimensions::{Orientation, SizeClass, PIXELS, SHAPE};
use super::images::{record_from_row, ImageRecord, RECORD_COLUMNS};
use super::Catalog;
use crate::error::Result;
use crate::model::{RemoteState, Sort, SourceKind, Visibility};

/// A gallery page: what the UI asks for by default.
pub const DEFAULT_PAGE: usize = 200;

/// Filters, order and page position. `after` is the id of the last image of the previous
/// page: the next page starts right after it in the chosen order. `offset` skips that many
/// images first (after `after`, or from the start): a page by position, for a view that jumps
/// deep into the list without walking every page before it.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct ListQuery {
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub tag: Option<String>,
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub visibility: Option<Visibility>,
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub remote_state: Option<RemoteState>,
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub source: Option<SourceKind>,
    #[cfg_attr(feature = "gui", ts(optional = nullable, type = "number"))]
    pub limit: Option<usize>,
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub after: Option<String>,
    /// Images skipped before the page (after `after`, if given).
    #[cfg_attr(feature = "gui", ts(optional = nullable, type = "number"))]
    pub offset: Option<u64>,
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub sort: Option<Sort>,
    /// Full-text query (FTS5 over filename, prompts, model, tags and raw AI text).
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub search: Option<String>,
    /// More tags: images with any of them (with `tag` too), or all of them with `all_tags`.
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub tags: Option<Vec<String>>,
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub all_tags: Option<bool>,
    /// A generator (`comfyui`, `a1111`, …), `any` (made by an AI tool) or `none`.
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub generator: Option<String>,
    /// The AI model, exactly (letter case aside).
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub model: Option<String>,
    /// The format: jpeg (or jpg), png, webp, gif, bmp, tiff, tga, ico, heic (or heif), avif, jxl,
    /// or a camera RAW: cr2, cr3, nef, arw, dng, raf, orf, rw2, pef, srw, raw (other makers').
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub format: Option<String>,
    /// The camera's model or make, exactly (letter case aside).
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub camera: Option<String>,
    /// First and last day (`YYYY-MM-DD`, inclusive) the picture was taken, or else added.
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub from: Option<String>,
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub to: Option<String>,
    /// As displayed (after the EXIF orientation): `landscape`, `portrait` or `square`.
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub orientation: Option<String>,
    /// By pixel count: `small` (under 1 MP), `medium` (1 to 8 MP) or `large` (8 MP and more).
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub size: Option<String>,
    /// The images of this album (its name, any letter case); an unknown album is an error.
    #[cfg_attr(feature = "gui", ts(optional = nullable))]
    pub album: Option<String>,
}

/// The day a picture belongs to: when it was taken (its EXIF date, local time), else when it
/// was added (UTC). Indexed as `images_day` (schema 7).
pub const DAY: &str =
    "coalesce(substr(images.taken_at, 1, 10), date(images.created_at / 1000, 'unixepoch'))";

/// [`DAY`] of the `images` row named `alias`.
fn day_of(alias: &str) -> String {
    DAY.replace("images.", &format!("{alias}."))
}

/// `2024-05-01` (or the date part of an RFC 3339 time), checked.
pub fn parse_day(s: &str) -> Result<String> {
    let d = s.trim();
    let d = d.get(..10).unwrap_or(d);
    let b = d.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&d[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&d[8..10].parse::<u32>().unwrap_or(0));
    if !ok {
        return Err(crate::error::Error::Invalid {
            what: "date",
            value: s.to_string(),
            hint: "use YYYY-MM-DD, e.g. 2024-05-01",
        });
    }
    Ok(d.to_string())
}

/// A format name as stored (`jpg` → `jpeg`), checked.
pub fn parse_format(s: &str) -> Result<String> {
    let f = s.trim().trim_start_matches('.').to_ascii_lowercase();
    let f = match f.as_str() {
        "jpg" | "jpe" => "jpeg".to_string(),
        "tif" => "tiff".to_string(),
        "heif" => "heic".to_string(),
        "nrw" => "nef".to_string(),
        "srf" | "sr2" => "arw".to_string(),
        _ => f,
    };
    if crate::import::sniff::Format::from_name(&f).is_none() {
        return Err(crate::error::Error::Invalid {
            what: "format",
            value: s.to_string(),
            hint:
                "use jpeg, png, webp, gif, bmp, tiff, tga, ico, heic, avif, jxl, or a camera RAW: \
                   cr2, cr3, nef, arw, dng, raf, orf, rw2, pef, srw (raw: other makers')",
        });
    }
    Ok(f)
}

/// A generator filter: `any`, `none`, or one generator's name (aliases accepted).
pub fn parse_generator(s: &str) -> Result<String> {
    let g = s.trim().to_ascii_lowercase();
    if g == "any" || g == "ai" || g == "none" {
        return Ok(if g == "ai" { "any".into() } else { g });
    }
    crate::import::ai::Generator::parse(&g)
        .map(|g| g.as_str().to_string())
        .ok_or(crate::error::Error::Invalid {
            what: "generator",
            value: s.to_string(),
            hint: "use any, none, a1111, comfyui, novelai, invokeai, fooocus, swarmui, \
                   midjourney, openai, firefly, c2pa or unknown",
        })
}

/// Sort key expression, direction, and the index that serves it (see migrations.rs).
fn order(sort: Sort) -> (&'static str, &'static str, &'static str) {
    match sort {
        Sort::Newest => ("images.created_at", "DESC", "images_newest"),
        Sort::Oldest => ("images.created_at", "ASC", "images_newest"),
        Sort::Taken => ("coalesce(images.taken_at, '')", "DESC", "images_taken"),
        Sort::Name => ("images.filename COLLATE NOCASE", "ASC", "images_name"),
        Sort::Size => ("images.bytes", "DESC", "images_size"),
    }
}

/// Above this many candidates from a tag or a search, walking the sort index and testing
/// membership beats looking every candidate up and sorting them (measured on 100k rows).
const DRIVE_FROM_INDEX_ABOVE: i64 = 3000;

/// The `seq` range of a window's walk, for the membership clauses limited to it.
const WINDOW: &str = "(SELECT lo FROM span) AND (SELECT hi FROM span)";

impl Catalog {
    pub fn list(&self, q: &ListQuery) -> Result<Vec<ImageRecord>> {
        let seqs = self.page_seqs(q)?;
        self.rows_in_order(&seqs, RECORD_COLUMNS, |r| {
            record_from_row(r).map(|rec| (rec.seq, rec))
        })
    }

    /// A page's second step: `columns` of the rows `seqs` names, each read by `read` as its
    /// `seq` and value, in the order of `seqs`.
    pub(super) fn rows_in_order<T>(
        &self,
        seqs: &[i64],
        columns: &str,
        read: impl FnMut(&rusqlite::Row) -> rusqlite::Result<(i64, T)>,
    ) -> Result<Vec<T>> {
        if seqs.is_empty() {
            return Ok(Vec::new());
        }
        let list = serde_json::to_string(&seqs).unwrap_or_else(|_| "[]".into());
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {columns} FROM images WHERE images.seq IN (SELECT value FROM json_each(?1))"
        ))?;
        let mut by_seq: std::collections::HashMap<i64, T> =
            stmt.query_map([list], read)?.collect::<Result<_, _>>()?;
        Ok(seqs.iter().filter_map(|s| by_seq.remove(s)).collect())
    }

    /// The `seq`s of a page's rows, in the page's order: the first step of every listing,
    /// which then reads what it shows of just those rows.
    pub(super) fn page_seqs(&self, q: &ListQuery) -> Result<Vec<i64>> {
        let run = |(sql, args): (String, Vec<Value>)| -> Result<Vec<i64>> {
            let mut stmt = self.conn().prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| r.get(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        };
        let Some(page) = page_sql_in(self.conn(), q)? else {
            return Ok(Vec::new());
        };
        // A page of a large tag or search: first from a window of the date index (see
        // `page_sql_in`); when the window holds less than a page of it, the whole walk.
        if let Some(window) = page.window {
            let found = run(window)?;
            if q.limit.is_some_and(|l| found.len() >= l) {
                return Ok(found);
            }
        }
        run(page.whole)
    }

    /// How many images [`Catalog::list`] would list with the same filters (its limit, page
    /// position and order aside): what the app shows beside its filter chips.
    pub fn count(&self, q: &ListQuery) -> Result<u64> {
        let Some((sql, args)) = count_sql(self.conn(), q)? else {
            return Ok(0);
        };
        let n: i64 = self
            .conn()
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(args), |r| r.get(0))?;
        Ok(n as u64)
    }
}

/// The first step of a page: the `seq`s of its rows, in order, with its arguments (`None`: the
/// search has no words, nothing matches).
#[cfg(test)]
pub(super) fn page_sql(
    conn: &rusqlite::Connection,
    q: &ListQuery,
) -> Result<Option<(String, Vec<Value>)>> {
    Ok(page_sql_in(conn, q)?.map(|p| p.whole))
}

/// A page's queries: the whole walk, and for a large tag or search a window to try first.
pub(super) struct PageSql {
    pub whole: (String, Vec<Value>),
    pub window: Option<(String, Vec<Value>)>,
}

/// `page_sql` with its window, where one applies.
///
/// A large tag or search (more than [`DRIVE_FROM_INDEX_ABOVE`] images) is paged by walking the
/// date index and testing each row's membership — but that test reads the whole set first
/// (100,000 `seq`s of a tag on a million images: ~30 ms). The window walks only the next few
/// thousand rows of the date index (as many as should hold a page, twice over, from the
/// set's share of the library) and reads the set's members in the `seq` range of those rows,
/// which the FTS and tag indexes seek to. Images are numbered as they are added, so a window
/// of dates is a narrow range of `seq`s; when that does not hold the range is wide and the
/// window costs what the whole walk does. Exact either way: the page is the first rows of the
/// walk that match; if the window holds fewer than a page of them, the caller walks it all.
pub(super) fn page_sql_in(conn: &rusqlite::Connection, q: &ListQuery) -> Result<Option<PageSql>> {
    page_sql_with(conn, q, DRIVE_FROM_INDEX_ABOVE, MIN_WINDOW)
}

/// The fewest rows a window walks.
const MIN_WINDOW: i64 = 1_000;

/// [`page_sql_in`] with its thresholds given (tests use small ones).
pub(super) fn page_sql_with(
    conn: &rusqlite::Connection,
    q: &ListQuery,
    dense_above: i64,
    min_window: i64,
) -> Result<Option<PageSql>> {
    let sort = q.sort.unwrap_or(Sort::Newest);
    let (key, dir, index) = order(sort);
    let mut args: Vec<Value> = Vec::new();
    let Some(Filters {
        mut clauses,
        windowed,
        candidates,
        in_date_order,
    }) = filters(conn, q, &mut args, Purpose::List)?
    else {
        return Ok(None);
    };
    let dense = candidates.is_some_and(|n| n > dense_above);
    let skip = q.offset.unwrap_or(0).min(i64::MAX as u64) as i64;
    // How many rows of the date index the window walks.
    let walk = match (candidates, q.limit) {
        // A page by position counts every row before it: no window.
        (Some(n), Some(limit)) if dense && key == "images.created_at" && skip == 0 => {
            let total: i64 = conn.query_row(super::stats::ALL_IMAGES, [], |r| r.get(0))?;
            Some(limit as i64 * 2 * total / n.max(1))
                .map(|w| w.max(min_window))
                .filter(|&w| w < total)
        }
        _ => None,
    };
    // Two or more filters that each walk their own index in date order: intersect those walks
    // (SQLite merges sorted streams, reading indexes only), instead of walking one and reading
    // each of its rows to test the others — which reads every row of the first when the two
    // never meet (AI-made + public on the bench's 100k rows, dev build: 65 → 10 ms).
    let merge = in_date_order && clauses.len() >= 2 && key == "images.created_at";
    let streams = merge.then(|| std::mem::take(&mut clauses));
    let arg = |v: Value, args: &mut Vec<Value>| {
        args.push(v);
        format!("?{}", args.len())
    };
    if let Some(after) = &q.after {
        let cursor: Option<(Value, i64)> = conn
            .query_row(
                &format!("SELECT {key}, images.seq FROM images WHERE images.id = ?1"),
                [after.trim().to_ascii_uppercase()],
                |r| Ok((r.get::<_, Value>(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((k, seq)) = cursor else {
            return Err(crate::error::Error::NotFound(after.clone()));
        };
        // `key <= k AND (key < k OR seq < s)`: the first half is an index range, which a
        // row-value comparison on an expression index is not.
        let (le, lt) = if dir == "DESC" {
            ("<=", "<")
        } else {
            (">=", ">")
        };
        let pk = arg(k, &mut args);
        let ps = arg(Value::Integer(seq), &mut args);
        clauses.push(format!(
            "{key} {le} {pk} AND ({key} {lt} {pk} OR images.seq {lt} {ps})"
        ));
    }
    let limit = q.limit.map(|l| l as i64).unwrap_or(-1);
    let lp = arg(Value::Integer(limit), &mut args);
    let op = arg(Value::Integer(skip), &mut args);
    let window = walk.map(|walk| {
        // The walk takes the cursor and the filters on the row itself; the outer query tests
        // membership of the walked rows (within their `seq` range) from the indexes alone.
        let mut args = args.clone();
        let (mut members, mut on_row) = (Vec::new(), Vec::new());
        for (i, clause) in clauses.iter().enumerate() {
            match windowed.iter().find(|(w, _)| *w == i) {
                Some((_, member)) => members.push(member.clone()),
                None => on_row.push(clause.clone()),
            }
        }
        let wp = arg(Value::Integer(walk), &mut args);
        // The walk is read twice (its `seq` range, then its rows), each time straight from the
        // index: storing its rows in a temporary table cost more (55,000 rows: ~8 ms of a
        // search's ~20 at 1M) than walking them again (~2 ms). The order is total, so both
        // walks meet the same rows.
        let sql = format!(
            "WITH walk AS NOT MATERIALIZED (
                 SELECT images.seq AS seq, {key} AS k FROM images INDEXED BY {index} {}
                 ORDER BY {key} {dir}, images.seq {dir} LIMIT {wp}),
             span AS MATERIALIZED (SELECT min(seq) AS lo, max(seq) AS hi FROM walk)
             SELECT walk.seq FROM walk {}
             ORDER BY walk.k {dir}, walk.seq {dir} LIMIT {lp}",
            where_clause(&on_row),
            where_clause(&members),
        );
        (sql, args)
    });
    if let Some(streams) = streams {
        // `clauses` now holds the cursor alone, which bounds every stream.
        let sides: Vec<String> = streams
            .iter()
            .map(|c| {
                let mut all = vec![c.clone()];
                all.extend(clauses.iter().cloned());
                format!(
                    "SELECT images.seq, {key} FROM images {}",
                    where_clause(&all)
                )
            })
            .collect();
        let sql = format!(
            "{} ORDER BY 2 {dir}, 1 {dir} LIMIT {lp} OFFSET {op}",
            sides.join(" INTERSECT ")
        );
        return Ok(Some(PageSql {
            whole: (sql, args),
            window,
        }));
    }
    let filter = where_clause(&clauses);
    let hint = if dense {
        format!("INDEXED BY {index}")
    } else {
        String::new()
    };
    // Two steps: pick the page's rows by the (indexed) sort key alone, then read the full
    // records of just those rows. Sorting wide rows (with their tag lists) is what is slow.
    let sql = format!(
        "SELECT images.seq FROM images {hint} {filter} ORDER BY {key} {dir}, images.seq {dir} LIMIT {lp} OFFSET {op}"
    );
    Ok(Some(PageSql {
        whole: (sql, args),
        window,
    }))
}

/// [`Catalog::count`]'s query, with its arguments (`None`: nothing can match).
pub(super) fn count_sql(
    conn: &rusqlite::Connection,
    q: &ListQuery,
) -> Result<Option<(String, Vec<Value>)>> {
    let mut args: Vec<Value> = Vec::new();
    let Some(Filters { clauses, .. }) = filters(conn, q, &mut args, Purpose::Count)? else {
        return Ok(None);
    };
    if clauses.is_empty() {
        // The whole library: counted by the catalog's triggers (schema 11).
        return Ok(Some((super::stats::ALL_IMAGES.to_string(), args)));
    }
    let filter = where_clause(&clauses);
    Ok(Some((
        format!("SELECT count(*) FROM images {filter}"),
        args,
    )))
}

/// `WHERE a AND b …`, or nothing without clauses.
fn where_clause(clauses: &[String]) -> String {
    if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    }
}

/// What the filters are for: a sorted page (`list`), or a selection walked in `seq` order.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    /// Count the candidates of a tag or a search (they decide the plan).
    List,
    /// A count of the matches: no plan to decide, any filter may drive the scan.
    Count,
    /// No counts; tag and search membership written `+images.seq IN (…)` so that they filter
    /// a `seq` range instead of driving the scan (which would visit every member per chunk).
    Selection,
}

/// The `WHERE` clauses of a query's filters (tags, generator, model, format, camera, days,
/// orientation, size, visibility, remote state, source, album, full-text)
/// with their arguments appended to `args`, and for a list the smallest candidate count of a
/// tag or a search. `None`: the search has no words, nothing matches. Shared by
/// [`Catalog::list`] and selections ([`super::Selection`]): one home for what a filter means.
pub(super) fn filters(
    conn: &rusqlite::Connection,
    q: &ListQuery,
    args: &mut Vec<Value>,
    purpose: Purpose,
) -> Result<Option<Filters>> {
    let plan = purpose == Purpose::List;
    let member = if purpose == Purpose::Selection {
        "+images.seq"
    } else {
        "images.seq"
    };
    // The smallest candidate set among tag and search decides the plan.
    let mut candidates: Option<i64> = None;
    let mut note = |n: i64| candidates = Some(candidates.map_or(n, |c| c.min(n)));
    let mut clauses: Vec<String> = Vec::new();
    let mut windowed: Vec<(usize, String)> = Vec::new();
    // Clauses that are an equality on an index whose next column is the date added: each can
    // hand out its rows in date order from its index alone (see `page_sql`).
    let mut in_date_order = 0;
    let arg = |v: Value, args: &mut Vec<Value>| {
        args.push(v);
        format!("?{}", args.len())
    };
    let mut tags: Vec<String> = q
        .tag
        .iter()
        .chain(q.tags.iter().flatten())
        .map(|t| t.trim().to_string())
        .collect();
    tags.retain(|t| !t.is_empty());
    tags.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    // Every tag a clause of its own (all), or one clause for the set (any).
    let groups: Vec<Vec<String>> = if q.all_tags == Some(true) {
        tags.into_iter().map(|t| vec![t]).collect()
    } else if tags.is_empty() {
        Vec::new()
    } else {
        vec![tags]
    };
    for group in groups {
        let ps: Vec<String> = group
            .iter()
            .map(|t| arg(Value::Text(t.clone()), args))
            .collect();
        let set = ps.join(", ");
        if plan {
            // Each tag's images are counted by the triggers (schema 11); for several tags the
            // sum, which an image with two of them makes an upper bound: enough for a plan.
            let sql = format!(
                "SELECT coalesce(sum(images), 0) FROM tags WHERE name IN ({})",
                (1..=group.len())
                    .map(|i| format!("?{i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            note(conn.query_row(&sql, rusqlite::params_from_iter(&group), |r| r.get(0))?);
            windowed.push((
                clauses.len(),
                format!(
                    "walk.seq IN (SELECT it.image_seq FROM image_tags it JOIN tags t ON t.id = it.tag_id \
                     WHERE t.name IN ({set}) AND it.image_seq BETWEEN {WINDOW})"
                ),
            ));
        }
        clauses.push(format!(
            "{member} IN (SELECT it.image_seq FROM image_tags it JOIN tags t ON t.id = it.tag_id WHERE t.name IN ({set}))"
        ));
    }
    if let Some(g) = &q.generator {
        match parse_generator(g)?.as_str() {
            "any" => {
                // `images_ai` (schema 8): the AI-made in date order.
                clauses.push("images.generator IS NOT NULL".into());
                in_date_order += 1;
            }
            "none" => clauses.push("images.generator IS NULL".into()),
            g => {
                let p = arg(Value::Text(g.into()), args);
                clauses.push(format!("images.generator = {p}"));
                in_date_order += 1;
            }
        }
    }
    if let Some(m) = q.model.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        let p = arg(Value::Text(m.into()), args);
        clauses.push(format!("images.model = {p} COLLATE NOCASE"));
        in_date_order += 1;
    }
    if let Some(f) = &q.format {
        let p = arg(Value::Text(parse_format(f)?), args);
        clauses.push(format!("images.format = {p}"));
        in_date_order += 1;
    }
    if let Some(c) = q.camera.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        // A make ("Canon") or a model ("EOS R5"): one column each, so that its index gives the
        // order too (an OR of two indexes would not); both only for a name that is both.
        let is = |col: &str| -> Result<bool> {
            Ok(conn.query_row(
                &format!("SELECT EXISTS (SELECT 1 FROM images WHERE {col} = ?1 COLLATE NOCASE)"),
                [c],
                |r| r.get(0),
            )?)
        };
        let p = arg(Value::Text(c.into()), args);
        let model = format!("images.camera_model = {p} COLLATE NOCASE");
        let make = format!("images.camera_make = {p} COLLATE NOCASE");
        clauses.push(match (is("camera_make")?, is("camera_model")?) {
            (true, true) => format!("({model} OR {make})"),
            (true, false) => {
                in_date_order += 1;
                make
            }
            _ => {
                in_date_order += 1;
                model
            }
        });
    }
    // The day range as a set of rows read from its index alone: checking it costs no row
    // lookup, while another filter (or the date added) gives the order.
    let from = q.from.as_deref().map(parse_day).transpose()?;
    let to = q.to.as_deref().map(parse_day).transpose()?;
    if from.is_some() || to.is_some() {
        let mut range = Vec::new();
        if let Some(d) = from {
            range.push(format!("{} >= {}", day_of("d"), arg(Value::Text(d), args)));
        }
        if let Some(d) = to {
            range.push(format!("{} <= {}", day_of("d"), arg(Value::Text(d), args)));
        }
        clauses.push(format!(
            "{member} IN (SELECT d.seq FROM images d WHERE {})",
            range.join(" AND ")
        ));
    }
    if let Some(o) = &q.orientation {
        let p = arg(Value::Integer(Orientation::parse(o)?.key()), args);
        clauses.push(format!("{SHAPE} = {p}"));
        in_date_order += 1;
    }
    if let Some(s) = &q.size {
        let p = arg(Value::Integer(SizeClass::parse(s)?.key()), args);
        clauses.push(format!("{PIXELS} = {p}"));
        in_date_order += 1;
    }
    if let Some(v) = q.visibility {
        let p = arg(Value::Text(v.as_str().into()), args);
        clauses.push(format!("images.visibility = {p}"));
        in_date_order += 1;
    }
    if let Some(s) = q.remote_state {
        let p = arg(Value::Text(s.as_str().into()), args);
        clauses.push(format!("images.remote_state = {p}"));
    }
    if let Some(s) = q.source {
        let p = arg(Value::Text(s.as_str().into()), args);
        clauses.push(format!("images.source_kind = {p}"));
        in_date_order += 1;
    }
    if let Some(name) = q.album.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        let album: Option<i64> = conn
            .query_row("SELECT id FROM albums WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?;
        let album = album.ok_or_else(|| crate::error::Error::AlbumNotFound(name.to_string()))?;
        if plan {
            note(conn.query_row(
                "SELECT count(*) FROM album_images WHERE album_id = ?1",
                [album],
                |r| r.get(0),
            )?);
        }
        let p = arg(Value::Integer(album), args);
        clauses.push(format!(
            "{member} IN (SELECT m.image_seq FROM album_images m WHERE m.album_id = {p})"
        ));
    }
    if let Some(text) = &q.search {
        let Some(fts) = super::search::fts_query_in(conn, text)? else {
            return Ok(None);
        };
        if plan {
            note(search_matches(conn, &fts)?);
        }
        let p = arg(Value::Text(fts), args);
        if plan {
            windowed.push((
                clauses.len(),
                format!(
                    "walk.seq IN (SELECT rowid FROM images_fts WHERE images_fts MATCH {p} \
                     AND rowid BETWEEN {WINDOW})"
                ),
            ));
        }
        clauses.push(format!(
            "{member} IN (SELECT rowid FROM images_fts WHERE images_fts MATCH {p})"
        ));
    }
    Ok(Some(Filters {
        in_date_order: in_date_order == clauses.len(),
        clauses,
        windowed,
        candidates,
    }))
}

/// The newest images whose search matches are counted to estimate a search's size for the
/// plan (a million images' matches of three common words took ~8 ms to count; the newest
/// 50,000's, 0.3 ms).
const SAMPLE: i64 = 50_000;

/// Matches in the sample below which the search is counted in full.
const SAMPLE_MATCHES: i64 = 20;

/// How many images a search matches, for the plan: counted among the newest [`SAMPLE`] `seq`s
/// and scaled to the library, or counted in full when the sample holds too few matches to
/// scale (or the library is not much larger). A word that kept its prefix form is sampled as
/// the whole word (FTS5 reads a prefix's every posting list whatever the range asked): fewer
/// matches than the prefix has, so a window at least as long as needed. Only the plan depends
/// on it — the window's size
/// and whether to walk the date index — and the window is there for the newest rows, whose
/// density the sample measures; the rows listed are the same either way.
fn search_matches(conn: &rusqlite::Connection, fts: &str) -> Result<i64> {
    search_matches_with(conn, fts, SAMPLE)
}

/// [`search_matches`] with the sample's size given (tests use a small one).
pub(super) fn search_matches_with(
    conn: &rusqlite::Connection,
    fts: &str,
    sample: i64,
) -> Result<i64> {
    let total: i64 = conn.query_row(super::stats::ALL_IMAGES, [], |r| r.get(0))?;
    if total > 2 * sample {
        // `"…"*`: a prefix term (see `search.rs`), sampled as the whole word.
        let words = fts.replace("\"*", "\"");
        let top: i64 =
            conn.query_row("SELECT coalesce(max(seq), 0) FROM images", [], |r| r.get(0))?;
        let sampled: i64 = conn.query_row(
            "SELECT count(*) FROM images_fts WHERE images_fts MATCH ?1 AND rowid > ?2",
            rusqlite::params![words, top - sample],
            |r| r.get(0),
        )?;
        if sampled >= SAMPLE_MATCHES {
            return Ok(sampled * total / sample);
        }
    }
    Ok(conn.query_row(
        "SELECT count(*) FROM images_fts WHERE images_fts MATCH ?1",
        [fts],
        |r| r.get(0),
    )?)
}

pub(super) struct Filters {
    pub clauses: Vec<String>,
    /// For a list: the membership clauses (tags, search) again, each limited to the `seq`s
    /// between `(SELECT lo FROM span)` and `(SELECT hi FROM span)`, by clause index (see
    /// `page_sql_in`'s window).
    pub windowed: Vec<(usize, String)>,
    pub candidates: Option<i64>,
    /// Every clause can hand out its rows in date-added order from its index alone.
    pub in_date_order: bool,
}

#[cfg(test)]
pub(crate) mod tests;
