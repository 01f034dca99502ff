//! Bulk actions: the same change on many images at once — a [`Selection`] of ids, or a query
//! minus exceptions ("select all", however many). Each chunk of [`CHUNK`] images is one
//! catalog transaction, whose sync work (moves, deletes) the catalog's triggers queue like
//! for one image; each chunk that changed something is announced once (`LibraryChanged` and
//! a kick of the sync engine), and the caller sees each chunk's per-image results with the
//! progress so far. The single-image operations are the one-id case of these.
//!
//! Per-image statuses (`--json`'s `status`): `changed` (visibility or tags set), `unchanged`
//! (it already was so: nothing written, nothing queued), `removed`, `linked`, `error` (with a
//! message and a code; an unknown id is `not_found`). An error that is not about one image
//! (the catalog failing, no remote) ends the action: chunks committed before it stay.

use std::time::Duration;

use serde::Serialize;

use super::Vitrine;
use crate::catalog::{Catalog, ChunkItem, Cursor, Edit, ImageRecord, Selection, VisibilityChange};
use crate::error::{Error, ErrorCode, Result};
use crate::events::{ChangeReason, Progress};
use crate::model::Visibility;
use crate::sync::links::{self, ImageLink, LinkFormat};

/// Images per catalog transaction: short enough not to hold the write lock for long (another
/// process's write waits for it), long enough that 100,000 images are 200 commits.
pub const CHUNK: usize = 500;

/// What happened to one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// Visibility or tags changed.
    Changed,
    /// It already was so; nothing written.
    Unchanged,
    Removed,
    Linked,
    Error,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Changed => "changed",
            ItemStatus::Unchanged => "unchanged",
            ItemStatus::Removed => "removed",
            ItemStatus::Linked => "linked",
            ItemStatus::Error => "error",
        }
    }
}

/// One image's result: its id (as given, for an unknown one), status, its state afterwards
/// (`value`: new visibility, tags, removed record, link) or the error.
#[derive(Debug)]
pub struct ItemResult<T> {
    pub id: String,
    pub status: ItemStatus,
    pub value: Option<T>,
    pub error: Option<Error>,
}

impl<T> ItemResult<T> {
    fn of(id: String, r: Result<Edit<T>>, done: ItemStatus) -> Self {
        let (status, value, error) = match r {
            Ok(Edit::Changed(v)) => (done, Some(v), None),
            Ok(Edit::Unchanged(v)) => (ItemStatus::Unchanged, Some(v), None),
            Err(e) => (ItemStatus::Error, None, Some(e)),
        };
        ItemResult {
            id,
            status,
            value,
            error,
        }
    }

    /// The error's code, for `--json` and the app.
    pub fn code(&self) -> Option<ErrorCode> {
        self.error.as_ref().map(Error::code)
    }

    fn into_result(self) -> Result<T> {
        match (self.error, self.value) {
            (Some(e), _) => Err(e),
            (None, Some(v)) => Ok(v),
            (None, None) => Err(Error::NotFound(self.id)),
        }
    }
}

/// How many images ended in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BulkTally {
    pub changed: u64,
    pub unchanged: u64,
    pub removed: u64,
    pub linked: u64,
    pub failed: u64,
}

impl BulkTally {
    fn add<T>(&mut self, items: &[ItemResult<T>]) {
        for i in items {
            *match i.status {
                ItemStatus::Changed => &mut self.changed,
                ItemStatus::Unchanged => &mut self.unchanged,
                ItemStatus::Removed => &mut self.removed,
                ItemStatus::Linked => &mut self.linked,
                ItemStatus::Error => &mut self.failed,
            } += 1;
        }
    }
}

/// Sees each chunk's results (in selection order) and the progress so far.
pub type OnChunk<'a, T> = &'a mut dyn FnMut(Vec<ItemResult<T>>, Progress);

impl Vitrine {
    /// Sets the visibility of every selected image (the bucket follows in the background).
    pub fn set_visibility_many(
        &self,
        sel: &Selection,
        visibility: Visibility,
        on_chunk: OnChunk<VisibilityChange>,
    ) -> Result<BulkTally> {
        self.edit_many(
            sel,
            ItemStatus::Changed,
            ChangeReason::Edit,
            |cat, cursor, n| cat.set_visibility_chunk(sel, cursor, n, visibility),
            |_| {},
            on_chunk,
        )
    }

    /// Adds `add`, then removes `remove`, on every selected image; each one's tags after.
    pub fn edit_tags_many(
        &self,
        sel: &Selection,
        add: &[String],
        remove: &[String],
        on_chunk: OnChunk<Vec<String>>,
    ) -> Result<BulkTally> {
        self.edit_many(
            sel,
            ItemStatus::Changed,
            ChangeReason::Edit,
            |cat, cursor, n| cat.edit_tags_chunk(sel, cursor, n, add, remove),
            |_| {},
            on_chunk,
        )
    }

    /// Removes every selected image: its row (a tombstone stays for sync, which deletes the
    /// bucket's objects through the trash), then its managed original and thumbnails.
    pub fn remove_many(
        &self,
        sel: &Selection,
        on_chunk: OnChunk<ImageRecord>,
    ) -> Result<BulkTally> {
        let cache = self.lib.thumb_cache()?;
        self.edit_many(
            sel,
            ItemStatus::Removed,
            ChangeReason::Delete,
            |cat, cursor, n| cat.remove_chunk(sel, cursor, n, true),
            |item| {
                if let Some(rec) = &item.value {
                    if let Err(e) = self.lib.remove_files(&cache, rec) {
                        item.status = ItemStatus::Error;
                        item.error = Some(e);
                    }
                }
            },
            on_chunk,
        )
    }

