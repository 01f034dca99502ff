//! A batch: items run on the configured number of workers, each outcome reported as it lands.

use super::worker::Worker;
use super::{ImportError, ImportOptions, Outcome, Status};
use crate::library::Library;
use crate::model::SourceKind;

/// Bytes from somewhere other than a path (paste, drop of image data).
pub struct Blob {
    pub name: String,
    pub bytes: Vec<u8>,
    pub kind: SourceKind,
}

/// Runs `f` over `items` on the configured number of workers, calling `emit` with each
/// outcome as it lands.
pub(crate) fn run_parallel<T: Sync>(
    lib: &Library,
    items: &[T],
    opts: &ImportOptions,
    tags: &[String],
    label: impl Fn(&T) -> String + Sync,
    f: impl Fn(&mut Worker, &T) -> Result<(Status, String), ImportError> + Sync,
    emit: &(dyn Fn(Outcome) + Sync),
) -> crate::error::Result<()> {
    crate::parallel::for_each(
        items,
        crate::parallel::threads(opts.threads),
        || Worker::new(lib, opts, tags),
        |worker, item| {
            let result = f(worker, item);
            emit(Outcome::from_result(label(item), result));
        },
    )
}
