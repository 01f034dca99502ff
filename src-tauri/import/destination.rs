//! What the pipeline needs from the library it writes into. `Library` implements it; the
//! pipeline never names `Library`, so the facade can depend on `import` and not the reverse.

use std::path::Path;

use crate::catalog::Catalog;
use crate::error::Result;
use crate::thumbs::ThumbCache;
use crate::workspace::Workspace;

pub(crate) trait Destination: Sync {
    /// The library folder: temp files are recorded relative to it.
    fn root(&self) -> &Path;
    /// Where managed originals are stored.
    fn originals(&self) -> &Path;
    /// This process's scratch space and the token that marks its jobs.
    fn workspace(&self) -> &Workspace;
    /// A catalog connection of the caller's own (one per worker thread).
    fn catalog_connection(&self) -> Result<Catalog>;
    /// A thumbnail cache handle of the caller's own.
    fn thumb_cache(&self) -> Result<ThumbCache>;
}
