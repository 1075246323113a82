//! `cargo xtask bench`: the cost of making the one suppression pattern of
//! every scope (`results::joint`) for a city: 126 wards × 4 quarters of
//! figures shaped like the demo survey's (14 questions), with counts as a
//! million responses give (about 2,000 a cell) and as a hundred thousand do
//! (about 200), many of them small. Figures only.

use std::time::Instant;

use thamgia_core::report::Period;
use thamgia_core::results::figures::{Figure, Figures, Standing};
use thamgia_core::results::joint::JointPattern;
use thamgia_core::results::suppression::Threshold;

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound.max(1)
    }
}

/// One cell's figures: `per_cell` children over 14 questions of five
/// answers each, some answers rare.
fn cell(rng: &mut Rng, per_cell: u64) -> Figures {
    let mut figures = Figures::default();
    let respondents = per_cell / 2 + rng.below(per_cell);
    figures.counts.insert(Figure::Respondents, respondents);
    figures.counts.insert(Figure::KnownVersion, respondents);
    figures.counts.insert(Figure::UnknownVersion, 0);
    for q in 0..14 {
        let not_asked = rng.below(respondents / 10 + 1);
        let skipped = rng.below(4);
        let answered = respondents.saturating_sub(not_asked + skipped);
        let standings = [answered, skipped, not_asked, 0, 0];
        for (standing, count) in Standing::ALL.into_iter().zip(standings) {
            figures.counts.insert(Figure::Standing(q, standing), count);
        }
        let mut left = answered;
        for answer in 0..5 {
            let count = if answer == 4 {
                left
            } else if answer == 3 {
                rng.below(6).min(left)
            } else {
                rng.below(left / 2 + 1)
            };
            left -= count;
            figures
                .counts
                .insert(Figure::Answer(q, answer.to_string()), count);
        }
    }
    figures
}

fn main() {
    println!("The one suppression pattern of every scope (126 wards × 4 quarters, 14 questions):");
    for (name, per_cell) in [("100,000 responses", 200), ("1,000,000 responses", 2_000)] {
        let mut rng = Rng(0x5EED_0001);
        let quarters: Vec<Period> = (1..=4)
            .filter_map(|quarter| Period::quarter(2026, quarter).ok())
            .collect();
        let wards: Vec<String> = (0..126).map(|ward| format!("{ward:05}")).collect();
        let cells: Vec<(String, Period, Figures)> = wards
            .iter()
            .flat_map(|ward| quarters.iter().map(move |quarter| (ward.clone(), *quarter)))
            .map(|(ward, quarter)| {
                let figures = cell(&mut rng, per_cell);
                (ward, quarter, figures)
            })
            .collect();
        let mut times = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            let pattern = JointPattern::compute(
                cells
                    .iter()
                    .map(|(ward, quarter, figures)| (Some(ward.as_str()), Some(*quarter), figures)),
                Threshold::DEFAULT,
            );
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(pattern);
        }
        times.sort_by(f64::total_cmp);
        println!("  {name:<20} made in {:>8.1} ms (median of 5)", times[2]);
    }
}
