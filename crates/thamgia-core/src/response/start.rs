//! The start screen's fields: what is still lacking before the questions
//! may begin, named one by one so the worker is told exactly which field to
//! fill; and how they read back (on the review, in the lists of drafts and
//! responses), so a worker tells responses apart by what they recognise.

use crate::localized::Localized;

use super::{AgeBand, Consent, ConsentRecord, Participant, Response};

/// A field of the start screen the questions wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StartField {
    /// The child's age band.
    AgeBand,
    /// The child's sex (or "rather not say").
    Sex,
    /// The child's own assent (children aged 7 and over, or while the age
    /// band is not chosen yet).
    ChildAssent,
    /// A parent's or guardian's consent.
    GuardianConsent,
}

impl StartField {
    /// The field's name, as the start screen heads it.
    pub fn label(self) -> Localized {
        match self {
            StartField::AgeBand => Localized::new("độ tuổi", "age band"),
            StartField::Sex => Localized::new("giới tính", "sex"),
            StartField::ChildAssent => Localized::new("sự đồng ý của trẻ", "the child's assent"),
            StartField::GuardianConsent => Localized::new(
                "sự đồng ý của cha mẹ hoặc người giám hộ",
                "the parent's or guardian's consent",
            ),
        }
    }

    /// The `data-test` name of the field's group of buttons.
    pub fn test_name(self) -> &'static str {
        match self {
            StartField::AgeBand => "age-bands",
            StartField::Sex => "sex",
            StartField::ChildAssent => "child-assent",
            StartField::GuardianConsent => "guardian-consent",
        }
    }
}

impl Response {
    /// The start-screen fields still missing, in the order the screen asks
    /// them; empty when the questions may begin.
    pub fn start_missing(&self) -> Vec<StartField> {
        let band = self.participant.age_band;
        let mut missing = Vec::new();
        if band.is_none() {
            missing.push(StartField::AgeBand);
        }
        if self.participant.sex.is_none() {
            missing.push(StartField::Sex);
        }
        if band.is_none_or(AgeBand::needs_child_assent) && self.consent.child_assent.is_none() {
            missing.push(StartField::ChildAssent);
        }
        if self.consent.guardian_consent.is_none() {
            missing.push(StartField::GuardianConsent);
        }
        missing
    }
}

impl Participant {
    /// The child as a worker recognises the response: "10–12 tuổi · Nữ";
    /// what is not chosen yet is said so.
    pub fn described(&self) -> Localized {
        let band = self.age_band.map_or_else(
            || Localized::new("chưa chọn độ tuổi", "no age band yet"),
            AgeBand::label,
        );
        let sex = self.sex.map_or_else(
            || Localized::new("chưa chọn giới tính", "no sex chosen yet"),
            super::Sex::label,
        );
        Localized::new(
            format!("{} · {}", band.vi, sex.vi),
            format!("{} · {}", band.en, sex.en),
        )
    }
}

impl Consent {
    /// The consents recorded, as the review reads them back: "Trẻ đồng ý:
    /// bằng lời nói · Cha mẹ hoặc người giám hộ đồng ý: bằng văn bản".
    pub fn described(&self) -> Localized {
        let method = |record: Option<ConsentRecord>| {
            record.map_or_else(
                || Localized::new("chưa có", "not given"),
                |record| record.method.label(),
            )
        };
        let (child, guardian) = (method(self.child_assent), method(self.guardian_consent));
        Localized::new(
            format!(
                "Trẻ đồng ý: {} · Cha mẹ hoặc người giám hộ đồng ý: {}",
                child.vi.to_lowercase(),
                guardian.vi.to_lowercase()
            ),
            format!(
                "Child's assent: {} · Parent's or guardian's consent: {}",
                child.en.to_lowercase(),
                guardian.en.to_lowercase()
            ),
        )
    }
}

/// "Still needed: sex, the child's assent." in both languages.
pub fn start_missing_message(missing: &[StartField]) -> Localized {
    let list = |pick: fn(&Localized) -> &str| {
        missing
            .iter()
            .map(|field| pick(&field.label()).to_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    Localized::new(
        format!("Câu hỏi sẽ hiện ra khi có đủ: {}.", list(|text| &text.vi)),
        format!(
            "The questions appear once these are given: {}.",
            list(|text| &text.en)
        ),
    )
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::response::{ConsentMethod, ConsentRecord, Sex};

    fn draft() -> Response {
        Response::new_draft(
            Uuid::nil(),
            "s",
            1,
            "00001",
            chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("a time"),
        )
    }

    fn given() -> Option<ConsentRecord> {
        Some(ConsentRecord {
            method: ConsentMethod::Verbal,
            given_at: chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("a time"),
        })
    }

    #[test]
    fn an_empty_draft_lacks_everything_in_screen_order() {
        assert_eq!(
            draft().start_missing(),
            vec![
                StartField::AgeBand,
                StartField::Sex,
                StartField::ChildAssent,
                StartField::GuardianConsent
            ]
        );
    }

    #[test]
    fn only_what_is_missing_is_named() {
        let mut response = draft();
        response.participant.age_band = Some(AgeBand::From13To15);
        response.consent.child_assent = given();
        response.consent.guardian_consent = given();
        assert_eq!(response.start_missing(), vec![StartField::Sex]);
        let message = start_missing_message(&response.start_missing());
        assert_eq!(message.vi, "Câu hỏi sẽ hiện ra khi có đủ: giới tính.");
        assert_eq!(
            message.en,
            "The questions appear once these are given: sex."
        );
        response.participant.sex = Some(Sex::NotStated);
        assert!(response.start_missing().is_empty());
    }

    #[test]
    fn a_response_reads_back_by_the_child_s_age_band_sex_and_consents() {
        let mut response = draft();
        assert_eq!(
            response.participant.described().en,
            "no age band yet · no sex chosen yet"
        );
        response.participant.age_band = Some(AgeBand::From10To12);
        response.participant.sex = Some(Sex::Female);
        response.consent.child_assent = given();
        assert_eq!(response.participant.described().vi, "10–12 tuổi · Nữ");
        assert_eq!(response.participant.described().en, "10–12 years · Girl");
        assert_eq!(
            response.consent.described().en,
            "Child's assent: verbally · Parent's or guardian's consent: not given"
        );
        assert_eq!(
            response.consent.described().vi,
            "Trẻ đồng ý: bằng lời nói · Cha mẹ hoặc người giám hộ đồng ý: chưa có"
        );
    }

    #[test]
    fn a_young_child_needs_no_assent_of_its_own() {
        let mut response = draft();
        response.participant.age_band = Some(AgeBand::Under7);
        response.participant.sex = Some(Sex::Female);
        assert_eq!(response.start_missing(), vec![StartField::GuardianConsent]);
        response.consent.guardian_consent = given();
        assert!(response.start_missing().is_empty());
        assert!(response.consent.is_sufficient_for(AgeBand::Under7));
    }
}
