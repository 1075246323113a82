//! Which corrections and withdrawals a server applies, and to what.
//!
//! A correction is a new record (response or forum) naming the one it
//! replaces; the server then counts only the newest. A withdrawal of consent
//! deletes a response everywhere. Both change what another record counts,
//! so both are checked against what the server holds of that record: a
//! correction must name a record that exists, of the same survey (or a
//! forum), of the same ward as itself, not withdrawn, and not itself; a
//! withdrawal reaches only records of a ward its sender may reach.
//!
//! **A withdrawal that arrives before the record it withdraws.** A tablet's
//! outbox keeps its order, so its own withdrawal never overtakes its own
//! response; it arrives first only when the server forgot the response (a
//! restore from an older backup: the tablet then sends the tombstone it
//! keeps, not the deleted answers) or when another tablet or the town hall
//! sends it. The server keeps such a withdrawal as a tombstone of the
//! sender's ward (any ward for a city officer): a response of that id
//! arriving later is withdrawn only if it belongs to that ward, and is
//! otherwise stored as if the tombstone were not there (the stray tombstone
//! is dropped), so nobody can withdraw another ward's response in advance.
//!
//! The server gathers the facts with its queries and asks these functions;
//! they hold no I/O.

use uuid::Uuid;

use crate::account::AccountInfo;
use crate::limits::quoted;
use crate::localized::Localized;

/// What the server holds of the record a correction names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Corrected<'a> {
    /// Nothing: never received, or refused.
    Missing,
    /// Its consent was withdrawn: its answers are gone.
    Withdrawn,
    /// A stored record of this survey (`None` for a forum) and ward.
    Stored {
        /// The survey it answers (forums have none).
        survey_id: Option<&'a str>,
        /// Its ward.
        ward_code: &'a str,
    },
}

/// The record a correction is, as the rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Correction<'a> {
    /// The new record's id.
    pub id: Uuid,
    /// The id it corrects.
    pub corrects: Uuid,
    /// The new record's survey (`None` for a forum).
    pub survey_id: Option<&'a str>,
    /// The new record's ward.
    pub ward_code: &'a str,
}

/// Why the server refuses `correction` of the record it holds as `held`,
/// or `None` when the correction may supersede it.
pub fn correction_refusal(correction: &Correction<'_>, held: &Corrected<'_>) -> Option<Localized> {
    let corrected = quoted(&correction.corrects.to_string());
    if correction.id == correction.corrects {
        return Some(Localized::new(
            "Bản ghi không thể sửa cho chính nó. Bản ghi được giữ lại ở máy chủ để cán bộ xem xét.",
            "A record cannot correct itself. It is kept aside on the server for an officer to review.",
        ));
    }
    match held {
        Corrected::Missing => Some(Localized::new(
            format!("Máy chủ không có bản ghi {corrected} mà bản ghi này sửa. Hãy đồng bộ lại; nếu lỗi vẫn còn, hãy báo cho cán bộ phường/xã."),
            format!("The server does not hold record {corrected}, which this one corrects. Sync again; if the error stays, tell the ward officer."),
        )),
        Corrected::Withdrawn => Some(Localized::new(
            format!("Bản ghi {corrected} đã được rút lại sự đồng ý nên không thể sửa."),
            format!("Record {corrected} had its consent withdrawn, so it cannot be corrected."),
        )),
        Corrected::Stored {
            survey_id,
            ward_code,
        } => {
            if *survey_id != correction.survey_id {
                Some(Localized::new(
                    format!("Bản ghi {corrected} thuộc một khảo sát khác nên không thể được sửa bằng bản ghi này."),
                    format!("Record {corrected} belongs to another survey, so this one cannot correct it."),
                ))
            } else if *ward_code != correction.ward_code {
                Some(Localized::new(
                    format!("Bản ghi {corrected} thuộc phường/xã khác ({}) nên không thể được sửa bằng bản ghi này.", quoted(ward_code)),
                    format!("Record {corrected} belongs to another ward ({}), so this one cannot correct it.", quoted(ward_code)),
                ))
            } else {
                None
            }
        }
    }
}

