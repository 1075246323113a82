//! A face scale a child can answer honestly: from a clear frown (the most
//! negative answer) through a straight mouth to a broad smile, each face
//! drawn differently (mouth, brows, colour), each with the survey's words
//! for what the question asks. From the survey's age (13 by default) the
//! same points are answered with the words alone
//! (`thamgia_core::survey::answers_in_words`).

use leptos::prelude::*;
use thamgia_core::survey::{answers_in_words, face_label};
use thamgia_core::{AgeBand, AnswerValue, Language, Localized};

use crate::state::use_app;

/// How a face is drawn: a mouth from a frown (−1) to a smile (1), and its
/// colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceShape {
    /// −1 for the most negative face, 1 for the most positive, 0 neutral.
    pub mood: f64,
}

impl FaceShape {
    /// Face `face` (from 1) of a scale of `points`.
    pub fn of(face: u8, points: u8) -> FaceShape {
        let span = f64::from(points.max(2) - 1);
        let step = f64::from(face.clamp(1, points.max(1)) - 1) / span;
        FaceShape {
            mood: step * 2.0 - 1.0,
        }
    }

    /// The mouth, an SVG path: its middle below the corners for a smile,
    /// above them for a frown.
    pub fn mouth(self) -> String {
        let middle = 31.0 + 8.0 * self.mood;
        let corners = 31.0 - 2.0 * self.mood;
        format!("M15 {corners:.1} Q24 {middle:.1} 33 {corners:.1}")
    }

    /// The brows, raised in the middle when sad, flat otherwise.
    pub fn brows(self) -> Option<String> {
        (self.mood < -0.2).then(|| {
            let lift = 4.0 * -self.mood;
            format!(
                "M12 {:.1} L20 {:.1} M28 {:.1} L36 {:.1}",
                13.0,
                13.0 - lift,
                13.0 - lift,
                13.0
            )
        })
    }

    /// The face's fill: red-orange for the negative end, yellow in the
    /// middle, green for the positive end.
    pub fn fill(self) -> &'static str {
        match self.mood {
            mood if mood <= -0.75 => "#f4a38c",
            mood if mood < -0.2 => "#f9c98a",
            mood if mood <= 0.2 => "#ffe08a",
            mood if mood < 0.75 => "#cde88f",
            _ => "#9fdc9a",
        }
    }
}

/// One face, as an image (its words are beside it).
#[component]
pub fn SmileyFace(
    /// The face, from 1 (most negative).
    face: u8,
    /// The number of faces on the scale.
    points: u8,
    /// Width and height in pixels.
    #[prop(default = 48)]
    size: u32,
) -> impl IntoView {
    let shape = FaceShape::of(face, points);
    view! {
        <svg viewBox="0 0 48 48" width=size.to_string() height=size.to_string() aria-hidden="true">
            <circle cx="24" cy="24" r="21" fill=shape.fill() stroke="#5a4a1a" stroke-width="2"/>
            {shape.brows().map(|brows| view! {
                <path d=brows fill="none" stroke="#3a2a00" stroke-width="2.2" stroke-linecap="round"/>
            })}
            <circle cx="17" cy="19" r="2.6" fill="#3a2a00"/>
            <circle cx="31" cy="19" r="2.6" fill="#3a2a00"/>
            <path d=shape.mouth() fill="none" stroke="#3a2a00" stroke-width="2.6" stroke-linecap="round"/>
        </svg>
    }
}

