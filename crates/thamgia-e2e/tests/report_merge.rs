//! Two ward officers edit the same report offline on their own tablets;
//! both sync; both tablets and the town hall converge to the same values,
//! with the value that lost kept and shown.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use chromiumoxide::Page;
use thamgia_core::report::{FieldContent, FieldKey, ReportId};
use thamgia_e2e::*;

/// Signs in as Ba Đình's ward officer on a fresh tablet, opens the report
/// page and signs the officer's name.
async fn officer(page: &Page, name: &str) -> Result<()> {
    sign_in(page, "badinh.canbo", DEMO_PASSWORD).await?;
    wait_for(
        page,
        "the surveys",
        "document.querySelector('[data-test=start-survey]')",
    )
    .await?;
    // A ward officer reads what the ward's children said in the town hall
    // app, one tap away; the town hall's own pages are a city officer's.
    wait_for(
        page,
        "the results link",
        "document.querySelector('[data-test=to-results]') && !document.querySelector('[data-test=to-townhall]')",
    )
    .await?;
    click(page, "a[href='/report']").await?;
    replace_text(page, "[data-test=author]", name).await?;
    wait_for(
        page,
        "the report",
        "document.querySelector(\"[data-test='value-4.1']\")",
    )
    .await?;
    let ready: bool = js(
        page,
        "navigator.serviceWorker.ready.then(registration => !!registration.active)",
    )
    .await?;
    if !ready {
        bail!("no service worker");
    }
    Ok(())
}

async fn value(page: &Page, code: &str) -> Result<String> {
    js(
        page,
        &format!("document.querySelector(\"[data-test='value-{code}']\").value"),
    )
    .await
}

