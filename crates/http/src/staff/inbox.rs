//! The inbox of work: what happened to the actor (notifications, dismissed one by one or
//! all at once) and what waits for a decision, each with approve and reject in one tap.

use super::{Staff, done, outcome, take_notice};
use crate::HttpState;
use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use minijinja::context;
use puentes_core::{ErrorKind, MemberRole, NotificationKind, Result, sanitize::safe_link};
use puentes_db::{
    query::{IdRange, notification::KindFilter},
    read::{ActorRef, PostView},
};
use serde::{Deserialize, Serialize};

/// Notifications shown at once; older ones are a page further.
const NOTIFICATIONS_PER_PAGE: u64 = 20;

/// One notification, as the inbox shows it.
#[derive(Serialize)]
struct Told {
    id: i64,
    /// The message key of what happened.
    message: &'static str,
    who: ActorRef,
    /// What it is about (a post, statement or call), when it can be opened.
    link: Option<String>,
    at: String,
}

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    /// Older than this notification (the next page).
    before: Option<i64>,
}

/// The actor's notifications, newest first, a page at a time; and the id to ask for the
/// page after, when there is one.
async fn notifications(
    state: &HttpState,
    staff: &Staff,
    name: &str,
    before: Option<i64>,
) -> Result<(Vec<Told>, Option<i64>, u64)> {
    let range = IdRange {
        max_id: before,
        limit: NOTIFICATIONS_PER_PAGE + 1,
        ..IdRange::default()
    };
    let all = KindFilter::default();
    let mut rows = state
        .app
        .notifications(&staff.caller, name, &all, range)
        .await?;
    let more = rows.len() as u64 > NOTIFICATIONS_PER_PAGE;
    rows.truncate(NOTIFICATIONS_PER_PAGE as usize);
    let next = more.then(|| rows.last().map(|t| t.row.id)).flatten();
    let count = state
        .app
        .unread_notifications(&staff.caller, name, &all, None)
        .await?;
    let prefer = staff.reader.lang.code();
    let told = rows
        .iter()
        .map(|t| {
            let link = match &t.post {
                Some(p) => PostView::of(p, &t.from, prefer).link,
                None => safe_link(&t.row.subject),
            }
            // A follow is about the follower.
            .or_else(|| ActorRef::of(&t.from).link);
            Told {
                id: t.row.id,
                message: message_key(t.kind()),
                who: ActorRef::of(&t.from),
                link,
                at: t.row.created_at.to_rfc3339(),
            }
        })
        .collect();
    Ok((told, next, count))
}

/// The message saying what happened, for each kind (a new kind fails to build here until
/// it has one, in every language).
fn message_key(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Follow => "notification-follow",
        NotificationKind::FollowRequest => "notification-follow-request",
        NotificationKind::Mention => "notification-mention",
        NotificationKind::Reply => "notification-reply",
        NotificationKind::Reblog => "notification-reblog",
        NotificationKind::Favourite => "notification-favourite",
        NotificationKind::MemberRequest => "notification-member-request",
        NotificationKind::Endorsement => "notification-endorsement",
        NotificationKind::Pledge => "notification-pledge",
    }
}

