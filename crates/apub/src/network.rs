//! The application layer's federation port, implemented with this crate's fetching,
//! parsing and signing: what `puentes_app` asks of the network, answered with domain data.

use crate::{
    context::FedContext,
    fetch,
    objects::statement::{core_document, digest_of, sign_as, verify_proof_by},
    protocol::{
        PUBLIC,
        event::parse_remote_event,
        helpers::id_of,
        statement::{SUPERSEDED, parse_statement, statement_context},
    },
};
use activitypub_federation::config::FederationConfig;
use puentes_app::{
    App, Federation,
    ports::{ActorKeys, RemoteCall},
    statements::{AnnouncedStatus, EndorseRequest, RemoteStatement, WithdrawRequest},
};
use puentes_core::{
    EndorsementPolicy, Error, Result, StatementStatus, handle::Handle, sanitize, urls::authority,
};
use puentes_db::{actor, statement, statement_version};
use serde_json::{Value, json};
use std::sync::Arc;
use url::Url;

/// The port, over one instance's federation configuration.
#[derive(Clone)]
pub struct Network {
    fed: FederationConfig<FedContext>,
}

impl Network {
    pub fn new(fed: FederationConfig<FedContext>) -> Network {
        Network { fed }
    }

    fn ctx(&self) -> &FedContext {
        &self.fed
    }
}

