//! A batch: the items run on the configured number of workers, and every outcome is reported
//! as it lands, between a `Started` and a `Finished` event (which also counts the files a
//! folder walk passed over as not images).

use std::sync::Mutex;

use super::worker::Worker;
use super::{walk, Destination, ImportError, ImportEvent, ImportOptions, Outcome, Status, Tally};
use crate::error::Result;
use crate::model::SourceKind;

/// Bytes from somewhere other than a path (paste, drop of image data).
pub struct Blob {
    pub name: String,
    pub bytes: Vec<u8>,
    pub kind: SourceKind,
}

/// Imports files, folders and URLs into `dest`. `on_event` sees each outcome as it lands.
pub(crate) fn import_inputs(
    dest: &dyn Destination,
    inputs: &[String],
    opts: &ImportOptions,
    on_event: &(dyn Fn(ImportEvent) + Sync),
) -> Result<Vec<Outcome>> {
    let tags = crate::catalog::normalize_tags(&opts.tags)?;
    let walk::Expanded { mut items, skipped } = walk::expand(inputs);
    let workers = crate::parallel::threads(opts.threads);
    largest_first_in_tail(&mut items, 2 * workers, |item| match item {
        walk::Item::File(path) => std::fs::metadata(path).map_or(u64::MAX, |m| m.len()),
        // A download's length is unknown and a broken item costs nothing: either goes first.
        walk::Item::Url(_) | walk::Item::Broken(..) => u64::MAX,
    });
    let outcomes = run(
        dest,
        &items,
        opts,
        &tags,
        walk::Item::label,
        |w, item| w.item(item),
        on_event,
    )?;
    finish(&outcomes, skipped, on_event);
    Ok(outcomes)
}

/// Puts the last `window` items largest first (a stable sort by `size`, descending).
///
/// Workers take items in order, so whoever takes the batch's last big file would decode it
/// alone while the other cores idle. Started first within the tail, it ends beside the small
/// ones. Only the tail moves, so a folder still lands in name order but for its last few
/// files (workers already finish their items out of order by as much).
fn largest_first_in_tail<T>(items: &mut Vec<T>, window: usize, size: impl Fn(&T) -> u64) {
    let start = items.len().saturating_sub(window);
    let mut tail: Vec<T> = items.drain(start..).collect();
    tail.sort_by_cached_key(|item| std::cmp::Reverse(size(item)));
    items.append(&mut tail);
}

/// Imports in-memory images (paste, dropped image data) into `dest`.
pub(crate) fn import_blobs(
    dest: &dyn Destination,
    blobs: &[Blob],
    opts: &ImportOptions,
    on_event: &(dyn Fn(ImportEvent) + Sync),
) -> Result<Vec<Outcome>> {
    let tags = crate::catalog::normalize_tags(&opts.tags)?;
    let outcomes = run(
        dest,
        blobs,
        opts,
        &tags,
        |b| b.name.clone(),
        |w, b| w.blob(b),
        on_event,
    )?;
    finish(&outcomes, 0, on_event);
    Ok(outcomes)
}

/// Runs `f` over `items` on the configured number of workers.
fn run<T: Sync>(
    dest: &dyn Destination,
    items: &[T],
    opts: &ImportOptions,
    tags: &[String],
    label: impl Fn(&T) -> String + Sync,
    f: impl Fn(&mut Worker, &T) -> std::result::Result<(Status, String), ImportError> + Sync,
    on_event: &(dyn Fn(ImportEvent) + Sync),
) -> Result<Vec<Outcome>> {
    let total = items.len();
    on_event(ImportEvent::Started { total });
    let outcomes: Mutex<Vec<Outcome>> = Mutex::new(Vec::with_capacity(total));
    let emit = |o: Outcome| {
        let mut all = outcomes.lock().unwrap_or_else(|p| p.into_inner());
        all.push(o.clone());
        on_event(ImportEvent::Item {
            done: all.len(),
            total,
            outcome: o,
        });
    };
    crate::parallel::for_each(
        items,
        crate::parallel::threads(opts.threads),
        || Worker::new(dest, opts, tags),
        |worker, item| {
            let result = f(worker, item);
            emit(Outcome::from_result(label(item), result));
        },
    )?;
    Ok(outcomes.into_inner().unwrap_or_else(|p| p.into_inner()))
}

/// Reports the end of a batch: its tally and the `skipped` non-images passed over.
fn finish(outcomes: &[Outcome], skipped: usize, on_event: &(dyn Fn(ImportEvent) + Sync)) {
    let tally = Tally::of(outcomes);
    on_event(ImportEvent::Finished {
        imported: tally.imported,
        duplicates: tally.duplicates,
        failed: tally.failed,
        skipped,
    });
}

#[cfg(test)]
mod tests {
    use super::largest_first_in_tail;

    #[test]
    fn only_the_tail_is_ordered_largest_first_and_ties_keep_their_order() {
        let mut items = vec![(0, 9), (1, 1), (2, 5), (3, 1), (4, 7), (5, 1)];
        largest_first_in_tail(&mut items, 4, |&(_, size)| size);
        assert_eq!(items, vec![(0, 9), (1, 1), (4, 7), (2, 5), (3, 1), (5, 1)]);

        let mut short = vec![(0, 1), (1, 3)];
        largest_first_in_tail(&mut short, 6, |&(_, size)| size);
        assert_eq!(short, vec![(1, 3), (0, 1)]);

        let mut none: Vec<(u8, u64)> = Vec::new();
        largest_first_in_tail(&mut none, 6, |&(_, size)| size);
        assert!(none.is_empty());
    }
}
