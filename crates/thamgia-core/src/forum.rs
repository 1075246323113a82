//! Children's forums (Circular 29/2019): a session, its participants as
//! anonymous counts, topics, opinions and votes, recommendations addressed to
//! a named authority, the authority's answer, and the feedback given back to
//! the children.
//!
//! A facilitator records the forum on a tablet, offline, and submits it; a
//! submitted forum is immutable, like a completed response (a correction is a
//! new forum pointing to the old one). What happens after — the authority's
//! answer, recorded at the town hall, and the feedback to the children,
//! recorded by the facilitator — are separate records keyed by the
//! recommendation, so each is written once by the one who knows it and
//! nothing has to merge.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::localized::Localized;
use crate::response::{AgeBand, Sex};

/// Days a commune has to report a forum to the city (Circular 29/2019).
pub const REPORT_DEADLINE_DAYS: u64 = 15;
/// Days an authority has to answer a forum's recommendations, counted from
/// the forum. Tham Gia's own rule for flagging overdue answers (the circular
/// sets no figure); change it here.
pub const ANSWER_DUE_DAYS: u64 = 30;
/// Fewest children at a commune-level forum.
pub const MIN_CHILDREN_AT_COMMUNE_LEVEL: u32 = 30;
/// Most children per adult supporter.
pub const MAX_CHILDREN_PER_ADULT: u32 = 5;
/// Most children one forum may record: far above any hall (a city forum
/// gathers hundreds), it keeps a broken or hostile count from swelling
/// the town hall's figures.
pub const MAX_FORUM_CHILDREN: u32 = 100_000;

/// The level a forum is held at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForumLevel {
    /// A ward or commune forum.
    Commune,
    /// A city forum.
    City,
}

impl ForumLevel {
    /// The level as shown.
    pub fn label(self) -> Localized {
        match self {
            ForumLevel::Commune => Localized::new("Cấp xã/phường", "Ward or commune"),
            ForumLevel::City => Localized::new("Cấp thành phố", "City"),
        }
    }
}

/// How many children of one age band and sex took part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantCount {
    /// Age band.
    pub age_band: AgeBand,
    /// Sex.
    pub sex: Sex,
    /// Number of children.
    pub count: u32,
}

/// An opinion voiced by the children on a topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opinion {
    /// Made on the tablet.
    pub id: Uuid,
    /// The opinion, in the children's words.
    pub text: String,
    /// An optional face from 1 (okay) to 5 (great), when the topic asked how
    /// the children feel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smiley: Option<u8>,
    /// How many children voted for it.
    #[serde(default)]
    pub votes: u32,
}

/// A topic discussed at the forum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    /// Made on the tablet.
    pub id: Uuid,
    /// The topic.
    pub title: String,
    /// What the children said.
    #[serde(default)]
    pub opinions: Vec<Opinion>,
}

/// A recommendation the children address to an authority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// Made on the tablet; answers and feedback are keyed by it.
    pub id: Uuid,
    /// The recommendation.
    pub text: String,
    /// The authority it is addressed to, named (e.g. "UBND phường Ba Đình").
    pub authority: String,
    /// How many children voted for it.
    #[serde(default)]
    pub votes: u32,
}

/// One children's forum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forum {
    /// Made on the tablet.
    pub id: Uuid,
    /// Level.
    pub level: ForumLevel,
    /// Official code of the ward or commune.
    pub ward_code: String,
    /// The day it was held.
    pub held_on: NaiveDate,
    /// Where.
    pub place: String,
    /// Who facilitated (adults; names allowed).
    pub facilitators: String,
    /// Adult supporters present.
    pub adult_supporters: u32,
    /// Participants, as anonymous counts.
    #[serde(default)]
    pub participants: Vec<ParticipantCount>,
    /// Written parental consents collected.
    pub consents_collected: u32,
    /// Topics with the opinions voiced.
    #[serde(default)]
    pub topics: Vec<Topic>,
    /// Recommendations to authorities.
    #[serde(default)]
    pub recommendations: Vec<Recommendation>,
    /// Draft while being recorded; submitted forums are immutable.
    pub submitted: bool,
    /// The forum this one corrects, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<Uuid>,
    /// When it was started, by the tablet's clock.
    pub created_at: DateTime<Utc>,
    /// When it was last changed, by the tablet's clock.
    pub updated_at: DateTime<Utc>,
}

