//! Whether the tablet's clock is right: each pull's answer carries the
//! server's time, and the tablet's own clock read when the pull was sent
//! and when its answer came bounds when the server read its time. A
//! tablet whose clock is off (a flat battery resets it; a worker sets the
//! wrong day) stamps every response it starts with a wrong date, and the
//! town hall then counts that child in another period: the worker is told,
//! with what to do.
//!
//! No I/O here: the app reads the clocks, this decides.

use crate::localized::Localized;

/// How far the tablet's clock may stray from the server's before the
/// worker is told: a response's day and quarter are what the town hall
/// counts by, and a few minutes never move them more than the time zone's
/// edges already do.
pub const CLOCK_TOLERANCE_MS: i64 = 10 * 60 * 1_000;

/// How far the tablet's clock is from the server's, beyond the tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockDrift {
    /// The tablet's clock minus the server's: positive when the tablet's
    /// clock is ahead, negative when it is behind.
    pub tablet_ahead_ms: i64,
}

/// The drift one exchange shows: the tablet's clock read `sent_ms` when it
/// sent a request and `answered_ms` when the answer came, and the server
/// read `server_ms` in between. `None` when the clocks agree within the
/// tolerance (or the exchange cannot tell: the tablet's clock went back
/// while it waited).
pub fn measured(sent_ms: i64, answered_ms: i64, server_ms: i64) -> Option<ClockDrift> {
    if answered_ms < sent_ms {
        return None;
    }
    // Had the clocks agreed, the server read its time between the two
    // readings: the midpoint is off by at most half the wait. In i128, so
    // that no clock, however wrong, overflows.
    let (sent, answered, server) = (
        i128::from(sent_ms),
        i128::from(answered_ms),
        i128::from(server_ms),
    );
    let uncertainty = (answered - sent) / 2;
    let ahead = sent + uncertainty - server;
    (ahead.abs() > i128::from(CLOCK_TOLERANCE_MS) + uncertainty).then(|| ClockDrift {
        tablet_ahead_ms: i64::try_from(ahead).unwrap_or(if ahead > 0 {
            i64::MAX
        } else {
            i64::MIN
        }),
    })
}

/// How far before the last sync a clock must read for the tablet to call
/// it off with no connection: a day. A clock that was ahead at the last
/// sync and was then set right reads before it too, by as much as it was
/// ahead (the bar told the worker so); a reset (a flat battery) goes back
/// days or years.
pub const BEFORE_LAST_SYNC_TOLERANCE_MS: i64 = 24 * 60 * 60 * 1_000;

/// The drift a clock that reads `now_ms` shows at the least, the last
/// sync having succeeded at `last_success_ms` by the same clock: a clock
/// reset to an earlier day (a flat battery) reads a time before it, which
/// the tablet can tell with no connection at all. `None` when it reads
/// later, or earlier by no more than [`BEFORE_LAST_SYNC_TOLERANCE_MS`].
pub fn before_last_sync(now_ms: i64, last_success_ms: Option<i64>) -> Option<ClockDrift> {
    let behind = last_success_ms?.checked_sub(now_ms)?;
    (behind > BEFORE_LAST_SYNC_TOLERANCE_MS).then_some(ClockDrift {
        tablet_ahead_ms: -behind,
    })
}

impl ClockDrift {
    /// How far off, in days, hours and minutes (to the nearest minute;
    /// minutes only under a day): "3 ngày 2 giờ" / "3 days 2 hours".
    fn amount(&self) -> Localized {
        let minutes = (self.tablet_ahead_ms.unsigned_abs().saturating_add(30_000) / 60_000).max(1);
        let (days, hours, minutes) = (minutes / 1_440, minutes / 60 % 24, minutes % 60);
        let plural = |count: u64, one: &str, many: &str| {
            format!("{count} {}", if count == 1 { one } else { many })
        };
        let mut vi = Vec::new();
        let mut en = Vec::new();
        if days > 0 {
            vi.push(format!("{days} ngày"));
            en.push(plural(days, "day", "days"));
        }
        if hours > 0 {
            vi.push(format!("{hours} giờ"));
            en.push(plural(hours, "hour", "hours"));
        }
        if minutes > 0 && days == 0 {
            vi.push(format!("{minutes} phút"));
            en.push(plural(minutes, "minute", "minutes"));
        }
        Localized::new(vi.join(" "), en.join(" "))
    }

    /// Whether the tablet's clock is ahead of the server's.
    fn ahead(&self) -> bool {
        self.tablet_ahead_ms > 0
    }

    /// How far off and which way: "chậm 3 ngày 2 giờ" / "3 days 2 hours
    /// behind".
    pub fn described(&self) -> Localized {
        let amount = self.amount();
        let (vi_way, en_way) = if self.ahead() {
            ("nhanh", "ahead")
        } else {
            ("chậm", "behind")
        };
        Localized::new(
            format!("{vi_way} {}", amount.vi),
            format!("{} {en_way}", amount.en),
        )
    }

    /// What the worker is told of a clock reading a time before the last
    /// sync: by how much at least, why it matters and what to do.
    pub fn warning_before_last_sync(&self) -> Localized {
        let amount = self.amount();
        Localized::new(
            format!(
                "Đồng hồ của máy tính bảng đang chỉ sớm hơn lần đồng bộ gần nhất {}: ngày giờ của máy đã sai. Phiếu mới sẽ ghi sai ngày, và UBND thành phố sẽ tính các em vào sai kỳ. Hãy chỉnh lại ngày giờ trong phần Cài đặt của máy.",
                amount.vi
            ),
            format!(
                "This tablet's clock reads {} before its last sync: its date and time are wrong. New responses would carry the wrong date, and the town hall would count those children in the wrong period. Set the date and time in the tablet's Settings.",
                amount.en
            ),
        )
    }

