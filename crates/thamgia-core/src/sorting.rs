//! Stable sorts that share one copy of the standard library's sort.
//!
//! `slice::sort_by` and its kin are generic over the element and the
//! comparison, so every call site with its own closure gets its own
//! monomorphised copy of the standard sort (driftsort, about 4 KB of wasm
//! each; `sort_unstable` is nearly as big). The tablet app linked some 22
//! such copies: about 88 KB of wasm, 24 KB gzip of every field worker's
//! first load. The functions here keep only a thin generic shell: the
//! sorting itself happens once, in `sorted_order`, on a list of indices
//! with a `dyn` comparison, so the wasm holds one copy of the sort for all
//! of them.
//!
//! Use these in code the tablet app links (core modules it uses, and the
//! app itself). They give exactly what the standard stable sort gives.
//! Sorts only the server or the town hall runs may keep the standard ones,
//! and so may hot native paths, where code size matters less than the
//! indirect comparison and the extra list of indices.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, stably: what `items.sort_by(compare)` does,
/// in O(n log n) comparisons and O(n) moves, without a copy of the sort
/// for this call site (see the module documentation).
pub fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order = sorted_order(items.len(), &mut |left: usize, right: usize| {
        compare(&items[left], &items[right])
    });
    apply_order(items, &mut order);
}

/// Sorts `items` by the key `key` gives, stably: what
/// `items.sort_by_key(key)` does. Like it, the key is computed again at
/// every comparison; an expensive key is better computed once into a list
/// of keys by the caller.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |left, right| key(left).cmp(&key(right)));
}

/// Sorts `items` in their own order, stably: what `items.sort()` does,
/// and what `items.sort_unstable()` does wherever equal items cannot be
/// told apart (numbers, strings).
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The indices `0..len` in the order `compare` puts the items they stand
/// for in: `order[i]` is the index of the item that belongs at `i`.
///
/// The one non-generic function that sorts, so that the wasm holds one copy
/// of the standard sort for every caller of this module. The indices start
/// in increasing order and the standard sort is stable, so items that
/// compare equal keep their order. Never inlined: a caller that knew the
/// comparison could otherwise get its own copy of the sort back.
#[inline(never)]
fn sorted_order(len: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|left, right| compare(*left, *right));
    order
}

/// Puts `items` in `order` (a permutation of their indices, as
/// [`sorted_order`] gives it) in place: afterwards `items[i]` is the item
/// that was at `order[i]`.
///
/// Follows each cycle of the permutation with swaps: each swap puts one
/// item in its place for good, so there are fewer swaps than items, and
/// nothing is cloned. Marks each position done by making it a fixed point
/// of `order`, which is left as the identity.
fn apply_order<T>(items: &mut [T], order: &mut [usize]) {
    for start in 0..items.len() {
        // The item first at `start` ends where `order` points back to it.
        let mut position = start;
        while order[position] != start {
            let source = order[position];
            items.swap(position, source);
            order[position] = position;
            position = source;
        }
        order[position] = position;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64: a tiny deterministic generator, so every run checks the
    /// same cases and a failure names its seed.
    struct Generator(u64);

    impl Generator {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut mixed = self.0;
            mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            mixed ^ (mixed >> 31)
        }

        fn below(&mut self, bound: usize) -> usize {
            (self.next() % bound as u64) as usize
        }
    }

    /// Items whose keys repeat often (`distinct_keys` values), each tagged
    /// with its original place so a test can see how ties were ordered.
    fn keyed_items(
        generator: &mut Generator,
        len: usize,
        distinct_keys: usize,
    ) -> Vec<(u8, usize)> {
        (0..len)
            .map(|place| (generator.below(distinct_keys) as u8, place))
            .collect()
    }

    /// Checks every function of this module against the standard stable
    /// sort on `items`, sorted by their key alone (ties keep their place).
    fn check(items: &[(u8, usize)], context: &str) {
        let mut expected = items.to_vec();
        expected.sort_by_key(|item| item.0);

        let mut by_key = items.to_vec();
        sort_by_key(&mut by_key, |item| item.0);
        assert_eq!(by_key, expected, "{context}: sort_by_key");

        let mut by_compare = items.to_vec();
        sort_by(&mut by_compare, |left, right| left.0.cmp(&right.0));
        assert_eq!(by_compare, expected, "{context}: sort_by");

        let mut reversed_expected = items.to_vec();
        reversed_expected.sort_by_key(|item| std::cmp::Reverse(item.0));
        let mut reversed = items.to_vec();
        sort_by_key(&mut reversed, |item| std::cmp::Reverse(item.0));
        assert_eq!(reversed, reversed_expected, "{context}: reversed key");

        let mut whole_expected = items.to_vec();
        whole_expected.sort();
        let mut whole = items.to_vec();
        sort(&mut whole);
        assert_eq!(whole, whole_expected, "{context}: sort");
    }

    #[test]
    fn random_items_with_many_ties_sort_as_the_standard_stable_sort_does() {
        for seed in 0..400_u64 {
            let mut generator = Generator(seed);
            let len = generator.below(200);
            let distinct_keys = 1 + generator.below(8);
            let items = keyed_items(&mut generator, len, distinct_keys);
            check(&items, &format!("seed {seed}, {len} items"));
        }
    }

    #[test]
    fn long_random_lists_sort_as_the_standard_stable_sort_does() {
        for seed in 0..4_u64 {
            let mut generator = Generator(seed);
            let items = keyed_items(&mut generator, 5_000, 50);
            check(&items, &format!("seed {seed}, 5000 items"));
        }
    }

    #[test]
    fn empty_single_sorted_and_reversed_lists_sort_as_the_standard_sort_does() {
        check(&[], "empty");
        check(&[(7, 0)], "one item");
        let sorted: Vec<(u8, usize)> = (0..100).map(|place| ((place / 3) as u8, place)).collect();
        check(&sorted, "already sorted");
        let reversed: Vec<(u8, usize)> = (0..100)
            .map(|place| (((99 - place) / 3) as u8, place))
            .collect();
        check(&reversed, "reversed");
        let all_equal: Vec<(u8, usize)> = (0..100).map(|place| (1, place)).collect();
        check(&all_equal, "all equal");
    }

    #[test]
    fn items_that_are_not_copied_sort_as_the_standard_sort_does() {
        let mut generator = Generator(11);
        let words: Vec<String> = (0..300)
            .map(|_| format!("w{}", generator.below(40)))
            .collect();
        let mut expected = words.clone();
        expected.sort_by_key(|word| word.len());
        let mut sorted = words;
        sort_by_key(&mut sorted, |word| word.len());
        assert_eq!(sorted, expected);
    }

    #[test]
    fn random_permutations_are_applied_in_place() {
        for seed in 0..300_u64 {
            let mut generator = Generator(seed);
            let len = generator.below(100);
            // Fisher-Yates: every permutation of `0..len` equally likely.
            let mut order: Vec<usize> = (0..len).collect();
            for last in (1..len).rev() {
                order.swap(last, generator.below(last + 1));
            }
            let items: Vec<String> = (0..len).map(|index| format!("item {index}")).collect();
            let expected: Vec<String> = order.iter().map(|&index| items[index].clone()).collect();
            let mut applied = items;
            apply_order(&mut applied, &mut order);
            assert_eq!(applied, expected, "seed {seed}");
            assert!(
                order.iter().enumerate().all(|(index, &at)| index == at),
                "seed {seed}: the order is left as the identity"
            );
        }
    }
}