/// A Circular 29 check that is not met: a warning, not a refusal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForumWarning {
    /// What is not met and what the rule says.
    pub message: Localized,
}

impl Forum {
    /// An empty forum held today.
    pub fn new(
        id: Uuid,
        ward_code: impl Into<String>,
        held_on: NaiveDate,
        now: DateTime<Utc>,
    ) -> Forum {
        Forum {
            id,
            level: ForumLevel::Commune,
            ward_code: ward_code.into(),
            held_on,
            place: String::new(),
            facilitators: String::new(),
            adult_supporters: 0,
            participants: Vec::new(),
            consents_collected: 0,
            topics: Vec::new(),
            recommendations: Vec::new(),
            submitted: false,
            corrects: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// Children who took part (at most `u32::MAX`, however the counts
    /// add up).
    pub fn children(&self) -> u32 {
        self.participants
            .iter()
            .fold(0, |sum: u32, count| sum.saturating_add(count.count))
    }

    /// Children aged 7 and over who took part: those the participation
    /// indicator is about (the rule of [`crate::response::counts::older`]).
    pub fn children_7_plus(&self) -> u32 {
        self.participants
            .iter()
            .filter(|count| crate::response::counts::older(Some(count.age_band)))
            .fold(0, |sum: u32, count| sum.saturating_add(count.count))
    }

    /// The last day to report the forum to the city.
    pub fn report_due(&self) -> NaiveDate {
        self.held_on
            .checked_add_days(Days::new(REPORT_DEADLINE_DAYS))
            .unwrap_or(self.held_on)
    }

    /// The day after which an unanswered recommendation is overdue.
    pub fn answer_due(&self) -> NaiveDate {
        self.held_on
            .checked_add_days(Days::new(ANSWER_DUE_DAYS))
            .unwrap_or(self.held_on)
    }

    /// The Circular 29 checks that are not met.
    pub fn warnings(&self) -> Vec<ForumWarning> {
        let children = self.children();
        let mut warnings = Vec::new();
        if self.level == ForumLevel::Commune && children < MIN_CHILDREN_AT_COMMUNE_LEVEL {
            warnings.push(ForumWarning {
                message: Localized::new(
                    format!("Diễn đàn cấp xã cần ít nhất {MIN_CHILDREN_AT_COMMUNE_LEVEL} trẻ em (hiện có {children})."),
                    format!("A commune forum needs at least {MIN_CHILDREN_AT_COMMUNE_LEVEL} children (now {children})."),
                ),
            });
        }
        if children > self.adult_supporters.saturating_mul(MAX_CHILDREN_PER_ADULT) {
            let needed = children.div_ceil(MAX_CHILDREN_PER_ADULT);
            warnings.push(ForumWarning {
                message: Localized::new(
                    format!("Mỗi người lớn hỗ trợ tối đa {MAX_CHILDREN_PER_ADULT} trẻ: cần ít nhất {needed} người lớn (hiện có {})." , self.adult_supporters),
                    format!("At most {MAX_CHILDREN_PER_ADULT} children per adult supporter: at least {needed} adults are needed (now {}).", self.adult_supporters),
                ),
            });
        }
        if self.consents_collected < children {
            warnings.push(ForumWarning {
                message: Localized::new(
                    format!(
                        "Mới có {} giấy đồng ý của cha mẹ cho {children} trẻ.",
                        self.consents_collected
                    ),
                    format!(
                        "Only {} parental consents for {children} children.",
                        self.consents_collected
                    ),
                ),
            });
        }
        warnings
    }

    /// What must be there before submitting, as bilingual problems.
    pub fn problems(&self) -> Vec<Localized> {
        let mut problems = Vec::new();
        if self.ward_code.trim().is_empty() {
            problems.push(Localized::new(
                "Chưa chọn phường/xã.",
                "No ward or commune is chosen.",
            ));
        }
        if self.place.trim().is_empty() {
            problems.push(Localized::new("Hãy ghi địa điểm.", "Enter the place."));
        }
        if self.children() == 0 {
            problems.push(Localized::new(
                "Hãy ghi số trẻ em tham gia.",
                "Enter how many children took part.",
            ));
        }
        problems.extend(self.size_problems());
        for recommendation in &self.recommendations {
            if recommendation.text.trim().is_empty() || recommendation.authority.trim().is_empty() {
                problems.push(Localized::new(
                    "Mỗi kiến nghị cần nội dung và cơ quan nhận.",
                    "Every recommendation needs its text and the authority it goes to.",
                ));
                break;
            }
        }
        problems
    }
}

impl Forum {
    /// Texts longer and lists longer than [`crate::limits`] allow.
    pub fn size_problems(&self) -> Vec<Localized> {
        use crate::limits::{too_long, too_many, MAX_LINE_CHARS, MAX_TEXT_CHARS};
        let mut problems: Vec<Localized> = [
            too_long(
                ("Mã phường/xã", "The ward code"),
                &self.ward_code,
                MAX_LINE_CHARS,
            ),
            too_long(("Địa điểm", "The place"), &self.place, MAX_LINE_CHARS),
            too_long(
                ("Người điều hành", "The facilitators"),
                &self.facilitators,
                MAX_LINE_CHARS,
            ),
            too_many(
                ("Nhóm trẻ em", "participant counts"),
                self.participants.len(),
            ),
            too_many(("Chủ đề", "topics"), self.topics.len()),
            too_many(("Kiến nghị", "recommendations"), self.recommendations.len()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let children = self.children();
        if children > MAX_FORUM_CHILDREN {
            problems.push(Localized::new(
                format!(
                    "Số trẻ em tham gia ({children}) vượt quá {MAX_FORUM_CHILDREN}: hãy kiểm tra lại các con số."
                ),
                format!(
                    "The children who took part ({children}) are more than {MAX_FORUM_CHILDREN}: check the counts."
                ),
            ));
        }
        for topic in &self.topics {
            problems.extend(too_long(
                ("Tên chủ đề", "A topic's title"),
                &topic.title,
                MAX_LINE_CHARS,
            ));
            problems.extend(too_many(("Ý kiến", "opinions"), topic.opinions.len()));
            for opinion in &topic.opinions {
                problems.extend(too_long(
                    ("Một ý kiến", "An opinion"),
                    &opinion.text,
                    MAX_TEXT_CHARS,
                ));
            }
        }
        for recommendation in &self.recommendations {
            problems.extend(too_long(
                ("Một kiến nghị", "A recommendation"),
                &recommendation.text,
                MAX_TEXT_CHARS,
            ));
            problems.extend(too_long(
                ("Cơ quan nhận", "The authority"),
                &recommendation.authority,
                MAX_LINE_CHARS,
            ));
        }
        problems
    }
}

/// What an authority decided about a recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Accepted.
    Accepted,
    /// Partly accepted.
    Partly,
    /// Rejected.
    Rejected,
}

impl Decision {
    /// Every decision, in display order.
    pub const ALL: [Decision; 3] = [Decision::Accepted, Decision::Partly, Decision::Rejected];

    /// The decision as shown.
    pub fn label(self) -> Localized {
        match self {
            Decision::Accepted => Localized::new("Chấp nhận", "Accepted"),
            Decision::Partly => Localized::new("Chấp nhận một phần", "Partly accepted"),
            Decision::Rejected => Localized::new("Không chấp nhận", "Rejected"),
        }
    }
}

/// The authority's answer to one recommendation, recorded at the town hall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorityAnswer {
    /// The recommendation answered.
    pub recommendation_id: Uuid,
    /// The decision.
    pub decision: Decision,
    /// Why.
    pub reasons: String,
    /// What will be done, by whom, by when.
    pub actions: String,
    /// When the answer was given.
    pub answered_on: NaiveDate,
}

/// How feedback reached the children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackChannel {
    /// At a meeting or a later forum.
    Meeting,
    /// Through the school.
    School,
    /// A notice board, loudspeaker or newsletter.
    Notice,
    /// Online.
    Online,
    /// Another way.
    Other,
}

impl FeedbackChannel {
    /// Every channel, in display order.
    pub const ALL: [FeedbackChannel; 5] = [
        FeedbackChannel::Meeting,
        FeedbackChannel::School,
        FeedbackChannel::Notice,
        FeedbackChannel::Online,
        FeedbackChannel::Other,
    ];

