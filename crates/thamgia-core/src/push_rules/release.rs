//! Whether an officer may accept a refused record (the server's
//! `database::quarantine::release`): only a response, kept whole, of a
//! ward in force that the officer may act for. The record is then checked
//! by every other rule of a push (`batch::submission_refusal`, and the
//! server's own path for a response), as if the officer sent it.

use crate::account::AccountInfo;
use crate::protocol::{ChangeEntity, MutationOutcome};
use crate::{Localized, MutationChange, Response};

/// Why a refused record cannot be accepted.
#[derive(Debug, Clone, PartialEq)]
pub enum ReleaseRefusal {
    /// Not a response kept whole: a record cut at the size kept, or a
    /// forum, a report edit, a withdrawal (fixed by its sender).
    NotReleasable(Localized),
    /// The officer may not act for the response's ward.
    NotAllowed,
    /// The response's ward is not a unit in force.
    UnknownWard(Localized),
}

/// The response `by` may accept, from a refused record: `kept` is the
/// record as kept aside, `None` when it was kept cut (too large to keep
/// whole) or cannot be read.
pub fn releasable<'a>(
    kept: Option<&'a MutationChange>,
    by: &AccountInfo,
    known_ward: impl Fn(&str) -> bool,
) -> Result<&'a Response, ReleaseRefusal> {
    let Some(change @ MutationChange::SubmitResponse { response }) = kept else {
        return Err(ReleaseRefusal::NotReleasable(Localized::new(
            "Chỉ nhận lại được phiếu trả lời được giữ nguyên vẹn.",
            "Only a response kept whole can be accepted.",
        )));
    };
    if !by.may_act_for_ward(&response.ward_code) {
        return Err(ReleaseRefusal::NotAllowed);
    }
    if let Some(refusal) = super::unknown_ward(change, known_ward) {
        return Err(ReleaseRefusal::UnknownWard(refusal.message));
    }
    Ok(response)
}

/// What the tablets pull once the response `response_id` was accepted with
/// `outcome`: that it was accepted, when it is kept now (stored, or held
/// already), so the tablet that sent it shows it sent; nothing when it is
/// not (its consent was withdrawn, or another response holds its id).
pub fn accepted_change(response_id: uuid::Uuid, outcome: &MutationOutcome) -> Option<ChangeEntity> {
    matches!(
        outcome,
        MutationOutcome::Applied | MutationOutcome::AlreadyStored
    )
    .then_some(ChangeEntity::ResponseAccepted { response_id })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    use super::*;
    use crate::account::Role;
    use crate::forum::Forum;

    fn officer(role: Role, ward: Option<&str>) -> AccountInfo {
        AccountInfo {
            username: "canbo".to_owned(),
            display_name: "Cán bộ".to_owned(),
            role,
            ward_code: ward.map(str::to_owned),
        }
    }

    #[test]
    fn only_a_whole_response_of_a_ward_in_force_the_officer_acts_for() {
        let at = Utc
            .with_ymd_and_hms(2026, 9, 3, 9, 0, 0)
            .single()
            .expect("a time");
        let submit = |ward: &str| MutationChange::SubmitResponse {
            response: Response::new_draft(Uuid::from_u128(1), "s", 1, ward, at),
        };
        let in_force = |ward: &str| ward == "00004" || ward == "00008";
        let ba_dinh = officer(Role::WardOfficer, Some("00004"));
        let city = officer(Role::CityOfficer, None);

        let ours = submit("00004");
        assert!(releasable(Some(&ours), &ba_dinh, in_force).is_ok());
        assert!(releasable(Some(&ours), &city, in_force).is_ok());
        assert_eq!(
            releasable(Some(&submit("00008")), &ba_dinh, in_force),
            Err(ReleaseRefusal::NotAllowed)
        );
        assert_eq!(
            releasable(
                Some(&ours),
                &officer(Role::Collector, Some("00004")),
                in_force
            ),
            Err(ReleaseRefusal::NotAllowed)
        );
        assert!(matches!(
            releasable(Some(&submit("99999")), &city, in_force),
            Err(ReleaseRefusal::UnknownWard(_))
        ));
        assert!(matches!(
            releasable(None, &city, in_force),
            Err(ReleaseRefusal::NotReleasable(_))
        ));
        let forum = MutationChange::SubmitForum {
            forum: Forum::new(Uuid::from_u128(2), "00004", at.date_naive(), at),
        };
        assert!(matches!(
            releasable(Some(&forum), &city, in_force),
            Err(ReleaseRefusal::NotReleasable(_))
        ));
    }

    #[test]
    fn the_sender_is_told_only_of_a_response_now_kept() {
        let id = uuid::Uuid::from_u128(9);
        let told = ChangeEntity::ResponseAccepted { response_id: id };
        assert_eq!(
            accepted_change(id, &MutationOutcome::Applied),
            Some(told.clone())
        );
        assert_eq!(
            accepted_change(id, &MutationOutcome::AlreadyStored),
            Some(told)
        );
        let message = Localized::new("x", "x");
        for outcome in [
            MutationOutcome::Withdrawn,
            MutationOutcome::Conflict {
                message: message.clone(),
            },
            MutationOutcome::Rejected {
                code: Default::default(),
                message,
            },
        ] {
            assert_eq!(accepted_change(id, &outcome), None, "{outcome:?}");
        }
    }
}
