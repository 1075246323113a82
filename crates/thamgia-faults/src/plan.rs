//! What each tablet will create, decided up front from the seed.
//!
//! - `responses` valid responses to the demo survey, dealt round-robin to the
//!   tablets; response `i` is `seed::sample_response(survey, id_i, i, now)`.
//! - `edits` field edits of the one shared report of ward 00004, dealt
//!   round-robin, each on a field drawn from twelve, so several tablets edit
//!   the same fields and the merge decides. Every edit's content is unique
//!   (a number or a text naming the tablet and the edit), so the verifier can
//!   find each edit among the server's whatever the server did to its stamp.
//! - `conflicts` twins: a second response with the id of one of the valid
//!   responses but other content (another `n`, another time), made on the
//!   next tablet. Whichever copy reaches the server first is kept; the other
//!   must be answered `Conflict` and kept aside.
//! - `rejects` responses the server must refuse: alternately one to a survey
//!   version that does not exist and one without consent. Each sits in the
//!   middle of its tablet's queue, so records made after it must still
//!   arrive.
//!
//! Each tablet's list is shuffled, so responses and edits interleave.

use thamgia_core::report::{FieldContent, FieldKey};
use thamgia_core::RefusalCode;
use uuid::Uuid;

use crate::rng::Rng;

/// Why a response must be refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectKind {
    /// It answers a survey version the server does not have.
    UnknownVersion,
    /// It carries no consent at all.
    NoConsent,
}

impl RejectKind {
    /// The refusal code the server must answer for this cause (no consent
    /// breaks the form's rules).
    pub fn code(self) -> RefusalCode {
        match self {
            RejectKind::UnknownVersion => RefusalCode::UnknownSurvey,
            RejectKind::NoConsent => RefusalCode::InvalidAnswers,
        }
    }
}

/// What a planned response is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseRole {
    /// An ordinary response: stored exactly once.
    Normal,
    /// The other copy of a normal response's id, with other content.
    Twin,
    /// A response the server must quarantine.
    Reject(RejectKind),
}

/// One record a tablet will create.
#[derive(Debug, Clone)]
pub enum Planned {
    /// A completed response.
    Response {
        /// The variation passed to `sample_response`.
        n: usize,
        /// Its id.
        id: Uuid,
        /// What it is for.
        role: ResponseRole,
    },
    /// A report field edit.
    Edit {
        /// The field.
        field: FieldKey,
        /// Its new, unique content.
        content: FieldContent,
    },
}

/// The twelve report fields the tablets edit.
pub fn report_fields() -> Vec<FieldKey> {
    let mut fields = Vec::new();
    for code in ["1.1", "1.4", "2.2", "3.1", "4.3"] {
        fields.push(FieldKey::value(code));
        fields.push(FieldKey::note(code));
    }
    fields.push(FieldKey::evidence("2.2"));
    fields.push(FieldKey::narrative());
    fields
}

/// Every tablet's records, in the order it will create them.
pub fn make(
    responses: usize,
    edits: usize,
    tablets: usize,
    conflicts: usize,
    rejects: usize,
    rng: &mut Rng,
) -> Vec<Vec<Planned>> {
    let tablets = tablets.max(1);
    let mut plans: Vec<Vec<Planned>> = (0..tablets).map(|_| Vec::new()).collect();
    let ids: Vec<Uuid> = (0..responses).map(|_| rng.uuid()).collect();
    for (n, id) in ids.iter().enumerate() {
        plans[n % tablets].push(Planned::Response {
            n,
            id: *id,
            role: ResponseRole::Normal,
        });
    }
    let fields = report_fields();
    for k in 0..edits {
        let tablet = k % tablets;
        let field = fields[rng.below(fields.len())].clone();
        let content = if field.holds_number() {
            FieldContent::Number(((tablet + 1) * 1_000_000 + k) as f64)
        } else {
            FieldContent::Text(format!(
                "máy tính bảng {tablet}, lần sửa {k} / tablet {tablet}, edit {k}"
            ))
        };
        plans[tablet].push(Planned::Edit { field, content });
    }
    for plan in &mut plans {
        rng.shuffle(plan);
    }
    let conflicts = conflicts.min(responses);
    for j in 0..conflicts {
        // Spread the twinned responses over the whole run.
        let original = j * responses / conflicts;
        let tablet = (original + 1) % tablets;
        let twin = Planned::Response {
            n: responses + j,
            id: ids[original],
            role: ResponseRole::Twin,
        };
        insert_in_the_middle(&mut plans[tablet], twin, rng);
    }
    for r in 0..rejects {
        let kind = if r % 2 == 0 {
            RejectKind::UnknownVersion
        } else {
            RejectKind::NoConsent
        };
        let reject = Planned::Response {
            n: responses + conflicts + r,
            id: rng.uuid(),
            role: ResponseRole::Reject(kind),
        };
        insert_in_the_middle(&mut plans[r % tablets], reject, rng);
    }
    plans
}

/// Inserts between 10 % and 80 % of the list, so records follow it.
fn insert_in_the_middle(plan: &mut Vec<Planned>, item: Planned, rng: &mut Rng) {
    let length = plan.len();
    let low = length / 10;
    let high = (length * 8 / 10).max(low);
    let at = low + rng.below(high - low + 1);
    plan.insert(at.min(length), item);
}
