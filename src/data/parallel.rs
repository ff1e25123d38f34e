//! An in-order parallel map over example indices with dynamic scheduling: threads take blocks
//! of consecutive indices from a shared counter, so a thread that meets cheap examples takes
//! more of them, and the output is in index order whatever the thread count.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Indices per block taken from the counter (small against n, large against the counter's cost).
const BLOCK: usize = 64;

/// `work(i)` for i = 0..n, in order, on `threads` ≥ 1 scoped threads (one runs inline).
pub fn map_in_order<T, F>(n: usize, threads: usize, work: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    let blocks = n.div_ceil(BLOCK);
    let threads = threads.clamp(1, blocks.max(1));
    if threads == 1 {
        return (0..n).map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let take = || {
        let mut done: Vec<(usize, Vec<T>)> = Vec::new();
        loop {
            let block = next.fetch_add(1, Ordering::Relaxed);
            if block >= blocks {
                return done;
            }
            let start = block * BLOCK;
            done.push((block, (start..(start + BLOCK).min(n)).map(&work).collect()));
        }
    };
    let mut parts: Vec<(usize, Vec<T>)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(take)).collect();
        let mut parts = take();
        for h in helpers {
            parts.extend(h.join().expect("a worker thread does not panic"));
        }
        parts
    });
    parts.sort_unstable_by_key(|(block, _)| *block);
    parts.into_iter().flat_map(|(_, items)| items).collect()
}

/// The thread count for data-set-wide work: `std::thread::available_parallelism()`.
pub fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_is_in_order_on_any_thread_count() {
        for n in [0, 1, 63, 64, 65, 1000] {
            let expected: Vec<usize> = (0..n).map(|i| i * i + 3).collect();
            for threads in [1, 2, 3, 7] {
                assert_eq!(
                    map_in_order(n, threads, |i| i * i + 3),
                    expected,
                    "{n} {threads}"
                );
            }
        }
    }

    #[test]
    fn a_slow_block_does_not_hold_back_the_rest() {
        let n = BLOCK * 40;
        let owners = map_in_order(n, 2, |i| {
            if i == 0 {
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            std::thread::current().id()
        });
        let with_first = owners.iter().filter(|o| **o == owners[0]).count();
        assert!(
            with_first < n / 4,
            "the slow thread took {with_first} of {n}"
        );
    }
}
