//! Joint statements, their versions, invitations, endorsements and unverified supporters.

use crate::{
    actor, endorsement, now, statement, statement_invitation, statement_like, statement_version,
};
use chrono::{DateTime, Utc};
use puentes_core::{
    EndorsementPolicy, EndorsementStatus, Error, InvitationRole, InvitationStatus, Result,
    StatementStatus,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait, Set,
};

impl statement::Model {
    pub fn status(&self) -> StatementStatus {
        StatementStatus::from_stored(&self.status, StatementStatus::Closed)
    }
    /// The status readers see: an open statement whose deadline has passed is closed.
    pub fn effective_status(&self) -> StatementStatus {
        match (self.status(), self.deadline) {
            (StatementStatus::Open, Some(deadline)) if deadline <= now() => StatementStatus::Closed,
            (status, _) => status,
        }
    }
    pub fn policy(&self) -> EndorsementPolicy {
        EndorsementPolicy::from_stored(&self.policy, EndorsementPolicy::Invited)
    }
}

impl statement_invitation::Model {
    pub fn role(&self) -> InvitationRole {
        InvitationRole::from_stored(&self.role, InvitationRole::Endorser)
    }
    pub fn status(&self) -> InvitationStatus {
        InvitationStatus::from_stored(&self.status, InvitationStatus::Declined)
    }
    /// A co-initiator who confirmed.
    pub fn is_confirmed_initiator(&self) -> bool {
        self.role() == InvitationRole::Initiator && self.status() == InvitationStatus::Confirmed
    }
}

impl endorsement::Model {
    pub fn status(&self) -> EndorsementStatus {
        EndorsementStatus::from_stored(&self.status, EndorsementStatus::Rejected)
    }
}

pub struct NewStatement<'a> {
    pub uuid: &'a str,
    pub ap_url: &'a str,
    pub owner_id: i64,
    pub local: bool,
    pub status: StatementStatus,
    pub policy: EndorsementPolicy,
    pub ask: Option<String>,
    pub deadline: Option<DateTime<Utc>>,
}