    /// What the worker is told: the drift, why it matters and what to do.
    pub fn warning(&self) -> Localized {
        let by = self.described();
        let en_than = if self.ahead() { " of" } else { "" };
        Localized::new(
            format!(
                "Đồng hồ của máy tính bảng đang {} so với máy chủ. Phiếu mới sẽ ghi sai ngày, và UBND thành phố sẽ tính các em vào sai kỳ. Hãy chỉnh lại ngày giờ trong phần Cài đặt của máy, rồi đồng bộ lại.",
                by.vi
            ),
            format!(
                "This tablet's clock is {}{en_than} the server's. New responses would carry the wrong date, and the town hall would count those children in the wrong period. Set the date and time in the tablet's Settings, then sync again.",
                by.en
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    const NOW: i64 = 1_780_000_000_000;

    #[test]
    fn clocks_within_the_tolerance_agree() {
        assert_eq!(measured(NOW, NOW + 200, NOW + 100), None);
        assert_eq!(
            measured(NOW + 9 * MINUTE, NOW + 9 * MINUTE + 200, NOW),
            None
        );
        assert_eq!(measured(NOW - 9 * MINUTE, NOW - 9 * MINUTE, NOW), None);
    }

    #[test]
    fn a_clock_off_by_more_is_measured_from_the_midpoint() {
        let behind = measured(NOW - 3 * DAY, NOW - 3 * DAY + 2_000, NOW + 1_000);
        assert_eq!(
            behind,
            Some(ClockDrift {
                tablet_ahead_ms: -3 * DAY
            })
        );
        let ahead = measured(NOW + 2 * HOUR, NOW + 2 * HOUR, NOW);
        assert_eq!(
            ahead,
            Some(ClockDrift {
                tablet_ahead_ms: 2 * HOUR
            })
        );
    }

    #[test]
    fn a_slow_answer_widens_what_is_taken_for_agreement() {
        // A minute's wait: the server's time may be anywhere in it.
        assert_eq!(measured(NOW, NOW + 2 * MINUTE, NOW + 11 * MINUTE), None);
        assert!(measured(NOW, NOW + 2 * MINUTE, NOW + 13 * MINUTE).is_some());
    }

    #[test]
    fn a_clock_reading_before_the_last_sync_is_off_at_least_that_much() {
        assert_eq!(before_last_sync(NOW, None), None);
        assert_eq!(before_last_sync(NOW, Some(NOW - DAY)), None);
        assert_eq!(before_last_sync(NOW - 9 * MINUTE, Some(NOW)), None);
        // A clock set right after it was ahead: not called off offline.
        assert_eq!(before_last_sync(NOW - 20 * HOUR, Some(NOW)), None);
        let drift = before_last_sync(NOW - 5 * DAY, Some(NOW)).expect("off");
        assert_eq!(drift.tablet_ahead_ms, -5 * DAY);
        let warning = drift.warning_before_last_sync();
        assert!(warning.vi.contains("sớm hơn lần đồng bộ gần nhất 5 ngày"));
        assert!(warning.en.contains("reads 5 days before its last sync"));
        // A clock reset to 1970 never overflows.
        assert!(before_last_sync(0, Some(NOW)).is_some());
        assert_eq!(before_last_sync(i64::MIN, Some(i64::MAX)), None);
    }

    #[test]
    fn a_clock_that_went_back_while_waiting_tells_nothing() {
        assert_eq!(measured(NOW, NOW - DAY, NOW), None);
    }

    #[test]
    fn extreme_clocks_never_overflow() {
        assert!(measured(i64::MIN, i64::MIN, i64::MAX).is_some());
        assert!(measured(i64::MAX, i64::MAX, i64::MIN).is_some());
        assert_eq!(measured(0, i64::MAX, 0), None);
        assert_eq!(
            measured(i64::MIN, i64::MIN, i64::MAX),
            Some(ClockDrift {
                tablet_ahead_ms: i64::MIN
            })
        );
    }

    #[test]
    fn the_drift_is_told_in_days_hours_and_minutes_and_which_way() {
        let described = ClockDrift {
            tablet_ahead_ms: -(3 * DAY + 2 * HOUR + 5 * MINUTE),
        }
        .described();
        assert_eq!(described.vi, "chậm 3 ngày 2 giờ");
        assert_eq!(described.en, "3 days 2 hours behind");
        let described = ClockDrift {
            tablet_ahead_ms: HOUR + 20 * MINUTE,
        }
        .described();
        assert_eq!(described.vi, "nhanh 1 giờ 20 phút");
        assert_eq!(described.en, "1 hour 20 minutes ahead");
        let described = ClockDrift {
            tablet_ahead_ms: 365 * DAY,
        }
        .described();
        assert_eq!(described.en, "365 days ahead");
        // To the nearest minute.
        let described = ClockDrift {
            tablet_ahead_ms: 2 * HOUR - 1_500,
        }
        .described();
        assert_eq!(described.en, "2 hours ahead");
        let warning = ClockDrift {
            tablet_ahead_ms: 2 * HOUR,
        }
        .warning();
        assert!(warning.en.contains("2 hours ahead of the server's"));
        assert!(warning.vi.contains("nhanh 2 giờ so với máy chủ"));
        let warning = ClockDrift {
            tablet_ahead_ms: -DAY,
        }
        .warning();
        assert!(warning.vi.contains("chậm 1 ngày") && warning.vi.contains("Cài đặt"));
        assert!(warning.en.contains("1 day behind the server's"));
    }
}
