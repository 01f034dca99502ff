//! Originals on this computer or only in the bucket: offload, fetch, and the fetcher the
//! library uses to bring one back on demand (see `crate::offload`).

use super::Vitrine;
use crate::error::{Error, ErrorCode, Result};
use crate::events::ChangeReason;
use crate::offload::{self, FetchSummary, Request, Summary};
use crate::sync::Remote;

impl Vitrine {
    /// The active remote; `None` when no remote is set up (other errors, such as missing
    /// credentials, are errors).
    fn remote_if_any(&self) -> Result<Option<Remote>> {
        let cat = self.lib.catalog_connection()?;
        match self.sync.remote(&cat) {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.code() == ErrorCode::NoRemote => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes the local copies of the originals `req` selects whose bucket copy verifies now.
    pub fn offload(&self, req: &Request) -> Result<Summary> {
        let remote = self.remote_if_any()?;
        let s = offload::offload(&self.lib, remote.as_ref(), req)?;
        if s.offloaded > 0 {
            self.announce(ChangeReason::Edit);
        }
        Ok(s)
    }

    /// Brings originals back from the bucket: `ids`, or `all` that are not on this computer.
    pub fn fetch(&self, ids: &[String], all: bool) -> Result<FetchSummary> {
        let remote = self.remote_if_any()?.ok_or_else(|| {
            Error::remote(
                ErrorCode::NoRemote,
                "no remote is set up for this library: there is no bucket to fetch originals from",
            )
        })?;
        let s = offload::fetch(&self.lib, &remote, ids, all)?;
        if s.fetched > 0 {
            self.announce(ChangeReason::Edit);
        }
        Ok(s)
    }
}
