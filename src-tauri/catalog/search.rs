//! The full-text query: what a person types, as an FTS5 expression over `images_fts`.
//!
//! Every word must match, as a prefix (`"drag"*` finds "dragon"). FTS5 answers a prefix term by
//! reading and merging the posting lists of every term that starts with it before it hands out
//! the first row (at a million images, 10–40 ms for common words). Most words a person types
//! are whole words, or the start of a few: so before searching, each word is looked up in the
//! index's vocabulary (`images_fts_terms`, schema 13), and when few terms start with it the
//! prefix is written as those terms (`"golden"` alone, or `("cat" OR "cats")`), which FTS5
//! streams. Same rows as the prefix, only found sooner; a word many terms start with keeps its
//! prefix form. The lookup and the search are separate statements: an image added between the
//! two under a word new to the index is found by the next search, like any image added after
//! a page was read.

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;

/// Most terms a prefix is written as; above, the prefix stays.
pub const MAX_EXPANSION: usize = 16;

/// Turns what a person types into a safe FTS5 query: every word must match, as a prefix. What
/// was searched before the expansion; the tests compare the two.
#[cfg(test)]
pub(super) fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = words(input).map(|t| prefix_term(&t)).collect();
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

/// Turns what a person types into a safe FTS5 query: every word must match, as a prefix
/// (`"word"*`), but a prefix that few terms of the index start with is written as those
/// terms. `None`: nothing can match (no words, or a word no term starts with).
pub fn fts_query_in(conn: &Connection, input: &str) -> Result<Option<String>> {
    let mut terms = Vec::new();
    for word in words(input) {
        match expand(conn, &word)? {
            Expansion::Prefix => terms.push(prefix_term(&word)),
            Expansion::Terms(alternatives) => match alternatives.len() {
                0 => return Ok(None),
                1 => terms.extend(alternatives),
                _ => terms.push(format!("({})", alternatives.join(" OR "))),
            },
        }
    }
    Ok((!terms.is_empty()).then(|| terms.join(" AND ")))
}

/// The words of a search: split on white space, commas and parentheses, trimmed of what is
/// not a letter or digit at either end.
fn words(input: &str) -> impl Iterator<Item = String> + '_ {
    input
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// `"word"*`: a phrase of the word's tokens, the last one a prefix; quotes doubled, so that
/// nothing in it is read as FTS5 syntax.
fn prefix_term(word: &str) -> String {
    format!("\"{}\"*", quote(word))
}

fn quote(s: &str) -> String {
    s.replace('"', "\"\"")
}

enum Expansion {
    /// Keep the prefix form.
    Prefix,
    /// The word's phrase with each term its last token stands for (none: nothing matches).
    Terms(Vec<String>),
}

/// How `word` is searched. Only words of ASCII letters and digits (and separators) are
/// expanded: their tokens are what the index's tokenizer (`unicode61`) makes of them — split
/// at anything but a letter or digit, lower-cased — so the expansion finds the same terms
/// FTS5 would. Any other word keeps its prefix.
fn expand(conn: &Connection, word: &str) -> Result<Expansion> {
    if !word.is_ascii() {
        return Ok(Expansion::Prefix);
    }
    let tokens: Vec<String> = word
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let Some((last, head)) = tokens.split_last() else {
        return Ok(Expansion::Prefix);
    };
    let Some(found) = terms_starting_with(conn, last, MAX_EXPANSION)? else {
        return Ok(Expansion::Prefix);
    };
    Ok(Expansion::Terms(
        found
            .iter()
            .map(|term| {
                let mut phrase = head.to_vec();
                phrase.push(quote(term));
                format!("\"{}\"", phrase.join(" "))
            })
            .collect(),
    ))
}

/// The terms of the search index that start with `prefix`, in order; `None` when there are
/// more than `max`. Each is one seek of the vocabulary (`term >= ?` LIMIT 1, from the term
/// after the last one found): the `instance` vocabulary gives a term's first row at once,
/// where the `row` one would count its whole posting list first.
pub(super) fn terms_starting_with(
    conn: &Connection,
    prefix: &str,
    max: usize,
) -> Result<Option<Vec<String>>> {
    let mut stmt =
        conn.prepare_cached("SELECT term FROM images_fts_terms WHERE term >= ?1 LIMIT 1")?;
    let mut found: Vec<String> = Vec::new();
    let mut from = prefix.to_string();
    loop {
        let term: Option<Vec<u8>> = stmt
            .query_row([&from], |r| Ok(r.get_ref(0)?.as_bytes()?.to_vec()))
            .optional()?;
        let Some(term) = term.filter(|t| t.starts_with(prefix.as_bytes())) else {
            return Ok(Some(found));
        };
        let Ok(term) = String::from_utf8(term) else {
            return Ok(None);
        };
        if found.len() == max {
            return Ok(None);
        }
        // The smallest string after `term`: tokens hold no control characters.
        from = format!("{term}\u{1}");
        found.push(term);
    }
}

#[cfg(test)]
mod tests;
