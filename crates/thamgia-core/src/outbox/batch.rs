//! How much of the outbox one push carries: by bytes as well as by count.
//!
//! The sync machine asks for up to its batch size of entries; the server
//! takes a request body of at most 16 MiB and a million JSON values. A
//! tablet holding large records (long answers, big repeats) could read a
//! batch over that: the server refuses it (413), and a push whose length
//! is over 16 MiB is refused before it is read, so a browser may see the
//! connection close instead of the refusal and the round back off instead
//! of halving. So both drivers, the app over IndexedDB and the fault
//! suite's tablets, cut the batch they read with [`entries_within`]: the
//! entries that fit in [`MAX_PUSH_BYTES`], and the first one always (a
//! single record over it is sent alone, and refused, with the worker told
//! it is kept).

/// Most bytes of encoded outbox entries one push carries: half the
/// server's body limit, so the push's own framing never takes it over.
pub const MAX_PUSH_BYTES: usize = 8 * 1024 * 1024;

/// How many of the entries whose encoded sizes are `sizes` (in outbox
/// order) one push carries: as many as fit in `max_bytes` together, and
/// at least the first.
pub fn entries_within(sizes: impl IntoIterator<Item = usize>, max_bytes: usize) -> usize {
    let mut total = 0usize;
    let mut count = 0;
    for size in sizes {
        total = total.saturating_add(size);
        if count > 0 && total > max_bytes {
            break;
        }
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_ends_before_the_entry_that_passes_the_bytes_and_always_holds_one() {
        assert_eq!(entries_within([], 10), 0);
        assert_eq!(entries_within([4, 4, 2], 10), 3);
        assert_eq!(entries_within([4, 4, 3], 10), 2);
        // A first entry over the bytes still goes, alone.
        assert_eq!(entries_within([25, 1, 1], 10), 1);
        assert_eq!(entries_within([usize::MAX, usize::MAX], 10), 1);
        // 500 responses of about 1.3 KB fit many times over.
        assert_eq!(entries_within([1_300; 500], MAX_PUSH_BYTES), 500);
    }
}
