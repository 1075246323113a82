//! One typed method per endpoint of the town hall's API beyond sync: the
//! path, the method and the types of each live here once, and the pages
//! call these (the types are core's `api` ones, the same the server
//! writes).

use thamgia_core::account::{AccountChange, AccountRecord, NewAccount};
use thamgia_core::api::forums::{AnswerBody, ForumView};
use thamgia_core::api::import::{ImportQuery, ImportRefusedBody, ImportedSurvey};
use thamgia_core::api::results::{ResultsQuery, ResultsTableQuery, WhoWasHeard};
use thamgia_core::api::themes::{
    AnswerThemes, AnswersQuery, AnswersView, NewTheme, TagBody, ThemeTableQuery,
};
use thamgia_core::api::townhall::{Overview, Participation, PopulationBody, TrendPoint};
use thamgia_core::api::units::UnitList;
use thamgia_core::audit::{AuditPage, AuditQuery};
use thamgia_core::indicator::{Catalogue, Target};
use thamgia_core::report::Period;
use thamgia_core::response::ReferencedResponse;
use thamgia_core::results::suppression::PublishedTable;
use thamgia_core::results::themes::Theme;
use thamgia_core::results::PublishedResults;
use thamgia_core::safeguarding::ReferralSummary;
use thamgia_core::sync_client::SyncFailure;
use thamgia_core::{MutationOutcome, QuarantinedRecord, SurveyDefinition};
use uuid::Uuid;

use super::fetch::Method;
use super::{ApiClient, UploadFailure};

/// The content type of an .xlsx workbook.
const XLSX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `text` as one component of a URL (a path segment or a query value).
pub fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// Appends `&name=value` to `path` when there is a value.
fn push_optional(path: &mut String, name: &str, value: Option<&str>) {
    if let Some(value) = value {
        path.push_str(&format!("&{name}={}", encode(value)));
    }
}

impl ApiClient {
    /// `GET /units`: Hanoi's wards and communes in force.
    pub async fn units(&self) -> Result<UnitList, SyncFailure> {
        self.get("/units").await
    }

    /// `GET /indicators`: the catalogue with the targets set at the town
    /// hall.
    pub async fn indicators(&self) -> Result<Catalogue, SyncFailure> {
        self.get("/indicators").await
    }

    /// `GET /townhall/overview`: every ward in `period`.
    pub async fn overview(&self, period: Period) -> Result<Overview, SyncFailure> {
        self.get(&format!(
            "/townhall/overview?period={}",
            encode(&period.key())
        ))
        .await
    }

    /// `GET /wards/{ward}/participation`: one ward's participation in
    /// `period` (its officer's, or a city officer's).
    pub async fn ward_participation(
        &self,
        ward: &str,
        period: Period,
    ) -> Result<Participation, SyncFailure> {
        self.get(&format!(
            "/wards/{}/participation?period={}",
            encode(ward),
            encode(&period.key())
        ))
        .await
    }

    /// `GET /townhall/trend`: a ward's values of an indicator, period by
    /// period.
    pub async fn trend(&self, ward: &str, indicator: &str) -> Result<Vec<TrendPoint>, SyncFailure> {
        self.get(&format!(
            "/townhall/trend?ward={}&indicator={}",
            encode(ward),
            encode(indicator)
        ))
        .await
    }

    /// `PUT /wards/{code}/population/{year}`: a ward's children aged 7 to
    /// 15 that year.
    pub async fn set_population(
        &self,
        ward: &str,
        year: i32,
        body: &PopulationBody,
    ) -> Result<(), SyncFailure> {
        self.put_json(&format!("/wards/{}/population/{year}", encode(ward)), body)
            .await
    }

    /// `GET /surveys`: the newest version of every survey.
    pub async fn surveys(&self) -> Result<Vec<SurveyDefinition>, SyncFailure> {
        self.get("/surveys").await
    }

    /// `GET /results`: one survey's results, as they may be published.
    pub async fn results(&self, query: &ResultsQuery) -> Result<PublishedResults, SyncFailure> {
        let mut path = format!("/results?survey={}", encode(&query.survey));
        push_optional(&mut path, "ward", query.ward.as_deref());
        push_optional(&mut path, "period", query.period.as_deref());
        self.get(&path).await
    }

