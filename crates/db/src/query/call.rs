//! Calls to action, their pledges and co-organizers.

use crate::{actor, call, call_like, call_organizer, now, pledge};
use chrono::{DateTime, Utc};
use puentes_core::{
    CallStatus, Error, InvitationStatus, JoinMode, PledgeStatus, Result, content::Tag,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set,
};
use std::collections::BTreeMap;

/// Everything a call holds, for inserting one or replacing a remote one's copy.
#[derive(Debug, Clone)]
pub struct CallData {
    pub ap_id: String,
    pub organizer_id: i64,
    pub name: String,
    pub what: Option<String>,
    pub summary: String,
    pub content: String,
    pub content_map: Option<BTreeMap<String, String>>,
    pub language: Option<String>,
    pub start_time: DateTime<Utc>,
    pub end_time: Option<DateTime<Utc>>,
    pub previous_start_time: Option<DateTime<Utc>>,
    pub timezone: Option<String>,
    pub location_name: Option<String>,
    pub location_address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub online_url: Option<String>,
    pub status: CallStatus,
    pub capacity: Option<i64>,
    pub join_mode: JoinMode,
    pub external_participation_url: Option<String>,
    pub participant_count: i64,
    pub tags: Vec<Tag>,
    pub url: Option<String>,
    pub local: bool,
    pub published: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl CallData {
    /// The stored call as data, to change a few fields and save it again.
    pub fn of(row: &call::Model) -> CallData {
        CallData {
            ap_id: row.ap_id.clone(),
            organizer_id: row.organizer_id,
            name: row.name.clone(),
            what: row.what.clone(),
            summary: row.summary.clone(),
            content: row.content.clone(),
            content_map: content_map(row),
            language: row.language.clone(),
            start_time: row.start_time,
            end_time: row.end_time,
            previous_start_time: row.previous_start_time,
            timezone: row.timezone.clone(),
            location_name: row.location_name.clone(),
            location_address: row.location_address.clone(),
            latitude: row.latitude,
            longitude: row.longitude,
            online_url: row.online_url.clone(),
            status: row.status(),
            capacity: row.capacity,
            join_mode: row.join_mode(),
            external_participation_url: row.external_participation_url.clone(),
            participant_count: row.participant_count,
            tags: row.tags(),
            url: row.url.clone(),
            local: row.local,
            published: row.published,
            updated_at: row.updated_at,
        }
    }
}

fn fill(model: &mut call::ActiveModel, data: CallData) -> Result<()> {
    model.name = Set(data.name);
    model.what = Set(data.what);
    model.summary = Set(data.summary);
    model.content = Set(data.content);
    model.content_map = Set(data
        .content_map
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?);
    model.language = Set(data.language);
    model.start_time = Set(data.start_time);
    model.end_time = Set(data.end_time);
    model.previous_start_time = Set(data.previous_start_time);
    model.timezone = Set(data.timezone);
    model.location_name = Set(data.location_name);
    model.location_address = Set(data.location_address);
    model.latitude = Set(data.latitude);
    model.longitude = Set(data.longitude);
    model.online_url = Set(data.online_url);
    model.status = Set(data.status.as_str().to_string());
    model.capacity = Set(data.capacity);
    model.join_mode = Set(data.join_mode.as_str().to_string());
    model.external_participation_url = Set(data.external_participation_url);
    model.participant_count = Set(data.participant_count);
    model.tags_json = Set(serde_json::to_string(&data.tags)?);
    model.url = Set(data.url);
    model.updated_at = Set(data.updated_at);
    Ok(())
}

pub async fn insert(db: &impl ConnectionTrait, data: CallData) -> Result<call::Model> {
    let mut model = call::ActiveModel {
        ap_id: Set(data.ap_id.clone()),
        organizer_id: Set(data.organizer_id),
        local: Set(data.local),
        published: Set(data.published),
        sequence: Set(0),
        deleted_at: Set(None),
        created_at: Set(now()),
        ..Default::default()
    };
    fill(&mut model, data)?;
    let row = model.insert(db).await?;
    // A call appears as a status of its organizer in the client API.
    super::api_status::add(
        db,
        super::api_status::StatusKind::Call,
        row.id,
        row.organizer_id,
    )
    .await?;
    Ok(row)
}

/// Saves new data over a call; the id, organizer and publication date stay. A change of
/// time, place or status raises the iCalendar SEQUENCE so calendar apps replace their copy.
pub async fn replace(
    db: &impl ConnectionTrait,
    row: call::Model,
    data: CallData,
) -> Result<call::Model> {
    let moved = row.start_time != data.start_time
        || row.end_time != data.end_time
        || row.status() != data.status
        || row.location_name != data.location_name
        || row.location_address != data.location_address
        || row.online_url != data.online_url;
    let sequence = row.sequence + i32::from(moved);
    let mut model: call::ActiveModel = row.into();
    fill(&mut model, data)?;
    model.sequence = Set(sequence);
    Ok(model.update(db).await?)
}

/// Cancels every upcoming call an organizer has (its deletion); ended ones stay as they were.
pub async fn cancel_all_of(db: &impl ConnectionTrait, organizer_id: i64) -> Result<u64> {
    Ok(call::Entity::update_many()
        .col_expr(
            call::Column::Status,
            sea_orm::sea_query::Expr::value(CallStatus::Cancelled.as_str()),
        )
        .col_expr(
            call::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(Some(now())),
        )
        .filter(call::Column::OrganizerId.eq(organizer_id))
        .filter(call::Column::StartTime.gt(now()))
        .exec(db)
        .await?
        .rows_affected)
}

pub async fn set_participant_count(
    db: &impl ConnectionTrait,
    row: call::Model,
    count: i64,
) -> Result<call::Model> {
    let mut model: call::ActiveModel = row.into();
    model.participant_count = Set(count);
    Ok(model.update(db).await?)
}

/// Recounts the accepted pledges of one of our calls and stores the count.
pub async fn recount(db: &impl ConnectionTrait, row: call::Model) -> Result<call::Model> {
    let count = count_pledges(db, row.id, PledgeStatus::Accepted).await? as i64;
    if count == row.participant_count {
        return Ok(row);
    }
    set_participant_count(db, row, count).await
}

pub async fn mark_deleted(db: &impl ConnectionTrait, row: call::Model) -> Result<call::Model> {
    let mut model: call::ActiveModel = row.into();
    model.deleted_at = Set(Some(now()));
    Ok(model.update(db).await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<call::Model>> {
    Ok(call::Entity::find_by_id(id).one(db).await?)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<call::Model> {
    by_id(db, id)
        .await?
        .ok_or_else(|| Error::not_found("call to action"))
}

pub async fn by_ap_id(db: &impl ConnectionTrait, ap_id: &str) -> Result<Option<call::Model>> {
    Ok(call::Entity::find()
        .filter(call::Column::ApId.eq(ap_id))
        .one(db)
        .await?)
}

/// Calls organized by any of `organizers`, soonest first, ending after `since`.
pub async fn by_organizers(
    db: &impl ConnectionTrait,
    organizers: &[i64],
    since: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<call::Model>> {
    Ok(call::Entity::find()
        .filter(call::Column::OrganizerId.is_in(organizers.iter().copied()))
        .filter(call::Column::DeletedAt.is_null())
        .filter(
            sea_orm::Condition::any()
                .add(call::Column::EndTime.gte(since))
                .add(
                    sea_orm::Condition::all()
                        .add(call::Column::EndTime.is_null())
                        .add(call::Column::StartTime.gte(since)),
                ),
        )
        .order_by_asc(call::Column::StartTime)
        .limit(limit)
        .all(db)
        .await?)
}

/// Calls `actor_id` has an accepted pledge to (or co-organizes), ending after `since`.
pub async fn taken_part_by(
    db: &impl ConnectionTrait,
    actor_id: i64,
    since: DateTime<Utc>,
) -> Result<Vec<call::Model>> {
    let mut ids: Vec<i64> = pledge::Entity::find()
        .filter(pledge::Column::ActorId.eq(actor_id))
        .filter(pledge::Column::Status.eq(PledgeStatus::Accepted.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.call_id)
        .collect();
    ids.extend(
        call_organizer::Entity::find()
            .filter(call_organizer::Column::ActorId.eq(actor_id))
            .filter(call_organizer::Column::Status.eq(InvitationStatus::Confirmed.as_str()))
            .all(db)
            .await?
            .into_iter()
            .map(|o| o.call_id),
    );
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(call::Entity::find()
        .filter(call::Column::Id.is_in(ids))
        .filter(call::Column::DeletedAt.is_null())
        .filter(
            sea_orm::Condition::any()
                .add(call::Column::EndTime.gte(since))
                .add(call::Column::StartTime.gte(since)),
        )
        .order_by_asc(call::Column::StartTime)
        .all(db)
        .await?)
}

/// `actor_id`'s live pledges (pending or accepted), each with its call, soonest first.
pub async fn pledges_of_actor(
    db: &impl ConnectionTrait,
    actor_id: i64,
) -> Result<Vec<(pledge::Model, call::Model)>> {
    let live = [PledgeStatus::Pending, PledgeStatus::Accepted].map(|s| s.as_str());
    let pledges = pledge::Entity::find()
        .filter(pledge::Column::ActorId.eq(actor_id))
        .filter(pledge::Column::Status.is_in(live))
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(pledges.len());
    for p in pledges {
        if let Some(c) = by_id(db, p.call_id).await?
            && c.deleted_at.is_none()
        {
            out.push((p, c));
        }
    }
    out.sort_by_key(|(_, c)| c.start_time);
    Ok(out)
}

pub fn content_map(row: &call::Model) -> Option<BTreeMap<String, String>> {
    row.content_map
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
}

// Pledges.

pub async fn pledge(
    db: &impl ConnectionTrait,
    call_id: i64,
    actor_id: i64,
) -> Result<Option<pledge::Model>> {
    Ok(pledge::Entity::find()
        .filter(pledge::Column::CallId.eq(call_id))
        .filter(pledge::Column::ActorId.eq(actor_id))
        .one(db)
        .await?)
}

pub async fn pledge_by_id(db: &impl ConnectionTrait, id: i64) -> Result<pledge::Model> {
    pledge::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("pledge"))
}

pub async fn pledge_by_join(
    db: &impl ConnectionTrait,
    join_ap_id: &str,
) -> Result<Option<pledge::Model>> {
    Ok(pledge::Entity::find()
        .filter(pledge::Column::JoinApId.eq(join_ap_id))
        .one(db)
        .await?)
}

/// One pledge change; `None` fields keep what was stored.
#[derive(Debug, Clone)]
pub struct PledgeChange<'a> {
    pub status: PledgeStatus,
    pub join_ap_id: Option<&'a str>,
    pub message: Option<String>,
    pub reason: Option<String>,
}

pub async fn save_pledge(
    db: &impl ConnectionTrait,
    call_id: i64,
    actor_id: i64,
    change: PledgeChange<'_>,
) -> Result<pledge::Model> {
    let at = now();
    match pledge(db, call_id, actor_id).await? {
        Some(existing) => {
            let mut model: pledge::ActiveModel = existing.into();
            model.status = Set(change.status.as_str().to_string());
            if let Some(id) = change.join_ap_id {
                model.join_ap_id = Set(Some(id.to_string()));
            }
            if change.message.is_some() {
                model.message = Set(change.message);
            }
            model.reason = Set(change.reason);
            model.updated_at = Set(at);
            Ok(model.update(db).await?)
        }
        None => Ok(pledge::ActiveModel {
            call_id: Set(call_id),
            actor_id: Set(actor_id),
            status: Set(change.status.as_str().to_string()),
            join_ap_id: Set(change.join_ap_id.map(str::to_string)),
            message: Set(change.message),
            reason: Set(change.reason),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(db)
        .await?),
    }
}

pub async fn count_pledges(
    db: &impl ConnectionTrait,
    call_id: i64,
    status: PledgeStatus,
) -> Result<u64> {
    Ok(pledge::Entity::find()
        .filter(pledge::Column::CallId.eq(call_id))
        .filter(pledge::Column::Status.eq(status.as_str()))
        .count(db)
        .await?)
}

/// Pledges of a call in any of `statuses`, with their actors, oldest first.
pub async fn pledges(
    db: &impl ConnectionTrait,
    call_id: i64,
    statuses: &[PledgeStatus],
) -> Result<Vec<(pledge::Model, actor::Model)>> {
    let rows = pledge::Entity::find()
        .filter(pledge::Column::CallId.eq(call_id))
        .filter(pledge::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .order_by_asc(pledge::Column::Id)
        .join(JoinType::InnerJoin, pledge::Relation::Actor.def())
        .select_also(actor::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(p, a)| a.map(|a| (p, a)))
        .collect())
}

// Co-organizers.

pub async fn save_organizer(
    db: &impl ConnectionTrait,
    call_id: i64,
    actor_id: i64,
    status: InvitationStatus,
    invite_ap_id: Option<&str>,
) -> Result<call_organizer::Model> {
    let at = now();
    let existing = call_organizer::Entity::find()
        .filter(call_organizer::Column::CallId.eq(call_id))
        .filter(call_organizer::Column::ActorId.eq(actor_id))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let mut model: call_organizer::ActiveModel = row.into();
            model.status = Set(status.as_str().to_string());
            if let Some(id) = invite_ap_id {
                model.invite_ap_id = Set(Some(id.to_string()));
            }
            model.updated_at = Set(at);
            Ok(model.update(db).await?)
        }
        None => Ok(call_organizer::ActiveModel {
            call_id: Set(call_id),
            actor_id: Set(actor_id),
            status: Set(status.as_str().to_string()),
            invite_ap_id: Set(invite_ap_id.map(str::to_string)),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(db)
        .await?),
    }
}

pub async fn organizer_by_id(db: &impl ConnectionTrait, id: i64) -> Result<call_organizer::Model> {
    call_organizer::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("co-organizer"))
}

pub async fn organizer_by_invite(
    db: &impl ConnectionTrait,
    invite_ap_id: &str,
) -> Result<Option<call_organizer::Model>> {
    Ok(call_organizer::Entity::find()
        .filter(call_organizer::Column::InviteApId.eq(invite_ap_id))
        .one(db)
        .await?)
}

pub async fn organizer_of(
    db: &impl ConnectionTrait,
    call_id: i64,
    actor_id: i64,
) -> Result<Option<call_organizer::Model>> {
    Ok(call_organizer::Entity::find()
        .filter(call_organizer::Column::CallId.eq(call_id))
        .filter(call_organizer::Column::ActorId.eq(actor_id))
        .one(db)
        .await?)
}

/// Co-organizers of a call in a status, with their actors.
pub async fn organizers(
    db: &impl ConnectionTrait,
    call_id: i64,
    status: InvitationStatus,
) -> Result<Vec<(call_organizer::Model, actor::Model)>> {
    let rows = call_organizer::Entity::find()
        .filter(call_organizer::Column::CallId.eq(call_id))
        .filter(call_organizer::Column::Status.eq(status.as_str()))
        .order_by_asc(call_organizer::Column::Id)
        .join(JoinType::InnerJoin, call_organizer::Relation::Actor.def())
        .select_also(actor::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(o, a)| a.map(|a| (o, a)))
        .collect())
}

impl call::Model {
    pub fn status(&self) -> CallStatus {
        CallStatus::from_stored(&self.status, CallStatus::Confirmed)
    }
    pub fn join_mode(&self) -> JoinMode {
        JoinMode::from_stored(&self.join_mode, JoinMode::None)
    }
    pub fn tags(&self) -> Vec<Tag> {
        Tag::list_from_stored(&self.tags_json)
    }
    pub fn is_cancelled(&self) -> bool {
        self.status() == CallStatus::Cancelled || self.deleted_at.is_some()
    }
}

impl pledge::Model {
    pub fn status(&self) -> PledgeStatus {
        PledgeStatus::from_stored(&self.status, PledgeStatus::Rejected)
    }
}

impl call_organizer::Model {
    pub fn status(&self) -> InvitationStatus {
        InvitationStatus::from_stored(&self.status, InvitationStatus::Declined)
    }
}

// Likes.

/// Records a `Like` of a call; false when this actor already liked it.
pub async fn add_like(
    db: &impl ConnectionTrait,
    call_id: i64,
    actor_ap_id: &str,
    like_ap_id: &str,
) -> Result<bool> {
    let exists = call_like::Entity::find()
        .filter(call_like::Column::CallId.eq(call_id))
        .filter(call_like::Column::ActorApId.eq(actor_ap_id))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(false);
    }
    let inserted = call_like::ActiveModel {
        call_id: Set(call_id),
        actor_ap_id: Set(actor_ap_id.to_string()),
        like_ap_id: Set(like_ap_id.to_string()),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if crate::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Forgets a `Like` (its `Undo`); the call it liked, when it was one.
pub async fn remove_like(
    db: &impl ConnectionTrait,
    like_ap_id: &str,
    actor_ap_id: &str,
) -> Result<Option<i64>> {
    let Some(row) = call_like::Entity::find()
        .filter(call_like::Column::LikeApId.eq(like_ap_id))
        .filter(call_like::Column::ActorApId.eq(actor_ap_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let call_id = row.call_id;
    call_like::Entity::delete_by_id(row.id).exec(db).await?;
    Ok(Some(call_id))
}

pub async fn count_likes(db: &impl ConnectionTrait, call_id: i64) -> Result<u64> {
    Ok(call_like::Entity::find()
        .filter(call_like::Column::CallId.eq(call_id))
        .count(db)
        .await?)
}