pub async fn insert(db: &impl ConnectionTrait, new: NewStatement<'_>) -> Result<statement::Model> {
    let row = statement::ActiveModel {
        uuid: Set(new.uuid.to_string()),
        ap_url: Set(new.ap_url.to_string()),
        owner_id: Set(new.owner_id),
        local: Set(new.local),
        status: Set(new.status.to_string()),
        policy: Set(new.policy.to_string()),
        ask: Set(new.ask),
        deadline: Set(new.deadline),
        created_at: Set(now()),
        opened_at: Set((new.status != StatementStatus::Draft).then(now)),
        closed_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    if row.opened_at.is_some() {
        shown(db, &row).await?;
    }
    Ok(row)
}

/// An opened statement appears as a status of its owner in the client API.
async fn shown(db: &impl ConnectionTrait, row: &statement::Model) -> Result<()> {
    super::api_status::add(
        db,
        super::api_status::StatusKind::Statement,
        row.id,
        row.owner_id,
    )
    .await?;
    Ok(())
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> Result<statement::Model> {
    statement::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("statement"))
}

pub async fn by_uuid(db: &impl ConnectionTrait, uuid: &str) -> Result<Option<statement::Model>> {
    Ok(statement::Entity::find()
        .filter(statement::Column::Uuid.eq(uuid))
        .one(db)
        .await?)
}

pub async fn by_url(db: &impl ConnectionTrait, url: &str) -> Result<Option<statement::Model>> {
    Ok(statement::Entity::find()
        .filter(statement::Column::ApUrl.eq(url))
        .one(db)
        .await?)
}

pub async fn of_owner(db: &impl ConnectionTrait, owner_id: i64) -> Result<Vec<statement::Model>> {
    Ok(statement::Entity::find()
        .filter(statement::Column::OwnerId.eq(owner_id))
        .order_by_desc(statement::Column::Id)
        .all(db)
        .await?)
}

/// Statements kept here whose owner is elsewhere.
pub async fn copies(db: &impl ConnectionTrait) -> Result<Vec<statement::Model>> {
    Ok(statement::Entity::find()
        .filter(statement::Column::Local.eq(false))
        .order_by_desc(statement::Column::Id)
        .all(db)
        .await?)
}

/// Moves a statement to `status`, stamping when it opened or closed.
pub async fn set_status(
    db: &impl ConnectionTrait,
    row: statement::Model,
    status: StatementStatus,
) -> Result<statement::Model> {
    let mut model: statement::ActiveModel = row.clone().into();
    model.status = Set(status.as_str().to_string());
    if status == StatementStatus::Open && row.opened_at.is_none() {
        model.opened_at = Set(Some(now()));
    }
    if status == StatementStatus::Closed {
        model.closed_at = Set(Some(now()));
    }
    let row = model.update(db).await?;
    if row.opened_at.is_some() {
        shown(db, &row).await?;
    }
    Ok(row)
}

/// Copies follow what their owner says about status, policy, ask and deadline.
pub async fn update_copy(
    db: &impl ConnectionTrait,
    row: statement::Model,
    status: StatementStatus,
    policy: EndorsementPolicy,
    deadline: Option<DateTime<Utc>>,
) -> Result<statement::Model> {
    let mut model: statement::ActiveModel = row.into();
    model.status = Set(status.as_str().to_string());
    model.policy = Set(policy.as_str().to_string());
    model.deadline = Set(deadline);
    let row = model.update(db).await?;
    if status != StatementStatus::Draft {
        shown(db, &row).await?;
    }
    Ok(row)
}

pub struct NewVersion<'a> {
    pub statement_id: i64,
    pub number: i32,
    pub ap_id: &'a str,
    pub name: &'a str,
    pub content: &'a str,
    pub content_map: Option<String>,
    pub language: Option<String>,
    pub published: &'a str,
    pub digest: &'a str,
    pub document: Option<String>,
}

