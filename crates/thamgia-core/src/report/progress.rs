//! How much of a ward report is filled, group by group, and what to ask
//! before a report with empty indicators is submitted. An indicator counts
//! as filled when its value holds a number (a note alone does not fill it).

use crate::indicator::{Catalogue, IndicatorGroup};
use crate::localized::Localized;

use super::{FieldContent, FieldKey, ReportFields};

/// The indicators of one group: how many, how many filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupProgress {
    /// The group.
    pub group: IndicatorGroup,
    /// Indicators with a value.
    pub filled: usize,
    /// Indicators in the group.
    pub total: usize,
}

/// How much of the report is filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportProgress {
    /// Each group, in order.
    pub groups: Vec<GroupProgress>,
    /// The codes of the indicators without a value, in catalogue order.
    pub empty: Vec<String>,
    /// Every indicator of the catalogue.
    pub total: usize,
}

impl ReportProgress {
    /// How many indicators have a value.
    pub fn filled(&self) -> usize {
        self.total - self.empty.len()
    }

    /// "18 / 24 chỉ số đã nhập" in both languages.
    pub fn described(&self) -> Localized {
        Localized::new(
            format!("{} / {} chỉ số đã nhập", self.filled(), self.total),
            format!("{} of {} indicators filled", self.filled(), self.total),
        )
    }

    /// The question asked before submitting a report with empty
    /// indicators (naming up to ten of them); `None` when every indicator
    /// has a value.
    pub fn submit_question(&self) -> Option<Localized> {
        if self.empty.is_empty() {
            return None;
        }
        const NAMED: usize = 10;
        let mut codes = self.empty[..self.empty.len().min(NAMED)].join(", ");
        if self.empty.len() > NAMED {
            codes.push_str(", …");
        }
        let count = self.empty.len();
        Some(Localized::new(
            format!(
                "Còn {count} / {} chỉ số chưa nhập ({codes}). Báo cáo nộp rồi sẽ không sửa được cho đến khi thành phố trả lại. Vẫn nộp báo cáo?",
                self.total
            ),
            format!(
                "{count} of {} indicators have no value ({codes}). A submitted report cannot be changed unless the city sends it back. Submit anyway?",
                self.total
            ),
        ))
    }
}

/// The progress of `fields` against `catalogue`.
pub fn progress(catalogue: &Catalogue, fields: &ReportFields) -> ReportProgress {
    progress_by(catalogue, |code| {
        matches!(
            fields
                .get(&FieldKey::value(code))
                .map(|state| state.content()),
            Some(FieldContent::Number(_))
        )
    })
}

/// The progress of a report not started: nothing filled.
pub fn nothing_filled(catalogue: &Catalogue) -> ReportProgress {
    progress_by(catalogue, |_| false)
}

fn progress_by(catalogue: &Catalogue, filled: impl Fn(&str) -> bool) -> ReportProgress {
    let mut groups = Vec::new();
    let mut empty = Vec::new();
    let mut total = 0;
    for group in IndicatorGroup::ALL {
        let mut progress = GroupProgress {
            group,
            filled: 0,
            total: 0,
        };
        for indicator in catalogue.in_group(group) {
            progress.total += 1;
            if filled(&indicator.code) {
                progress.filled += 1;
            } else {
                empty.push(indicator.code.clone());
            }
        }
        total += progress.total;
        groups.push(progress);
    }
    ReportProgress {
        groups,
        empty,
        total,
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::indicator::shipped_catalogue;
    use crate::report::{FieldEdit, Hlc, ReportId, Stamp};

    fn edit(field: FieldKey, content: FieldContent, wall_ms: i64) -> FieldEdit {
        FieldEdit {
            report_id: report_id(),
            field,
            content,
            stamp: Stamp {
                hlc: Hlc::new(wall_ms, 0),
                client_id: Uuid::from_u128(0xA),
            },
            author: "Lan".to_owned(),
            sent_as: None,
        }
    }

    fn report_id() -> ReportId {
        "00004:2026-Q3".parse().expect("a valid report id")
    }

    #[test]
    fn an_indicator_is_filled_by_a_number_only() {
        let catalogue = shipped_catalogue().expect("the shipped catalogue reads");
        let mut fields = ReportFields::new(report_id());
        let empty = progress(&catalogue, &fields);
        assert_eq!(empty, nothing_filled(&catalogue));
        assert_eq!(empty.total, 24);
        assert_eq!(empty.filled(), 0);
        assert_eq!(empty.groups.len(), 4);
        assert_eq!(
            empty.groups.iter().map(|group| group.total).sum::<usize>(),
            24
        );
        assert!(empty.submit_question().is_some_and(|question| question
            .en
            .starts_with("24 of 24 indicators have no value (1.1, ")
            && question.en.contains(", …)")));

        let first = catalogue.indicators[0].code.clone();
        let second = catalogue.indicators[1].code.clone();
        fields
            .apply(edit(FieldKey::value(&first), FieldContent::Number(35.0), 1))
            .expect("applies");
        // A note alone, or a value cleared, does not fill an indicator.
        fields
            .apply(edit(
                FieldKey::note(&second),
                FieldContent::Text("chưa có số liệu".to_owned()),
                2,
            ))
            .expect("applies");
        fields
            .apply(edit(FieldKey::value(&second), FieldContent::Number(1.0), 3))
            .expect("applies");
        fields
            .apply(edit(FieldKey::value(&second), FieldContent::Cleared, 4))
            .expect("applies");
        let some = progress(&catalogue, &fields);
        assert_eq!(some.filled(), 1);
        assert_eq!(some.groups[0].filled, 1);
        assert!(!some.empty.contains(&first));
        assert!(some.empty.contains(&second));
        assert_eq!(some.described().vi, "1 / 24 chỉ số đã nhập");
        assert_eq!(some.described().en, "1 of 24 indicators filled");

        for (n, indicator) in catalogue.indicators.iter().enumerate() {
            fields
                .apply(edit(
                    FieldKey::value(&indicator.code),
                    FieldContent::Number(n as f64),
                    10 + n as i64,
                ))
                .expect("applies");
        }
        let full = progress(&catalogue, &fields);
        assert_eq!(full.filled(), 24);
        assert_eq!(full.submit_question(), None);
    }
}
