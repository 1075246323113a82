//! A referral after a possible disclosure, as a response carries it: to
//! whom and when, nothing about the child. The rules around it are
//! the `safeguarding` module's.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::localized::Localized;

/// Who a referral was made to. A fixed list: a referral carries no name,
/// no words of the child, nothing that points at a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferredTo {
    /// The national child protection hotline, 111.
    Hotline,
    /// The ward's or commune's child protection officer.
    WardOfficer,
}

impl ReferredTo {
    /// Both, in the order the guidance names them.
    pub const ALL: [ReferredTo; 2] = [ReferredTo::WardOfficer, ReferredTo::Hotline];

    /// How the worker's button names it.
    pub fn label(self) -> Localized {
        match self {
            ReferredTo::Hotline => Localized::new(
                "Đã gọi Tổng đài quốc gia bảo vệ trẻ em 111",
                "Called the national child protection hotline, 111",
            ),
            ReferredTo::WardOfficer => Localized::new(
                "Đã báo cán bộ bảo vệ trẻ em của phường/xã",
                "Told the ward's child protection officer",
            ),
        }
    }
}

/// That a referral was made, by the worker, during the response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    /// To whom (at least one).
    pub to: Vec<ReferredTo>,
    /// When the worker recorded it, by the tablet's clock.
    #[serde(deserialize_with = "super::rfc3339::deserialize")]
    pub made_at: DateTime<Utc>,
}

impl Referral {
    /// Why the referral cannot be kept: it names nobody to whom it was
    /// made, or the same recipient twice.
    pub fn problem(&self) -> Option<Localized> {
        if self.to.is_empty() {
            return Some(Localized::new(
                "Chuyển tiếp phải ghi đã báo cho ai.",
                "A referral must say to whom it was made.",
            ));
        }
        let mut seen = Vec::new();
        for to in &self.to {
            if seen.contains(to) {
                return Some(Localized::new(
                    "Chuyển tiếp ghi trùng một nơi nhận.",
                    "A referral names the same recipient twice.",
                ));
            }
            seen.push(*to);
        }
        None
    }
}
