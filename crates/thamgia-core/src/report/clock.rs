//! Hybrid logical clocks, and the stamp that orders every field edit.
//!
//! A hybrid logical clock (HLC) reading is the device's wall clock in
//! milliseconds plus a counter. It follows physical time while the clocks
//! behave, never goes backwards when a clock is set back, and is always later
//! than every reading the device has seen from others. The clock is plain
//! data: the app stores `HlcClock::last()` in IndexedDB and passes the current
//! time in, so a reload never reuses a reading and tests need no real clock.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One reading of a hybrid logical clock. Readings compare by `wall_ms`, then
/// by `counter`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch: the largest physical time the
    /// issuing device had seen, from its own clock or from others' readings.
    pub wall_ms: i64,
    /// Orders readings that share `wall_ms`.
    pub counter: u32,
}

impl Hlc {
    /// Builds a reading.
    pub const fn new(wall_ms: i64, counter: u32) -> Hlc {
        Hlc { wall_ms, counter }
    }

    /// The smallest reading after this one: the next counter, or the next
    /// millisecond with a fresh counter when the counter is full (four billion
    /// readings within one millisecond only happen on a corrupted clock, and
    /// moving on beats failing).
    fn successor(self) -> Hlc {
        match self.counter.checked_add(1) {
            Some(counter) => Hlc::new(self.wall_ms, counter),
            None => Hlc::new(self.wall_ms.saturating_add(1), 0),
        }
    }
}

/// A device's hybrid logical clock: the last reading it gave or saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HlcClock {
    last: Hlc,
}

impl HlcClock {
    /// A clock that has given no reading yet.
    pub fn new() -> HlcClock {
        HlcClock::default()
    }

    /// A clock that carries on after `last`, the reading stored before a
    /// reload, so no reading is ever given twice.
    pub fn resume(last: Hlc) -> HlcClock {
        HlcClock { last }
    }

    /// The last reading given or seen; store it to [`HlcClock::resume`] later.
    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A new reading for a local edit at physical time `now_ms`: the wall is
    /// `max(last.wall_ms, now_ms)`; when it does not advance, the counter
    /// does. Every reading is larger than every earlier one.
    pub fn tick(&mut self, now_ms: i64) -> Hlc {
        let next = if now_ms > self.last.wall_ms {
            Hlc::new(now_ms, 0)
        } else {
            self.last.successor()
        };
        self.last = next;
        next
    }

    /// Takes in a reading `remote` received from another device (the standard
    /// HLC receive rule): the wall becomes `max(last.wall_ms, remote.wall_ms,
    /// now_ms)`; the counter restarts at 0 when the local time alone is
    /// ahead, and otherwise is one more than the largest counter among the
    /// readings that hold that wall. Returns the new reading, which is later
    /// than both `last` and `remote`.
    ///
    /// Stamps received from the server were bounded on receipt
    /// ([`bound`](super::bound)), so a tablet whose clock runs far ahead
    /// cannot drag every other clock along with it.
    pub fn observe(&mut self, remote: Hlc, now_ms: i64) -> Hlc {
        let wall_ms = self.last.wall_ms.max(remote.wall_ms).max(now_ms);
        let counter_at_wall = [self.last, remote]
            .iter()
            .filter(|reading| reading.wall_ms == wall_ms)
            .map(|reading| reading.counter)
            .max();
        let next = match counter_at_wall {
            Some(counter) => Hlc::new(wall_ms, counter).successor(),
            None => Hlc::new(wall_ms, 0),
        };
        self.last = next;
        next
    }
}

/// Who made an edit and when, in hybrid logical time. Stamps compare by
/// `hlc`, then by `client_id`: the total order that decides which edit of a
/// field wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stamp {
    /// The reading of the editing device's clock.
    pub hlc: Hlc,
    /// The install that made the edit; breaks ties between equal readings.
    pub client_id: Uuid,
}
