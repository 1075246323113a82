//! The charts' geometry, tested without a DOM.

use thamgia_core::Language;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use super::*;

wasm_bindgen_test_configure!(run_in_browser);

fn close(left: f64, right: f64) -> bool {
    (left - right).abs() < 1e-6
}

fn bar(label: &str, value: f64) -> BarDatum {
    BarDatum {
        label: label.to_owned(),
        value,
        tone: Tone::Neutral,
    }
}

fn point(label: &str, value: f64, target: Option<f64>) -> LinePoint {
    LinePoint {
        label: label.to_owned(),
        value,
        target,
    }
}

#[wasm_bindgen_test]
fn a_scale_maps_its_domain_onto_its_range_even_backwards() {
    let scale = LinearScale::new((0.0, 50.0), (100.0, 600.0));
    assert!(close(scale.map(0.0), 100.0));
    assert!(close(scale.map(25.0), 350.0));
    assert!(close(scale.map(50.0), 600.0));
    let y = LinearScale::new((0.0, 10.0), (300.0, 20.0));
    assert!(close(y.map(0.0), 300.0));
    assert!(close(y.map(10.0), 20.0));
    // An empty domain does not divide by zero.
    assert!(close(
        LinearScale::new((3.0, 3.0), (5.0, 9.0)).map(3.0),
        5.0
    ));
}

#[wasm_bindgen_test]
fn steps_are_one_two_or_five_times_a_power_of_ten() {
    assert!(close(nice_step(100.0, 5), 20.0));
    assert!(close(nice_step(35.0, 5), 10.0));
    assert!(close(nice_step(7.3, 5), 2.0));
    assert!(close(nice_step(0.9, 5), 0.2));
    assert!(close(nice_step(12_000.0, 5), 5_000.0));
    assert!(close(nice_step(0.0, 5), 1.0));
    assert!(close(nice_step(f64::NAN, 5), 1.0));
}

#[wasm_bindgen_test]
fn the_axis_starts_at_zero_and_covers_values_and_target() {
    let axis = value_axis([12.5, 27.0, 35.0], 5);
    assert!(close(axis.start, 0.0));
    assert!(close(axis.end, 40.0));
    assert_eq!(axis.ticks.len(), 5);
    assert!(axis
        .ticks
        .iter()
        .zip([0.0, 10.0, 20.0, 30.0, 40.0])
        .all(|(a, b)| close(*a, b)));
    // Negative values stretch it below zero.
    let axis = value_axis([-3.0, 8.0], 5);
    assert!(axis.start <= -3.0 && axis.end >= 8.0);
    assert!(axis.ticks.iter().any(|tick| close(*tick, 0.0)));
    // Nothing, zeros and non-finite values give 0 to 1.
    for values in [vec![], vec![0.0, 0.0], vec![f64::NAN, f64::INFINITY]] {
        let axis = value_axis(values, 5);
        assert!(close(axis.start, 0.0) && close(axis.end, 1.0));
    }
}

#[wasm_bindgen_test]
fn numbers_are_written_the_way_each_language_reads_them() {
    assert_eq!(format_number(12_345.67, 1, Language::Vi), "12.345,7");
    assert_eq!(format_number(12_345.67, 1, Language::En), "12,345.7");
    assert_eq!(format_number(30.0, 1, Language::Vi), "30");
    assert_eq!(format_number(0.30000000000000004, 2, Language::En), "0.3");
    assert_eq!(format_number(-2.5, 1, Language::Vi), "-2,5");
    assert_eq!(format_number(-0.01, 1, Language::En), "0");
    assert_eq!(format_number(999.0, 0, Language::En), "999");
    assert_eq!(format_number(1_000_000.0, 0, Language::Vi), "1.000.000");
    assert_eq!(format_number(f64::NAN, 1, Language::Vi), "—");
    assert_eq!(format_with_unit(30.5, "%", Language::Vi), "30,5\u{a0}%");
    assert_eq!(format_with_unit(4.0, "", Language::En), "4");
}

#[wasm_bindgen_test]
fn long_labels_are_cut_with_an_ellipsis() {
    assert_eq!(truncate_label("Phường Hoàn Kiếm", 26), "Phường Hoàn Kiếm");
    assert_eq!(truncate_label("Phường Đống Đa", 8), "Phường…");
    assert_eq!(truncate_label("Phường Đống Đa", 8).chars().count(), 7);
}

#[wasm_bindgen_test]
fn polyline_points_are_pairs_separated_by_spaces() {
    assert_eq!(
        polyline_points(&[(1.0, 2.0), (3.25, 4.0)]),
        "1.0,2.0 3.2,4.0"
    );
    assert_eq!(polyline_points(&[]), "");
}