    /// A link to every selected image in `format` (see [`links::link`]): presigned (living
    /// `expires`) for private images and public URLs for the others with a bucket, `file://`
    /// URLs without one. Reads only.
    pub fn links_many(
        &self,
        sel: &Selection,
        format: LinkFormat,
        expires: Option<Duration>,
        on_chunk: OnChunk<ImageLink>,
    ) -> Result<BulkTally> {
        let cat = self.lib.catalog_connection()?;
        let remote = match cat.active_remote()? {
            Some(_) => Some(self.sync.remote(&cat)?),
            None => None,
        };
        let total = sel.count(cat.conn())?;
        let (mut cursor, mut tally, mut done) = (Cursor::default(), BulkTally::default(), 0);
        loop {
            let chunk = sel.next_chunk(cat.conn(), &mut cursor, self.chunk)?;
            if chunk.is_empty() {
                break;
            }
            let items: Vec<ItemResult<ImageLink>> = chunk
                .into_iter()
                .map(|target| {
                    let r = match target {
                        crate::catalog::Target::Missing(id) => {
                            (id.clone(), Err(Error::NotFound(id)))
                        }
                        crate::catalog::Target::Found(rec) => (
                            rec.id.clone(),
                            links::link_record(&self.lib, remote.as_ref(), &rec, expires, format)
                                .map(Edit::Changed)
                                .map_err(Error::from),
                        ),
                    };
                    ItemResult::of(r.0, r.1, ItemStatus::Linked)
                })
                .collect();
            done += items.len() as u64;
            tally.add(&items);
            on_chunk(items, progress(done, total));
        }
        Ok(tally)
    }

    /// The loop every bulk edit shares: one `step` (one chunk, one transaction) at a time;
    /// `after_commit` finishes each item outside the transaction (file work).
    fn edit_many<T>(
        &self,
        sel: &Selection,
        done_status: ItemStatus,
        reason: ChangeReason,
        mut step: impl FnMut(&mut Catalog, &mut Cursor, usize) -> Result<Option<Vec<ChunkItem<T>>>>,
        mut after_commit: impl FnMut(&mut ItemResult<T>),
        on_chunk: OnChunk<T>,
    ) -> Result<BulkTally> {
        let total = sel.count(self.lib.catalog().conn())?;
        let (mut cursor, mut tally, mut done) = (Cursor::default(), BulkTally::default(), 0);
        loop {
            let chunk = {
                let mut cat = self.lib.catalog();
                step(&mut cat, &mut cursor, self.chunk)?
            };
            let Some(chunk) = chunk else { break };
            let mut items: Vec<ItemResult<T>> = chunk
                .into_iter()
                .map(|(id, r)| ItemResult::of(id, r, done_status))
                .collect();
            items.iter_mut().for_each(&mut after_commit);
            if items
                .iter()
                .any(|i| i.value.is_some() && i.status != ItemStatus::Unchanged)
            {
                self.announce(reason);
            }
            done += items.len() as u64;
            tally.add(&items);
            on_chunk(items, progress(done, total));
        }
        Ok(tally)
    }

    // --- one image: the one-id case -----------------------------------------------------

    /// Adds and removes tags on one image; returns its tags.
    pub fn edit_tags(&self, id: &str, add: &[String], remove: &[String]) -> Result<Vec<String>> {
        let mut one = None;
        self.edit_tags_many(&Selection::ids(&[id]), add, remove, &mut |items, _| {
            one = items.into_iter().next()
        })?;
        one.ok_or_else(|| Error::NotFound(id.to_string()))?
            .into_result()
    }

    /// Sets one image's visibility (the bucket follows in the background); the record after.
    pub fn set_visibility(&self, id: &str, visibility: Visibility) -> Result<ImageRecord> {
        let mut one = None;
        self.set_visibility_many(&Selection::ids(&[id]), visibility, &mut |items, _| {
            one = items.into_iter().next()
        })?;
        let item = one.ok_or_else(|| Error::NotFound(id.to_string()))?;
        let id = item.id.clone();
        item.into_result()?;
        self.lib.catalog().get(&id)
    }

    /// Renames one image (every computer on the bucket follows); the record after.
    pub fn rename(&self, id: &str, name: &str) -> Result<ImageRecord> {
        let rec = self.lib.catalog().rename(id, name)?;
        self.announce(ChangeReason::Edit);
        Ok(rec)
    }

    /// Removes images (a tombstone stays for sync); every known one is removed, and the
    /// first failure (an unknown id) is returned after.
    pub fn remove(&self, ids: &[String]) -> Result<Vec<String>> {
        let mut removed = Vec::with_capacity(ids.len());
        let mut first_error = None;
        self.remove_many(&Selection::ids(ids), &mut |items, _| {
            for item in items {
                match item.error {
                    Some(e) => {
                        first_error.get_or_insert(e);
                    }
                    None => removed.push(item.id),
                }
            }
        })?;
        match first_error {
            Some(e) => Err(e),
            None => Ok(removed),
        }
    }

    /// A link to one image in `format` (see [`links::link`]): presigned or public with a
    /// bucket, the original's `file://` URL without one.
    pub fn link(
        &self,
        id: &str,
        format: LinkFormat,
        expires: Option<Duration>,
    ) -> Result<ImageLink> {
        let mut one = None;
        self.links_many(&Selection::ids(&[id]), format, expires, &mut |items, _| {
            one = items.into_iter().next()
        })?;
        one.ok_or_else(|| Error::NotFound(id.to_string()))?
            .into_result()
    }
}

fn progress(done: u64, total: u64) -> Progress {
    Progress {
        done,
        total: total.max(done),
    }
}

#[cfg(test)]
mod tests;
