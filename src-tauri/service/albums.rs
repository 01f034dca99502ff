//! Albums through the service: membership from a [`Selection`] (ids, or a query minus
//! exceptions) written in chunks, publishing to the active remote (`crate::albums`), each
//! change announced so the gallery (filtered by an album) refreshes.

use serde::Serialize;

use super::Vitrine;
use crate::albums::{self, Published, Unpublished};
use crate::catalog::{AlbumSummary, Selection, Target};
use crate::error::{Error, ErrorCode, Result};
use crate::events::ChangeReason;
use crate::sync::Remote;

/// What `album create/add/remove` print: the album's size after, and how many changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct AlbumChange {
    pub name: String,
    /// Images in the album now.
    #[cfg_attr(feature = "gui", ts(type = "number"))]
    pub images: u64,
    /// Images added (create, add).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "gui", ts(optional, type = "number"))]
    pub added: Option<u64>,
    /// Images taken out (remove).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "gui", ts(optional, type = "number"))]
    pub removed: Option<u64>,
}

/// One album with its images' ids in album order (`album show`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "gui", derive(ts_rs::TS), ts(export))]
pub struct AlbumDetail {
    pub name: String,
    pub images: Vec<String>,
    pub published_url: Option<String>,
    pub published_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Vitrine {
    pub fn albums(&self) -> Result<Vec<AlbumSummary>> {
        self.lib.catalog().albums()
    }

    pub fn album(&self, name: &str) -> Result<AlbumDetail> {
        let cat = self.lib.catalog_connection()?;
        let album = cat.album(name)?;
        let summary = cat.album_summary(&album.name)?;
        Ok(AlbumDetail {
            images: cat
                .album_images(album.id)?
                .into_iter()
                .map(|r| r.id)
                .collect(),
            name: summary.name,
            published_url: summary.published_url,
            published_at: summary.published_at,
            created_at: summary.created_at,
            updated_at: summary.updated_at,
        })
    }

    /// A new album holding what `selection` selects (nothing: an empty album). Unknown ids
    /// are refused before the album is created.
    pub fn create_album(&self, name: &str, selection: Option<&Selection>) -> Result<AlbumChange> {
        let seqs = match selection {
            Some(s) => self.resolve(s)?,
            None => Vec::new(),
        };
        let album = self.lib.catalog().create_album(name)?;
        let added = self.write_members(album.id, &seqs, true)?;
        self.announce(ChangeReason::Edit);
        self.change(&album.name, Some(added), None)
    }

    /// Adds what `selection` selects at the album's end (images already in it stay where they
    /// are). Unknown ids are refused before anything changes.
    pub fn add_to_album(&self, name: &str, selection: &Selection) -> Result<AlbumChange> {
        let album = self.lib.catalog().album(name)?;
        let seqs = self.resolve(selection)?;
        let added = self.write_members(album.id, &seqs, true)?;
        if added > 0 {
            self.announce(ChangeReason::Edit);
        }
        self.change(&album.name, Some(added), None)
    }

    /// Takes what `selection` selects out of the album (the images stay in the library).
    pub fn remove_from_album(&self, name: &str, selection: &Selection) -> Result<AlbumChange> {
        let album = self.lib.catalog().album(name)?;
        let seqs = self.resolve(selection)?;
        let removed = self.write_members(album.id, &seqs, false)?;
        if removed > 0 {
            self.announce(ChangeReason::Edit);
        }
        self.change(&album.name, None, Some(removed))
    }

    /// Deletes the album (its images stay); a published album is unpublished first.
    pub fn delete_album(&self, name: &str) -> Result<()> {
        let album = self.lib.catalog().album(name)?;
        let recorded = !self.lib.catalog().album_objects(album.id)?.is_empty();
        if album.slug.is_some() || recorded {
            albums::unpublish(&self.lib, &self.publish_remote()?, &album.name)?;
        }
        self.lib.catalog().delete_album(album.id)?;
        self.announce(ChangeReason::Edit);
        Ok(())
    }

    pub fn rename_album(&self, name: &str, new_name: &str) -> Result<AlbumSummary> {
        let cat = self.lib.catalog();
        let album = cat.album(name)?;
        let renamed = cat.rename_album(album.id, new_name)?;
        let summary = cat.album_summary(&renamed.name)?;
        drop(cat);
        self.announce(ChangeReason::Edit);
        Ok(summary)
    }

    /// Publishes the album as an unlisted page in the active remote (see `crate::albums`).
    pub fn publish_album(&self, name: &str, keep_slug: bool) -> Result<Published> {
        self.lib.catalog().album(name)?;
        let remote = self.publish_remote()?;
        let p = albums::publish(&self.lib, &remote, name, keep_slug)?;
        self.announce(ChangeReason::Edit);
        Ok(p)
    }

    /// Removes the album's page and every copy it alone needed from the remote.
    pub fn unpublish_album(&self, name: &str) -> Result<Unpublished> {
        self.lib.catalog().album(name)?;
        let remote = self.publish_remote()?;
        let u = albums::unpublish(&self.lib, &remote, name)?;
        self.announce(ChangeReason::Edit);
        Ok(u)
    }

    fn publish_remote(&self) -> Result<Remote> {
        let cat = self.lib.catalog_connection()?;
        self.sync.remote(&cat).map_err(|e| {
            if e.code() == ErrorCode::NoRemote {
                Error::remote(
                    ErrorCode::NoRemote,
                    "no remote is set up for this library: an album is published into (and a \
                     published one removed from) the remote; add one with `vitrine remote add NAME \
                     --provider … --public-url URL` (or in the app's Settings → Bucket sync)",
                )
            } else {
                e
            }
        })
    }

    /// The `seq`s of what `selection` selects; an unknown id is an error.
    fn resolve(&self, selection: &Selection) -> Result<Vec<i64>> {
        let cat = self.lib.catalog_connection()?;
        let mut seqs = Vec::new();
        selection.for_each(cat.conn(), self.chunk, |t| match t {
            Target::Found(r) => {
                seqs.push(r.seq);
                Ok(())
            }
            Target::Missing(id) => Err(Error::NotFound(id)),
        })?;
        Ok(seqs)
    }

    /// Adds (or removes) `seqs`, one transaction per chunk: how many changed.
    fn write_members(&self, album: i64, seqs: &[i64], add: bool) -> Result<u64> {
        let mut cat = self.lib.catalog_connection()?;
        let mut n = 0;
        for chunk in seqs.chunks(self.chunk) {
            n += if add {
                cat.add_album_images(album, chunk)?
            } else {
                cat.remove_album_images(album, chunk)?
            };
        }
        Ok(n)
    }

    fn change(&self, name: &str, added: Option<u64>, removed: Option<u64>) -> Result<AlbumChange> {
        let s = self.lib.catalog().album_summary(name)?;
        Ok(AlbumChange {
            name: s.name,
            images: s.images,
            added,
            removed,
        })
    }
}
