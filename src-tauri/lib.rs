//! Vitrine's core: catalog, import, thumbnails and the CLI, with no window.
//! The app shell (feature `gui`) and bucket sync (feature `s3`) are built on it.

pub mod albums;
#[cfg(feature = "gui")]
pub mod app;
pub mod catalog;
pub mod cli;
pub mod crash_report;
pub mod error;
pub mod events;
pub mod export;
pub mod failpoint;
pub mod fsck;
pub mod import;
pub mod library;
pub mod logging;
pub mod model;
pub mod offload;
pub mod originals;
pub mod parallel;
pub mod remote;
pub mod replica;
pub mod secrets;
pub mod service;
pub mod settings;
pub mod storage;
pub mod sync;
#[cfg(test)]
pub(crate) mod testing;
pub mod thumbs;
pub mod watch;
pub mod workspace;

pub use error::{Error, Result};
pub use library::Library;