/// The application layer of the instance behind `fed`, with this crate as its network.
/// Make it once per instance and share clones: each call starts its own group writers and
/// caches (the inbox once made one per request, and none of them ever served twice).
pub fn app_for(fed: &FederationConfig<FedContext>) -> App {
    let ctx: &FedContext = fed;
    App::new(
        ctx.db.clone(),
        ctx.config.clone(),
        Arc::new(Network::new(fed.clone())),
    )
    .with_media_store(ctx.media.clone())
    .with_changes(ctx.changes.clone())
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A statement document as another server sent it, read into domain data (the caller
/// checked its proof).
pub(crate) fn remote_statement(owner: actor::Model, document: &Value) -> Result<RemoteStatement> {
    let parsed = parse_statement(document).map_err(Error::bad_request)?;
    if parsed.owner.as_str() != owner.ap_id || authority(&parsed.id) != owner.domain {
        return Err(Error::forbidden(
            "a statement can only come from its owner's instance",
        ));
    }
    let status = if parsed.status == SUPERSEDED {
        AnnouncedStatus::Superseded
    } else {
        AnnouncedStatus::Current(StatementStatus::from_stored(
            &parsed.status,
            StatementStatus::Open,
        ))
    };
    Ok(RemoteStatement {
        id: parsed.id.to_string(),
        url: parsed.url.to_string(),
        number: parsed.version,
        name: sanitize::strip_html(&parsed.name),
        content: parsed.content,
        content_map: parsed.content_map.as_ref().map(Value::to_string),
        published: parsed.published,
        status,
        policy: EndorsementPolicy::from_stored(&parsed.policy, EndorsementPolicy::Anyone),
        deadline: parsed.deadline,
        digest: digest_of(document)?,
        document: serde_json::to_string(document)?,
        owner,
    })
}

#[async_trait::async_trait]
impl Federation for Network {
    async fn resolve_handle(&self, handle: &Handle) -> Result<actor::Model> {
        fetch::actor_by_handle(&self.fed.to_request_data(), &handle.acct()).await
    }

    async fn actor_by_id(&self, id: &Url) -> Result<actor::Model> {
        fetch::actor_by_id(&self.fed.to_request_data(), id).await
    }

    async fn refresh_actor(&self, id: &Url) -> Result<actor::Model> {
        fetch::refresh_actor(&self.fed.to_request_data(), id).await
    }

    async fn generate_keys(&self) -> Result<ActorKeys> {
        crate::local_actors::generate_keys().await
    }

    async fn fetch_call(&self, url: &Url) -> Result<RemoteCall> {
        let ctx = self.ctx();
        let doc = fetch::signed_get_json(ctx, url, None).await?;
        let event = parse_remote_event(&doc).map_err(|reason| {
            Error::bad_request(format!("{url} is not a call to action: {reason}"))
        })?;
        if authority(&event.id) != authority(url)
            || authority(&event.attributed_to) != authority(url)
        {
            return Err(Error::remote("the Event is not from its own host"));
        }
        let organizer = self.actor_by_id(&event.attributed_to).await?;
        let data = crate::activities::calls::call_data(event, &organizer);
        Ok(RemoteCall { organizer, data })
    }

    async fn fetch_statement(&self, url: &Url) -> Result<Option<RemoteStatement>> {
        let ctx = self.ctx();
        let fetched = fetch::signed_get_json(ctx, url, None).await?;
        let document = fetched
            .get("object")
            .filter(|_| fetched.get("type").and_then(Value::as_str) == Some("StatementCopy"))
            .cloned()
            .unwrap_or(fetched);
        let statement = parse_statement(&document)
            .map_err(|e| Error::bad_request(format!("{url} is not a statement: {e}")))?;
        if ctx.urls.is_local(&statement.id) {
            return Ok(None);
        }
        let owner = self.actor_by_id(&statement.owner).await?;
        verify_proof_by(ctx, &document, &statement.owner).await?;
        remote_statement(owner, &document).map(Some)
    }

    fn version_digest(
        &self,
        row: &statement::Model,
        version: &statement_version::Model,
        initiators: &[actor::Model],
    ) -> Result<String> {
        digest_of(&core_document(self.ctx(), row, version, initiators))
    }

    fn sign_endorsement(&self, request: &EndorseRequest<'_>) -> Result<String> {
        // The owner's endorsements collection: ours by our URL scheme, another server's as
        // its copy says.
        let version = request.version;
        let collection = if request.statement.local {
            self.ctx()
                .urls
                .statement_collection(&request.statement.uuid, version.number, "endorsements")
                .to_string()
        } else {
            version
                .document
                .as_deref()
                .and_then(|d| serde_json::from_str::<Value>(d).ok())
                .and_then(|d| d.get("endorsements")?.as_str().map(str::to_string))
                .unwrap_or_else(|| format!("{}/endorsements", version.ap_id))
        };
        let mut document = json!({
            "@context": statement_context(),
            "id": request.id,
            "type": "Endorse",
            "actor": request.endorser.ap_id,
            "object": request.version.ap_id,
            "digestMultibase": request.version.digest,
            "target": {
                "type": "OrderedCollection",
                "id": collection,
                "attributedTo": request.owner.ap_id,
            },
            "to": [request.owner.ap_id],
            "published": now_rfc3339(),
        });
        if request.anonymous {
            // Named to the owner only: no public addressing, no boost.
            document["anonymous"] = json!(true);
        } else {
            document["cc"] = json!([PUBLIC, request.endorser.followers_url]);
        }
        if let Some(note) = request.note {
            document["content"] = json!(sanitize::text_to_html(note));
        }
        Ok(serde_json::to_string(&sign_as(
            document,
            request.endorser,
        )?)?)
    }

    fn sign_withdrawal(&self, request: &WithdrawRequest<'_>) -> Result<String> {
        let mut undo = json!({
            "@context": statement_context(),
            "id": request.id,
            "type": "Undo",
            "actor": request.endorser.ap_id,
            "object": request.endorsement.ap_id,
            "to": [request.owner.ap_id],
            "published": now_rfc3339(),
        });
        if !request.endorsement.anonymous {
            undo["cc"] = json!([PUBLIC]);
        }
        Ok(serde_json::to_string(&sign_as(undo, request.endorser)?)?)
    }

    async fn remote_member_count(&self, alliance: &actor::Model) -> Option<i64> {
        let ctx = self.ctx();
        let fallback = Url::parse(&format!("{}/members", alliance.ap_id)).ok()?;
        let actor_doc = fetch::signed_get_json(ctx, &Url::parse(&alliance.ap_id).ok()?, None)
            .await
            .ok()?;
        let members = actor_doc.get("members").and_then(id_of).unwrap_or(fallback);
        let list = fetch::signed_get_json(ctx, &members, None).await.ok()?;
        list.get("totalItems").and_then(Value::as_i64)
    }

    async fn subscribe_template(&self, handle: &Handle) -> Result<Option<String>> {
        crate::subscribe::template(self.ctx(), handle).await
    }
}