/// Waits until the server's merged report satisfies `check`.
async fn server_until(
    server: &RunningServer,
    report_id: &ReportId,
    what: &str,
    check: impl Fn(&thamgia_core::report::ReportFields) -> bool,
) -> Result<()> {
    let started = Instant::now();
    loop {
        let (_, fields) = server.database.report(report_id).await?;
        if check(&fields) {
            return Ok(());
        }
        if started.elapsed() > WAIT {
            bail!("the server never had {what}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_officers_edit_one_report_offline_and_converge() -> Result<()> {
    let workspace = tempfile::tempdir()?;
    let config = test_config(workspace.path())?;
    let (server, address) = start_server(&config, "127.0.0.1:0".parse()?).await?;
    let url = format!("http://{address}/");
    let (lan_browser, lan_events) = launch_browser(&workspace.path().join("lan")).await?;
    let (minh_browser, minh_events) = launch_browser(&workspace.path().join("minh")).await?;
    let lan = open_app(&lan_browser, &url).await?;
    let minh = open_app(&minh_browser, &url).await?;
    officer(&lan, "Lan").await?;
    officer(&minh, "Minh").await?;
    let period: String = js(
        &lan,
        "document.querySelector('[data-test=report-period]').value",
    )
    .await?;
    let report_id: ReportId = format!("00004:{period}").parse()?;
    // Beside indicator 4.1, what the town hall holds of Ba Đình this
    // period: no consultation yet, no children entered.
    wait_for(
        &lan,
        "the town hall's figures beside 4.1",
        "document.querySelector(\"[data-indicator='4.1'] [data-test=participation-hint]\")",
    )
    .await?;
    assert_eq!(
        text_of(&lan, "[data-indicator='4.1'] [data-test=participation-hint]").await?,
        "Theo các phiếu UBND thành phố đã nhận: 0 lượt lấy ý kiến trẻ em từ 7 tuổi; chưa có số trẻ em 7–15 tuổi của phường/xã."
    );

    // Both tablets go offline; the server is down.
    set_offline(&lan, true).await?;
    set_offline(&minh, true).await?;
    // Offline, the report says where those figures will be.
    wait_for(
        &lan,
        "the offline note beside 4.1",
        "document.querySelector(\"[data-indicator='4.1'] [data-test=participation-hint-offline]\")",
    )
    .await?;
    server.stop().await?;

    // Lan enters the participation rate and a note; Minh, a moment later,
    // enters another rate for the same indicator and one Lan did not touch.
    type_into(&lan, "[data-test='value-4.1']", "31.5").await?;
    type_into(&lan, "[data-test='note-4.1']", "Theo sổ họp diễn đàn").await?;
    tokio::time::sleep(Duration::from_millis(50)).await;
    type_into(&minh, "[data-test='value-4.1']", "29").await?;
    type_into(&minh, "[data-test='value-1.1']", "12").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The connection comes back; each syncs.
    let (server, _) = start_server(&config, address).await?;
    set_offline(&lan, false).await?;
    set_offline(&minh, false).await?;
    click(&lan, "[data-test=sync-now]").await?;
    server_until(&server, &report_id, "Lan's note", |fields| {
        fields.get(&FieldKey::note("4.1")).is_some()
    })
    .await?;
    click(&minh, "[data-test=sync-now]").await?;
    server_until(&server, &report_id, "Minh's values", |fields| {
        fields.get(&FieldKey::value("1.1")).is_some()
    })
    .await?;
    click(&lan, "[data-test=sync-now]").await?;
    click(&minh, "[data-test=sync-now]").await?;

    // Both tablets converge on the later value, and show the one that lost.
    for (page, who) in [(&lan, "Lan"), (&minh, "Minh")] {
        wait_for(page, &format!("{who}'s tablet converged"), "document.querySelector(\"[data-test='value-4.1']\").value === '29' && document.querySelector(\"[data-test='value-1.1']\").value === '12'").await?;
        wait_for(
            page,
            "the note",
            "document.querySelector(\"[data-test='note-4.1']\").value === 'Theo sổ họp diễn đàn'",
        )
        .await?;
        wait_for(
            page,
            "the conflict",
            "document.querySelector('[data-test=conflict]')",
        )
        .await?;
        let conflict = text_of(page, "[data-test=conflict]").await?;
        assert!(
            conflict.contains("Lan") && conflict.contains("31.5"),
            "{who} sees the other value: {conflict}"
        );
    }
    assert_eq!(value(&lan, "4.1").await?, value(&minh, "4.1").await?);

    // The town hall holds the same.
    let (_, fields) = server.database.report(&report_id).await?;
    let rate = fields.get(&FieldKey::value("4.1")).expect("4.1 value");
    assert_eq!(rate.winner.content, FieldContent::Number(29.0));
    assert!(rate
        .conflicting()
        .any(|edit| edit.content == FieldContent::Number(31.5) && edit.author == "Lan"));

    // Minh's tablet counts what is filled, group by group, shows the city's
    // target for the milestone the town hall shows (2030's 35 % for 4.1),
    // and submitting with empty indicators asks first, naming them.
    wait_for(
        &minh,
        "two of 24 filled",
        "(document.querySelector('[data-test=report-filled]') || {dataset: {}}).dataset.filled === '2'",
    )
    .await?;
    assert_eq!(
        text_of(&minh, "[data-test=report-filled]").await?,
        "2 / 24 chỉ số đã nhập"
    );
    let target = text_of(&minh, "[data-indicator='4.1'] [data-test=target]").await?;
    assert!(target.contains("2030") && target.contains("35"), "{target}");
    let groups: usize = js(&minh, "document.querySelectorAll('[data-test=report-progress] a[href^=\"#indicator-group-\"]').length").await?;
    assert_eq!(groups, 4, "one link per indicator group");
    js::<bool>(
        &minh,
        "(() => { window.confirmCalls = []; window.confirm = message => { window.confirmCalls.push(message); return false; }; return true; })()",
    )
    .await?;
    click(&minh, "[data-test=submit-report]").await?;
    wait_for(&minh, "the question", "window.confirmCalls.length === 1").await?;
    let question: String = js(&minh, "window.confirmCalls[0]").await?;
    assert!(
        question.starts_with("Còn 22 / 24 chỉ số chưa nhập (1.2, ")
            && question.contains("Vẫn nộp báo cáo?"),
        "{question}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let still_draft: bool = js(
        &minh,
        "!!document.querySelector('[data-test=submit-report]')",
    )
    .await?;
    assert!(still_draft, "answering no leaves the report a draft");

    // The town hall view charts the ward's value against the target: a city
    // officer signs in on Lan's browser once Lan signed out (all is sent).
    accept_confirmations(&lan).await?;
    sign_out(&lan).await?;
    sign_in(&lan, "thanhpho", DEMO_PASSWORD).await?;
    open_townhall(&lan).await?;
    wait_for(
        &lan,
        "the indicator select",
        "document.querySelector('[data-test=indicator-select]')",
    )
    .await?;
    js::<bool>(
        &lan,
        &format!(
            "(() => {{ const period = document.querySelector('[data-test=period-select]'); period.value = '{period}'; period.dispatchEvent(new Event('change', {{ bubbles: true }})); const indicator = document.querySelector('[data-test=indicator-select]'); indicator.value = '4.1'; indicator.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()"
        ),
    )
    .await?;
    wait_for(
        &lan,
        "Ba Đình's value in the indicator table",
        "(document.querySelector(\"[data-test=indicator-row][data-code='00004'] [data-test=indicator-value]\") || {}).textContent?.includes('29')",
    )
    .await?;
    wait_for(
        &lan,
        "a bar in the chart",
        "document.querySelector('[data-test=bar-chart] svg rect')",
    )
    .await?;
    let bar: String = js(
        &lan,
        "document.querySelector('[data-test=bar-chart] svg title').textContent",
    )
    .await?;
    assert!(bar.contains("29"), "the bar shows the value: {bar}");
    let target_line: bool = js(
        &lan,
        "!!document.querySelector('[data-test=bar-chart] .chart-target line')",
    )
    .await?;
    assert!(target_line, "the target is drawn beside the values");

    // The city officer sets Hanoi's own 2030 target for 4.1 (a comma
    // before the decimals, as typed in Vietnam); the server keeps it beside
    // the national ones.
    click(&lan, "[data-test=targets] summary").await?;
    replace_text(&lan, "[data-test=target-year]", "2030").await?;
    type_into(&lan, "[data-test=target-value]", "40,5").await?;
    click(&lan, "[data-test=target-save]").await?;
    wait_for(
        &lan,
        "Hanoi's 2030 target listed",
        "(document.querySelector(\"[data-test=target][data-jurisdiction='01'][data-year='2030']\") || {}).textContent?.includes('40,5')",
    )
    .await?;
    let catalogue = server
        .database
        .catalogue(&thamgia_core::indicator::shipped_catalogue()?)
        .await?;
    let kept = catalogue.indicator("4.1").expect("4.1");
    assert_eq!(kept.own_target("01", 2030), Some(40.5));
    assert_eq!(
        kept.own_target("VN", 2030),
        Some(35.0),
        "the national one kept"
    );

    close_browser(lan_browser, lan_events).await?;
    close_browser(minh_browser, minh_events).await?;
    server.stop().await?;
    Ok(())
}
