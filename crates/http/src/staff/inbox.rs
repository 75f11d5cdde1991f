//! The inbox of work: what waits for a decision, each with approve and reject in one tap.

use super::{Staff, done, take_notice};
use crate::HttpState;
use axum::{
    Form,
    extract::{Path, State},
    response::Response,
};
use minijinja::context;
use puentes_core::{ErrorKind, MemberRole, Result};
use puentes_db::read::{ActorRef, PostView};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Item {
    kind: &'static str,
    who: ActorRef,
    /// The actor's handle, sent back with the decision.
    handle: String,
    /// What it is about: a post, statement or call id.
    subject: String,
    /// Its title, when it has one.
    about: Option<String>,
    post: Option<PostView>,
}

/// `/staff/as/{name}`: the actor's inbox of work (or, for an editor, where to start).
pub async fn inbox(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
) -> Result<Response> {
    let acting = staff.acting(&state, &name).await?;
    let prefer = staff.reader.lang.code();
    let (items, decides) = match state.app.work_queue(&staff.caller, &name).await {
        Ok(queue) => {
            let mut items = Vec::new();
            for a in queue.follow_requests {
                items.push(Item {
                    kind: "follow",
                    who: ActorRef::of(&a),
                    handle: a.handle().acct(),
                    subject: String::new(),
                    about: None,
                    post: None,
                });
            }
            for (_, a) in queue.member_requests {
                items.push(Item {
                    kind: "member",
                    who: ActorRef::of(&a),
                    handle: a.handle().acct(),
                    subject: String::new(),
                    about: None,
                    post: None,
                });
            }
            for (p, a) in queue.held_posts {
                items.push(Item {
                    kind: "post",
                    who: ActorRef::of(&a),
                    handle: a.handle().acct(),
                    subject: p.ap_id.clone(),
                    about: None,
                    post: Some(PostView::of(&p, &a, prefer)),
                });
            }
            for (s, _, a) in queue.held_endorsements {
                items.push(Item {
                    kind: "endorsement",
                    who: ActorRef::of(&a),
                    handle: a.handle().acct(),
                    subject: s.uuid.clone(),
                    about: Some(s.ap_url.clone()),
                    post: None,
                });
            }
            for (c, _, a) in queue.pending_pledges {
                items.push(Item {
                    kind: "pledge",
                    who: ActorRef::of(&a),
                    handle: a.handle().acct(),
                    subject: c.ap_id.clone(),
                    about: Some(c.ap_id.clone()),
                    post: None,
                });
            }
            (items, true)
        }
        // An editor decides nothing: the inbox says so and points to writing.
        Err(e) if e.kind() == ErrorKind::Forbidden => (Vec::new(), false),
        Err(e) => return Err(e),
    };
    staff.page(
        &state,
        Some(&acting),
        "staff/inbox.html",
        context! { items => items, decides => decides, notice => take_notice(&staff.session).await },
    )
}

#[derive(Deserialize)]
pub struct Decision {
    kind: String,
    handle: String,
    #[serde(default)]
    subject: String,
    verdict: String,
}

/// One tap: approve or reject one item of the inbox.
pub async fn decide(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(d): Form<Decision>,
) -> Result<Response> {
    let approve = match d.verdict.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(puentes_core::Error::bad_request("approve or reject")),
    };
    let app = &state.app;
    let caller = &staff.caller;
    match (d.kind.as_str(), approve) {
        ("follow", true) => app.approve_follower(caller, &name, &d.handle).await?,
        ("follow", false) => app.reject_follower(caller, &name, &d.handle).await?,
        ("member", true) => {
            app.accept_member(caller, &name, &d.handle, MemberRole::Member)
                .await?;
        }
        ("member", false) => app.reject_member(caller, &name, &d.handle).await?,
        ("post", _) => {
            app.decide_held_post(caller, &name, &d.subject, approve)
                .await?
        }
        ("endorsement", _) => {
            app.decide_endorsement(caller, &d.subject, &d.handle, approve)
                .await?
        }
        ("pledge", _) => {
            app.decide_pledge(caller, &d.subject, &d.handle, approve)
                .await?
        }
        _ => return Err(puentes_core::Error::bad_request("unknown kind of decision")),
    }
    let notice = if approve { "approved" } else { "rejected" };
    done(&staff.session, &format!("/staff/as/{name}"), notice).await
}