/// The ward a tombstone of a response the server does not hold is kept
/// under: the sender's ward, or `None` (any ward) for a city officer or a
/// sender the server does not scope.
pub fn tombstone_ward(sender: Option<&AccountInfo>) -> Option<String> {
    match sender {
        Some(account) if !account.is_city_officer() => account.ward_code.clone(),
        _ => None,
    }
}

/// Whether a tombstone kept under `tombstone_ward` withdraws a response of
/// `response_ward` that arrives after it.
pub fn tombstone_withdraws(tombstone_ward: Option<&str>, response_ward: &str) -> bool {
    tombstone_ward.is_none_or(|ward| ward == response_ward)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Role;

    fn id(number: u128) -> Uuid {
        Uuid::from_u128(number)
    }

    fn correction<'a>(survey: Option<&'a str>, ward: &'a str) -> Correction<'a> {
        Correction {
            id: id(2),
            corrects: id(1),
            survey_id: survey,
            ward_code: ward,
        }
    }

    fn check(held: Corrected<'_>, expected_refusal: Option<&str>) {
        let refusal = correction_refusal(&correction(Some("s"), "00004"), &held);
        match (refusal, expected_refusal) {
            (None, None) => {}
            (Some(message), Some(words)) => {
                assert!(message.en.contains(words), "{} lacks {words}", message.en);
                assert!(!message.vi.is_empty());
            }
            (got, expected) => panic!("{held:?}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn a_correction_needs_an_existing_record_of_its_survey_and_ward() {
        check(
            Corrected::Stored {
                survey_id: Some("s"),
                ward_code: "00004",
            },
            None,
        );
        check(Corrected::Missing, Some("does not hold"));
        check(Corrected::Withdrawn, Some("withdrawn"));
        check(
            Corrected::Stored {
                survey_id: Some("other"),
                ward_code: "00004",
            },
            Some("another survey"),
        );
        check(
            Corrected::Stored {
                survey_id: Some("s"),
                ward_code: "00008",
            },
            Some("another ward"),
        );
        // A forum (no survey) cannot correct a response, nor the reverse.
        let forum = correction(None, "00004");
        assert!(correction_refusal(
            &forum,
            &Corrected::Stored {
                survey_id: Some("s"),
                ward_code: "00004"
            }
        )
        .is_some());
        assert!(correction_refusal(
            &forum,
            &Corrected::Stored {
                survey_id: None,
                ward_code: "00004"
            }
        )
        .is_none());
    }

    #[test]
    fn a_record_cannot_correct_itself() {
        let itself = Correction {
            corrects: id(2),
            ..correction(Some("s"), "00004")
        };
        let refusal = correction_refusal(
            &itself,
            &Corrected::Stored {
                survey_id: Some("s"),
                ward_code: "00004",
            },
        )
        .expect("refused");
        assert!(refusal.en.contains("itself"), "{}", refusal.en);
    }

    #[test]
    fn an_early_tombstone_withdraws_only_its_senders_ward() {
        let collector = AccountInfo {
            username: "badinh".to_owned(),
            display_name: "Ba Đình".to_owned(),
            role: Role::Collector,
            ward_code: Some("00004".to_owned()),
        };
        let city = AccountInfo {
            role: Role::CityOfficer,
            ward_code: None,
            ..collector.clone()
        };
        let ward = tombstone_ward(Some(&collector));
        assert_eq!(ward.as_deref(), Some("00004"));
        assert!(tombstone_withdraws(ward.as_deref(), "00004"));
        assert!(!tombstone_withdraws(ward.as_deref(), "00008"));
        assert_eq!(tombstone_ward(Some(&city)), None);
        assert!(tombstone_withdraws(None, "00008"));
    }
}
