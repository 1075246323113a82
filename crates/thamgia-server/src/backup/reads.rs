//! What the backup and restore commands read out of a SQLite database:
//! the integrity check, the migrations applied, row counts, and each kind
//! of town hall data as keyed rows. Every statement here only reads.
//!
//! Every column of a kind's rows is read as text (numbers cast in SQL), so
//! one reader serves every kind and the rows are built by plain functions.

use sqlx::sqlite::SqliteConnection;
use sqlx::Row;

use super::checks::AppliedMigration;
use super::compare::{KeyedRow, Kind};

/// What `PRAGMA integrity_check` answers: `ok`, or the problems found.
pub async fn integrity_check(
    connection: &mut SqliteConnection,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut *connection)
        .await
}

/// Whether the database has a table of that name.
pub async fn table_exists(
    connection: &mut SqliteConnection,
    table: &str,
) -> Result<bool, sqlx::Error> {
    let found: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1")
            .bind(table)
            .fetch_one(&mut *connection)
            .await?;
    Ok(found > 0)
}

/// The migrations applied, oldest first; `None` when the database has no
/// table of migrations at all (it is not one sqlx migrated).
pub async fn applied_migrations(
    connection: &mut SqliteConnection,
) -> Result<Option<Vec<AppliedMigration>>, sqlx::Error> {
    if !table_exists(connection, "_sqlx_migrations").await? {
        return Ok(None);
    }
    let rows: Vec<(i64, Vec<u8>, i64)> = sqlx::query_as(
        "SELECT version, checksum, CAST(success AS INTEGER) FROM _sqlx_migrations ORDER BY version",
    )
    .fetch_all(&mut *connection)
    .await?;
    Ok(Some(
        rows.into_iter()
            .map(|(version, checksum, success)| AppliedMigration {
                version,
                checksum,
                success: success != 0,
            })
            .collect(),
    ))
}

/// How many rows `table` holds; `None` when the database has no such
/// table. `table` is one of this module's callers' constants, never input.
pub async fn count(
    connection: &mut SqliteConnection,
    table: &'static str,
) -> Result<Option<i64>, sqlx::Error> {
    if !table_exists(connection, table).await? {
        return Ok(None);
    }
    let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut *connection)
        .await?;
    Ok(Some(count))
}

/// Every row of `kind`. A database without the kind's table (one from
/// before the migration that made it) has none.
pub async fn rows(
    connection: &mut SqliteConnection,
    kind: Kind,
) -> Result<Vec<KeyedRow>, sqlx::Error> {
    if !table_exists(connection, table(kind)).await? {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(query(kind)).fetch_all(&mut *connection).await?;
    let mut keyed = Vec::with_capacity(rows.len());
    for row in rows {
        let mut columns = Vec::with_capacity(row.len());
        for index in 0..row.len() {
            columns.push(row.try_get::<Option<String>, _>(index)?);
        }
        keyed.push(keyed_row(kind, Columns(columns.into_iter())));
    }
    Ok(keyed)
}

/// The table a kind's rows live in.
fn table(kind: Kind) -> &'static str {
    match kind {
        Kind::Withdrawal => "withdrawals",
        Kind::Account => "accounts",
        Kind::Device => "device_tokens",
        Kind::Survey => "surveys",
        Kind::Theme => "themes",
        Kind::AnswerTag => "answer_tags",
        Kind::RecommendationAnswer => "recommendation_answers",
        Kind::IndicatorTarget => "indicator_target_sets",
        Kind::Population => "ward_populations",
        Kind::ReportStatus => "reports",
        Kind::ReferralFollowUp => "referral_follow_ups",
    }
}