#[wasm_bindgen_test]
fn bars_grow_from_zero_in_proportion_to_their_values() {
    let layout = bar_layout(
        &[bar("A", 10.0), bar("B", 20.0), bar("C", f64::NAN)],
        Some(30.0),
        CHART_WIDTH,
    );
    // The non-finite value is left out.
    assert_eq!(layout.bars.len(), 2);
    let (first, second) = (&layout.bars[0], &layout.bars[1]);
    assert!(close(first.x, layout.zero_x) && close(second.x, layout.zero_x));
    assert!(close(second.width, 2.0 * first.width));
    // One row each, top to bottom, inside the plot.
    assert!(second.y > first.y);
    assert!(second.y + second.height <= layout.plot_bottom);
    assert!(layout.height > layout.plot_bottom);
    // The target falls at 30 on an axis from 0 to 30.
    let target_x = layout.target_x.unwrap_or_default();
    assert!(close(target_x, layout.plot_right));
    assert!(close(first.x + 3.0 * first.width, target_x));
    // Ticks run left to right along the plot.
    assert!(close(layout.ticks[0].position, layout.plot_left));
    assert!(layout
        .ticks
        .windows(2)
        .all(|pair| pair[0].position < pair[1].position));
}

#[wasm_bindgen_test]
fn a_negative_bar_grows_left_from_zero() {
    let layout = bar_layout(&[bar("A", -5.0), bar("B", 5.0)], None, CHART_WIDTH);
    let (negative, positive) = (&layout.bars[0], &layout.bars[1]);
    assert!(close(negative.x + negative.width, layout.zero_x));
    assert!(close(negative.width, positive.width));
    assert!(layout.target_x.is_none());
}

#[wasm_bindgen_test]
fn the_line_goes_through_evenly_spaced_points() {
    let layout = line_layout(
        &[
            point("Q1", 10.0, Some(30.0)),
            point("Q2", 20.0, Some(30.0)),
            point("Q3", 40.0, Some(35.0)),
        ],
        CHART_WIDTH,
    );
    let xs: Vec<f64> = layout.points.iter().map(|point| point.x).collect();
    assert!(close(xs[1] - xs[0], xs[2] - xs[1]));
    // Higher values are higher up, that is smaller y.
    assert!(layout.points[2].y < layout.points[1].y && layout.points[1].y < layout.points[0].y);
    assert!(layout
        .points
        .iter()
        .all(|point| point.y >= layout.plot_top && point.y <= layout.plot_bottom));
    assert_eq!(layout.polyline.split(' ').count(), 3);
    // Two milestones: a step from 30 to 35, between Q2 and Q3.
    assert_eq!(layout.targets.len(), 2);
    assert!(close(layout.targets[0].value, 30.0) && close(layout.targets[1].value, 35.0));
    assert!(close(layout.targets[0].x2, layout.targets[1].x1));
    assert!(close(layout.targets[0].x2, (xs[1] + xs[2]) / 2.0));
    assert!(layout.targets[1].y < layout.targets[0].y);
    // The y ticks run bottom to top.
    assert!(close(layout.ticks[0].position, layout.plot_bottom));
}

#[wasm_bindgen_test]
fn a_gap_in_targets_breaks_the_target_line() {
    let layout = line_layout(
        &[
            point("2024", 10.0, Some(30.0)),
            point("2027", 20.0, None),
            point("2030", 25.0, Some(30.0)),
        ],
        CHART_WIDTH,
    );
    assert_eq!(layout.targets.len(), 2);
    let single = line_layout(&[point("Q1", 12.0, Some(30.0))], CHART_WIDTH);
    assert_eq!(single.points.len(), 1);
    assert!(single.points[0].x > single.plot_left && single.points[0].x < single.plot_right);
    assert_eq!(single.targets.len(), 1);
    assert!(single.targets[0].x1 >= single.plot_left && single.targets[0].x2 <= single.plot_right);
    assert!(line_layout(&[], CHART_WIDTH).points.is_empty());
}

#[wasm_bindgen_test]
fn labels_are_thinned_out_when_they_do_not_fit() {
    assert_eq!(label_stride(6, 900.0), 1);
    assert_eq!(label_stride(24, 960.0), 3);
    assert_eq!(label_stride(0, 900.0), 1);
    let points: Vec<LinePoint> = (0..24)
        .map(|index| point(&index.to_string(), 1.0, None))
        .collect();
    let layout = line_layout(&points, CHART_WIDTH);
    let labelled = layout.points.iter().filter(|point| point.labelled).count();
    assert!((6..24).contains(&labelled), "{labelled} labels");
}

#[wasm_bindgen_test]
fn the_meter_puts_the_target_at_four_fifths() {
    let meter = meter_geometry(Some(12.0), Some(30.0), 120.0);
    assert!(close(meter.target_x.unwrap_or_default(), 96.0));
    assert!(close(meter.value_width, 38.4));
    assert_eq!(meter.tone, Tone::Misses);
    let past = meter_geometry(Some(75.0), Some(30.0), 120.0);
    assert!(close(past.value_width, 120.0));
    assert!(close(past.target_x.unwrap_or_default(), 48.0));
    assert_eq!(past.tone, Tone::Meets);
    let alone = meter_geometry(None, None, 120.0);
    assert!(close(alone.value_width, 0.0) && alone.target_x.is_none());
    assert_eq!(alone.tone, Tone::Neutral);
    assert_eq!(
        meter_geometry(Some(f64::NAN), Some(30.0), 120.0).value_width,
        0.0
    );
}

