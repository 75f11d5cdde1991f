//! In-memory caches of what every request asks for: local actors (by name) with their
//! documents, signers (remote actors by id), what we know of each host (blocked, signature
//! scheme), and NodeInfo counts. An entry is dropped as soon as this process changes what it
//! holds (`puentes_db::changes`), and after a short time anyway, for changes made by another
//! process (a CLI command beside the server).

use crate::{
    FedContext, objects::actor::local_actor_document, protocol::to_wire_json, signing::Scheme,
};
use axum::body::Bytes;
use puentes_core::Result;
use puentes_db::{actor, changes, query};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

const ACTOR_TTL: Duration = Duration::from_secs(5);
const HOST_TTL: Duration = Duration::from_secs(5);
const NODEINFO_TTL: Duration = Duration::from_secs(60);
/// Names looked up that do not exist are cached too; this bounds each map.
const ACTOR_LIMIT: usize = 4_096;
/// The instance actor's key in the actor map (never a valid actor name).
const INSTANCE: &str = "/instance";

/// The documents about a local actor that peers ask for most, each rendered once per change.
#[derive(Clone, Copy)]
pub enum Rendered {
    /// Its ActivityPub document.
    ActivityPub,
    /// Its WebFinger answer.
    WebFinger,
}

#[derive(Clone)]
struct ActorEntry {
    generation: u64,
    at: Instant,
    actor: Option<Arc<actor::Model>>,
    /// By `Rendered as usize`.
    documents: [Option<Bytes>; 2],
}

/// What every request to or from a host needs of its row.
#[derive(Clone, Copy, Default)]
pub struct HostTerms {
    pub blocked: bool,
    /// The signature scheme it accepted before, if any.
    pub scheme: Option<Scheme>,
}

#[derive(Default)]
pub struct Caches {
    /// Local actors by name, the instance actor, and remote actors by id.
    actors: Mutex<HashMap<String, ActorEntry>>,
    hosts: Mutex<HashMap<String, (u64, Instant, HostTerms)>>,
    nodeinfo: Mutex<Option<(u64, Instant, u64, u64)>>,
}

impl Caches {
    fn fresh_actor(&self, key: &str) -> Option<ActorEntry> {
        let map = self.actors.lock().ok()?;
        let entry = map.get(key)?;
        (entry.generation == changes::actors() && entry.at.elapsed() < ACTOR_TTL)
            .then(|| entry.clone())
    }

    fn keep_actor(&self, key: &str, entry: ActorEntry) {
        if let Ok(mut map) = self.actors.lock() {
            if map.len() >= ACTOR_LIMIT {
                map.clear();
            }
            map.insert(key.to_string(), entry);
        }
    }

    async fn actor_entry(&self, ctx: &FedContext, key: &str) -> Result<ActorEntry> {
        if let Some(entry) = self.fresh_actor(key) {
            return Ok(entry);
        }
        // Read the counter first: a change during the query leaves the entry stale-marked.
        let generation = changes::actors();
        let actor = if key == INSTANCE {
            query::actor::instance_actor(&ctx.db).await?
        } else if key.contains(':') {
            query::actor::by_ap_id(&ctx.db, key).await?
        } else {
            query::actor::local_by_name(&ctx.db, key).await?
        };
        let entry = ActorEntry {
            generation,
            at: Instant::now(),
            actor: actor.map(Arc::new),
            documents: [None, None],
        };
        self.keep_actor(key, entry.clone());
        Ok(entry)
    }

    /// `query::actor::local_by_name`, cached.
    pub async fn local_by_name(
        &self,
        ctx: &FedContext,
        name: &str,
    ) -> Result<Option<Arc<actor::Model>>> {
        Ok(self.actor_entry(ctx, name).await?.actor)
    }

    /// `query::actor::by_ap_id`, cached: the signer of every incoming request.
    pub async fn actor_by_ap_id(
        &self,
        ctx: &FedContext,
        ap_id: &str,
    ) -> Result<Option<Arc<actor::Model>>> {
        // Names hold no ':', so ids and names never share a key.
        Ok(self.actor_entry(ctx, ap_id).await?.actor)
    }

    /// What we know of a host (nothing yet: `HostTerms::default()`), cached: every delivery
    /// and every inbox request asks.
    pub async fn host(&self, ctx: &FedContext, domain: &str) -> Result<HostTerms> {
        if let Ok(map) = self.hosts.lock()
            && let Some((generation, at, terms)) = map.get(domain)
            && *generation == changes::instances()
            && at.elapsed() < HOST_TTL
        {
            return Ok(*terms);
        }
        let generation = changes::instances();
        let terms = query::instance::get(&ctx.db, domain)
            .await?
            .map(|row| HostTerms {
                blocked: row.blocked,
                scheme: row.signature_scheme.as_deref().and_then(Scheme::parse),
            })
            .unwrap_or_default();
        if let Ok(mut map) = self.hosts.lock() {
            if map.len() >= ACTOR_LIMIT {
                map.clear();
            }
            map.insert(domain.to_string(), (generation, Instant::now(), terms));
        }
        Ok(terms)
    }

    /// `query::actor::instance_actor`, cached.
    pub async fn instance_actor(&self, ctx: &FedContext) -> Result<Option<Arc<actor::Model>>> {
        Ok(self.actor_entry(ctx, INSTANCE).await?.actor)
    }

    /// A local actor (or, with `None`, the instance actor) and its ActivityPub document as
    /// served, rendered once per change.
    pub async fn actor_document(
        &self,
        ctx: &FedContext,
        name: Option<&str>,
    ) -> Result<Option<(Arc<actor::Model>, Bytes)>> {
        self.rendered(ctx, name, Rendered::ActivityPub, |actor| {
            Bytes::from(to_wire_json(&local_actor_document(actor, &ctx.urls)))
        })
        .await
    }

    /// A local actor (or, with `None`, the instance actor) and one of its documents,
    /// rendered by `render` once per change.
    pub async fn rendered(
        &self,
        ctx: &FedContext,
        name: Option<&str>,
        kind: Rendered,
        render: impl FnOnce(&actor::Model) -> Bytes,
    ) -> Result<Option<(Arc<actor::Model>, Bytes)>> {
        let key = name.unwrap_or(INSTANCE);
        let mut entry = self.actor_entry(ctx, key).await?;
        let Some(actor) = entry.actor.clone() else {
            return Ok(None);
        };
        if let Some(document) = &entry.documents[kind as usize] {
            return Ok(Some((actor, document.clone())));
        }
        let document = render(&actor);
        entry.documents[kind as usize] = Some(document.clone());
        self.keep_actor(key, entry);
        Ok(Some((actor, document)))
    }

    /// Local actors and local posts, as NodeInfo reports them.
    pub async fn nodeinfo_counts(&self, ctx: &FedContext) -> Result<(u64, u64)> {
        let generation = changes::actors().wrapping_add(changes::local_posts());
        if let Ok(cached) = self.nodeinfo.lock()
            && let Some((g, at, actors, posts)) = *cached
            && g == generation
            && at.elapsed() < NODEINFO_TTL
        {
            return Ok((actors, posts));
        }
        let actors = query::actor::count_local(&ctx.db).await?;
        let posts = query::post::count_local(&ctx.db).await?;
        if let Ok(mut cached) = self.nodeinfo.lock() {
            *cached = Some((generation, Instant::now(), actors, posts));
        }
        Ok((actors, posts))
    }
}