/// The statement that reads a kind's rows, every column text or NULL, in
/// the order [`keyed_row`] takes them. None reads a child's answers.
fn query(kind: Kind) -> &'static str {
    match kind {
        Kind::Withdrawal => {
            "SELECT response_id, ward_code, survey_id, withdrawn_at, source FROM withdrawals"
        }
        Kind::Account => {
            "SELECT id, username, role, ward_code, CAST(active AS TEXT), display_name, password_hash
             FROM accounts"
        }
        Kind::Device => {
            "SELECT d.id, d.device_label, COALESCE(a.username, d.account_id), d.revoked_at
             FROM device_tokens d LEFT JOIN accounts a ON a.id = d.account_id"
        }
        Kind::Survey => "SELECT id, CAST(version AS TEXT), published_at, definition FROM surveys",
        Kind::Theme => "SELECT id, label, survey_id, created_by FROM themes",
        Kind::AnswerTag => {
            "SELECT t.theme_id, t.response_id, t.question_id, th.label, t.ward_code, t.tagged_by
             FROM answer_tags t LEFT JOIN themes th ON th.id = t.theme_id"
        }
        Kind::RecommendationAnswer => {
            "SELECT a.recommendation_id, f.ward_code, f.held_on, a.content
             FROM recommendation_answers a
             LEFT JOIN recommendations r ON r.id = a.recommendation_id
             LEFT JOIN forums f ON f.id = r.forum_id"
        }
        Kind::IndicatorTarget => {
            "SELECT s.code, t.jurisdiction, CAST(t.year AS TEXT), CAST(t.value AS TEXT)
             FROM indicator_target_sets s LEFT JOIN indicator_targets t ON t.code = s.code"
        }
        Kind::Population => {
            "SELECT ward_code, CAST(year AS TEXT), CAST(children_7_15 AS TEXT), groups
             FROM ward_populations"
        }
        Kind::ReportStatus => {
            "SELECT id, ward_code, period, status, status_changed_at
             FROM reports WHERE status <> 'draft'"
        }
        Kind::ReferralFollowUp => {
            "SELECT f.response_id, r.ward_code, f.followed_up_by, f.followed_up_at
             FROM referral_follow_ups f LEFT JOIN responses r ON r.id = f.response_id"
        }
    }
}

/// A row's columns, taken in order; a missing column reads as NULL.
struct Columns(std::vec::IntoIter<Option<String>>);

impl Columns {
    fn value(&mut self) -> Option<String> {
        self.0.next().flatten()
    }

    fn text(&mut self) -> String {
        self.value().unwrap_or_default()
    }
}

