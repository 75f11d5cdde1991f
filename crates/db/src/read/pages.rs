//! What each public page and feed shows.

use super::{ActorRef, PAGE_SIZE, PostView, Text, texts};
use crate::{
    actor, announce, call, call_organizer, endorsement, membership, pledge, post, query, statement,
    statement_version,
};
use chrono::{DateTime, Duration, Utc};
use puentes_core::{
    EndorsementStatus, Error, InvitationStatus, MemberListVisibility, MembershipStatus,
    PledgeStatus, Result, StatementStatus, Visibility,
    sanitize::{safe_link, strip_html},
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationDef, RelationTrait, sea_query::Query,
};
use serde::Serialize;
use std::collections::HashMap;

fn post_author() -> RelationDef {
    post::Entity::belongs_to(actor::Entity)
        .from(post::Column::AuthorId)
        .to(actor::Column::Id)
        .into()
}

fn announcer() -> RelationDef {
    announce::Entity::belongs_to(actor::Entity)
        .from(announce::Column::ActorId)
        .to(actor::Column::Id)
        .into()
}

fn statement_owner() -> RelationDef {
    statement::Entity::belongs_to(actor::Entity)
        .from(statement::Column::OwnerId)
        .to(actor::Column::Id)
        .into()
}

fn readable() -> Condition {
    Condition::all()
        .add(
            post::Column::Visibility
                .is_in([Visibility::Public.as_str(), Visibility::Unlisted.as_str()]),
        )
        .add(post::Column::DeletedAt.is_null())
}

fn joined<A, B>(rows: Vec<(A, Option<B>)>) -> Vec<(A, B)> {
    rows.into_iter()
        .filter_map(|(a, b)| b.map(|b| (a, b)))
        .collect()
}

/// A local organization or alliance in a list.
#[derive(Debug, Clone, Serialize)]
pub struct ActorCard {
    pub actor: ActorRef,
    pub username: String,
    /// Plain text, short.
    pub summary: String,
}

/// A joint statement in a list or feed.
#[derive(Debug, Clone, Serialize)]
pub struct StatementCard {
    pub title: String,
    /// Our page of it (local statements only are listed).
    pub path: String,
    pub status: String,
    pub ask: Option<String>,
    pub owner: ActorRef,
    pub opened: Option<DateTime<Utc>>,
    pub deadline: Option<DateTime<Utc>>,
    /// The current version's text, for feeds.
    pub html: String,
    pub language: Option<String>,
}

/// A call to action in a list.
#[derive(Debug, Clone, Serialize)]
pub struct CallCard {
    pub title: String,
    pub path: String,
    pub organizer: ActorRef,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    /// The organizer's IANA time zone.
    pub zone: Option<String>,
    pub status: String,
    pub place: Option<String>,
    pub online: bool,
}

fn uuid_of(ap_id: &str) -> &str {
    ap_id.rsplit('/').next().unwrap_or_default()
}

fn call_card(c: &call::Model, organizer: &actor::Model) -> CallCard {
    CallCard {
        title: c.name.clone(),
        path: format!("/@{}/calls/{}", organizer.username, uuid_of(&c.ap_id)),
        organizer: ActorRef::of(organizer),
        start: c.start_time,
        end: c.end_time,
        zone: c.timezone.clone(),
        status: c.status.clone(),
        place: c.location_name.clone().or(c.location_address.clone()),
        online: c.online_url.is_some(),
    }
}

