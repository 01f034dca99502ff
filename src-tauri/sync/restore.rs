//! Bringing originals back from the bucket: the bucket is the truth for the data.

use std::path::PathBuf;

use super::Remote;
use crate::error::{Error, Result};
use crate::library::Library;
use crate::model::Storage as Kept;

/// Downloads a managed original that is missing on disk, verifies its sha256 and writes it
/// into place. Fails clearly when the bucket has no full copy (not synced yet, or only a
/// public copy with its location data stripped).
pub fn fetch_original(library: &Library, remote: &Remote, id: &str) -> Result<PathBuf> {
    let rec = library.catalog().get(id)?;
    let path = library.original_path(&rec);
    if rec.storage != Kept::Managed {
        return Err(Error::remote(
            crate::error::ErrorCode::NotManaged,
            format!(
                "{id} is a file Vitrine does not manage ({}); it is not restored from the bucket",
                path.display()
            ),
        ));
    }
    let key = rec.object_key.clone().ok_or_else(|| {
        Error::remote(
            crate::error::ErrorCode::NotInBucket,
            format!("the original of {id} is missing and was never synced to the bucket"),
        )
    })?;
    let mut bytes = remote.storage.get(&key)?;
    if crate::import::sha256_hex(&bytes) != rec.sha256 {
        // A stripped public copy: the full original stays in the private area.
        let private = remote
            .layout
            .original(crate::storage::Area::Private, &rec.sha256, &rec.ext);
        if let Ok(b) = remote.storage.get(&private) {
            bytes = b;
        }
    }
    if crate::import::sha256_hex(&bytes) != rec.sha256 {
        return Err(Error::remote(crate::error::ErrorCode::BucketCopyDiffers,
            format!(
                "the bucket holds only a copy of {id} with its location data removed; the full original is lost"
            ),
        ));
    }
    crate::originals::write_atomic(&path, &bytes)
        .map_err(|e| Error::io(format!("restoring {}", path.display()), e))?;
    Ok(path)
}
