//! Outgoing federation: outbox events become stored activities with one delivery row per
//! inbox; workers sign and send the rows, retrying with backoff and parking dead hosts.

use crate::{
    context::FedContext,
    objects::{actor::local_actor_document, post::post_document},
    protocol::{activities as build, with_context},
    signing,
};
use chrono::{Duration, Utc};
use puentes_core::{Error, FollowState, MembershipStatus, Result, Visibility, urls::authority};
use puentes_db::{OutboxEvent, actor, delivery, query, query::activity::NewActivity};
use rand::Rng;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use url::Url;

/// Processes up to `limit` due outbox events; returns how many were handled.
pub async fn run_outbox_once(ctx: &FedContext, limit: u64) -> Result<usize> {
    let lease = Duration::seconds(ctx.config.delivery.lease_secs as i64);
    let claimed = query::outbox::claim(&ctx.db, limit, lease).await?;
    let count = claimed.len();
    for (row, event) in claimed {
        let result = match event {
            Some(event) => materialize(ctx, &event).await,
            None => Err(Error::internal(format!(
                "unreadable outbox event {}",
                row.id
            ))),
        };
        match result {
            Ok(()) => query::outbox::complete(&ctx.db, row.id).await?,
            Err(e) => {
                tracing::warn!(event = row.id, error = ?e, "outbox event failed");
                let retry = Utc::now() + backoff(ctx, row.attempts);
                query::outbox::fail(&ctx.db, row, e.message(), retry, 10).await?;
            }
        }
    }
    Ok(count)
}

fn backoff(ctx: &FedContext, attempts: i32) -> Duration {
    let settings = &ctx.config.delivery;
    let exp = settings
        .backoff_base_secs
        .saturating_mul(1u64 << attempts.clamp(0, 20));
    let capped = exp.min(settings.backoff_max_secs) as f64;
    // ±25 % jitter so retries of one fan-out do not arrive together.
    let jitter = rand::thread_rng().gen_range(0.75..1.25);
    Duration::milliseconds((capped * jitter * 1000.0) as i64)
}

/// Stores the activity and a delivery row per distinct inbox, in one transaction.
pub(crate) async fn enqueue_activity(
    ctx: &FedContext,
    sender: &actor::Model,
    doc: Value,
    object_ap_id: Option<&str>,
    public: bool,
    inboxes: BTreeSet<String>,
) -> Result<()> {
    let doc = with_context(doc);
    let ap_id = doc
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let kind = doc
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let deliveries: Vec<(String, String)> = inboxes
        .into_iter()
        .filter_map(|inbox| {
            let url = Url::parse(&inbox).ok()?;
            (!ctx.urls.is_local(&url)).then(|| (inbox, authority(&url)))
        })
        .collect();
    query::activity::insert_with_deliveries(
        &ctx.db,
        NewActivity {
            ap_id: &ap_id,
            actor_id: sender.id,
            kind: &kind,
            object_ap_id,
            json: &doc,
            public,
        },
        &deliveries,
    )
    .await?;
    Ok(())
}

/// Inboxes of an actor's accepted remote followers, one per shared inbox, leaving out
/// blocked actors and blocked domains.
pub(crate) async fn follower_inboxes(
    ctx: &FedContext,
    sender: &actor::Model,
) -> Result<BTreeSet<String>> {
    let blocked = query::block::blocked_by(&ctx.db, sender.id).await?;
    let mut inboxes = BTreeSet::new();
    for follower in query::follow::followers(&ctx.db, sender.id, FollowState::Accepted).await? {
        if follower.local || blocked.contains(&follower.id) {
            continue;
        }
        if query::instance::is_blocked(&ctx.db, &follower.domain).await? {
            continue;
        }
        inboxes.insert(
            follower
                .shared_inbox
                .clone()
                .unwrap_or(follower.inbox.clone()),
        );
    }
    Ok(inboxes)
}