    /// `GET /results/participants`: who took part, by age band and sex.
    pub async fn participants(&self, query: &ResultsQuery) -> Result<PublishedTable, SyncFailure> {
        let mut path = format!("/results/participants?survey={}", encode(&query.survey));
        push_optional(&mut path, "ward", query.ward.as_deref());
        push_optional(&mut path, "period", query.period.as_deref());
        self.get(&path).await
    }

    /// `GET /results/heard`: who was heard against the child population.
    pub async fn heard(&self, query: &ResultsQuery) -> Result<WhoWasHeard, SyncFailure> {
        let mut path = format!("/results/heard?survey={}", encode(&query.survey));
        push_optional(&mut path, "ward", query.ward.as_deref());
        push_optional(&mut path, "period", query.period.as_deref());
        self.get(&path).await
    }

    /// `GET /results/table`: one question split by one or two dimensions.
    pub async fn results_table(
        &self,
        query: &ResultsTableQuery,
    ) -> Result<PublishedTable, SyncFailure> {
        let mut path = format!(
            "/results/table?survey={}&question={}&split={}",
            encode(&query.survey),
            encode(&query.question),
            encode(&query.split)
        );
        push_optional(&mut path, "ward", query.ward.as_deref());
        push_optional(&mut path, "period", query.period.as_deref());
        self.get(&path).await
    }

    /// `GET /results/answers`: a page of a free-text question's answers
    /// with their themes, and the question's counts by theme.
    pub async fn answers(&self, query: &AnswersQuery) -> Result<AnswersView, SyncFailure> {
        let mut path = format!(
            "/results/answers?survey={}&question={}",
            encode(&query.survey),
            encode(&query.question)
        );
        push_optional(&mut path, "ward", query.ward.as_deref());
        push_optional(&mut path, "period", query.period.as_deref());
        push_optional(&mut path, "q", query.q.as_deref());
        push_optional(&mut path, "theme", query.theme.as_deref());
        if let Some(offset) = query.offset {
            path.push_str(&format!("&offset={offset}"));
        }
        self.get(&path).await
    }

    /// `GET /results/themes/table`: one theme split by one or two
    /// dimensions.
    pub async fn theme_table(
        &self,
        query: &ThemeTableQuery,
    ) -> Result<PublishedTable, SyncFailure> {
        let mut path = format!(
            "/results/themes/table?survey={}&question={}&theme={}&split={}",
            encode(&query.survey),
            encode(&query.question),
            query.theme,
            encode(&query.split)
        );
        push_optional(&mut path, "ward", query.ward.as_deref());
        push_optional(&mut path, "period", query.period.as_deref());
        self.get(&path).await
    }

    /// `POST /themes`: a new theme in a survey's codebook.
    pub async fn create_theme(&self, theme: &NewTheme) -> Result<Theme, SyncFailure> {
        self.send_json_for(Method::Post, "/themes", theme).await
    }

    /// `DELETE /themes/{id}`: a theme and its tags deleted.
    pub async fn delete_theme(&self, id: Uuid) -> Result<(), SyncFailure> {
        self.send_empty(Method::Delete, &format!("/themes/{id}"))
            .await
    }

    /// `POST /tags` (`tagged`) or `DELETE /tags`: an answer tagged with a
    /// theme, or the theme taken off; the answer's themes now.
    pub async fn change_tag(
        &self,
        tag: &TagBody,
        tagged: bool,
    ) -> Result<AnswerThemes, SyncFailure> {
        let method = if tagged { Method::Post } else { Method::Delete };
        self.send_json_for(method, "/tags", tag).await
    }

    /// `PUT /indicators/{code}/targets`: an indicator's targets replaced
    /// (a city officer).
    pub async fn set_targets(&self, code: &str, targets: &[Target]) -> Result<(), SyncFailure> {
        self.put_json(&format!("/indicators/{}/targets", encode(code)), &targets)
            .await
    }

