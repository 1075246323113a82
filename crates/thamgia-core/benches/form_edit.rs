//! `cargo xtask bench`: the form engine's cost per edit, natively, for a
//! generated 1,000-question form with 50 repeat instances (and 5, to show the
//! cost does not grow with instances). Figures only.

use std::time::Instant;

use thamgia_core::form::time_edits;

fn main() {
    let start = Instant::now();
    let clock = || start.elapsed().as_secs_f64() * 1000.0;
    println!("Form engine, native (generated form, 1,000 questions, half of them in a repeat):");
    println!(
        "  {:>9} {:>12} {:>14} {:>12} {:>16}",
        "instances", "compile ms", "evaluate ms", "ms per edit", "nodes per edit"
    );
    for instances in [5, 50] {
        let (compile, evaluate, per_edit, nodes) = time_edits(1_000, instances, 2_000, &clock);
        println!(
            "  {instances:>9} {compile:>12.2} {evaluate:>14.2} {per_edit:>12.4} {nodes:>16.1}"
        );
    }
}