/// Followers' inboxes plus those of actors the post addresses directly (mentions, the
/// author of the post it answers), without blocked actors or domains.
async fn post_inboxes(
    ctx: &FedContext,
    author: &actor::Model,
    post: &puentes_db::post::Model,
) -> Result<BTreeSet<String>> {
    let blocked = query::block::blocked_by(&ctx.db, author.id).await?;
    let (to, cc) = post.addressees();
    let mut inboxes = if post.visibility() == Visibility::Members {
        members_inboxes(ctx, author, post, &blocked).await?
    } else {
        follower_inboxes(ctx, author).await?
    };
    for address in to.iter().chain(&cc) {
        let Some(target) = query::actor::by_ap_id(&ctx.db, address).await? else {
            continue;
        };
        if blocked.contains(&target.id) {
            continue;
        }
        if !actor_inbox(ctx, &target).await?.is_empty() {
            inboxes.insert(target.shared_inbox.clone().unwrap_or(target.inbox.clone()));
        }
    }
    Ok(inboxes)
}

/// A members-only post goes to each member of the alliance it addresses, found in the
/// alliance's member list (which the author, as a member, may read).
async fn members_inboxes(
    ctx: &FedContext,
    author: &actor::Model,
    post: &puentes_db::post::Model,
    blocked: &[i64],
) -> Result<BTreeSet<String>> {
    let mut inboxes = BTreeSet::new();
    let Some(alliance_id) = post.audience.as_deref() else {
        return Ok(inboxes);
    };
    let Some(alliance) = query::actor::by_ap_id(&ctx.db, alliance_id).await? else {
        return Ok(inboxes);
    };
    let members: Vec<actor::Model> = if alliance.local {
        query::membership::members(&ctx.db, alliance.id, MembershipStatus::Active)
            .await?
            .into_iter()
            .map(|(_, a)| a)
            .collect()
    } else {
        let url = url_of(&format!("{}/members", alliance.ap_id))?;
        let mut found = Vec::new();
        for id in crate::fetch::collection_items(ctx, &url, author, 50).await? {
            match crate::fetch::actor_from_worker(ctx, &id).await {
                Ok(member) => found.push(member),
                Err(e) => {
                    tracing::info!(member = %id, error = %e, "member not reachable for a members-only post")
                }
            }
        }
        found
    };
    for member in members {
        if member.id != author.id
            && !blocked.contains(&member.id)
            && !actor_inbox(ctx, &member).await?.is_empty()
        {
            inboxes.insert(member.shared_inbox.clone().unwrap_or(member.inbox.clone()));
        }
    }
    Ok(inboxes)
}

pub(crate) async fn actor_inbox(
    ctx: &FedContext,
    target: &actor::Model,
) -> Result<BTreeSet<String>> {
    if target.local || query::instance::is_blocked(&ctx.db, &target.domain).await? {
        return Ok(BTreeSet::new());
    }
    Ok(BTreeSet::from([target.inbox.clone()]))
}

pub(crate) fn url_of(s: &str) -> Result<Url> {
    Url::parse(s).map_err(|e| Error::internal("stored id is not a URL").with_source(e))
}

