//! Where a bench round's CPU time went, read from `/proc`: this process's
//! user and system time, and the whole machine's busy, idle and stolen
//! time. On a shared machine a rate alone cannot tell a slower code from a
//! busier host; these can.

/// The user and system CPU time this process has used, in seconds
/// (`/proc/self/stat`, in the kernel's fixed 100 ticks a second; 0 where
/// there is no `/proc`): the work an ingest costs whatever else the machine
/// is doing, which a rate on a shared machine is not.
pub fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // The fields after the command's closing parenthesis: the 14th and
    // 15th of the line are the 12th and 13th from there.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: Vec<f64> = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|field| field.parse().ok())
        .collect();
    ticks.iter().sum::<f64>() / 100.0
}

/// The whole machine's CPU time so far, by what it was spent on, in the
/// kernel's ticks (`/proc/stat`'s first line, every core together).
#[derive(Clone, Copy, Debug, Default)]
pub struct MachineTicks {
    /// Running anything: user, nice, system, irq and softirq.
    busy: u64,
    /// Idle, with nothing waiting on a disk.
    idle: u64,
    /// Idle while a disk write or read was outstanding.
    iowait: u64,
    /// Taken by the hypervisor for other guests while this one wanted it.
    steal: u64,
}

impl MachineTicks {
    /// The counts now (all zero where there is no `/proc/stat`).
    pub fn now() -> MachineTicks {
        let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
            return MachineTicks::default();
        };
        let fields: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .map(|field| field.parse().unwrap_or(0))
            .collect();
        let field = |index: usize| fields.get(index).copied().unwrap_or(0);
        MachineTicks {
            busy: field(0) + field(1) + field(2) + field(5) + field(6),
            idle: field(3),
            iowait: field(4),
            steal: field(7),
        }
    }

    /// What was spent between `earlier` and `self`, as shares of the time.
    pub fn since(&self, earlier: &MachineTicks) -> MachineShares {
        let busy = self.busy.saturating_sub(earlier.busy) as f64;
        let idle = self.idle.saturating_sub(earlier.idle) as f64;
        let iowait = self.iowait.saturating_sub(earlier.iowait) as f64;
        let steal = self.steal.saturating_sub(earlier.steal) as f64;
        let total = (busy + idle + iowait + steal).max(1.0);
        MachineShares {
            busy: busy / total,
            idle: idle / total,
            iowait: iowait / total,
            steal: steal / total,
        }
    }
}

/// Shares of the machine's CPU time over a stretch (they add up to 1).
#[derive(Clone, Copy, Debug, Default)]
pub struct MachineShares {
    pub busy: f64,
    pub idle: f64,
    pub iowait: f64,
    pub steal: f64,
}

impl MachineShares {
    /// The element-wise median of `shares` (the upper of two).
    pub fn median(shares: &[MachineShares]) -> MachineShares {
        let middle = |pick: fn(&MachineShares) -> f64| {
            let mut values: Vec<f64> = shares.iter().map(pick).collect();
            values.sort_by(f64::total_cmp);
            values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
        };
        MachineShares {
            busy: middle(|shares| shares.busy),
            idle: middle(|shares| shares.idle),
            iowait: middle(|shares| shares.iowait),
            steal: middle(|shares| shares.steal),
        }
    }

    /// One line: each share in per cent.
    pub fn describe(&self) -> String {
        format!(
            "busy {:.0} %, idle {:.0} %, waiting on the disk {:.0} %, stolen by the host {:.0} %",
            self.busy * 100.0,
            self.idle * 100.0,
            self.iowait * 100.0,
            self.steal * 100.0
        )
    }
}