pub async fn insert_version(
    db: &impl ConnectionTrait,
    new: NewVersion<'_>,
) -> Result<statement_version::Model> {
    Ok(statement_version::ActiveModel {
        statement_id: Set(new.statement_id),
        number: Set(new.number),
        ap_id: Set(new.ap_id.to_string()),
        name: Set(new.name.to_string()),
        content: Set(new.content.to_string()),
        content_map: Set(new.content_map),
        language: Set(new.language),
        published: Set(new.published.to_string()),
        digest: Set(new.digest.to_string()),
        translations: Set(None),
        document: Set(new.document),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A draft's text is replaced in place: nobody has endorsed it yet.
pub async fn replace_draft_text(
    db: &impl ConnectionTrait,
    row: statement_version::Model,
    new: NewVersion<'_>,
) -> Result<statement_version::Model> {
    let mut model: statement_version::ActiveModel = row.into();
    model.name = Set(new.name.to_string());
    model.content = Set(new.content.to_string());
    model.content_map = Set(new.content_map);
    model.language = Set(new.language);
    model.published = Set(new.published.to_string());
    model.digest = Set(new.digest.to_string());
    Ok(model.update(db).await?)
}

/// Copies keep the owner's latest signed document of each version.
pub async fn set_document(
    db: &impl ConnectionTrait,
    row: statement_version::Model,
    document: &str,
) -> Result<statement_version::Model> {
    let mut model: statement_version::ActiveModel = row.into();
    model.document = Set(Some(document.to_string()));
    Ok(model.update(db).await?)
}

pub async fn version(db: &impl ConnectionTrait, id: i64) -> Result<statement_version::Model> {
    statement_version::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("statement version"))
}

pub async fn version_by_ap_id(
    db: &impl ConnectionTrait,
    ap_id: &str,
) -> Result<Option<statement_version::Model>> {
    Ok(statement_version::Entity::find()
        .filter(statement_version::Column::ApId.eq(ap_id))
        .one(db)
        .await?)
}

pub async fn version_by_number(
    db: &impl ConnectionTrait,
    statement_id: i64,
    number: i32,
) -> Result<Option<statement_version::Model>> {
    Ok(statement_version::Entity::find()
        .filter(statement_version::Column::StatementId.eq(statement_id))
        .filter(statement_version::Column::Number.eq(number))
        .one(db)
        .await?)
}

/// Every version, oldest first.
pub async fn versions(
    db: &impl ConnectionTrait,
    statement_id: i64,
) -> Result<Vec<statement_version::Model>> {
    Ok(statement_version::Entity::find()
        .filter(statement_version::Column::StatementId.eq(statement_id))
        .order_by_asc(statement_version::Column::Number)
        .all(db)
        .await?)
}

pub async fn current_version(
    db: &impl ConnectionTrait,
    statement_id: i64,
) -> Result<statement_version::Model> {
    statement_version::Entity::find()
        .filter(statement_version::Column::StatementId.eq(statement_id))
        .order_by_desc(statement_version::Column::Number)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("statement version"))
}

pub async fn invite(
    db: &impl ConnectionTrait,
    statement_id: i64,
    actor_id: i64,
    role: InvitationRole,
    ap_id: &str,
) -> Result<statement_invitation::Model> {
    if let Some(existing) = invitation_for(db, statement_id, actor_id).await? {
        return Err(Error::conflict(format!(
            "already invited (as {}, {})",
            existing.role, existing.status
        )));
    }
    Ok(statement_invitation::ActiveModel {
        statement_id: Set(statement_id),
        actor_id: Set(actor_id),
        role: Set(role.as_str().to_string()),
        status: Set(InvitationStatus::Invited.as_str().to_string()),
        ap_id: Set(ap_id.to_string()),
        created_at: Set(now()),
        answered_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Records an invitation we received (or learnt of), keeping an existing answer.
pub async fn record_invitation(
    db: &impl ConnectionTrait,
    statement_id: i64,
    actor_id: i64,
    role: InvitationRole,
    ap_id: &str,
) -> Result<statement_invitation::Model> {
    match invitation_for(db, statement_id, actor_id).await? {
        Some(existing) => Ok(existing),
        None => invite(db, statement_id, actor_id, role, ap_id).await,
    }
}

pub async fn invitation(db: &impl ConnectionTrait, id: i64) -> Result<statement_invitation::Model> {
    statement_invitation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("invitation"))
}

pub async fn invitation_by_ap_id(
    db: &impl ConnectionTrait,
    ap_id: &str,
) -> Result<Option<statement_invitation::Model>> {
    Ok(statement_invitation::Entity::find()
        .filter(statement_invitation::Column::ApId.eq(ap_id))
        .one(db)
        .await?)
}

pub async fn invitation_for(
    db: &impl ConnectionTrait,
    statement_id: i64,
    actor_id: i64,
) -> Result<Option<statement_invitation::Model>> {
    Ok(statement_invitation::Entity::find()
        .filter(statement_invitation::Column::StatementId.eq(statement_id))
        .filter(statement_invitation::Column::ActorId.eq(actor_id))
        .one(db)
        .await?)
}

pub async fn answer_invitation(
    db: &impl ConnectionTrait,
    row: statement_invitation::Model,
    status: InvitationStatus,
) -> Result<statement_invitation::Model> {
    let mut model: statement_invitation::ActiveModel = row.into();
    model.status = Set(status.as_str().to_string());
    model.answered_at = Set(Some(now()));
    Ok(model.update(db).await?)
}

/// Invitations of a statement with the invited actors, oldest first.
pub async fn invitations(
    db: &impl ConnectionTrait,
    statement_id: i64,
) -> Result<Vec<(statement_invitation::Model, actor::Model)>> {
    let rows = statement_invitation::Entity::find()
        .filter(statement_invitation::Column::StatementId.eq(statement_id))
        .order_by_asc(statement_invitation::Column::Id)
        .join(
            JoinType::InnerJoin,
            statement_invitation::Relation::Actor.def(),
        )
        .select_also(actor::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(i, a)| a.map(|a| (i, a)))
        .collect())
}

/// The invitations an actor received, newest first, each with its statement.
pub async fn invitations_of_actor(
    db: &impl ConnectionTrait,
    actor_id: i64,
) -> Result<Vec<(statement_invitation::Model, statement::Model)>> {
    let invitations = statement_invitation::Entity::find()
        .filter(statement_invitation::Column::ActorId.eq(actor_id))
        .order_by_desc(statement_invitation::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(invitations.len());
    for invitation in invitations {
        let statement = get(db, invitation.statement_id).await?;
        out.push((invitation, statement));
    }
    Ok(out)
}

/// Adds (or replaces) a translation made after opening, language → HTML.
pub async fn add_translation(
    db: &impl ConnectionTrait,
    row: statement_version::Model,
    language: &str,
    html: &str,
) -> Result<statement_version::Model> {
    let mut map = translations(&row);
    map.insert(
        language.to_string(),
        serde_json::Value::String(html.to_string()),
    );
    let mut model: statement_version::ActiveModel = row.into();
    model.translations = Set(Some(serde_json::Value::Object(map).to_string()));
    Ok(model.update(db).await?)
}

/// A version's translations added after opening, language → HTML.
pub fn translations(
    version: &statement_version::Model,
) -> serde_json::Map<String, serde_json::Value> {
    version
        .translations
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

pub struct NewEndorsement<'a> {
    pub statement_id: i64,
    pub version_id: i64,
    pub endorser_id: i64,
    pub ap_id: &'a str,
    pub status: EndorsementStatus,
    pub anonymous: bool,
    pub endorser_members: Option<i64>,
    pub note: Option<String>,
    pub activity: &'a str,
}

pub async fn insert_endorsement(
    db: &impl ConnectionTrait,
    new: NewEndorsement<'_>,
) -> Result<endorsement::Model> {
    let decided = matches!(
        new.status,
        EndorsementStatus::Accepted | EndorsementStatus::Rejected
    )
    .then(now);
    Ok(endorsement::ActiveModel {
        statement_id: Set(new.statement_id),
        version_id: Set(new.version_id),
        endorser_id: Set(new.endorser_id),
        ap_id: Set(new.ap_id.to_string()),
        status: Set(new.status.as_str().to_string()),
        anonymous: Set(new.anonymous),
        endorser_members: Set(new.endorser_members),
        note: Set(new.note),
        activity: Set(new.activity.to_string()),
        revocation: Set(None),
        created_at: Set(now()),
        decided_at: Set(decided),
        withdrawn_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn endorsement(db: &impl ConnectionTrait, id: i64) -> Result<endorsement::Model> {
    endorsement::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found("endorsement"))
}

pub async fn endorsement_by_ap_id(
    db: &impl ConnectionTrait,
    ap_id: &str,
) -> Result<Option<endorsement::Model>> {
    Ok(endorsement::Entity::find()
        .filter(endorsement::Column::ApId.eq(ap_id))
        .one(db)
        .await?)
}

/// The endorser's pending or accepted endorsement of a version, if any.
pub async fn live_endorsement(
    db: &impl ConnectionTrait,
    version_id: i64,
    endorser_id: i64,
) -> Result<Option<endorsement::Model>> {
    Ok(endorsement::Entity::find()
        .filter(endorsement::Column::VersionId.eq(version_id))
        .filter(endorsement::Column::EndorserId.eq(endorser_id))
        .filter(endorsement::Column::Status.is_in([
            EndorsementStatus::Pending.as_str(),
            EndorsementStatus::Accepted.as_str(),
        ]))
        .one(db)
        .await?)
}

/// Moves an endorsement to `status`; a withdrawal or removal keeps its revocation.
pub async fn set_endorsement_status(
    db: &impl ConnectionTrait,
    row: endorsement::Model,
    status: EndorsementStatus,
    revocation: Option<&str>,
) -> Result<endorsement::Model> {
    let mut model: endorsement::ActiveModel = row.into();
    model.status = Set(status.as_str().to_string());
    match status {
        EndorsementStatus::Accepted | EndorsementStatus::Rejected => {
            model.decided_at = Set(Some(now()))
        }
        EndorsementStatus::Withdrawn | EndorsementStatus::Removed => {
            model.withdrawn_at = Set(Some(now()));
            if let Some(doc) = revocation {
                model.revocation = Set(Some(doc.to_string()));
            }
        }
        _ => {}
    }
    Ok(model.update(db).await?)
}

/// Endorsements of a version in the given statuses, with their endorsers, oldest first.
pub async fn endorsements_of_version(
    db: &impl ConnectionTrait,
    version_id: i64,
    statuses: &[EndorsementStatus],
) -> Result<Vec<(endorsement::Model, actor::Model)>> {
    endorsements_where(db, endorsement::Column::VersionId.eq(version_id), statuses).await
}

/// Every endorsement of a statement in the given statuses, with endorsers, oldest first.
pub async fn endorsements_of_statement(
    db: &impl ConnectionTrait,
    statement_id: i64,
    statuses: &[EndorsementStatus],
) -> Result<Vec<(endorsement::Model, actor::Model)>> {
    endorsements_where(
        db,
        endorsement::Column::StatementId.eq(statement_id),
        statuses,
    )
    .await
}

async fn endorsements_where(
    db: &impl ConnectionTrait,
    scope: sea_orm::sea_query::SimpleExpr,
    statuses: &[EndorsementStatus],
) -> Result<Vec<(endorsement::Model, actor::Model)>> {
    let rows = endorsement::Entity::find()
        .filter(scope)
        .filter(endorsement::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .order_by_asc(endorsement::Column::Id)
        .join(JoinType::InnerJoin, endorsement::Relation::Endorser.def())
        .select_also(actor::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(e, a)| a.map(|a| (e, a)))
        .collect())
}

/// Records a `Like`; false when this actor's like was already counted.
pub async fn add_like(
    db: &impl ConnectionTrait,
    statement_id: i64,
    actor_ap_id: &str,
    like_ap_id: &str,
) -> Result<bool> {
    let exists = statement_like::Entity::find()
        .filter(statement_like::Column::StatementId.eq(statement_id))
        .filter(statement_like::Column::ActorApId.eq(actor_ap_id))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(false);
    }
    statement_like::ActiveModel {
        statement_id: Set(statement_id),
        actor_ap_id: Set(actor_ap_id.to_string()),
        like_ap_id: Set(like_ap_id.to_string()),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(true)
}

/// Forgets a `Like` by its id or by its author; returns the statement it was for.
pub async fn remove_like(
    db: &impl ConnectionTrait,
    like_ap_id: &str,
    actor_ap_id: &str,
) -> Result<Option<i64>> {
    let Some(row) = statement_like::Entity::find()
        .filter(statement_like::Column::LikeApId.eq(like_ap_id))
        .filter(statement_like::Column::ActorApId.eq(actor_ap_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let statement_id = row.statement_id;
    statement_like::Entity::delete_by_id(row.id)
        .exec(db)
        .await?;
    Ok(Some(statement_id))
}

pub async fn count_likes(db: &impl ConnectionTrait, statement_id: i64) -> Result<u64> {
    Ok(statement_like::Entity::find()
        .filter(statement_like::Column::StatementId.eq(statement_id))
        .count(db)
        .await?)
}