pub async fn materialize(ctx: &FedContext, event: &OutboxEvent) -> Result<()> {
    let db = &ctx.db;
    match event {
        OutboxEvent::PostPublished { post_id } | OutboxEvent::PostUpdated { post_id } => {
            let post = query::post::get(db, *post_id).await?;
            let author = query::actor::get(db, post.author_id).await?;
            let kind = if matches!(event, OutboxEvent::PostPublished { .. }) {
                "Create"
            } else {
                "Update"
            };
            let object = post_document(&post, &author, &ctx.urls);
            let doc = build::create_or_update(
                kind,
                &ctx.urls.new_activity(),
                &url_of(&author.ap_id)?,
                object,
            );
            let public = post.is_publicly_readable();
            let inboxes = post_inboxes(ctx, &author, &post).await?;
            enqueue_activity(ctx, &author, doc, Some(&post.ap_id), public, inboxes).await
        }
        OutboxEvent::PostDeleted { post_id } => {
            let post = query::post::get(db, *post_id).await?;
            let author = query::actor::get(db, post.author_id).await?;
            let (to, cc) = post.addressees();
            let doc = build::delete(
                &ctx.urls.new_activity(),
                &url_of(&author.ap_id)?,
                &url_of(&post.ap_id)?,
                json!(to),
                json!(cc),
            );
            let inboxes = post_inboxes(ctx, &author, &post).await?;
            enqueue_activity(ctx, &author, doc, Some(&post.ap_id), false, inboxes).await
        }
        OutboxEvent::FollowRequested { follow_id } => {
            let Some(row) = query::follow::by_id(db, *follow_id).await? else {
                return Ok(());
            };
            let follower = query::actor::get(db, row.follower_id).await?;
            let followed = query::actor::get(db, row.followed_id).await?;
            let doc = build::follow(
                &url_of(&row.ap_id)?,
                &url_of(&follower.ap_id)?,
                &url_of(&followed.ap_id)?,
            );
            let inboxes = actor_inbox(ctx, &followed).await?;
            enqueue_activity(ctx, &follower, doc, Some(&followed.ap_id), false, inboxes).await
        }
        OutboxEvent::FollowUndone {
            follower_id,
            followed_id,
            follow_ap_id,
        } => {
            let follower = query::actor::get(db, *follower_id).await?;
            let followed = query::actor::get(db, *followed_id).await?;
            let inner = build::follow(
                &url_of(follow_ap_id)?,
                &url_of(&follower.ap_id)?,
                &url_of(&followed.ap_id)?,
            );
            let doc = build::undo(&ctx.urls.new_activity(), &url_of(&follower.ap_id)?, inner);
            let inboxes = actor_inbox(ctx, &followed).await?;
            enqueue_activity(ctx, &follower, doc, Some(follow_ap_id), false, inboxes).await
        }
        OutboxEvent::FollowAccepted { follow_id } => {
            let Some(row) = query::follow::by_id(db, *follow_id).await? else {
                return Ok(());
            };
            answer_follow(ctx, "Accept", row.follower_id, row.followed_id, &row.ap_id).await
        }
        OutboxEvent::FollowRejected {
            follower_id,
            followed_id,
            follow_ap_id,
        } => answer_follow(ctx, "Reject", *follower_id, *followed_id, follow_ap_id).await,
        OutboxEvent::ActorBlocked {
            actor_id,
            blocked_id,
        } => {
            let blocker = query::actor::get(db, *actor_id).await?;
            let blocked = query::actor::get(db, *blocked_id).await?;
            let doc = build::block(
                &ctx.urls.new_activity(),
                &url_of(&blocker.ap_id)?,
                &url_of(&blocked.ap_id)?,
            );
            let inboxes = actor_inbox(ctx, &blocked).await?;
            enqueue_activity(ctx, &blocker, doc, Some(&blocked.ap_id), false, inboxes).await
        }
        OutboxEvent::ActorUpdated { actor_id } => {
            let actor = query::actor::get(db, *actor_id).await?;
            let object = local_actor_document(&actor, &ctx.urls);
            let doc = json!({
                "id": ctx.urls.new_activity(), "type": "Update", "actor": actor.ap_id,
                "object": object, "to": [crate::protocol::PUBLIC],
            });
            let inboxes = follower_inboxes(ctx, &actor).await?;
            enqueue_activity(ctx, &actor, doc, Some(&actor.ap_id), true, inboxes).await
        }
        OutboxEvent::ActorDeleted { actor_id } => {
            let actor = query::actor::get(db, *actor_id).await?;
            let doc = json!({
                "id": ctx.urls.new_activity(), "type": "Delete", "actor": actor.ap_id,
                "object": actor.ap_id, "to": [crate::protocol::PUBLIC],
            });
            let inboxes = everyone_known_to(ctx, &actor).await?;
            enqueue_activity(ctx, &actor, doc, Some(&actor.ap_id), true, inboxes).await
        }
        OutboxEvent::JoinRequested { membership_id } => {
            let (row, alliance, member) = membership_parts(ctx, *membership_id).await?;
            let id = url_of(row.request_ap_id.as_deref().unwrap_or_default())?;
            let doc = json!({ "id": id, "type": "Join", "actor": member.ap_id, "object": alliance.ap_id, "to": [alliance.ap_id] });
            let inboxes = actor_inbox(ctx, &alliance).await?;
            enqueue_activity(ctx, &member, doc, Some(&alliance.ap_id), false, inboxes).await
        }
        OutboxEvent::InviteSent { membership_id } => {
            let (row, alliance, member) = membership_parts(ctx, *membership_id).await?;
            let id = url_of(row.request_ap_id.as_deref().unwrap_or_default())?;
            let doc = json!({ "id": id, "type": "Invite", "actor": alliance.ap_id, "object": alliance.ap_id,
                              "target": member.ap_id, "to": [member.ap_id] });
            let inboxes = actor_inbox(ctx, &member).await?;
            enqueue_activity(ctx, &alliance, doc, Some(&member.ap_id), false, inboxes).await
        }
        OutboxEvent::JoinAnswered {
            membership_id,
            accepted,
        } => {
            let (row, alliance, member) = membership_parts(ctx, *membership_id).await?;
            let join = json!({ "id": row.request_ap_id, "type": "Join", "actor": member.ap_id, "object": alliance.ap_id });
            let kind = if *accepted { "Accept" } else { "Reject" };
            let doc = json!({ "id": ctx.urls.new_activity(), "type": kind, "actor": alliance.ap_id, "object": join, "to": [member.ap_id] });
            let inboxes = actor_inbox(ctx, &member).await?;
            enqueue_activity(
                ctx,
                &alliance,
                doc,
                row.request_ap_id.as_deref(),
                false,
                inboxes,
            )
            .await
        }
        OutboxEvent::LeftAlliance { membership_id } => {
            let (_, alliance, member) = membership_parts(ctx, *membership_id).await?;
            let doc = json!({ "id": ctx.urls.new_activity(), "type": "Leave", "actor": member.ap_id, "object": alliance.ap_id, "to": [alliance.ap_id] });
            let inboxes = actor_inbox(ctx, &alliance).await?;
            enqueue_activity(ctx, &member, doc, Some(&alliance.ap_id), false, inboxes).await
        }
        OutboxEvent::MemberRemoved { membership_id } => {
            let (_, alliance, member) = membership_parts(ctx, *membership_id).await?;
            let members = ctx.urls.actor_collection(&alliance.username, "members");
            let doc = json!({ "id": ctx.urls.new_activity(), "type": "Remove", "actor": alliance.ap_id, "object": member.ap_id,
                              "target": members, "to": [member.ap_id] });
            let inboxes = actor_inbox(ctx, &member).await?;
            enqueue_activity(ctx, &alliance, doc, Some(&member.ap_id), false, inboxes).await
        }
        OutboxEvent::Announce { actor_id, post_id } => announce(ctx, *actor_id, *post_id).await,
        OutboxEvent::StatementInvited { .. }
        | OutboxEvent::StatementInvitationAnswered { .. }
        | OutboxEvent::StatementPublished { .. }
        | OutboxEvent::StatementUpdated { .. }
        | OutboxEvent::EndorsementSent { .. }
        | OutboxEvent::EndorsementAnswered { .. }
        | OutboxEvent::EndorsementAdded { .. }
        | OutboxEvent::EndorsementWithdrawn { .. }
        | OutboxEvent::EndorsementRevoked { .. }
        | OutboxEvent::StatementBoosted { .. }
        | OutboxEvent::TranslationOffered { .. } => {
            crate::statements::outbox::materialize(ctx, event).await
        }
        OutboxEvent::CallPublished { .. }
        | OutboxEvent::CallUpdated { .. }
        | OutboxEvent::PledgeSent { .. }
        | OutboxEvent::PledgeAnswered { .. }
        | OutboxEvent::PledgeWithdrawn { .. }
        | OutboxEvent::CoOrganizerInvited { .. }
        | OutboxEvent::CoOrganizerConfirmed { .. } => {
            crate::calls::outbox::materialize(ctx, event).await
        }
    }
}

