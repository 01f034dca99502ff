//! The import pipeline: sniff → hash → dedup → decode (validates every byte) → metadata →
//! grid thumbnail → original to a temp file → one catalog transaction (row, tags, FTS,
//! thumbnail job) → original renamed into place → thumbnail cached → job done.
//!
//! An item either lands whole or leaves nothing: before the commit only temp files exist (swept
//! if the process dies); after it, the durable job finishes the rename and the thumbnail.
//!
//! Inputs are expanded by `walk` (files, folders, URLs fetched by `url`) or given as [`Blob`]s;
//! `batch` runs them on a pool of `worker`s, each with its own connections to the library it
//! writes into (a `Destination`), and reports one [`Outcome`] per item ([`ImportEvent`]s while
//! it runs). `sniff`, `container`, `exif`, `xmp` and `ai` read what an image is and what it carries;
//! refusals are [`ImportError`]s.

pub mod ai;
mod batch;
mod container;
mod destination;
mod error;
pub mod exif;
mod exif_value;
mod hash;
mod options;
mod outcome;
#[cfg(test)]
pub(crate) mod props;
pub mod sniff;
pub mod url;
pub mod walk;
mod worker;
mod xmp;

pub use batch::Blob;
pub(crate) use batch::{import_blobs, import_inputs};
pub use container::icc_profile;
#[cfg(test)]
pub(crate) use container::read as container_meta;
pub(crate) use destination::Destination;
pub use error::ImportError;
pub use hash::sha256_hex;
pub use options::{ImportOptions, DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS};
pub use outcome::{ImportEvent, Outcome, Status, Tally};
pub use url::HttpOptions;
pub(crate) use worker::Worker;