/// Statements (local, not drafts) with their current version and owner, newest first.
async fn statement_cards(
    db: &impl ConnectionTrait,
    owner: Option<i64>,
    limit: u64,
) -> Result<Vec<StatementCard>> {
    let mut select = statement::Entity::find()
        .filter(statement::Column::Local.eq(true))
        .filter(statement::Column::Status.ne(StatementStatus::Draft.as_str()));
    if let Some(owner) = owner {
        select = select.filter(statement::Column::OwnerId.eq(owner));
    }
    let rows = joined(
        select
            .join(JoinType::InnerJoin, statement_owner())
            .select_also(actor::Entity)
            .order_by_desc(statement::Column::OpenedAt)
            .order_by_desc(statement::Column::Id)
            .limit(limit)
            .all(db)
            .await?,
    );
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut current: HashMap<i64, statement_version::Model> = HashMap::new();
    for v in statement_version::Entity::find()
        .filter(statement_version::Column::StatementId.is_in(rows.iter().map(|(s, _)| s.id)))
        .order_by_asc(statement_version::Column::Number)
        .all(db)
        .await?
    {
        current.insert(v.statement_id, v);
    }
    Ok(rows
        .into_iter()
        .filter_map(|(s, owner)| {
            let v = current.remove(&s.id)?;
            Some(StatementCard {
                title: v.name.clone(),
                path: format!("/@{}/statements/{}", owner.username, s.uuid),
                status: s.effective_status().to_string(),
                ask: s.ask.clone(),
                owner: ActorRef::of(&owner),
                opened: s.opened_at,
                deadline: s.deadline,
                html: v.content.clone(),
                language: v.language.clone(),
            })
        })
        .collect())
}

/// Calls of local organizers not yet over, soonest first.
async fn upcoming_calls(
    db: &impl ConnectionTrait,
    organizer: Option<i64>,
    limit: u64,
) -> Result<Vec<CallCard>> {
    let since = Utc::now() - Duration::hours(6);
    let mut select = call::Entity::find()
        .filter(call::Column::Local.eq(true))
        .filter(call::Column::DeletedAt.is_null())
        .filter(
            Condition::any().add(call::Column::EndTime.gte(since)).add(
                Condition::all()
                    .add(call::Column::EndTime.is_null())
                    .add(call::Column::StartTime.gte(since)),
            ),
        );
    if let Some(organizer) = organizer {
        select = select.filter(call::Column::OrganizerId.eq(organizer));
    }
    Ok(joined(
        select
            .join(JoinType::InnerJoin, call::Relation::Organizer.def())
            .select_also(actor::Entity)
            .order_by_asc(call::Column::StartTime)
            .limit(limit)
            .all(db)
            .await?,
    )
    .iter()
    .map(|(c, a)| call_card(c, a))
    .collect())
}

#[derive(Debug, Clone, Serialize)]
pub struct HomeView {
    pub organizations: Vec<ActorCard>,
    pub alliances: Vec<ActorCard>,
    pub posts: Vec<PostView>,
    pub statements: Vec<StatementCard>,
    pub calls: Vec<CallCard>,
}

pub async fn home(db: &impl ConnectionTrait, prefer: &str) -> Result<HomeView> {
    let (mut organizations, mut alliances) = (Vec::new(), Vec::new());
    for a in query::actor::list_local(db).await? {
        let card = ActorCard {
            actor: ActorRef::of(&a),
            username: a.username.clone(),
            summary: puentes_core::text::excerpt(a.summary.as_deref().unwrap_or_default(), 160),
        };
        if a.is_alliance() {
            alliances.push(card);
        } else {
            organizations.push(card);
        }
    }
    let posts = joined(
        post::Entity::find()
            .filter(post::Column::Local.eq(true))
            .filter(post::Column::Visibility.eq(Visibility::Public.as_str()))
            .filter(post::Column::DeletedAt.is_null())
            .filter(post::Column::InReplyTo.is_null())
            .join(JoinType::InnerJoin, post_author())
            .select_also(actor::Entity)
            .order_by_desc(post::Column::Published)
            .order_by_desc(post::Column::Id)
            .limit(10)
            .all(db)
            .await?,
    )
    .iter()
    .map(|(p, a)| PostView::of(p, a, prefer))
    .collect();
    Ok(HomeView {
        organizations,
        alliances,
        posts,
        statements: statement_cards(db, None, 5).await?,
        calls: upcoming_calls(db, None, 5).await?,
    })
}