/// Accept or Reject of a follower's Follow, which is embedded as Mastodon expects.
async fn answer_follow(
    ctx: &FedContext,
    kind: &str,
    follower_id: i64,
    followed_id: i64,
    follow_ap_id: &str,
) -> Result<()> {
    let follower = query::actor::get(&ctx.db, follower_id).await?;
    let followed = query::actor::get(&ctx.db, followed_id).await?;
    let follower_url = url_of(&follower.ap_id)?;
    let followed_url = url_of(&followed.ap_id)?;
    let inner = build::follow(&url_of(follow_ap_id)?, &follower_url, &followed_url);
    let doc = build::answer_follow(
        kind,
        &ctx.urls.new_activity(),
        &followed_url,
        inner,
        &follower_url,
    );
    let inboxes = actor_inbox(ctx, &follower).await?;
    enqueue_activity(ctx, &followed, doc, Some(follow_ap_id), false, inboxes).await
}

async fn membership_parts(
    ctx: &FedContext,
    membership_id: i64,
) -> Result<(puentes_db::membership::Model, actor::Model, actor::Model)> {
    let row = query::membership::by_id(&ctx.db, membership_id).await?;
    let alliance = query::actor::get(&ctx.db, row.alliance_id).await?;
    let member = query::actor::get(&ctx.db, row.member_id).await?;
    Ok((row, alliance, member))
}

