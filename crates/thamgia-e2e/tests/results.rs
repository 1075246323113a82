//! What children said, at the town hall: responses from two tablets reach
//! the server; a city officer opens the results in the town hall app and
//! reads distributions equal to the hand-counted figures, a small count
//! shown as "< 5" with its complement hidden, a question not asked told
//! apart, a split with no small cell; a withdrawal leaves the numbers
//! once a step of five changes is made, and waits until then; the
//! children's words are searched without diacritics, a theme is added,
//! answers are tagged with it and it is counted; a split drawn as stacked
//! bars, the ward beside the city, who was heard against the population a
//! city officer enters; the XLSX read back with the page's figures; the
//! printable summary.

use anyhow::{bail, Result};
use chromiumoxide::Page;
use chrono::{TimeZone, Utc};
use thamgia_core::{AnswerValue, Mutation, MutationChange, PushRequest, Response, SCHEMA_VERSION};
use thamgia_e2e::*;
use thamgia_server::seed;
use uuid::Uuid;

/// A completed response in Ba Đình whose child says whether deep water is
/// near (and, if so, whether they can swim).
fn response(n: u128, deep_water: bool, can_swim: Option<bool>) -> Result<Response> {
    let Some(at) = Utc.with_ymd_and_hms(2026, 8, 10, 9, 0, 0).single() else {
        bail!("a valid time");
    };
    let survey = seed::demo_survey()?;
    let mut response = seed::sample_response(&survey, Uuid::from_u128(n), n as usize, at);
    response.answers.insert(
        "deep_water_nearby".to_owned(),
        AnswerValue::YesNo(deep_water),
    );
    match can_swim {
        Some(can) => response
            .answers
            .insert("can_swim".to_owned(), AnswerValue::YesNo(can)),
        None => response.answers.remove("can_swim"),
    };
    Ok(response)
}

/// One tablet's push of `responses`, as JSON.
fn push(client: u128, responses: Vec<Response>) -> Result<String> {
    let request = PushRequest {
        client_id: Uuid::from_u128(client),
        schema_version: SCHEMA_VERSION,
        mutations: responses
            .into_iter()
            .zip(1..)
            .map(|(response, seq)| Mutation {
                seq,
                change: MutationChange::SubmitResponse { response },
            })
            .collect(),
    };
    Ok(serde_json::to_string(&request)?)
}

/// Sends `body` to `path` from the page (a tablet's HTTP), signed in as
/// Ba Đình's collector; returns the status.
async fn send_as_collector(page: &Page, path: &str, body: &str) -> Result<u16> {
    let script = format!(
        "(async () => {{
            const session = await fetch('/api/v1/session', {{ method: 'POST',
                headers: {{ 'content-type': 'application/json' }},
                body: JSON.stringify({{ username: 'badinh', password: '{DEMO_PASSWORD}', device_label: 'tablet' }}) }})
                .then(answer => answer.json());
            const answer = await fetch({path}, {{ method: 'POST',
                headers: {{ 'content-type': 'application/json', authorization: 'Bearer ' + session.token }},
                body: {body} }});
            return answer.status;
        }})()",
        path = serde_json::to_string(path)?,
        body = serde_json::to_string(body)?,
    );
    js(page, &script).await
}

/// Sets the number input `selector` to `value`, as typing does.
async fn enter_number(page: &Page, selector: &str, value: u64) -> Result<()> {
    let entered: bool = js(
        page,
        &format!(
            "(() => {{ const input = document.querySelector({}); if (!input) {{ return false; }} input.value = '{value}'; input.dispatchEvent(new Event('input', {{ bubbles: true }})); return true; }})()",
            selector_literal(selector),
        ),
    )
    .await?;
    if !entered {
        bail!("no input {selector}");
    }
    Ok(())
}

/// The published count of answer `key` to `question`, as the page shows it.
async fn shown(page: &Page, question: &str, key: &str) -> Result<String> {
    let selector = format!("[data-question={question}] [data-test=result-row][data-key={key}]");
    wait_for(
        page,
        &selector,
        &format!("document.querySelector({})", selector_literal(&selector)),
    )
    .await?;
    js(
        page,
        &format!(
            "document.querySelector({}).dataset.shown",
            selector_literal(&selector)
        ),
    )
    .await
}

