//! The push's scope rules, pure: which ward a mutation is about, whether a
//! ward code is one in force, and whether an account may send a mutation.
//!
//! The server reads the facts a rule needs (the ward of a response or of a
//! recommendation the record does not name, see [`ward_lookup`]) with SQL,
//! then asks these functions. The replay, gap and seq-reuse rules, and what
//! becomes of the submitted responses a batch decides at once, are
//! [`batch`]'s; whether an officer may accept a refused record afterwards
//! is [`release`]'s.

pub mod batch;
pub mod release;

use uuid::Uuid;

use crate::account::AccountInfo;
use crate::report::ReportStatus;
use crate::{limits, Localized, MutationChange, Refusal, RefusalCode};

/// The ward a mutation is about, when the record says it without a lookup.
pub fn mutation_ward(change: &MutationChange) -> Option<String> {
    match change {
        MutationChange::SubmitResponse { response } => Some(response.ward_code.clone()),
        MutationChange::SubmitForum { forum } => Some(forum.ward_code.clone()),
        MutationChange::EditReportField { edit } => Some(edit.report_id.ward_code().to_owned()),
        MutationChange::ChangeReportStatus { change } => {
            Some(change.report_id.ward_code().to_owned())
        }
        MutationChange::WithdrawResponse { .. } | MutationChange::RecordFeedback { .. } => None,
    }
}

/// The fact the server must read to know a mutation's ward, when the
/// record does not name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WardLookup {
    /// Nothing to read: the record names its ward.
    Named,
    /// The ward of a stored, withdrawn or refused response.
    Response(Uuid),
    /// The ward of the forum a recommendation came from.
    Recommendation(Uuid),
}

/// What the server must read to know `change`'s ward.
pub fn ward_lookup(change: &MutationChange) -> WardLookup {
    match change {
        MutationChange::WithdrawResponse { response_id, .. } => WardLookup::Response(*response_id),
        MutationChange::RecordFeedback { feedback } => {
            WardLookup::Recommendation(feedback.recommendation_id)
        }
        _ => WardLookup::Named,
    }
}

/// A refusal when the record names a ward code that is not a unit in force.
pub fn unknown_ward(change: &MutationChange, known_ward: impl Fn(&str) -> bool) -> Option<Refusal> {
    let ward = mutation_ward(change)?;
    (!known_ward(&ward)).then(|| {
        let ward = limits::quoted(&ward);
        Refusal::new(RefusalCode::UnknownWard, Localized::new(
            format!("Không có phường/xã mã “{ward}” trong danh sách đơn vị hành chính hiện hành của Hà Nội. Hãy chọn lại phường/xã; bản ghi được giữ lại ở máy chủ."),
            format!("There is no ward or commune with code “{ward}” in Hanoi's current list of units. Choose the ward again; the record is kept aside on the server."),
        ))
    })
}

/// Why `account` may not send this mutation, if it may not: a record of
/// another ward, or a task of another role. `looked_up_ward` is the ward
/// the server read for a record that does not name it ([`ward_lookup`]);
/// `None` when it knows none, and then the record is not refused for it.
pub fn out_of_scope(
    account: &AccountInfo,
    change: &MutationChange,
    looked_up_ward: Option<&str>,
) -> Option<Refusal> {
    let other_ward = |ward: &str| {
        let ward = limits::quoted(ward);
        Some(Refusal::new(RefusalCode::OtherWard, Localized::new(
            format!("Tài khoản {} không được gửi dữ liệu của phường/xã {ward}. Bản ghi được giữ lại ở máy chủ để cán bộ thành phố xem xét.", account.username),
            format!("Account {} may not send data of ward {ward}. The record is kept aside on the server for a city officer to review.", account.username),
        )))
    };
    // A response: the town hall can accept it as it is.
    let other_ward_response = |ward: &str| {
        let ward = limits::quoted(ward);
        Some(Refusal::new(RefusalCode::OtherWard, Localized::new(
            format!("Tài khoản {} không được gửi phiếu của phường/xã {ward}. Phiếu được giữ lại ở máy chủ; cán bộ của phường/xã {ward} hoặc cán bộ thành phố có thể nhận lại nó ở đó, không cần gửi lại.", account.username),
            format!("Account {} may not send responses of ward {ward}. The response is kept aside on the server; an officer of ward {ward} or a city officer can accept it there, with no need to send it again.", account.username),
        )))
    };
    let officers_only = || {
        Some(Refusal::new(RefusalCode::WardOfficersOnly, Localized::new(
            "Chỉ cán bộ phường/xã hoặc cán bộ thành phố được sửa và gửi báo cáo của phường/xã. Bản ghi được giữ lại ở máy chủ.",
            "Only the ward officer or a city officer may edit and submit the ward's report. The record is kept aside on the server.",
        )))
    };
    match change {
        MutationChange::SubmitResponse { response } => (!account
            .may_access_ward(&response.ward_code))
        .then(|| other_ward_response(&response.ward_code))
        .flatten(),
        MutationChange::SubmitForum { forum } => (!account.may_access_ward(&forum.ward_code))
            .then(|| other_ward(&forum.ward_code))
            .flatten(),
        MutationChange::WithdrawResponse { .. } | MutationChange::RecordFeedback { .. } => {
            match looked_up_ward {
                Some(ward) if !account.may_access_ward(ward) => other_ward(ward),
                _ => None,
            }
        }
        MutationChange::EditReportField { edit } => {
            let ward = edit.report_id.ward_code();
            if !account.may_access_ward(ward) {
                other_ward(ward)
            } else if !account.may_act_for_ward(ward) {
                officers_only()
            } else {
                None
            }
        }
        MutationChange::ChangeReportStatus { change } => {
            let ward = change.report_id.ward_code();
            if !account.may_access_ward(ward) {
                other_ward(ward)
            } else if !account.may_change_report_status(ward, change.to) {
                if change.to == ReportStatus::Approved {
                    Some(Refusal::new(
                        RefusalCode::CityOfficersOnly,
                        Localized::new(
                            "Chỉ cán bộ thành phố được duyệt báo cáo.",
                            "Only a city officer may approve a report.",
                        ),
                    ))
                } else {
                    officers_only()
                }
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
#[path = "push_rules/tests.rs"]
mod tests;