/// Software that understands FEP-1b12 groups gets `Announce{Create}`; Mastodon-like
/// software gets `Announce{id}` (Mastodon ignores an Announce wrapping a Create).
const GROUP_AWARE: [&str; 11] = [
    "puentes",
    "lemmy",
    "mbin",
    "kbin",
    "piefed",
    "nodebb",
    "friendica",
    "mitra",
    "lotide",
    "hubzilla",
    "streams",
];

/// The relay the app decided (and recorded): the Announce each follower's software reads.
async fn announce(ctx: &FedContext, actor_id: i64, post_id: i64) -> Result<()> {
    let relayer = query::actor::get(&ctx.db, actor_id).await?;
    let post = query::post::get(&ctx.db, post_id).await?;
    let author = query::actor::get(&ctx.db, post.author_id).await?;
    let object = post_document(&post, &author, &ctx.urls);
    let to = json!([crate::protocol::PUBLIC]);
    let cc = json!([relayer.followers_url, author.ap_id]);
    let plain = json!({ "id": ctx.urls.new_activity(), "type": "Announce", "actor": relayer.ap_id,
                        "object": post.ap_id, "to": to, "cc": cc });
    let create = json!({ "id": format!("{}#create", post.ap_id), "type": "Create", "actor": author.ap_id,
                         "object": object, "to": object.get("to"), "cc": object.get("cc") });
    let wrapped = json!({ "id": ctx.urls.new_activity(), "type": "Announce", "actor": relayer.ap_id,
                          "object": create, "to": to, "cc": cc, "audience": post.audience });
    let mut plain_inboxes = BTreeSet::new();
    let mut wrapped_inboxes = BTreeSet::new();
    for inbox in follower_inboxes(ctx, &relayer).await? {
        let Ok(url) = Url::parse(&inbox) else {
            continue;
        };
        let software = crate::fetch::host_software(ctx, &url).await;
        if software
            .as_deref()
            .is_some_and(|s| GROUP_AWARE.contains(&s))
        {
            wrapped_inboxes.insert(inbox);
        } else if post.in_reply_to.is_none() {
            // Replies only go to group-aware software.
            plain_inboxes.insert(inbox);
        }
    }
    enqueue_activity(ctx, &relayer, plain, Some(&post.ap_id), true, plain_inboxes).await?;
    enqueue_activity(
        ctx,
        &relayer,
        wrapped,
        Some(&post.ap_id),
        false,
        wrapped_inboxes,
    )
    .await
}

/// Everyone a deleted actor dealt with: its followers, whom it followed, its alliances and
/// members; one inbox per server where they share one.
async fn everyone_known_to(ctx: &FedContext, actor: &actor::Model) -> Result<BTreeSet<String>> {
    let mut inboxes = follower_inboxes(ctx, actor).await?;
    let mut others: Vec<actor::Model> =
        query::follow::following(&ctx.db, actor.id, FollowState::Accepted).await?;
    others.extend(
        query::membership::alliances_of(&ctx.db, actor.id)
            .await?
            .into_iter()
            .map(|(_, a)| a),
    );
    others.extend(
        query::membership::members(&ctx.db, actor.id, MembershipStatus::Active)
            .await?
            .into_iter()
            .map(|(_, a)| a),
    );
    for other in others {
        if !actor_inbox(ctx, &other).await?.is_empty() {
            inboxes.insert(other.delivery_inbox().to_string());
        }
    }
    Ok(inboxes)
}

/// How one attempt ended.
#[derive(Debug)]
enum Attempt {
    Delivered(u16),
    Permanent(Option<u16>, String),
    Retry(Option<u16>, String),
}

