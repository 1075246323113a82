//! Files the town hall downloads, fetched from the page as a signed-in
//! officer's download button fetches them.

use anyhow::Result;

use crate::{js, Ui, DEMO_PASSWORD};

/// Downloads `path` from the page signed in as `username` (a demo account),
/// and returns its bytes; empty when the server refused.
pub async fn download_as(page: &impl Ui, username: &str, path: &str) -> Result<Vec<u8>> {
    let script = format!(
        "(async () => {{
            const session = await fetch('/api/v1/session', {{ method: 'POST',
                headers: {{ 'content-type': 'application/json' }},
                body: JSON.stringify({{ username: {username}, password: '{DEMO_PASSWORD}', device_label: 'desk' }}) }})
                .then(answer => answer.json());
            const answer = await fetch({path}, {{ headers: {{ authorization: 'Bearer ' + session.token }} }});
            if (!answer.ok) {{ return []; }}
            return Array.from(new Uint8Array(await answer.arrayBuffer()));
        }})()",
        username = serde_json::to_string(username)?,
        path = serde_json::to_string(path)?,
    );
    js(page, &script).await
}

/// Downloads `path` as the demo city officer.
pub async fn download_as_city_officer(page: &impl Ui, path: &str) -> Result<Vec<u8>> {
    download_as(page, "thanhpho", path).await
}
