//! One image's replicated state and the merge (join) of two of them.
//!
//! The state of an image, keyed by its content (SHA-256), is a join-semilattice: merging is
//! commutative, associative and idempotent, so computers that have seen the same changes in
//! any order, any number of times, hold the same state. The rules (also in
//! `docs/ARCHITECTURE.md`):
//! - **id**: the smallest id any computer gave this content (ULIDs: the first import's).
//! - **alive** while the newest add is newer than the newest delete (a delete is a tombstone:
//!   an older add, from a computer that had not seen the delete, does not bring it back).
//! - **visibility** and **file name**: last writer wins by hybrid logical clock, ties broken by
//!   the library (device) id.
//! - **tags**: an observed-remove set of dots (clock, library); a remove marks the dots it saw,
//!   so an add made concurrently on another computer survives.
//! - **sources**: a grow-only set.
//! - **metadata** (format, size, EXIF, AI parameters…) is a function of the content: any copy.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

use crate::model::Visibility;

/// A point of a hybrid logical clock, tied to the library that made it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stamp {
    /// Milliseconds since the epoch × 65536 + a counter.
    pub at: i64,
    /// The library (device) id; empty with `at == 0` (never happened).
    pub by: String,
}

impl Stamp {
    pub fn new(at: i64, by: &str) -> Self {
        Stamp {
            at,
            by: by.to_string(),
        }
    }
    pub fn is_set(&self) -> bool {
        self.at > 0
    }
}

impl PartialOrd for Stamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Stamp {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, &self.by).cmp(&(other.at, &other.by))
    }
}

/// A last-writer-wins register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lww<T> {
    pub value: T,
    #[serde(flatten)]
    pub stamp: Stamp,
}

impl<T: Clone> Lww<T> {
    fn join(&self, other: &Self) -> Self {
        if other.stamp > self.stamp {
            other.clone()
        } else {
            self.clone()
        }
    }
}

/// One add of a tag; `removed` once a remove saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dot {
    pub tag: String,
    pub at: i64,
    pub by: String,
    #[serde(default)]
    pub removed: bool,
}

impl Dot {
    fn key(&self) -> (String, i64, &str) {
        (self.tag.to_lowercase(), self.at, &self.by)
    }
}

/// One way the image arrived (a file path, a URL, a watched folder…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub kind: String,
    pub source: String,
    pub fetched_at: Option<i64>,
    pub added_at: i64,
}

/// What the content is: the same on every computer that imported it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub format: String,
    pub mime: String,
    pub ext: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub orientation: u8,
    pub source_kind: String,
    pub source: Option<String>,
    pub fetched_at: Option<i64>,
    pub taken_at: Option<String>,
    pub camera_make: Option<String>,
    pub camera_model: Option<String>,
    /// Latitude, longitude, altitude.
    pub gps: Option<(f64, f64, Option<f64>)>,
    pub has_serial: bool,
    pub exif_json: Option<String>,
    pub icc: bool,
    pub generator: Option<String>,
    pub prompt: Option<String>,
    pub negative_prompt: Option<String>,
    pub model: Option<String>,
    pub seed: Option<String>,
    pub steps: Option<u32>,
    pub sampler: Option<String>,
    pub cfg: Option<f64>,
    pub ai_raw: Option<String>,
    /// When it was first added (ms), shown as the image's date added.
    pub created_at: i64,
}

/// The replicated state of one content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemState {
    pub sha256: String,
    pub id: String,
    pub added: Stamp,
    #[serde(default)]
    pub deleted: Stamp,
    pub visibility: Lww<Visibility>,
    pub filename: Lww<String>,
    #[serde(default)]
    pub tags: Vec<Dot>,
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Sent with the first segment after an import (and in every snapshot); a state without
    /// it changes only clocks, tags and sources.
    #[serde(default)]
    pub meta: Option<Meta>,
}

impl ItemState {
    pub fn alive(&self) -> bool {
        self.added > self.deleted
    }

    /// The tags on the image: those with a dot no remove has seen (first spelling wins).
    pub fn tags(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut dots: Vec<&Dot> = self.tags.iter().filter(|d| !d.removed).collect();
        dots.sort_by(|a, b| (a.at, &a.by).cmp(&(b.at, &b.by)));
        for d in dots {
            if !out.iter().any(|t| t.to_lowercase() == d.tag.to_lowercase()) {
                out.push(d.tag.clone());
            }
        }
        out.sort_by_key(|t| t.to_lowercase());
        out
    }

    /// The newest clock in this state (what a receiver's clock must pass).
    pub fn max_clock(&self) -> i64 {
        self.tags
            .iter()
            .map(|d| d.at)
            .chain([
                self.added.at,
                self.deleted.at,
                self.visibility.stamp.at,
                self.filename.stamp.at,
            ])
            .max()
            .unwrap_or(0)
    }

    /// The merge of two states of the same content.
    pub fn join(&self, other: &ItemState) -> ItemState {
        debug_assert_eq!(self.sha256, other.sha256);
        let mut tags = self.tags.clone();
        for d in &other.tags {
            match tags.iter_mut().find(|t| t.key() == d.key()) {
                Some(t) => t.removed |= d.removed,
                None => tags.push(d.clone()),
            }
        }
        tags.sort_by(|a, b| a.key().cmp(&b.key()));
        let mut sources = self.sources.clone();
        for s in &other.sources {
            match sources
                .iter_mut()
                .find(|t| t.kind == s.kind && t.source == s.source)
            {
                Some(t) => t.added_at = t.added_at.min(s.added_at),
                None => sources.push(s.clone()),
            }
        }
        sources.sort_by(|a, b| (&a.kind, &a.source).cmp(&(&b.kind, &b.source)));
        ItemState {
            sha256: self.sha256.clone(),
            id: self.id.clone().min(other.id.clone()),
            added: self.added.clone().max(other.added.clone()),
            deleted: self.deleted.clone().max(other.deleted.clone()),
            visibility: self.visibility.join(&other.visibility),
            filename: self.filename.join(&other.filename),
            tags,
            sources,
            // The first import's metadata (its date added); the rest is the content's.
            meta: match (&self.meta, &other.meta) {
                (Some(a), Some(b)) if b.created_at < a.created_at => Some(b.clone()),
                (Some(a), _) => Some(a.clone()),
                (None, b) => b.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests;
