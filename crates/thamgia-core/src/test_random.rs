//! The small deterministic generator (xorshift) the property tests draw
//! from, so a failure repeats from its seed.

/// An xorshift generator; its seed must not be 0.
#[derive(Debug, Clone)]
pub(crate) struct Xorshift(pub(crate) u64);

impl Xorshift {
    /// A number below `bound` (0 when `bound` is 0).
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound.max(1)
    }

    /// One of `items`, which must not be empty.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// True `percent` times in a hundred.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}