/// Chooses `value` in the select `selector`, once it offers it (a select's
/// options may arrive after the select, as the ward list does).
async fn choose(page: &Page, selector: &str, value: &str) -> Result<()> {
    wait_for(
        page,
        &format!("{selector} offering {value}"),
        &format!(
            "[...((document.querySelector({}) || {{}}).options || [])].some(option => option.value === {})",
            selector_literal(selector),
            serde_json::to_string(value)?,
        ),
    )
    .await?;
    let chosen: bool = js(
        page,
        &format!(
            "(() => {{ const select = document.querySelector({}); select.value = {}; select.dispatchEvent(new Event('change', {{ bubbles: true }})); return select.value === {}; }})()",
            selector_literal(selector),
            serde_json::to_string(value)?,
            serde_json::to_string(value)?,
        ),
    )
    .await?;
    if !chosen {
        bail!("{selector} has no option {value}");
    }
    Ok(())
}

/// In the card of the free-text question `idea_to_be_safer` (each of Ba
/// Đình's 13 children wrote "Ý kiến số {n}: cần thêm sân chơi an toàn"): a
/// search without diacritics, "so 30", finds the five answers 300 to 304,
/// a new theme "Sân chơi" is added, those five are tagged with it, and the
/// theme is counted (whatever the search): 5, and 8 not yet tagged; split
/// by sex, it shows no small cell.
async fn tag_a_theme_and_see_it_counted(page: &Page) -> Result<()> {
    const CARD: &str = "[data-test=free-text][data-question=idea_to_be_safer]";
    type_into(page, &format!("{CARD} [data-test=answers-search]"), "so 30").await?;
    wait_for(
        page,
        "5 of the 13 answers found without diacritics",
        &format!(
            "(document.querySelector({}) || {{ dataset: {{}} }}).dataset.matching === '5'",
            selector_literal(&format!("{CARD} [data-test=answers-matching]"))
        ),
    )
    .await?;
    type_into(
        page,
        &format!("{CARD} [data-test=theme-new-label]"),
        "Sân chơi",
    )
    .await?;
    click(page, &format!("{CARD} [data-test=theme-new]")).await?;
    let tag_select = format!("{CARD} [data-test=free-text-answer]:not(:has([data-test=theme-chip])) [data-test=theme-tag]");
    wait_for(
        page,
        "the new theme offered on each answer",
        &format!(
            "(document.querySelector({}) || {{ options: [] }}).options.length === 2",
            selector_literal(&tag_select)
        ),
    )
    .await?;
    let theme: String = js(
        page,
        &format!(
            "document.querySelector({}).options[1].value",
            selector_literal(&tag_select)
        ),
    )
    .await?;
    for tagged in 1..=5 {
        choose(page, &tag_select, &theme).await?;
        wait_for(
            page,
            &format!("{tagged} answers tagged"),
            &format!(
                "document.querySelectorAll({}).length === {tagged}",
                selector_literal(&format!("{CARD} [data-test=theme-chip]"))
            ),
        )
        .await?;
    }
    let count = |key: &str| {
        format!(
            "(document.querySelector({}) || {{ dataset: {{}} }}).dataset.shown",
            selector_literal(&format!(
                "{CARD} [data-test=theme-count][data-theme='{key}']"
            ))
        )
    };
    wait_for(
        page,
        "the theme counted",
        &format!(
            "{} === '5' && {} === '8'",
            count("Sân chơi"),
            count("untagged")
        ),
    )
    .await?;

    // The theme split by sex: a table with no small cell, or the server's
    // refusal of a split too fine to publish.
    choose(
        page,
        &format!("{CARD} [data-test=theme-split-theme]"),
        &theme,
    )
    .await?;
    choose(page, &format!("{CARD} [data-test=theme-split]"), "sex").await?;
    wait_for(
        page,
        "the theme's split",
        &format!(
            "document.querySelector({}) || document.querySelector({})",
            selector_literal(&format!("{CARD} [data-test=split-table]")),
            selector_literal(&format!("{CARD} [data-test=theme-split-error]"))
        ),
    )
    .await?;
    let cells: Vec<String> = js(
        page,
        &format!(
            "[...document.querySelectorAll({})].map(cell => cell.dataset.shown)",
            selector_literal(&format!("{CARD} [data-test=split-cell]"))
        ),
    )
    .await?;
    for cell in &cells {
        if let Ok(count) = cell.parse::<u64>() {
            assert!(
                count == 0 || count >= 5,
                "a published small cell: {cells:?}"
            );
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_town_hall_reads_what_children_said_and_no_child_is_singled_out() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let (browser, events) = launch_browser(&workspace.path().join("profile")).await?;
    let url = format!("http://{address}/");
    let page = open_app(&browser, &url).await?;

    // Two tablets in Ba Đình: 9 children near deep water (6 can swim, 3
    // cannot), 5 not near any.
    let mut first = Vec::new();
    for n in 0..6 {
        first.push(response(100 + n, true, Some(true))?);
    }
    let mut second = Vec::new();
    for n in 0..3 {
        second.push(response(200 + n, true, Some(false))?);
    }
    for n in 0..5 {
        second.push(response(300 + n, false, None)?);
    }
    for (client, responses) in [(0xA1, first), (0xA2, second)] {
        let status =
            send_as_collector(&page, "/api/v1/sync/push", &push(client, responses)?).await?;
        if status != 200 {
            bail!("a tablet's push was answered {status}");
        }
    }
    assert_eq!(server.database.counted_response_count().await?, 14);

    // The city officer reads Ba Đình's results in the town hall app.
    sign_in(&page, "thanhpho", DEMO_PASSWORD).await?;
    open_townhall(&page).await?;
    click(&page, "a[href='/townhall/results']").await?;
    choose(&page, "[data-test=results-ward]", "00004").await?;
    wait_for(
        &page,
        "Ba Đình's 14 children",
        "(document.querySelector(\"[data-test=results-respondents][data-ward='00004']\") || {}).textContent?.includes('14')",
    )
    .await?;
    assert_eq!(shown(&page, "deep_water_nearby", "yes").await?, "9");
    assert_eq!(shown(&page, "deep_water_nearby", "no").await?, "5");
    // 3 cannot swim: "< 5", and the 6 who can are hidden, or 9 − 6 would
    // give the 3 back.
    assert_eq!(shown(&page, "can_swim", "no").await?, "< 5");
    assert_eq!(shown(&page, "can_swim", "yes").await?, "—");
    let line = text_of(
        &page,
        "[data-question=can_swim] [data-test=result-answer-line]",
    )
    .await?;
    assert!(line.contains('9') && line.contains('5'), "{line}");

    // Who took part, by age band and sex: no small cell either.
    wait_for(
        &page,
        "who took part",
        "document.querySelector('[data-test=who-took-part] [data-test=split-table]')",
    )
    .await?;
    let who: Vec<String> = js(
        &page,
        "[...document.querySelectorAll('[data-test=who-took-part] [data-test=split-cell]')].map(cell => cell.dataset.shown)",
    )
    .await?;
    assert!(!who.is_empty());
    for cell in &who {
        if let Ok(count) = cell.parse::<u64>() {
            assert!(count == 0 || count >= 5, "a published small cell: {who:?}");
        }
    }

    // Split by sex: no published cell is a count from 1 to 4.
    choose(
        &page,
        "[data-question=deep_water_nearby] [data-test=result-split]",
        "sex",
    )
    .await?;
    wait_for(
        &page,
        "the split table",
        "document.querySelector('[data-question=deep_water_nearby] [data-test=split-table]')",
    )
    .await?;
    let cells: Vec<String> = js(
        &page,
        "[...document.querySelectorAll('[data-question=deep_water_nearby] [data-test=split-cell]')].map(cell => cell.dataset.shown)",
    )
    .await?;
    assert!(!cells.is_empty());
    for cell in &cells {
        if let Ok(count) = cell.parse::<u64>() {
            assert!(
                count == 0 || count >= 5,
                "a published small cell: {cells:?}"
            );
        }
    }

    // The split drawn too: one stacked bar per column of the table.
    let columns: usize = js(
        &page,
        "document.querySelectorAll('[data-question=deep_water_nearby] [data-test=split-table] thead th').length - 2",
    )
    .await?;
    let bars: usize = js(
        &page,
        "document.querySelectorAll('[data-question=deep_water_nearby] [data-test=stacked-bar-chart] [data-test=stack-row]').length",
    )
    .await?;
    assert!(
        columns > 0 && bars == columns,
        "{bars} bars for {columns} columns"
    );

    // On a portrait tablet the charts are drawn for their width: no text
    // of a chart comes out under 12 px (it was 9.7 px when scaled down).
    page.execute(
        chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams::new(
            800, 1280, 1.0, false,
        ),
    )
    .await?;
    wait_for(
        &page,
        "the charts redrawn for the portrait width",
        "[...document.querySelectorAll('svg.chart-svg')].every(svg => svg.viewBox.baseVal.width < 800)",
    )
    .await?;
    let smallest: f64 = js(
        &page,
        "Math.min(...[...document.querySelectorAll('svg.chart-svg')].flatMap(svg => { const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width; return [...svg.querySelectorAll('text')].map(text => parseFloat(getComputedStyle(text).fontSize) * scale); }))",
    )
    .await?;
    assert!(smallest >= 12.0, "chart text drawn at {smallest:.1} px");
    page.execute(
        chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams::new(
            1280, 800, 1.0, false,
        ),
    )
    .await?;

    // Ba Đình beside the whole city (where only Ba Đình's children took
    // part): two bars per question, the same shares.
    choose(&page, "[data-test=results-compare]", "ward:").await?;
    wait_for(
        &page,
        "the comparison",
        "document.querySelectorAll('[data-test=comparison-question][data-question=deep_water_nearby] [data-test=stack-row]').length === 2",
    )
    .await?;
    let compared: Vec<String> = js(
        &page,
        "[...document.querySelectorAll('[data-test=comparison-question][data-question=deep_water_nearby] [data-test=stack-row] title')].map(title => title.textContent.split(':').slice(1).join(':'))",
    )
    .await?;
    let half = compared.len() / 2;
    assert!(
        half > 0 && compared[..half] == compared[half..],
        "Ba Đình and the city differ: {compared:?}"
    );

    // Who was heard: the city officer enters Ba Đình's children (100 girls
    // and 100 boys in each band from 7 to 15, 30 with a disability). No
    // child said they have a disability: that group is heard from less
    // than its share.
    click(&page, "[data-test=population-form] summary").await?;
    for band in ["From7To9", "From10To12", "From13To15"] {
        for sex in ["Female", "Male"] {
            enter_number(&page, &format!("[data-test=population-{band}-{sex}]"), 100).await?;
        }
    }
    enter_number(&page, "[data-test=population-disability]", 30).await?;
    click(&page, "[data-test=population-save]").await?;
    wait_for(
        &page,
        "who was heard",
        "document.querySelectorAll('[data-test=heard-group]').length >= 6",
    )
    .await?;
    let disability: String = js(
        &page,
        "document.querySelector(\"[data-test=heard-group][data-group='Disability:yes']\").dataset.hearing",
    )
    .await?;
    assert_eq!(disability, "Under");

    // The form stays open, filled with what was saved. The officer adds
    // the ethnic groups and the children in special circumstances; the
    // figures already entered are kept.
    wait_for(
        &page,
        "the form filled with the saved figures",
        "document.querySelector('[data-test=population-form]').open && document.querySelector('[data-test=population-From10To12-Male]').value === '100' && document.querySelector('[data-test=population-disability]').value === '30'",
    )
    .await?;
    enter_number(&page, "[data-test=population-ethnic-kinh]", 540).await?;
    enter_number(&page, "[data-test=population-ethnic-muong]", 60).await?;
    enter_number(&page, "[data-test=population-special]", 30).await?;
    click(&page, "[data-test=population-save]").await?;
    wait_for(
        &page,
        "the ethnic groups and special circumstances compared, disability still",
        "['EthnicGroup:kinh', 'EthnicGroup:muong', 'SpecialCircumstances:any', 'Disability:yes'].every(key => document.querySelector(`[data-test=heard-group][data-group='${key}']`))",
    )
    .await?;
    // More children by ethnic group than children: refused with the
    // reason, nothing lost from the form.
    enter_number(&page, "[data-test=population-ethnic-tay]", 100).await?;
    click(&page, "[data-test=population-save]").await?;
    wait_for(
        &page,
        "the refusal and its reason",
        "(document.querySelector('[data-test=population-error]') || {}).textContent?.includes('600')",
    )
    .await?;
    let kept: String = js(
        &page,
        "document.querySelector('[data-test=population-ethnic-tay]').value",
    )
    .await?;
    assert_eq!(kept, "100");

    // A guardian withdraws consent for one child near deep water: the
    // results change only in steps of five changes (so that two views do
    // not tell what one child answered), and say one change waits.
    let withdrawal = serde_json::to_string(&PushRequest {
        client_id: Uuid::from_u128(0xA1),
        schema_version: SCHEMA_VERSION,
        mutations: vec![Mutation {
            seq: 7,
            change: MutationChange::WithdrawResponse {
                response_id: Uuid::from_u128(100),
                withdrawn_at: Utc::now(),
            },
        }],
    })?;
    let status = send_as_collector(&page, "/api/v1/sync/push", &withdrawal).await?;
    if status != 200 {
        bail!("the withdrawal was answered {status}");
    }
    page.reload().await?;
    choose(&page, "[data-test=results-ward]", "00004").await?;
    wait_for(
        &page,
        "Ba Đình's 14 children, one change waiting",
        "(document.querySelector(\"[data-test=results-respondents][data-ward='00004']\") || {}).textContent?.includes('14') && (document.querySelector(\"[data-test=results-respondents][data-ward='00004'] ~ [data-test=results-waiting]\") || { dataset: {} }).dataset.changes === '1'",
    )
    .await?;
    assert_eq!(shown(&page, "deep_water_nearby", "yes").await?, "9");
    // Two corrections that change no answer are four more changes (each
    // a new version in, the old one out): the step is made, and the
    // withdrawal leaves the figures.
    let corrections = serde_json::to_string(&PushRequest {
        client_id: Uuid::from_u128(0xA2),
        schema_version: SCHEMA_VERSION,
        mutations: (0..2u64)
            .map(|n| {
                let mut correction = response(300 + u128::from(n), false, None)?;
                correction.id = Uuid::from_u128(400 + u128::from(n));
                correction.corrects = Some(Uuid::from_u128(300 + u128::from(n)));
                Ok(Mutation {
                    seq: 9 + n,
                    change: MutationChange::SubmitResponse {
                        response: correction,
                    },
                })
            })
            .collect::<Result<Vec<_>>>()?,
    })?;
    let status = send_as_collector(&page, "/api/v1/sync/push", &corrections).await?;
    if status != 200 {
        bail!("the corrections were answered {status}");
    }
    page.reload().await?;
    choose(&page, "[data-test=results-ward]", "00004").await?;
    wait_for(
        &page,
        "13 children after the withdrawal",
        "(document.querySelector(\"[data-test=results-respondents][data-ward='00004']\") || {}).textContent?.includes('13')",
    )
    .await?;
    assert_eq!(shown(&page, "deep_water_nearby", "yes").await?, "8");
    assert!(
        js::<bool>(
            &page,
            "!document.querySelector('[data-test=results-waiting]')"
        )
        .await?,
        "nothing waits once the step is made"
    );

    // The spreadsheet holds the page's figures.
    let bytes = download_as_city_officer(
        &page,
        "/api/v1/export/results.xlsx?survey=an-toan-truong-hoc-va-vui-choi&ward=00004",
    )
    .await?;
    {
        use calamine::{Data, Reader, Xlsx};
        let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))?;
        let figures = workbook.worksheet_range("Kết quả")?;
        let figure = |question: &str, answer: &str| {
            figures
                .rows()
                .find(|row| {
                    matches!(row.first(), Some(Data::String(text)) if text == question)
                        && matches!(row.get(4), Some(Data::String(text)) if text == answer)
                })
                .and_then(|row| row.get(5).cloned())
        };
        assert_eq!(figure("deep_water_nearby", "Yes"), Some(Data::Float(8.0)));
        assert_eq!(figure("deep_water_nearby", "No"), Some(Data::Float(5.0)));
        assert_eq!(
            figure("can_swim", "No"),
            Some(Data::String("< 5".to_owned()))
        );
    }

    // The printable summary: printed, the page keeps its title and figures
    // and drops its controls.
    page.execute(
        chromiumoxide::cdp::browser_protocol::emulation::SetEmulatedMediaParams::builder()
            .media("print")
            .build(),
    )
    .await?;
    let printed: Vec<String> = js(
        &page,
        "(() => { const drawn = selector => String(document.querySelector(selector).getClientRects().length > 0); return [drawn('h2.print-only'), drawn('[data-test=results-print]'), drawn('[data-test=results-compare]'), drawn('[data-question=deep_water_nearby] [data-test=result-row]')]; })()",
    )
    .await?;
    assert_eq!(printed, ["true", "false", "false", "true"]);
    page.execute(
        chromiumoxide::cdp::browser_protocol::emulation::SetEmulatedMediaParams::builder()
            .media("")
            .build(),
    )
    .await?;

    tag_a_theme_and_see_it_counted(&page).await?;

    assert_eq!(csp_violations(&page).await?, Vec::<String>::new());

    // Ba Đình's ward officer reads the same page for the ward, with no
    // ward to choose (the server answers for the officer's own ward).
    sign_out(&page).await?;
    sign_in(&page, "badinh.canbo", DEMO_PASSWORD).await?;
    // Signing out led back to the tablet app; the results are one tap away.
    click(&page, "[data-test=to-results]").await?;
    wait_for(
        &page,
        "the ward officer's results",
        "(document.querySelector(\"[data-test=results-respondents][data-ward='city']\") || {}).textContent?.includes('13') && !document.querySelector('[data-test=results-ward]')",
    )
    .await?;
    assert_eq!(shown(&page, "deep_water_nearby", "yes").await?, "8");
    close_browser(browser, events).await?;
    server.stop().await
}