/// An alliance `alliance` counts `member` in the role `role`.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub actor: ActorRef,
    pub role: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    pub actor: ActorRef,
    pub username: String,
    pub summary_html: String,
    pub header: Option<String>,
    pub followers: u64,
    pub manually_approves: bool,
    pub posts: Vec<PostView>,
    pub page: u64,
    /// Whether an older page exists.
    pub more: bool,
    pub statements: Vec<StatementCard>,
    pub calls: Vec<CallCard>,
    /// The alliances this actor is an active member of.
    pub member_of: Vec<MemberView>,
    /// Alliances: how many active members; `None` for organizations.
    pub member_count: Option<usize>,
    /// Alliances with a public member list: who they are.
    pub members: Vec<MemberView>,
    pub members_public: bool,
    /// Where the actor moved, when it did.
    pub moved_to: Option<MovedView>,
}

/// The new address of a moved actor, for the notice on its old profile.
#[derive(Debug, Clone, Serialize)]
pub struct MovedView {
    pub handle: String,
    pub url: String,
}

async fn moved_view(db: &impl ConnectionTrait, target: &str) -> Result<Option<MovedView>> {
    if !(target.starts_with("https://") || target.starts_with("http://")) {
        return Ok(None);
    }
    Ok(Some(match query::actor::by_ap_id(db, target).await? {
        Some(known) => MovedView {
            handle: known.handle().acct(),
            url: known
                .url
                .clone()
                .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                .unwrap_or_else(|| target.to_string()),
        },
        None => MovedView {
            handle: target.to_string(),
            url: target.to_string(),
        },
    }))
}

