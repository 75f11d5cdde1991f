//! Following and alliances: follow and unfollow by handle or address (also from another
//! server's "interact" link), a timeline of what the actor follows; join or leave
//! alliances, and for an alliance's secretariat its members, invitations, removals and
//! policies.

use super::{Staff, outcome, take_notice};
use crate::HttpState;
use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use minijinja::context;
use puentes_core::{
    Error, JoinPolicy, MemberListVisibility, MemberRole, Moderation, RelayPolicy, Result,
};
use puentes_db::{
    query::actor::AlliancePolicies,
    read::{ActorRef, PostView},
};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Followed {
    actor: ActorRef,
    handle: String,
    pending: bool,
}

#[derive(Deserialize, Default)]
pub struct Prefill {
    uri: Option<String>,
}

pub async fn following_page(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Query(q): Query<Prefill>,
) -> Result<Response> {
    let acting = staff.acting(&state, &name).await?;
    let (accepted, pending) = state.app.following_of(&staff.caller, &name).await?;
    let followed: Vec<Followed> = accepted
        .iter()
        .map(|a| (a, false))
        .chain(pending.iter().map(|a| (a, true)))
        .map(|(a, pending)| Followed {
            actor: ActorRef::of(a),
            handle: a.handle().acct(),
            pending,
        })
        .collect();
    let prefer = staff.reader.lang.code();
    let timeline: Vec<PostView> = state
        .app
        .timeline(&staff.caller, &name, 30)
        .await?
        .iter()
        .map(|(p, a)| PostView::of(p, a, prefer))
        .collect();
    staff.page(
        &state,
        Some(&acting),
        "staff/following.html",
        context! {
            followed => followed,
            timeline => timeline,
            prefill => q.uri,
            notice => take_notice(&staff.session).await,
            problem => staff.take_problem().await,
        },
    )
}

#[derive(Deserialize)]
pub struct FollowForm {
    handle: String,
    #[serde(default)]
    unfollow: Option<String>,
}

pub async fn follow(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<FollowForm>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/following");
    let handle = f.handle.trim().trim_start_matches('@');
    if f.unfollow.is_some() {
        let result = state.app.unfollow(&staff.caller, &name, handle).await;
        return outcome(&staff, &to, result, "unfollowed").await;
    }
    let result = state.app.follow(&staff.caller, &name, handle).await;
    outcome(&staff, &to, result, "followed").await
}

/// `/staff/interact?uri=`: another server sent a staff member here to follow or answer
/// something; they choose whom to act as.
pub async fn interact(
    State(state): State<HttpState>,
    staff: Staff,
    Query(q): Query<Prefill>,
) -> Result<Response> {
    let uri: String = q
        .uri
        .unwrap_or_default()
        .trim()
        .chars()
        .take(2000)
        .collect();
    let encoded: String = url::form_urlencoded::byte_serialize(uri.as_bytes()).collect();
    staff.page(
        &state,
        None,
        "staff/interact.html",
        context! { uri => uri, encoded => encoded },
    )
}

#[derive(Serialize)]
struct Membership {
    actor: ActorRef,
    handle: String,
    status: String,
    role: String,
    relay: String,
}

pub async fn alliances_page(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
) -> Result<Response> {
    let acting = staff.acting(&state, &name).await?;
    // The alliances this actor belongs to or asked to join (its own record of them).
    let mine: Vec<Membership> =
        puentes_db::query::membership::alliances_of(&state.db, acting.actor.id)
            .await?
            .into_iter()
            .map(|(m, a)| Membership {
                actor: ActorRef::of(&a),
                handle: a.handle().acct(),
                status: m.status.clone(),
                role: m.role.clone(),
                relay: m.relay_policy.clone(),
            })
            .collect();
    let members: Vec<Membership> = if acting.actor.is_alliance() {
        state
            .app
            .alliance_members(&staff.caller, &name)
            .await?
            .into_iter()
            .map(|(m, a)| Membership {
                actor: ActorRef::of(&a),
                handle: a.handle().acct(),
                status: m.status.clone(),
                role: m.role.clone(),
                relay: m.relay_policy.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let policies = context! {
        join => acting.actor.join_policy,
        members => acting.actor.member_list_visibility,
        moderation => acting.actor.moderation,
    };
    staff.page(
        &state,
        Some(&acting),
        "staff/alliances.html",
        context! {
            mine => mine,
            members => members,
            policies => policies,
            notice => take_notice(&staff.session).await,
            problem => staff.take_problem().await,
        },
    )
}

#[derive(Deserialize)]
pub struct MembershipForm {
    handle: String,
    action: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    relay: String,
}

/// Joining, leaving, relay choices; for an alliance: invite, accept, change roles, remove.
pub async fn membership(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<MembershipForm>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/alliances");
    let app = &state.app;
    let caller = &staff.caller;
    let handle = f.handle.trim().trim_start_matches('@');
    let role = || MemberRole::parse(if f.role.is_empty() { "member" } else { &f.role });
    let result: Result<()> = match f.action.as_str() {
        "join" => app.join_alliance(caller, &name, handle).await.map(|_| ()),
        "leave" => app.leave_alliance(caller, &name, handle).await,
        "relay" => match RelayPolicy::parse(&f.relay) {
            Ok(policy) => app
                .set_relay_policy(caller, &name, handle, policy)
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        },
        "invite" => match role() {
            Ok(role) => app
                .invite_member(caller, &name, handle, role)
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        },
        "accept" | "role" => match role() {
            Ok(role) => app
                .accept_member(caller, &name, handle, role)
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        },
        "reject" => app.reject_member(caller, &name, handle).await,
        "remove" => app.remove_member(caller, &name, handle).await,
        _ => Err(Error::bad_request("unknown membership action")),
    };
    outcome(&staff, &to, result, "saved").await
}

#[derive(Deserialize)]
pub struct PoliciesForm {
    join: String,
    members: String,
    moderation: String,
}

pub async fn policies(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<PoliciesForm>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}/alliances");
    let parsed = (|| {
        Ok::<_, Error>(AlliancePolicies {
            join: Some(JoinPolicy::parse(&f.join)?),
            members: Some(MemberListVisibility::parse(&f.members)?),
            moderation: Some(Moderation::parse(&f.moderation)?),
        })
    })();
    let result = match parsed {
        Ok(p) => state
            .app
            .set_alliance_policies(&staff.caller, &name, p)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    outcome(&staff, &to, result, "saved").await
}
