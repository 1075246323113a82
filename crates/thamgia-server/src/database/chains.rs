//! A child's response and its corrections form a chain (each correction
//! names the version it replaces). The chain counts once, as the version
//! `thamgia_core::results::counted` chooses; a withdrawal of consent takes
//! every version. This file only finds a chain and writes what core
//! decided: which version counts (`superseded_by` marks the others).

use std::collections::BTreeSet;

use sqlx::{AnyConnection, Row};
use thamgia_core::Response;

use super::responses::content::stored_response;
use crate::error::ServerError;

/// Most versions a chain is followed to: a correction is a person's act,
/// so a real chain holds a handful; a hostile one stops here.
const MAX_CHAIN: usize = 64;

/// The ids connected to `start` through `corrects` links, in either
/// direction, `start` included (held or not), at most [`MAX_CHAIN`].
pub(super) async fn chain_of(
    connection: &mut AnyConnection,
    start: &[String],
) -> Result<BTreeSet<String>, ServerError> {
    let mut members = BTreeSet::new();
    let mut frontier: Vec<String> = start.to_vec();
    while let Some(id) = frontier.pop() {
        if members.len() >= MAX_CHAIN {
            break;
        }
        if !members.insert(id.clone()) {
            continue;
        }
        let rows = sqlx::query("SELECT id, corrects FROM responses WHERE id = $1 OR corrects = $1")
            .bind(&id)
            .fetch_all(&mut *connection)
            .await?;
        for row in rows {
            frontier.push(row.get::<String, _>("id"));
            if let Some(corrected) = row.get::<Option<String>, _>("corrects") {
                frontier.push(corrected);
            }
        }
    }
    Ok(members)
}

/// Marks which version of `id`'s chain counts: the one core's counting
/// rule chooses is left unmarked, every other held version is marked
/// `superseded_by` it.
pub(super) async fn settle_chain(
    connection: &mut AnyConnection,
    id: &str,
) -> Result<(), ServerError> {
    let members = chain_of(connection, &[id.to_owned()]).await?;
    let mut held: Vec<Response> = Vec::new();
    for member in &members {
        let row = sqlx::query("SELECT content FROM responses WHERE id = $1")
            .bind(member)
            .fetch_optional(&mut *connection)
            .await?;
        if let Some(row) = row {
            held.push(stored_response(&row, "content")?);
        }
    }
    if held.len() < 2 {
        return Ok(());
    }
    let Some(counted) = thamgia_core::results::counted(&held).first().map(|r| r.id) else {
        return Ok(());
    };
    let counted = counted.to_string();
    for response in &held {
        let member = response.id.to_string();
        let superseded_by = (member != counted).then(|| counted.clone());
        sqlx::query("UPDATE responses SET superseded_by = $1 WHERE id = $2")
            .bind(superseded_by)
            .bind(&member)
            .execute(&mut *connection)
            .await?;
        // Which version counts may have moved between cells.
        super::results::touch_cell(connection, response).await?;
    }
    Ok(())
}