/// The words of face `face`: the survey's, else the app's for any scale
/// (`generic`, and `dont_know` for face 0).
pub fn face_words(
    labels: &[Localized],
    face: u8,
    points: u8,
    generic: [&'static str; 5],
    dont_know: &str,
    language: Language,
) -> String {
    if face == 0 {
        return dont_know.to_owned();
    }
    if let Some(label) = face_label(labels, face, points) {
        return label.get(language).to_owned();
    }
    // Spread the five words over a scale of any length from 3 to 5 faces.
    let index = if points <= 1 {
        0
    } else {
        usize::from(face.saturating_sub(1)) * 4 / usize::from(points - 1)
    };
    generic[index.min(4)].to_owned()
}

/// A face scale's buttons: faces with their words, or the words alone for
/// a child old enough (`age_band`).
#[component]
pub fn FaceScale(
    points: u8,
    labels: Vec<Localized>,
    words_from: Option<AgeBand>,
    /// Offer "I don't know / I'd rather not say".
    dont_know: bool,
    #[prop(into)] age_band: Signal<Option<AgeBand>>,
    #[prop(into)] value: Signal<Option<AnswerValue>>,
    on_change: Callback<Option<AnswerValue>>,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    let app = use_app();
    let labels = StoredValue::new(labels);
    let in_words = move || answers_in_words(words_from, age_band.get());
    view! {
        <div class="smiley-scale" class:smiley-scale--words=in_words role="group" data-test="face-scale">
            {(1..=points)
                .map(|face| {
                    let words = move || {
                        labels.with_value(|labels| {
                            let texts = app.texts();
                            face_words(labels, face, points, texts.smiley_names, texts.face_dont_know, app.language.get())
                        })
                    };
                    view! {
                        <button
                            type="button"
                            class="smiley"
                            data-value=face.to_string()
                            disabled=move || disabled.get()
                            aria-pressed=move || (value.get() == Some(AnswerValue::Smiley(face))).to_string()
                            aria-label=words
                            on:click=move |_| on_change.run(Some(AnswerValue::Smiley(face)))
                        >
                            <Show when=move || !in_words()>
                                <SmileyFace face=face points=points/>
                            </Show>
                            <span>{words}</span>
                        </button>
                    }
                })
                .collect_view()}
            {dont_know.then(|| view! {
                <button
                    type="button"
                    class="smiley smiley--dont-know"
                    data-value="0"
                    disabled=move || disabled.get()
                    aria-pressed=move || (value.get() == Some(AnswerValue::Smiley(0))).to_string()
                    on:click=move |_| on_change.run(Some(AnswerValue::Smiley(0)))
                >
                    <span>{move || app.texts().face_dont_know}</span>
                </button>
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    /// The mouth's corners and middle, read back from its path.
    fn mouth(face: u8, points: u8) -> (f64, f64) {
        let path = FaceShape::of(face, points).mouth();
        let numbers: Vec<f64> = path
            .split(|character: char| !(character.is_ascii_digit() || character == '.'))
            .filter_map(|part| part.parse().ok())
            .collect();
        (numbers[1], numbers[3])
    }

    #[wasm_bindgen_test]
    fn the_scale_runs_from_a_frown_to_a_smile_every_face_drawn_differently() {
        // SVG y grows downwards: a frown's middle is above its corners.
        let (corners, middle) = mouth(1, 5);
        assert!(middle < corners, "face 1 frowns");
        let (corners, middle) = mouth(3, 5);
        assert!((middle - corners).abs() < 1e-9, "face 3 is straight");
        let (corners, middle) = mouth(5, 5);
        assert!(middle > corners, "face 5 smiles");
        let drawn: Vec<(String, &str)> = (1..=5)
            .map(|face| {
                let shape = FaceShape::of(face, 5);
                (shape.mouth(), shape.fill())
            })
            .collect();
        for (index, face) in drawn.iter().enumerate() {
            assert!(
                !drawn[..index].contains(face),
                "face {} repeats one",
                index + 1
            );
        }
        assert!(FaceShape::of(1, 3).brows().is_some());
        assert!(FaceShape::of(3, 3).brows().is_none());
    }

    #[wasm_bindgen_test]
    fn a_face_reads_as_the_survey_words_it_or_as_the_app_s_words() {
        let generic = ["very bad", "bad", "neither", "good", "very good"];
        let labels = vec![
            Localized::new("Không an toàn", "Unsafe"),
            Localized::new("Bình thường", "Neither"),
            Localized::new("An toàn", "Safe"),
        ];
        let unsure = "don't know";
        assert_eq!(
            face_words(&labels, 1, 3, generic, unsure, Language::En),
            "Unsafe"
        );
        assert_eq!(
            face_words(&labels, 3, 3, generic, unsure, Language::Vi),
            "An toàn"
        );
        assert_eq!(
            face_words(&[], 1, 3, generic, unsure, Language::En),
            "very bad"
        );
        assert_eq!(
            face_words(&[], 2, 3, generic, unsure, Language::En),
            "neither"
        );
        assert_eq!(
            face_words(&[], 3, 3, generic, unsure, Language::En),
            "very good"
        );
        assert_eq!(
            face_words(&labels, 0, 3, generic, unsure, Language::En),
            unsure
        );
    }
}