/// A kind's row built from the columns [`query`] reads.
fn keyed_row(kind: Kind, mut columns: Columns) -> KeyedRow {
    match kind {
        Kind::Withdrawal => {
            // A withdrawal that arrived before its response knows neither
            // its ward nor its survey.
            let (response, ward, survey) = (columns.text(), columns.value(), columns.value());
            let (withdrawn_at, source) = (columns.text(), columns.text());
            let place = match source.as_str() {
                "town_hall" => "at the town hall".to_owned(),
                "tablet" => "on a tablet".to_owned(),
                other => format!("by {other}"),
            };
            let detail: Vec<String> = [
                ward.map(|ward| format!("ward {ward}")),
                survey.map(|survey| format!("survey {survey}")),
                Some(format!("withdrawn {place} at {withdrawn_at}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            KeyedRow {
                key: response.clone(),
                name: format!("response {response}"),
                detail: detail.join(", "),
                fields: Vec::new(),
            }
        }
        Kind::Account => {
            let (id, username, role) = (columns.text(), columns.text(), columns.text());
            let (ward, active) = (columns.value(), columns.text());
            let (display_name, password_hash) = (columns.value(), columns.value());
            let mut detail = role.clone();
            if let Some(ward) = &ward {
                detail.push_str(&format!(", ward {ward}"));
            }
            if active == "0" {
                detail.push_str(", deactivated");
            }
            KeyedRow {
                key: id,
                name: username,
                detail,
                fields: vec![
                    ("display name", display_name),
                    ("role", Some(role)),
                    ("ward", ward),
                    ("active", Some(active)),
                    ("password", password_hash),
                ],
            }
        }
        Kind::Device => {
            let (id, label, username) = (columns.text(), columns.text(), columns.text());
            let revoked_at = columns.value();
            let detail = match &revoked_at {
                Some(at) => format!("of {username}, revoked at {at}"),
                None => format!("of {username}"),
            };
            // Only whether it is revoked: its last use changes all the time.
            let revoked = if revoked_at.is_some() { "yes" } else { "no" };
            KeyedRow {
                key: id,
                name: label,
                detail,
                fields: vec![("revoked", Some(revoked.to_owned()))],
            }
        }
        Kind::Survey => {
            let (id, version, published_at) = (columns.text(), columns.text(), columns.text());
            KeyedRow {
                key: format!("{id}/{version}"),
                name: format!("{id} version {version}"),
                detail: format!("published {published_at}"),
                fields: vec![("definition", columns.value())],
            }
        }
        Kind::Theme => {
            let (id, label, survey, created_by) = (
                columns.text(),
                columns.text(),
                columns.text(),
                columns.text(),
            );
            KeyedRow {
                key: id,
                name: label.clone(),
                detail: format!("survey {survey}, made by {created_by}"),
                fields: vec![("label", Some(label))],
            }
        }
        Kind::AnswerTag => {
            let (theme, response, question) = (columns.text(), columns.text(), columns.text());
            let label = columns.value().unwrap_or_else(|| theme.clone());
            let (ward, tagged_by) = (columns.text(), columns.text());
            KeyedRow {
                key: format!("{theme}/{response}/{question}"),
                name: format!("{label} on question {question} of response {response}"),
                detail: format!("ward {ward}, tagged by {tagged_by}"),
                fields: Vec::new(),
            }
        }
        Kind::RecommendationAnswer => {
            let (id, ward, held_on) = (columns.text(), columns.value(), columns.value());
            let content = columns.value();
            let forum = match (ward, held_on) {
                (Some(ward), Some(held_on)) => format!("forum of ward {ward} held on {held_on}"),
                _ => "forum unknown".to_owned(),
            };
            let detail = match answer_summary(content.as_deref()) {
                Some(summary) => format!("{forum}; {summary}"),
                None => forum,
            };
            KeyedRow {
                key: id.clone(),
                name: format!("recommendation {id}"),
                detail,
                fields: vec![("answer", content)],
            }
        }
        Kind::IndicatorTarget => {
            let code = columns.text();
            match columns.value() {
                None => KeyedRow {
                    key: code.clone(),
                    name: format!("indicator {code}"),
                    detail: "its shipped targets replaced by none".to_owned(),
                    fields: vec![("targets", None)],
                },
                Some(jurisdiction) => {
                    let (year, value) = (columns.text(), columns.value());
                    KeyedRow {
                        key: format!("{code}/{jurisdiction}/{year}"),
                        name: format!("indicator {code}, {jurisdiction}, {year}"),
                        detail: format!("target {}", value.as_deref().unwrap_or("none")),
                        fields: vec![("value", value)],
                    }
                }
            }
        }
        Kind::Population => {
            let (ward, year, children) = (columns.text(), columns.text(), columns.text());
            let groups = columns.value();
            let by_group = if groups.is_some() {
                ", with its groups"
            } else {
                ""
            };
            KeyedRow {
                key: format!("{ward}/{year}"),
                name: format!("ward {ward}, {year}"),
                detail: format!("{children} children aged 7 to 15{by_group}"),
                fields: vec![("children 7-15", Some(children)), ("groups", groups)],
            }
        }
        Kind::ReportStatus => {
            let (id, ward, period) = (columns.text(), columns.text(), columns.text());
            let (status, changed_at) = (columns.text(), columns.text());
            KeyedRow {
                key: id,
                name: format!("ward {ward}, {period}"),
                detail: format!("{status} since {changed_at}"),
                fields: vec![("status", Some(status))],
            }
        }
        Kind::ReferralFollowUp => {
            let (response, ward) = (columns.text(), columns.value());
            let (by, at) = (columns.text(), columns.text());
            let ward = ward.map_or_else(String::new, |ward| format!("ward {ward}, "));
            KeyedRow {
                key: response.clone(),
                name: format!("referral on response {response}"),
                detail: format!("{ward}followed up by {by} at {at}"),
                fields: Vec::new(),
            }
        }
    }
}

/// An authority's answer as the officer would re-enter it: the decision
/// and the day, read from the stored answer (never its free text).
fn answer_summary(content: Option<&str>) -> Option<String> {
    let answer: serde_json::Value = serde_json::from_str(content?).ok()?;
    let decision = answer.get("decision")?.as_str()?;
    match answer
        .get("answered_on")
        .and_then(serde_json::Value::as_str)
    {
        Some(day) => Some(format!("decision {decision}, answered on {day}")),
        None => Some(format!("decision {decision}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(kind: Kind, columns: &[Option<&str>]) -> KeyedRow {
        let columns: Vec<Option<String>> = columns
            .iter()
            .map(|column| column.map(str::to_owned))
            .collect();
        keyed_row(kind, Columns(columns.into_iter()))
    }

    #[test]
    fn an_account_is_known_by_its_user_name_and_its_password_is_never_shown() {
        let row = built(
            Kind::Account,
            &[
                Some("id-1"),
                Some("phuong7"),
                Some("ward_officer"),
                Some("00004"),
                Some("0"),
                Some("Chị Lan"),
                Some("$argon2id$secret"),
            ],
        );
        assert_eq!(row.key, "id-1");
        assert_eq!(row.name, "phuong7");
        assert_eq!(row.detail, "ward_officer, ward 00004, deactivated");
        assert!(!row.detail.contains("argon2") && !row.name.contains("argon2"));
        assert!(row.fields.iter().any(|(name, _)| *name == "password"));
    }

    #[test]
    fn a_device_differs_only_by_being_revoked() {
        let row = built(
            Kind::Device,
            &[Some("d-1"), Some("Máy tính bảng 3"), Some("badinh"), None],
        );
        assert_eq!(row.name, "Máy tính bảng 3");
        assert_eq!(row.detail, "of badinh");
        assert_eq!(row.fields, [("revoked", Some("no".to_owned()))]);
    }

    #[test]
    fn a_target_is_keyed_by_indicator_jurisdiction_and_year() {
        let row = built(
            Kind::IndicatorTarget,
            &[Some("2.1"), Some("01"), Some("2030"), Some("90.0")],
        );
        assert_eq!(row.key, "2.1/01/2030");
        assert_eq!(row.name, "indicator 2.1, 01, 2030");
        assert_eq!(row.detail, "target 90.0");
        let cleared = built(Kind::IndicatorTarget, &[Some("2.1"), None, None, None]);
        assert_eq!(cleared.key, "2.1");
    }

    #[test]
    fn an_answer_to_a_recommendation_names_its_forum_and_decision_not_its_text() {
        let content = r#"{"recommendation_id":"r","decision":"partly","reasons":"Ngân sách","actions":"Lắp đèn","answered_on":"2026-11-20"}"#;
        let row = built(
            Kind::RecommendationAnswer,
            &[
                Some("r-1"),
                Some("00004"),
                Some("2026-11-01"),
                Some(content),
            ],
        );
        assert_eq!(row.name, "recommendation r-1");
        assert_eq!(
            row.detail,
            "forum of ward 00004 held on 2026-11-01; decision partly, answered on 2026-11-20"
        );
        assert!(!row.detail.contains("Ngân sách"));
    }

    #[test]
    fn a_withdrawal_says_where_it_was_made_and_what_it_knows() {
        let row = built(
            Kind::Withdrawal,
            &[
                Some("r-9"),
                Some("00004"),
                Some("an-toan"),
                Some("2026-03-01T10:15:00.000Z"),
                Some("town_hall"),
            ],
        );
        assert_eq!(row.name, "response r-9");
        assert_eq!(
            row.detail,
            "ward 00004, survey an-toan, withdrawn at the town hall at 2026-03-01T10:15:00.000Z"
        );
        let early = built(
            Kind::Withdrawal,
            &[Some("r-9"), None, None, Some("t"), Some("tablet")],
        );
        assert_eq!(early.detail, "withdrawn on a tablet at t");
    }

    #[test]
    fn a_population_is_a_ward_and_a_year() {
        let row = built(
            Kind::Population,
            &[Some("00008"), Some("2026"), Some("1200"), None],
        );
        assert_eq!(row.key, "00008/2026");
        assert_eq!(row.name, "ward 00008, 2026");
        assert_eq!(row.detail, "1200 children aged 7 to 15");
    }
}
