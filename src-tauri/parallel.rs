//! A tiny scoped worker pool: one thread per core, each with its own state (connections),
//! pulling items by index. Memory stays bounded by the number of workers, not items.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Workers for `requested` (0 = automatic): one per core plus one, so a worker waiting on a
/// file sync or a database commit does not leave a core idle (measured in docs/BENCHMARKS.md).
pub fn threads(requested: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            + 1
    }
}

/// Runs `f` on every item. `init` builds each worker's state; if it fails for a worker, that
/// error is returned (after the other workers finish).
pub fn for_each<T: Sync, S, E: Send>(
    items: &[T],
    threads: usize,
    init: impl Fn() -> Result<S, E> + Sync,
    f: impl Fn(&mut S, &T) + Sync,
) -> Result<(), E> {
    let next = AtomicUsize::new(0);
    let n = threads.clamp(1, items.len().max(1));
    let errors: Vec<E> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                scope.spawn(|| -> Result<(), E> {
                    let mut state = init()?;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            return Ok(());
                        };
                        f(&mut state, item);
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| {
                h.join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))
                    .err()
            })
            .collect()
    });
    match errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
