//! An in-order parallel map over example indices with dynamic scheduling: threads take blocks
//! of consecutive indices from a shared counter, so a thread that meets cheap examples takes
//! more of them, and the output is in index order whatever the thread count.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Examples per block taken from the counter when each index is one example (small against n,
/// large against the counter's cost).
pub const EXAMPLE_BLOCK: usize = 64;

/// `work(i)` for i = 0..n, in order, on `threads` ≥ 1 scoped threads (one runs inline), which
/// take `block` ≥ 1 consecutive indices at a time.
pub fn map_in_order<T, F>(n: usize, threads: usize, block: usize, work: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    let block = block.max(1);
    let blocks = n.div_ceil(block);
    let threads = threads.clamp(1, blocks.max(1));
    if threads == 1 {
        return (0..n).map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let take = || {
        let mut done: Vec<(usize, Vec<T>)> = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            if index >= blocks {
                return done;
            }
            let start = index * block;
            done.push((index, (start..(start + block).min(n)).map(&work).collect()));
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
    parts.sort_unstable_by_key(|(index, _)| *index);
    parts.into_iter().flat_map(|(_, items)| items).collect()
}

/// Σ over the rows 0..n of `accumulate(rows, part)`, which returns its rows' total and
/// overwrites `part` (length `gradient.len()`) with their gradient: the rows cut into
/// consecutive chunks of `chunk` ≥ 1 rows, run on `threads` scoped threads, and the totals and
/// gradients added in chunk order into the returned total and `gradient` (overwritten). One
/// chunk runs inline straight into `gradient`. The result depends on `chunk`, never on `threads`.
pub fn sum_in_chunks<F>(
    n: usize,
    chunk: usize,
    threads: usize,
    gradient: &mut [f64],
    accumulate: F,
) -> f64
where
    F: Fn(std::ops::Range<usize>, &mut [f64]) -> f64 + Sync,
{
    let chunk = chunk.max(1);
    if n <= chunk {
        return accumulate(0..n, gradient);
    }
    let len = gradient.len();
    let parts = map_in_order(n.div_ceil(chunk), threads, 1, |c| {
        let mut part = vec![0.0; len];
        let total = accumulate(c * chunk..((c + 1) * chunk).min(n), &mut part);
        (total, part)
    });
    gradient.iter_mut().for_each(|g| *g = 0.0);
    let mut total = 0.0;
    for (t, part) in parts {
        total += t;
        gradient.iter_mut().zip(&part).for_each(|(a, b)| *a += b);
    }
    total
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
                for block in [1, 5, EXAMPLE_BLOCK] {
                    let got = map_in_order(n, threads, block, |i| i * i + 3);
                    assert_eq!(got, expected, "{n} {threads} {block}");
                }
            }
        }
    }

    #[test]
    fn a_slow_block_does_not_hold_back_the_rest() {
        let n = EXAMPLE_BLOCK * 40;
        let owners = map_in_order(n, 2, EXAMPLE_BLOCK, |i| {
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

    #[test]
    fn chunks_use_every_thread_and_sum_in_chunk_order() {
        let values: Vec<f64> = (0..1000).map(|i| 1.0 / (1.0 + i as f64)).collect();
        let owners = std::sync::Mutex::new(std::collections::HashSet::new());
        let accumulate = |rows: std::ops::Range<usize>, part: &mut [f64]| {
            owners.lock().unwrap().insert(std::thread::current().id());
            std::thread::sleep(std::time::Duration::from_millis(5));
            part[0] = rows.len() as f64;
            rows.map(|i| values[i]).sum::<f64>()
        };
        let mut one = [0.0];
        let whole = sum_in_chunks(1000, 1000, 2, &mut one, accumulate);
        let mut chunked = [0.0];
        let by_chunks = sum_in_chunks(1000, 100, 2, &mut chunked, accumulate);
        assert_eq!(owners.lock().unwrap().len(), 2, "ten chunks on two threads");
        let mut serial = [0.0];
        assert_eq!(
            sum_in_chunks(1000, 100, 1, &mut serial, accumulate),
            by_chunks
        );
        assert_eq!((one, chunked, serial), ([1000.0], [1000.0], [1000.0]));
        let in_order = (0..10)
            .map(|c| (c * 100..(c + 1) * 100).map(|i| values[i]).sum::<f64>())
            .fold(0.0, |a, b| a + b);
        assert_eq!(by_chunks, in_order);
        assert!((whole - by_chunks).abs() <= 1e-14 * whole);
    }
}
