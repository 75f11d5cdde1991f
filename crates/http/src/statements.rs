//! The public page of a statement: its text, who started it, and who endorses each version.
//! Anonymous endorsers are counted and never named.

use crate::HttpState;
use axum::{
    extract::{Path, State},
    response::Response,
};
use minijinja::{Value, context};
use puentes_core::{Error, Result};
use puentes_db::{actor, query, query::statement as s};

fn display(a: &actor::Model) -> String {
    a.display_name.clone().unwrap_or_else(|| a.username.clone())
}

fn html(raw: Option<&str>) -> Vec<Value> {
    raw.and_then(|m| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(m).ok())
        .map(|map| {
            map.into_iter()
                .filter_map(|(lang, text)| {
                    let text = text.as_str()?.to_string();
                    Some(context! { lang => lang, content => Value::from_safe_string(text) })
                })
                .collect()
        })
        .unwrap_or_default()
}

pub async fn statement_page(
    State(state): State<HttpState>,
    Path((name, uuid)): Path<(String, String)>,
) -> Result<Response> {
    let owner = query::actor::local_by_name_required(&state.db, &name).await?;
    let row = s::by_uuid(&state.db, &uuid)
        .await?
        .filter(|r| {
            r.local && r.owner_id == owner.id && r.status() != puentes_core::StatementStatus::Draft
        })
        .ok_or_else(|| Error::not_found("statement"))?;
    let mut initiators = vec![display(&owner)];
    for (invitation, a) in s::invitations(&state.db, row.id).await? {
        if invitation.is_confirmed_initiator() {
            initiators.push(display(&a));
        }
    }
    let versions = s::versions(&state.db, row.id).await?;
    let current = versions
        .last()
        .cloned()
        .ok_or_else(|| Error::not_found("statement version"))?;
    let mut shown_versions = Vec::new();
    for version in versions.iter().rev() {
        let accepted = s::endorsements_of_version(
            &state.db,
            version.id,
            &[puentes_core::EndorsementStatus::Accepted],
        )
        .await?;
        let revoked = s::endorsements_of_version(
            &state.db,
            version.id,
            &[
                puentes_core::EndorsementStatus::Withdrawn,
                puentes_core::EndorsementStatus::Removed,
            ],
        )
        .await?;
        let anonymous = accepted.iter().filter(|(e, _)| e.anonymous).count();
        let mut named = Vec::new();
        for (endorsement, a) in accepted.iter().filter(|(e, _)| !e.anonymous) {
            let members = endorsement.endorser_members;
            named.push(context! {
                name => display(a),
                handle => format!("@{}@{}", a.username, a.domain),
                link => a.url.clone().unwrap_or(a.ap_id.clone()),
                alliance => a.is_alliance(),
                members => members,
                note => endorsement.note.clone().map(Value::from_safe_string),
            });
        }
        shown_versions.push(context! {
            number => version.number,
            id => version.ap_id,
            digest => version.digest,
            published => version.published,
            total => accepted.len(),
            anonymous => anonymous,
            revoked => revoked.len(),
            endorsers => named,
        });
    }
    let texts = html(current.content_map.as_deref());
    state.render(
        "statement.html",
        context! {
            instance_name => state.config.instance_name,
            name => owner.username,
            title => current.name,
            ask => row.ask,
            status => row.effective_status().as_str(),
            policy => row.policy,
            deadline => row.deadline.map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string()),
            initiators => initiators,
            language => current.language,
            content => Value::from_safe_string(current.content.clone()),
            texts => texts,
            later_translations => html(current.translations.as_deref()),
            supporters => s::count_likes(&state.db, row.id).await?,
            versions => shown_versions,
            statement_id => state.urls.statement(&row.uuid).to_string(),
        },
    )
}