#[wasm_bindgen_test]
fn the_summary_states_every_value_and_the_target() {
    let summary = chart_summary(
        "Tỷ lệ tham gia",
        &[("Phường A".to_owned(), 12.5), ("Xã B".to_owned(), 40.0)],
        "Chỉ tiêu",
        &[30.0],
        "%",
        Language::Vi,
    );
    assert_eq!(
        summary,
        "Tỷ lệ tham gia. Phường A: 12,5\u{a0}%; Xã B: 40\u{a0}%. Chỉ tiêu: 30\u{a0}%."
    );
    let without = chart_summary(
        "T",
        &[("A".to_owned(), 1.0)],
        "Target",
        &[],
        "",
        Language::En,
    );
    assert_eq!(without, "T. A: 1.");
}

fn stack(label: &str, counts: &[Option<u64>], total: Option<u64>) -> StackedBar {
    StackedBar {
        label: label.to_owned(),
        counts: counts.to_vec(),
        total,
    }
}

#[wasm_bindgen_test]
fn a_stacked_bar_fills_its_width_with_each_answers_share() {
    let layout = stacked_layout(
        &[stack("Nữ", &[Some(6), Some(0), Some(2)], Some(8))],
        CHART_WIDTH,
    );
    let row = &layout.rows[0];
    let span = layout.plot_right - layout.plot_left;
    // A zero count draws nothing; the rest cut the bar 6 : 2.
    assert_eq!(row.segments.len(), 2);
    assert_eq!(row.segments[0].series, Some(0));
    assert!(close(row.segments[0].width, span * 0.75));
    assert_eq!(row.segments[1].series, Some(2));
    assert!(close(
        row.segments[1].x + row.segments[1].width,
        layout.plot_right
    ));
    assert!(!row.withheld);
}

#[wasm_bindgen_test]
fn withheld_counts_are_one_hatched_part_and_a_withheld_total_the_whole_bar() {
    let layout = stacked_layout(
        &[
            stack("Nam", &[Some(9), None, None], Some(12)),
            stack("Không nói", &[None, None, None], None),
        ],
        CHART_WIDTH,
    );
    let shown = &layout.rows[0];
    // 9 of 12 shown; the two withheld counts are drawn together, 3 of 12.
    assert_eq!(shown.segments.len(), 2);
    assert_eq!(shown.segments[1].series, None);
    assert!(close(shown.segments[1].share, 0.25));
    assert!(close(
        shown.segments[1].x + shown.segments[1].width,
        layout.plot_right
    ));
    let hidden = &layout.rows[1];
    assert!(hidden.withheld);
    assert!(hidden.segments.is_empty());
    assert!(layout.height > 2.0 * 44.0);
}

fn count(label: &str, count: Option<u64>) -> CountBar {
    CountBar {
        label: label.to_owned(),
        key: label.to_owned(),
        count,
        text: count.map_or_else(|| "< 5".to_owned(), |count| count.to_string()),
        shown: String::new(),
        note: None,
    }
}

#[wasm_bindgen_test]
fn count_bars_are_as_long_as_their_share_of_the_largest_and_withheld_ones_draw_nothing() {
    let layout = count_layout(
        &[count("a", Some(10)), count("b", Some(5)), count("c", None)],
        CHART_WIDTH,
    );
    assert!(close(layout.bars[1].width * 2.0, layout.bars[0].width));
    assert!(layout.bars[0].width > 0.0);
    // A withheld figure draws no bar: its length would give it away.
    assert!(close(layout.bars[2].width, 0.0));
    assert!(layout.bars[2].text_x > layout.plot_left);
    assert!(close(layout.height, 3.0 * 40.0));
}

#[wasm_bindgen_test]
fn a_narrow_chart_keeps_its_bars_and_labels_inside() {
    for width in [MIN_CHART_WIDTH, 520.0, 740.0, CHART_WIDTH] {
        let counts = count_layout(&[count("a", Some(10)), count("b", Some(5))], width);
        assert!(counts.plot_left <= width * 0.36 + 0.001);
        assert!(counts
            .bars
            .iter()
            .all(|bar| counts.plot_left + bar.width <= width - 100.0));
        let bars = bar_layout(&[bar("A", 40.0), bar("B", 5.0)], Some(35.0), width);
        assert_eq!(bars.width, width);
        assert!(bars
            .bars
            .iter()
            .all(|bar| bar.x + bar.width <= bars.plot_right + 0.001));
        let stacked = stacked_layout(&[stack("Nữ", &[Some(6), Some(2)], Some(8))], width);
        assert!(stacked.plot_right <= width);
        let line = line_layout(&[point("Q1", 12.0, None), point("Q2", 14.0, None)], width);
        assert!(line.points.iter().all(|point| point.x <= width));
    }
    // A label column's characters follow its room: 26 at the widest bar chart.
    assert_eq!(label_chars(250.0), 26);
    assert!(label_chars(label_room(MIN_CHART_WIDTH, 380.0)) < 40);
}