#[derive(Serialize)]
struct Item {
    kind: WorkKind,
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
    Query(q): Query<InboxQuery>,
) -> Result<Response> {
    let acting = staff.acting(&state, &name).await?;
    let (told, older, unread) = notifications(&state, &staff, &name, q.before).await?;
    let prefer = staff.reader.lang.code();
    let (items, decides) = match state.app.work_queue(&staff.caller, &name).await {
        Ok(queue) => {
            let mut items = Vec::new();
            for a in queue.follow_requests {
                items.push(Item {
                    kind: WorkKind::Follow,
                    who: ActorRef::of(&a),
                    handle: a.handle().acct(),
                    subject: String::new(),
                    about: None,
                    post: None,
                });
            }
            for (_, a) in queue.member_requests {
                items.push(Item {
                    kind: WorkKind::Member,
                    who: ActorRef::of(&a),
                    handle: a.handle().acct(),
                    subject: String::new(),
                    about: None,
                    post: None,
                });
            }
            for (p, a) in queue.held_posts {
                items.push(Item {
                    kind: WorkKind::Post,
                    who: ActorRef::of(&a),
                    handle: a.handle().acct(),
                    subject: p.ap_id.clone(),
                    about: None,
                    post: Some(PostView::of(&p, &a, prefer)),
                });
            }
            for (s, _, a) in queue.held_endorsements {
                items.push(Item {
                    kind: WorkKind::Endorsement,
                    who: ActorRef::of(&a),
                    handle: a.handle().acct(),
                    subject: s.uuid.clone(),
                    about: Some(s.ap_url.clone()),
                    post: None,
                });
            }
            for (c, _, a) in queue.pending_pledges {
                items.push(Item {
                    kind: WorkKind::Pledge,
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
        context! {
            items => items,
            decides => decides,
            notifications => told,
            unread => unread,
            older => older,
            paged => q.before.is_some(),
            notice => take_notice(&staff.session).await,
            problem => staff.take_problem().await,
        },
    )
}

/// What an item of the inbox is; the form sends it back with the decision.
#[derive(Deserialize, Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum WorkKind {
    Follow,
    Member,
    Post,
    Endorsement,
    Pledge,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Approve,
    Reject,
}

#[derive(Deserialize)]
pub struct Decision {
    kind: WorkKind,
    handle: String,
    #[serde(default)]
    subject: String,
    verdict: Verdict,
}

/// One tap: approve or reject one item of the inbox.
pub async fn decide(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(d): Form<Decision>,
) -> Result<Response> {
    let approve = d.verdict == Verdict::Approve;
    let app = &state.app;
    let caller = &staff.caller;
    match (d.kind, approve) {
        (WorkKind::Follow, true) => app.approve_follower(caller, &name, &d.handle).await?,
        (WorkKind::Follow, false) => app.reject_follower(caller, &name, &d.handle).await?,
        (WorkKind::Member, true) => {
            app.accept_member(caller, &name, &d.handle, MemberRole::Member)
                .await?;
        }
        (WorkKind::Member, false) => app.reject_member(caller, &name, &d.handle).await?,
        (WorkKind::Post, _) => {
            app.decide_held_post(caller, &name, &d.subject, approve)
                .await?
        }
        (WorkKind::Endorsement, _) => {
            app.decide_endorsement(caller, &d.subject, &d.handle, approve)
                .await?
        }
        (WorkKind::Pledge, _) => {
            app.decide_pledge(caller, &d.subject, &d.handle, approve)
                .await?
        }
    }
    let notice = if approve { "approved" } else { "rejected" };
    done(&staff.session, &format!("/staff/as/{name}"), notice).await
}

#[derive(Deserialize)]
pub struct Dismiss {
    /// One notification; none: all of them.
    #[serde(default)]
    id: Option<i64>,
}

/// Dismisses one notification, or clears them all.
pub async fn dismiss(
    State(state): State<HttpState>,
    staff: Staff,
    Path(name): Path<String>,
    Form(f): Form<Dismiss>,
) -> Result<Response> {
    let to = format!("/staff/as/{name}");
    match f.id {
        Some(id) => {
            let result = match state
                .app
                .dismiss_notification(&staff.caller, &name, id)
                .await
            {
                Ok(true) => Ok(()),
                Ok(false) => Err(puentes_core::Error::not_found("notification")),
                Err(e) => Err(e),
            };
            outcome(&staff, &to, result, "dismissed").await
        }
        None => {
            let result = state.app.clear_notifications(&staff.caller, &name).await;
            outcome(&staff, &to, result, "cleared").await
        }
    }
}