    /// The channel as shown.
    pub fn label(self) -> Localized {
        match self {
            FeedbackChannel::Meeting => Localized::new("Họp mặt, diễn đàn", "Meeting or forum"),
            FeedbackChannel::School => Localized::new("Qua nhà trường", "Through the school"),
            FeedbackChannel::Notice => Localized::new(
                "Bảng tin, loa, bản tin",
                "Notice board, loudspeaker, newsletter",
            ),
            FeedbackChannel::Online => Localized::new("Trực tuyến", "Online"),
            FeedbackChannel::Other => Localized::new("Cách khác", "Another way"),
        }
    }
}

/// The feedback given back to the children on one recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildFeedback {
    /// The recommendation the feedback is about.
    pub recommendation_id: Uuid,
    /// When the children were told.
    pub given_on: NaiveDate,
    /// How.
    pub channel: FeedbackChannel,
    /// What was said, briefly.
    #[serde(default)]
    pub note: String,
}

impl ChildFeedback {
    /// A note longer than [`crate::limits::MAX_TEXT_CHARS`].
    pub fn size_problem(&self) -> Option<Localized> {
        crate::limits::too_long(
            ("Ghi chú phản hồi", "The feedback note"),
            &self.note,
            crate::limits::MAX_TEXT_CHARS,
        )
    }
}