    /// `POST /quarantine/{client_id}/{seq}/release`: a refused response
    /// accepted by an officer of its ward.
    pub async fn release_record(
        &self,
        client_id: Uuid,
        seq: u64,
    ) -> Result<MutationOutcome, SyncFailure> {
        self.post(&format!("/quarantine/{client_id}/{seq}/release"), &())
            .await
    }

    /// `GET /quarantine`: the records the town hall refused.
    pub async fn quarantine(&self) -> Result<Vec<QuarantinedRecord>, SyncFailure> {
        self.get("/quarantine").await
    }

    /// `GET /forums`: every forum with its recommendations.
    pub async fn forums(&self) -> Result<Vec<ForumView>, SyncFailure> {
        self.get("/forums").await
    }

    /// `POST /recommendations/{id}/answer`: an authority's answer.
    pub async fn answer_recommendation(
        &self,
        recommendation_id: Uuid,
        body: &AnswerBody,
    ) -> Result<(), SyncFailure> {
        self.post_json(
            &format!("/recommendations/{recommendation_id}/answer"),
            body,
        )
        .await
    }

    /// `POST /surveys/import`: an XLSForm workbook, published as a survey
    /// (with what was read but not used) or refused problem by problem.
    pub async fn import_form(
        &self,
        workbook: Vec<u8>,
        query: &ImportQuery,
    ) -> Result<ImportedSurvey, UploadFailure<ImportRefusedBody>> {
        let path = format!("/surveys/import?{}", query.query_string());
        self.post_bytes(&path, XLSX_CONTENT_TYPE, workbook).await
    }

    /// `GET /audit`: one page of the audit log.
    pub async fn audit(&self, query: &AuditQuery) -> Result<AuditPage, SyncFailure> {
        self.get(&format!("/audit?{}", query.query_string())).await
    }

    /// `GET /accounts`: every account with its devices.
    pub async fn accounts(&self) -> Result<Vec<AccountRecord>, SyncFailure> {
        self.get("/accounts").await
    }

    /// `POST /accounts`: a new account.
    pub async fn create_account(&self, account: &NewAccount) -> Result<AccountRecord, SyncFailure> {
        self.send_json_for(Method::Post, "/accounts", account).await
    }

    /// `PUT /accounts/{username}`: a change of role, ward, activity or
    /// password.
    pub async fn change_account(
        &self,
        username: &str,
        change: &AccountChange,
    ) -> Result<AccountRecord, SyncFailure> {
        self.send_json_for(
            Method::Put,
            &format!("/accounts/{}", encode(username)),
            change,
        )
        .await
    }

    /// `GET /referrals`: the referrals of the wards the officer reaches.
    pub async fn referrals(&self) -> Result<ReferralSummary, SyncFailure> {
        self.get("/referrals").await
    }

    /// `POST /referrals/{id}/follow-up`: one referral marked followed up.
    pub async fn follow_up_referral(&self, response: Uuid) -> Result<(), SyncFailure> {
        self.send_empty(Method::Post, &format!("/referrals/{response}/follow-up"))
            .await
    }

    /// `GET /responses/by-reference/{prefix}`: the responses of the wards
    /// the officer reaches whose id starts with `prefix` (what
    /// `thamgia_core::response::reference_prefix` read from a reference).
    pub async fn responses_by_reference(
        &self,
        prefix: &str,
    ) -> Result<Vec<ReferencedResponse>, SyncFailure> {
        self.get(&format!("/responses/by-reference/{prefix}")).await
    }

    /// `POST /responses/{id}/withdraw`: consent withdrawn through the ward.
    pub async fn withdraw_response(&self, response: Uuid) -> Result<(), SyncFailure> {
        self.send_empty(Method::Post, &format!("/responses/{response}/withdraw"))
            .await
    }

    /// `POST /devices/{id}/revoke`: ends one device's session.
    pub async fn revoke_device(&self, device: Uuid) -> Result<(), SyncFailure> {
        self.send_empty(Method::Post, &format!("/devices/{device}/revoke"))
            .await
    }
}