/// Posts of an actor and, for an alliance, the member posts it relayed: newest first.
pub async fn actor_posts(
    db: &impl ConnectionTrait,
    actor: &actor::Model,
    page: u64,
    prefer: &str,
) -> Result<(Vec<PostView>, bool)> {
    let relayed = Query::select()
        .column(announce::Column::ObjectApId)
        .from(announce::Entity)
        .and_where(announce::Column::ActorId.eq(actor.id))
        .to_owned();
    let rows = joined(
        post::Entity::find()
            .filter(
                Condition::any()
                    .add(post::Column::AuthorId.eq(actor.id))
                    .add(post::Column::ApId.in_subquery(relayed)),
            )
            .filter(readable())
            .join(JoinType::InnerJoin, post_author())
            .select_also(actor::Entity)
            .order_by_desc(post::Column::Published)
            .order_by_desc(post::Column::Id)
            .offset((page.clamp(1, super::MAX_PAGE) - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
            .all(db)
            .await?,
    );
    let more = rows.len() as u64 > PAGE_SIZE;
    let me = ActorRef::of(actor);
    let posts = rows
        .iter()
        .take(PAGE_SIZE as usize)
        .map(|(p, a)| {
            let mut view = PostView::of(p, a, prefer);
            if a.id != actor.id {
                view.relayed_by = Some(me.clone());
            }
            view
        })
        .collect();
    Ok((posts, more))
}

pub async fn profile(
    db: &impl ConnectionTrait,
    name: &str,
    page: u64,
    prefer: &str,
) -> Result<ProfileView> {
    let actor = query::actor::local_by_name_required(db, name).await?;
    let (posts, more) = actor_posts(db, &actor, page, prefer).await?;
    let followers =
        query::follow::count_accepted(db, actor.id, query::follow::Side::Followers).await?;
    let member_of = joined(
        membership::Entity::find()
            .filter(membership::Column::MemberId.eq(actor.id))
            .filter(membership::Column::Status.eq(MembershipStatus::Active.as_str()))
            .join(JoinType::InnerJoin, membership::Relation::Alliance.def())
            .select_also(actor::Entity)
            .order_by_asc(membership::Column::Id)
            .all(db)
            .await?,
    )
    .iter()
    .map(|(m, a)| MemberView {
        actor: ActorRef::of(a),
        role: m.role.clone(),
    })
    .collect();
    let alliance = actor.is_alliance();
    let members_public = actor.member_list_visibility() == MemberListVisibility::Public;
    let (member_count, members) = if alliance {
        let rows = query::membership::members(db, actor.id, MembershipStatus::Active).await?;
        let shown = if members_public {
            rows.iter()
                .map(|(m, a)| MemberView {
                    actor: ActorRef::of(a),
                    role: m.role.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        (Some(rows.len()), shown)
    } else {
        (None, Vec::new())
    };
    Ok(ProfileView {
        actor: ActorRef::of(&actor),
        username: actor.username.clone(),
        summary_html: actor.summary.clone().unwrap_or_default(),
        header: actor
            .header_url
            .as_deref()
            .and_then(puentes_core::sanitize::safe_image),
        followers,
        manually_approves: actor.manually_approves_followers,
        posts,
        page,
        more,
        statements: statement_cards(db, Some(actor.id), 10).await?,
        calls: upcoming_calls(db, Some(actor.id), 10).await?,
        member_of,
        member_count,
        members,
        members_public,
        moved_to: match &actor.moved_to {
            Some(target) => moved_view(db, target).await?,
            None => None,
        },
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct PostPage {
    pub post: PostView,
    pub author_username: String,
    pub parent: Option<PostView>,
    pub replies: Vec<PostView>,
    /// Alliances (and others) that relayed it, as far as this instance knows.
    pub relayed_by: Vec<ActorRef>,
}

/// A local post by `name`; deleted posts answer `Gone`.
pub async fn post_page(
    db: &impl ConnectionTrait,
    name: &str,
    ap_id: &str,
    prefer: &str,
) -> Result<PostPage> {
    let author = query::actor::local_by_name_required(db, name).await?;
    let row = query::post::by_ap_id(db, ap_id)
        .await?
        .filter(|p| p.author_id == author.id && p.visibility().is_public())
        .ok_or_else(|| Error::not_found("post"))?;
    if row.deleted_at.is_some() {
        return Err(Error::gone("this post was deleted"));
    }
    let parent = match &row.in_reply_to {
        Some(parent) => post::Entity::find()
            .filter(post::Column::ApId.eq(parent.as_str()))
            .filter(readable())
            .join(JoinType::InnerJoin, post_author())
            .select_also(actor::Entity)
            .one(db)
            .await?
            .and_then(|(p, a)| a.map(|a| PostView::of(&p, &a, prefer))),
        None => None,
    };
    let replies = joined(
        post::Entity::find()
            .filter(post::Column::InReplyTo.eq(row.ap_id.as_str()))
            .filter(readable())
            .join(JoinType::InnerJoin, post_author())
            .select_also(actor::Entity)
            .order_by_asc(post::Column::Published)
            .limit(100)
            .all(db)
            .await?,
    )
    .iter()
    .map(|(p, a)| PostView::of(p, a, prefer))
    .collect();
    let relayed_by = joined(
        announce::Entity::find()
            .filter(announce::Column::ObjectApId.eq(row.ap_id.as_str()))
            .join(JoinType::InnerJoin, announcer())
            .select_also(actor::Entity)
            .order_by_asc(announce::Column::Id)
            .all(db)
            .await?,
    )
    .iter()
    .map(|(_, a)| ActorRef::of(a))
    .collect();
    Ok(PostPage {
        post: PostView::of(&row, &author, prefer),
        author_username: author.username,
        parent,
        replies,
        relayed_by,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct EndorserView {
    pub actor: ActorRef,
    /// An alliance endorsing as a Group: how many members it had.
    pub members: Option<i64>,
    /// Plain text.
    pub note: Option<String>,
    /// Its signed endorsement carries an integrity proof this server checked on receipt.
    pub verified: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    pub number: i32,
    pub ap_id: String,
    pub digest: String,
    pub published: String,
    pub current: bool,
    pub total: usize,
    pub anonymous: usize,
    pub withdrawn: usize,
    pub endorsers: Vec<EndorserView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementPage {
    pub uuid: String,
    pub title: String,
    pub ask: Option<String>,
    pub status: String,
    pub policy: String,
    pub deadline: Option<DateTime<Utc>>,
    pub opened: Option<DateTime<Utc>>,
    pub owner: ActorRef,
    pub owner_username: String,
    pub initiators: Vec<ActorRef>,
    pub texts: Vec<Text>,
    /// Added after opening, outside what endorsers signed.
    pub later_translations: Vec<Text>,
    pub versions: Vec<VersionView>,
    /// Likes from the fediverse: counted, not verified.
    pub supporters: u64,
}

pub async fn statement_page(
    db: &impl ConnectionTrait,
    name: &str,
    uuid: &str,
    prefer: &str,
) -> Result<StatementPage> {
    let owner = query::actor::local_by_name_required(db, name).await?;
    let row = query::statement::by_uuid(db, uuid)
        .await?
        .filter(|r| r.local && r.owner_id == owner.id && r.status() != StatementStatus::Draft)
        .ok_or_else(|| Error::not_found("statement"))?;
    let mut initiators = vec![ActorRef::of(&owner)];
    for (invitation, a) in query::statement::invitations(db, row.id).await? {
        if invitation.is_confirmed_initiator() {
            initiators.push(ActorRef::of(&a));
        }
    }
    let versions = query::statement::versions(db, row.id).await?;
    let current = versions
        .last()
        .cloned()
        .ok_or_else(|| Error::not_found("statement version"))?;
    use EndorsementStatus::{Accepted, Removed, Withdrawn};
    let all =
        query::statement::endorsements_of_statement(db, row.id, &[Accepted, Withdrawn, Removed])
            .await?;
    let shown_versions = versions
        .iter()
        .rev()
        .map(|v| {
            let of_version: Vec<&(endorsement::Model, actor::Model)> =
                all.iter().filter(|(e, _)| e.version_id == v.id).collect();
            let accepted: Vec<_> = of_version
                .iter()
                .filter(|(e, _)| e.status() == Accepted)
                .collect();
            VersionView {
                number: v.number,
                ap_id: v.ap_id.clone(),
                digest: v.digest.clone(),
                published: v.published.clone(),
                current: v.id == current.id,
                total: accepted.len(),
                anonymous: accepted.iter().filter(|(e, _)| e.anonymous).count(),
                withdrawn: of_version.len() - accepted.len(),
                endorsers: accepted
                    .iter()
                    .filter(|(e, _)| !e.anonymous)
                    .map(|(e, a)| EndorserView {
                        actor: ActorRef::of(a),
                        members: e.endorser_members.filter(|_| a.is_alliance()),
                        note: e
                            .note
                            .as_deref()
                            .map(strip_html)
                            .filter(|n| !n.trim().is_empty()),
                        verified: serde_json::from_str::<serde_json::Value>(&e.activity)
                            .map(|doc| doc.get("proof").is_some())
                            .unwrap_or(false),
                    })
                    .collect(),
            }
        })
        .collect();
    let map_of = |raw: Option<&str>| -> Option<std::collections::BTreeMap<String, String>> {
        raw.and_then(|m| serde_json::from_str(m).ok())
    };
    let later_translations = query::statement::translations(&current)
        .into_iter()
        .filter_map(|(lang, html)| {
            Some(Text {
                lang: Some(lang),
                html: html.as_str()?.to_string(),
            })
        })
        .collect();
    Ok(StatementPage {
        uuid: row.uuid.clone(),
        title: current.name.clone(),
        ask: row.ask.clone(),
        status: row.effective_status().to_string(),
        policy: row.policy.clone(),
        deadline: row.deadline,
        opened: row.opened_at,
        owner: ActorRef::of(&owner),
        owner_username: owner.username.clone(),
        initiators,
        texts: texts(
            current.language.as_deref(),
            &current.content,
            map_of(current.content_map.as_deref()),
            prefer,
        ),
        later_translations,
        versions: shown_versions,
        supporters: query::statement::count_likes(db, row.id).await?,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct CallPage {
    pub ap_id: String,
    pub title: String,
    pub organizer: ActorRef,
    pub organizer_username: String,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub previous_start: Option<DateTime<Utc>>,
    pub zone: Option<String>,
    pub status: String,
    pub place: Option<String>,
    pub address: Option<String>,
    /// OpenStreetMap at the call's coordinates.
    pub map: Option<String>,
    pub online: Option<String>,
    pub what: Option<String>,
    pub texts: Vec<Text>,
    pub co_organizers: Vec<ActorRef>,
    pub pledged: Vec<ActorRef>,
    pub count: i64,
    pub capacity: Option<i64>,
    pub external: Option<String>,
    pub hashtags: Vec<String>,
}

pub async fn call_page(
    db: &impl ConnectionTrait,
    name: &str,
    ap_id: &str,
    prefer: &str,
) -> Result<CallPage> {
    let organizer = query::actor::local_by_name_required(db, name).await?;
    let row = query::call::by_ap_id(db, ap_id)
        .await?
        .filter(|c| c.organizer_id == organizer.id && c.deleted_at.is_none())
        .ok_or_else(|| Error::not_found("call to action"))?;
    let co_organizers = joined(
        call_organizer::Entity::find()
            .filter(call_organizer::Column::CallId.eq(row.id))
            .filter(call_organizer::Column::Status.eq(InvitationStatus::Confirmed.as_str()))
            .join(JoinType::InnerJoin, call_organizer::Relation::Actor.def())
            .select_also(actor::Entity)
            .order_by_asc(call_organizer::Column::Id)
            .all(db)
            .await?,
    )
    .iter()
    .map(|(_, a)| ActorRef::of(a))
    .collect();
    let pledged = joined(
        pledge::Entity::find()
            .filter(pledge::Column::CallId.eq(row.id))
            .filter(pledge::Column::Status.eq(PledgeStatus::Accepted.as_str()))
            .join(JoinType::InnerJoin, pledge::Relation::Actor.def())
            .select_also(actor::Entity)
            .order_by_asc(pledge::Column::Id)
            .all(db)
            .await?,
    )
    .iter()
    .map(|(_, a)| ActorRef::of(a))
    .collect();
    let map = match (row.latitude, row.longitude) {
        (Some(lat), Some(lon)) if lat.is_finite() && lon.is_finite() => Some(format!(
            "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
        )),
        _ => None,
    };
    let hashtags = super::hashtags(&row.tags());
    Ok(CallPage {
        ap_id: row.ap_id.clone(),
        title: row.name.clone(),
        organizer: ActorRef::of(&organizer),
        organizer_username: organizer.username.clone(),
        start: row.start_time,
        end: row.end_time,
        previous_start: row.previous_start_time,
        zone: row.timezone.clone(),
        status: row.status.clone(),
        place: row.location_name.clone(),
        address: row.location_address.clone(),
        map,
        online: row.online_url.as_deref().and_then(safe_link),
        what: row.what.clone(),
        texts: texts(
            row.language.as_deref(),
            &row.content,
            query::call::content_map(&row),
            prefer,
        ),
        co_organizers,
        pledged,
        count: row.participant_count,
        capacity: row.capacity,
        external: row
            .external_participation_url
            .as_deref()
            .and_then(safe_link),
        hashtags,
    })
}

/// Local public posts carrying a hashtag, newest first.
pub async fn tag(
    db: &impl ConnectionTrait,
    tag: &str,
    limit: u64,
    prefer: &str,
) -> Result<Vec<PostView>> {
    let needle = format!(
        "%\"#{}\"%",
        tag.to_lowercase().replace(['%', '_', '"', '\\'], "")
    );
    Ok(joined(
        post::Entity::find()
            .filter(post::Column::Local.eq(true))
            .filter(post::Column::Visibility.eq(Visibility::Public.as_str()))
            .filter(post::Column::DeletedAt.is_null())
            .filter(post::Column::TagsJson.like(needle))
            .join(JoinType::InnerJoin, post_author())
            .select_also(actor::Entity)
            .order_by_desc(post::Column::Published)
            .limit(limit)
            .all(db)
            .await?,
    )
    .iter()
    .map(|(p, a)| PostView::of(p, a, prefer))
    .collect())
}

/// The statements of this instance, newest first, for the statements feed.
pub async fn statements(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<StatementCard>> {
    statement_cards(db, None, limit).await
}