/// Where a recommendation is on its way from the children to an answer and
/// back to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationStatus {
    /// Waiting for the authority.
    AwaitingAnswer,
    /// Answered; the children have not been told yet.
    AwaitingFeedback,
    /// The children were told.
    Closed,
}

impl RecommendationStatus {
    /// The status of a recommendation with this answer and feedback.
    pub fn of(
        answer: Option<&AuthorityAnswer>,
        feedback: Option<&ChildFeedback>,
    ) -> RecommendationStatus {
        match (answer, feedback) {
            (None, _) => RecommendationStatus::AwaitingAnswer,
            (Some(_), None) => RecommendationStatus::AwaitingFeedback,
            (Some(_), Some(_)) => RecommendationStatus::Closed,
        }
    }

    /// The status as shown.
    pub fn label(self) -> Localized {
        match self {
            RecommendationStatus::AwaitingAnswer => {
                Localized::new("Chờ cơ quan trả lời", "Awaiting the authority's answer")
            }
            RecommendationStatus::AwaitingFeedback => {
                Localized::new("Chờ phản hồi cho trẻ", "Awaiting feedback to the children")
            }
            RecommendationStatus::Closed => Localized::new("Đã phản hồi cho trẻ", "Children told"),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn forum(children: u32, adults: u32, consents: u32) -> Forum {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 1, 8, 0, 0)
            .single()
            .expect("valid time");
        let mut forum = Forum::new(
            Uuid::from_u128(1),
            "00004",
            NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date"),
            now,
        );
        forum.place = "Nhà văn hóa".to_owned();
        forum.participants = vec![ParticipantCount {
            age_band: AgeBand::From10To12,
            sex: Sex::Female,
            count: children,
        }];
        forum.adult_supporters = adults;
        forum.consents_collected = consents;
        forum
    }

    #[test]
    fn children_are_counted_without_overflow_and_bounded() {
        let mut forum = forum(20, 4, 20);
        forum.participants.push(ParticipantCount {
            age_band: AgeBand::Under7,
            sex: Sex::Male,
            count: 6,
        });
        assert_eq!((forum.children(), forum.children_7_plus()), (26, 20));
        assert!(forum.size_problems().is_empty());
        // Counts that overflow a u32 saturate, and are refused.
        forum.participants.push(ParticipantCount {
            age_band: AgeBand::From13To15,
            sex: Sex::NotStated,
            count: u32::MAX,
        });
        assert_eq!(forum.children(), u32::MAX);
        assert_eq!(forum.children_7_plus(), u32::MAX);
        let problems = forum.size_problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].en.contains("check the counts"), "{problems:?}");
        forum.participants.pop();
        forum.participants[0].count = MAX_FORUM_CHILDREN - 6;
        assert!(forum.size_problems().is_empty());
        forum.participants[0].count += 1;
        assert_eq!(forum.size_problems().len(), 1);
    }

    #[test]
    fn circular_29_checks_are_warnings() {
        assert!(forum(30, 6, 30).warnings().is_empty());
        let english: Vec<String> = forum(29, 5, 20)
            .warnings()
            .into_iter()
            .map(|warning| warning.message.en)
            .collect();
        assert_eq!(
            english,
            [
                "A commune forum needs at least 30 children (now 29).",
                "At most 5 children per adult supporter: at least 6 adults are needed (now 5).",
                "Only 20 parental consents for 29 children.",
            ]
        );
        let mut city = forum(10, 2, 10);
        city.level = ForumLevel::City;
        assert!(
            city.warnings().is_empty(),
            "the 30-children rule is for commune forums"
        );
    }

    #[test]
    fn the_report_is_due_fifteen_days_after() {
        assert_eq!(
            forum(30, 6, 30).report_due(),
            NaiveDate::from_ymd_opt(2026, 12, 5).expect("valid date")
        );
    }

    #[test]
    fn recommendations_need_an_authority_before_submitting() {
        let mut draft = forum(30, 6, 30);
        assert!(draft.problems().is_empty());
        draft.recommendations.push(Recommendation {
            id: Uuid::from_u128(2),
            text: "Lắp đèn ở ngõ".to_owned(),
            authority: String::new(),
            votes: 12,
        });
        assert_eq!(draft.problems().len(), 1);
        draft.place.clear();
        assert_eq!(draft.problems().len(), 2);
    }

    #[test]
    fn a_recommendation_closes_when_the_children_are_told() {
        let answer = AuthorityAnswer {
            recommendation_id: Uuid::from_u128(2),
            decision: Decision::Partly,
            reasons: "Ngân sách năm sau".to_owned(),
            actions: "Lắp 3 đèn trong quý 1".to_owned(),
            answered_on: NaiveDate::from_ymd_opt(2026, 12, 1).expect("valid date"),
        };
        let feedback = ChildFeedback {
            recommendation_id: Uuid::from_u128(2),
            given_on: NaiveDate::from_ymd_opt(2026, 12, 10).expect("valid date"),
            channel: FeedbackChannel::School,
            note: String::new(),
        };
        assert_eq!(
            RecommendationStatus::of(None, None),
            RecommendationStatus::AwaitingAnswer
        );
        assert_eq!(
            RecommendationStatus::of(Some(&answer), None),
            RecommendationStatus::AwaitingFeedback
        );
        assert_eq!(
            RecommendationStatus::of(Some(&answer), Some(&feedback)),
            RecommendationStatus::Closed
        );
    }
}