/// Sends up to `limit` due deliveries; returns how many were attempted.
pub async fn run_deliveries_once(ctx: &FedContext, limit: u64) -> Result<usize> {
    let lease = Duration::seconds(ctx.config.delivery.lease_secs as i64);
    let claimed = query::delivery::claim(&ctx.db, limit, lease).await?;
    let count = claimed.len();
    let mut failed_hosts: BTreeSet<String> = BTreeSet::new();
    for row in claimed {
        if failed_hosts.contains(&row.host) {
            // One failure per host per round is enough evidence; don't hammer it.
            let next = Utc::now() + backoff(ctx, row.attempts);
            query::delivery::release(&ctx.db, row, next).await?;
            continue;
        }
        let attempt = attempt(ctx, &row).await;
        let host = row.host.clone();
        match attempt {
            Attempt::Delivered(status) => {
                query::delivery::mark_delivered(&ctx.db, row, status).await?;
                query::instance::record_success(&ctx.db, &host).await?;
            }
            Attempt::Permanent(status, error) => {
                tracing::info!(inbox = %row.inbox, %error, "delivery refused for good");
                query::delivery::mark_failed(&ctx.db, row, status, &error).await?;
                // The host answered: it is alive.
                query::instance::record_success(&ctx.db, &host).await?;
            }
            Attempt::Retry(status, error) => {
                failed_hosts.insert(host.clone());
                let give_up = row.created_at
                    + Duration::seconds(ctx.config.delivery.give_up_after_secs as i64);
                let next = Utc::now() + backoff(ctx, row.attempts);
                tracing::debug!(inbox = %row.inbox, %error, "delivery failed, will retry");
                if next > give_up {
                    query::delivery::mark_failed(
                        &ctx.db,
                        row,
                        status,
                        &format!("gave up: {error}"),
                    )
                    .await?;
                } else {
                    query::delivery::reschedule(&ctx.db, row, status, &error, next).await?;
                }
                let park_until = Utc::now() + backoff(ctx, ctx.config.delivery.park_after_failures);
                query::instance::record_failure(
                    &ctx.db,
                    &host,
                    ctx.config.delivery.park_after_failures,
                    park_until,
                )
                .await?;
            }
        }
    }
    Ok(count)
}

async fn attempt(ctx: &FedContext, row: &delivery::Model) -> Attempt {
    match try_send(ctx, row).await {
        Ok(attempt) => attempt,
        Err(e) => Attempt::Retry(None, e.to_string()),
    }
}

async fn try_send(ctx: &FedContext, row: &delivery::Model) -> Result<Attempt> {
    if query::instance::is_blocked(&ctx.db, &row.host).await? {
        return Ok(Attempt::Permanent(None, "domain blocked".into()));
    }
    let inbox = match Url::parse(&row.inbox) {
        Ok(url) if url.scheme() == "https" || ctx.config.insecure_federation() => url,
        _ => return Ok(Attempt::Permanent(None, "inbox URL refused".into())),
    };
    let Some(activity) = query::activity::by_id(&ctx.db, row.activity_id).await? else {
        return Ok(Attempt::Permanent(None, "activity no longer exists".into()));
    };
    let sender = query::actor::get(&ctx.db, row.actor_id).await?;
    let key = sender
        .private_key_pem
        .as_deref()
        .ok_or_else(|| Error::internal("sender has no private key"))?;
    let body = activity.json.into_bytes();
    let mut request = ctx
        .client
        .post(inbox.clone())
        .header(
            "Content-Type",
            activitypub_federation::FEDERATION_CONTENT_TYPE,
        )
        .header("Accept", activitypub_federation::FEDERATION_CONTENT_TYPE);
    for (name, value) in
        signing::sign_request("POST", &inbox, Some(&body), &sender.public_key_id, key)?
    {
        request = request.header(name, value);
    }
    let response = match request.body(body).send().await {
        Ok(response) => response,
        Err(e) => {
            return Ok(Attempt::Retry(
                None,
                format!("cannot reach {}: {e}", row.host),
            ));
        }
    };
    let status = response.status();
    let code = status.as_u16();
    Ok(if status.is_success() {
        Attempt::Delivered(code)
    } else if status.is_client_error() && !matches!(code, 401 | 408 | 429) {
        Attempt::Permanent(Some(code), format!("refused with status {code}"))
    } else {
        Attempt::Retry(Some(code), format!("answered status {code}"))
    })
}
