//! Statement routes: versions (ours signed on the fly, copies as kept), and the
//! endorsement and revocation collections of each version.

use crate::{
    context::FedContext,
    objects::statement::{public_endorsements, public_revocations, version_document},
    protocol::{
        collection::{PAGE_SIZE, ordered_collection},
        statement::statement_context,
    },
    respond::{Fed, PageQuery, activity_json, collection, wants_html},
};
use axum::{
    Router,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use puentes_core::{Error, Result};
use puentes_db::{query, query::statement as s, statement, statement_version};
use serde_json::{Value, json};

pub fn router() -> Router<Fed> {
    Router::new()
        .route("/statements/{uuid}", get(get_statement))
        .route("/statements/{uuid}/v/{number}", get(get_version))
        .route(
            "/statements/{uuid}/v/{number}/endorsements",
            get(get_endorsements),
        )
        .route(
            "/statements/{uuid}/v/{number}/revocations",
            get(get_revocations),
        )
}

/// A statement we serve: ours once opened, or a copy we keep.
async fn served(ctx: &FedContext, uuid: &str) -> Result<statement::Model> {
    s::by_uuid(&ctx.db, uuid)
        .await?
        .filter(|row| row.status() != puentes_core::StatementStatus::Draft)
        .ok_or_else(|| Error::not_found("statement"))
}

async fn served_version(
    ctx: &FedContext,
    uuid: &str,
    number: i32,
) -> Result<(statement::Model, statement_version::Model)> {
    let row = served(ctx, uuid).await?;
    let version = s::version_by_number(&ctx.db, row.id, number)
        .await?
        .ok_or_else(|| Error::not_found("statement version"))?;
    Ok((row, version))
}

async fn get_statement(
    State(fed): State<Fed>,
    Path(uuid): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let row = served(ctx, &uuid).await?;
    if wants_html(&headers) && row.local {
        let owner = query::actor::get(&ctx.db, row.owner_id).await?;
        let page = format!("/@{}/statements/{uuid}", owner.username);
        return Ok(Redirect::to(&page).into_response());
    }
    let version = s::current_version(&ctx.db, row.id).await?;
    document(ctx, &row, &version).await
}

async fn get_version(
    State(fed): State<Fed>,
    Path((uuid, number)): Path<(String, i32)>,
) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let (row, version) = served_version(ctx, &uuid, number).await?;
    document(ctx, &row, &version).await
}

/// Our versions are signed as served; a copy is served as a `StatementCopy` wrapping the
/// owner's signed document verbatim, with our collections of what we kept.
async fn document(
    ctx: &FedContext,
    row: &statement::Model,
    version: &statement_version::Model,
) -> Result<Response> {
    if row.local {
        return Ok(activity_json(version_document(ctx, row, version).await?));
    }
    let original: Value = version
        .document
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .ok_or_else(|| Error::not_found("statement version"))?;
    let collection = |name| {
        ctx.urls
            .statement_collection(&row.uuid, version.number, name)
    };
    Ok(activity_json(json!({
        "@context": statement_context(),
        "id": ctx.urls.statement_version(&row.uuid, version.number),
        "type": "StatementCopy",
        "copyOf": version.ap_id,
        "object": original,
        "endorsements": collection("endorsements"),
        "revocations": collection("revocations"),
    })))
}

async fn get_endorsements(
    State(fed): State<Fed>,
    Path((uuid, number)): Path<(String, i32)>,
    Query(q): Query<PageQuery>,
) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let (row, version) = served_version(ctx, &uuid, number).await?;
    let accepted = s::endorsements_of_version(
        &ctx.db,
        version.id,
        &[puentes_core::EndorsementStatus::Accepted],
    )
    .await?;
    let named = public_endorsements(&accepted);
    // The owner counts anonymous endorsements it holds; a copy repeats the owner's count.
    let anonymous = if row.local {
        accepted.iter().filter(|(e, _)| e.anonymous).count() as u64
    } else {
        declared_anonymous(&version)
    };
    let id = ctx.urls.statement_collection(&uuid, number, "endorsements");
    let total = named.len() as u64 + anonymous;
    if q.page.is_none() {
        // The head also says how many endorsers asked not to be named.
        let mut head = ordered_collection(&id, total);
        head["anonymousItems"] = json!(anonymous);
        return Ok(activity_json(head));
    }
    paged(id, q.page, named, total).await
}

async fn get_revocations(
    State(fed): State<Fed>,
    Path((uuid, number)): Path<(String, i32)>,
    Query(q): Query<PageQuery>,
) -> Result<Response> {
    let ctx: &FedContext = &fed;
    let (_, version) = served_version(ctx, &uuid, number).await?;
    let revoked = s::endorsements_of_version(
        &ctx.db,
        version.id,
        &[
            puentes_core::EndorsementStatus::Withdrawn,
            puentes_core::EndorsementStatus::Removed,
        ],
    )
    .await?;
    let items = public_revocations(&revoked);
    let id = ctx.urls.statement_collection(&uuid, number, "revocations");
    let total = items.len() as u64;
    paged(id, q.page, items, total).await
}

async fn paged(id: url::Url, page: Option<u64>, items: Vec<Value>, total: u64) -> Result<Response> {
    collection(id, page, total, async |page| {
        let start = ((page - 1) * PAGE_SIZE) as usize;
        Ok(items
            .into_iter()
            .skip(start)
            .take(PAGE_SIZE as usize)
            .collect())
    })
    .await
}

fn declared_anonymous(version: &statement_version::Model) -> u64 {
    version
        .document
        .as_deref()
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
        .and_then(|d| d.get("anonymousEndorsementCount").and_then(Value::as_u64))
        .unwrap_or(0)
}

/// A withdrawn endorsement's `Endorse` is gone: its id answers 410 with a Tombstone.
pub async fn withdrawn_endorsement(ctx: &FedContext, ap_id: &str) -> Result<Option<Response>> {
    let Some(endorsement) = s::endorsement_by_ap_id(&ctx.db, ap_id).await? else {
        return Ok(None);
    };
    if !matches!(
        endorsement.status(),
        puentes_core::EndorsementStatus::Withdrawn | puentes_core::EndorsementStatus::Removed
    ) {
        return Ok(None);
    }
    let mut response = activity_json(json!({
        "id": ap_id, "type": "Tombstone", "formerType": "Endorse",
        "deleted": endorsement.withdrawn_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    }));
    *response.status_mut() = StatusCode::GONE;
    Ok(Some(response))
}
