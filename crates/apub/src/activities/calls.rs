//! Calls to action: remote Events arriving by Create/Update, pledges (Join, Leave and the
//! Accept/Reject of a Join) and co-organizer invitations (Invite{Event} and its Accept).

use crate::{
    context::Data,
    fetch,
    inbox::Outcome,
    protocol::{
        activities::Envelope,
        event::{RemoteEvent, parse_remote_event},
        helpers::{id_of, string_of, type_of},
    },
};
use puentes_core::{Error, Result, sanitize, urls::authority};
use puentes_db::{
    ConnectionTrait, DatabaseConnection, OutboxEvent, TransactionTrait, actor, call, pledge, query,
    query::call::{self as q, CallData, PledgeChange},
};
use url::Url;

/// The local call an activity's object names, if any.
async fn local_call(data: &Data, activity: &Envelope) -> Result<Option<call::Model>> {
    let Some(id) = id_of(&activity.object) else {
        return Ok(None);
    };
    if !data.urls.is_local(&id) {
        return Ok(None);
    }
    Ok(q::by_ap_id(&data.db, id.as_str())
        .await?
        .filter(|c| c.local))
}

/// Decides a pledge to one of our calls and records it with the events that tell the
/// pledger (when remote) and everyone concerned by the new count. Used for Joins from
/// outside and for pledges of local actors alike.
pub async fn admit(
    db: &DatabaseConnection,
    row: &call::Model,
    pledger: &actor::Model,
    join_ap_id: Option<&str>,
    message: Option<String>,
) -> Result<pledge::Model> {
    let txn = db.begin().await?;
    let blocked = query::block::exists(&txn, row.organizer_id, pledger.id).await?;
    let existing = q::pledge(&txn, row.id, pledger.id).await?;
    let (status, reason) = match &existing {
        // A repeated Join (a retry, or Mobilizon re-joining) gets the same answer again.
        Some(p) if p.status == q::ACCEPTED && !blocked => (q::ACCEPTED, None),
        _ => {
            let accepted = q::count_pledges(&txn, row.id, q::ACCEPTED).await?;
            q::admission(row, accepted, blocked)
        }
    };
    let saved = q::save_pledge(
        &txn,
        row.id,
        pledger.id,
        PledgeChange {
            status,
            join_ap_id,
            message,
            reason,
        },
    )
    .await?;
    if status != q::PENDING && !pledger.local {
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::PledgeAnswered {
                pledge_id: saved.id,
                accepted: status == q::ACCEPTED,
            },
        )
        .await?;
    }
    recount_and_announce(&txn, row.id).await?;
    txn.commit().await?;
    Ok(saved)
}

/// After a pledge change on one of our calls: store the new count and, when it changed,
/// send the Update that makes every server show the same number.
pub async fn recount_and_announce(db: &impl ConnectionTrait, call_id: i64) -> Result<()> {
    let row = q::get(db, call_id).await?;
    let before = row.participant_count;
    let row = q::recount(db, row).await?;
    if row.participant_count != before {
        query::outbox::enqueue(db, &OutboxEvent::CallUpdated { call_id: row.id }).await?;
    }
    Ok(())
}

/// Join{Event} of one of our calls; `None` when the Join is about something else.
pub async fn receive_join(
    data: &Data,
    pledger: &actor::Model,
    activity: &Envelope,
) -> Result<Option<Outcome>> {
    let Some(row) = local_call(data, activity).await? else {
        return Ok(None);
    };
    // Mobilizon's participationMessage: the pledger's note to the organizer.
    let message = string_of(&activity.raw, "participationMessage")
        .map(|m| sanitize::strip_html(&m))
        .filter(|m| !m.trim().is_empty());
    admit(&data.db, &row, pledger, Some(activity.id.as_str()), message).await?;
    Ok(Some(Outcome::Applied))
}

/// Leave{Event} of one of our calls: the pledge is withdrawn.
pub async fn receive_leave(
    data: &Data,
    pledger: &actor::Model,
    activity: &Envelope,
) -> Result<Option<Outcome>> {
    let Some(row) = local_call(data, activity).await? else {
        return Ok(None);
    };
    let txn = data.db.begin().await?;
    if q::pledge(&txn, row.id, pledger.id).await?.is_none() {
        return Ok(Some(Outcome::Ignored("Leave without a pledge".into())));
    }
    let change = PledgeChange {
        status: q::WITHDRAWN,
        ..Default::default()
    };
    q::save_pledge(&txn, row.id, pledger.id, change).await?;
    recount_and_announce(&txn, row.id).await?;
    txn.commit().await?;
    Ok(Some(Outcome::Applied))
}

/// Accept, Reject or Ignore of one of our pledges, or Accept of our co-organizer
/// invitation; `None` when it answers something else.
pub async fn receive_answer(
    data: &Data,
    signer: &actor::Model,
    activity: &Envelope,
) -> Result<Option<Outcome>> {
    let Some(answered) = id_of(&activity.object) else {
        return Ok(None);
    };
    let accepted = activity.kind == "Accept";
    if let Some(row) = q::pledge_by_join(&data.db, answered.as_str()).await? {
        let target = q::get(&data.db, row.call_id).await?;
        // Mobilizon answers a group's event as one of the group's people: same host will do.
        let same_origin = Url::parse(&target.ap_id).is_ok_and(|u| authority(&u) == signer.domain);
        if target.local || (target.organizer_id != signer.id && !same_origin) {
            return Err(Error::forbidden("only the organizer can answer a pledge"));
        }
        let reason = if activity.kind == "Ignore" {
            // FEP-8a8e: software that takes no pledges answers Ignore.
            Some("the organizer's server does not take pledges".to_string())
        } else {
            (!accepted)
                .then(|| {
                    string_of(&activity.raw, "summary")
                        .or_else(|| string_of(&activity.raw, "content"))
                })
                .flatten()
                .map(|r| sanitize::strip_html(&r))
        };
        let change = PledgeChange {
            status: if accepted { q::ACCEPTED } else { q::REJECTED },
            reason,
            ..Default::default()
        };
        q::save_pledge(&data.db, row.call_id, row.actor_id, change).await?;
        return Ok(Some(Outcome::Applied));
    }
    if let Some(row) = q::organizer_by_invite(&data.db, answered.as_str()).await? {
        if row.actor_id != signer.id {
            return Err(Error::forbidden("only the invited actor can answer"));
        }
        let txn = data.db.begin().await?;
        let status = if accepted { q::CONFIRMED } else { "declined" };
        q::save_organizer(&txn, row.call_id, row.actor_id, status, None).await?;
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::CallUpdated {
                call_id: row.call_id,
            },
        )
        .await?;
        txn.commit().await?;
        return Ok(Some(Outcome::Applied));
    }
    Ok(None)
}

/// Invite{Event}: a remote organizer asks one of our actors to co-organize its call.
/// `None` when the Invite is about something else (alliance membership).
pub async fn receive_invite(
    data: &Data,
    organizer: &actor::Model,
    activity: &Envelope,
) -> Result<Option<Outcome>> {
    let embedded = type_of(&activity.object) == Some("Event");
    let known = match id_of(&activity.object) {
        Some(id) => q::by_ap_id(&data.db, id.as_str()).await?,
        None => None,
    };
    if !embedded && known.is_none() {
        return Ok(None);
    }
    let invitee = activity
        .raw
        .get("target")
        .and_then(id_of)
        .or_else(|| activity.raw.get("to").and_then(id_of));
    let Some(invitee) = invitee else {
        return Ok(Some(Outcome::Ignored("Invite without target".into())));
    };
    let Some(member) = query::actor::by_ap_id(&data.db, invitee.as_str())
        .await?
        .filter(|a| a.local)
    else {
        return Ok(Some(Outcome::Ignored(
            "Invite of an actor that is not ours".into(),
        )));
    };
    if query::block::exists(&data.db, member.id, organizer.id).await? {
        return Ok(Some(Outcome::Ignored(
            "invitation from a blocked actor".into(),
        )));
    }
    let row = match known {
        Some(row) => row,
        None => {
            let event = parse_remote_event(&activity.object).map_err(Error::bad_request)?;
            store_event(data, organizer, event).await?
        }
    };
    if row.organizer_id != organizer.id {
        return Err(Error::forbidden("only the organizer invites co-organizers"));
    }
    q::save_organizer(
        &data.db,
        row.id,
        member.id,
        q::INVITED,
        Some(activity.id.as_str()),
    )
    .await?;
    Ok(Some(Outcome::Applied))
}

/// Create or Update of an Event. Mobilizon sends a group's event from the person who made
/// it (`actor`), so either the organizer or that person may send it, from the event's host.
pub async fn receive_event(
    data: &Data,
    signer: &actor::Model,
    activity: &Envelope,
) -> Result<Outcome> {
    if !activity.object.is_object() {
        return Ok(Outcome::Ignored("Event given only by id".into()));
    }
    let event = match parse_remote_event(&activity.object) {
        Ok(event) => event,
        Err(reason) => return Ok(Outcome::Ignored(reason)),
    };
    if data.urls.is_local(&event.id) {
        return Ok(Outcome::Ignored("our own call".into()));
    }
    let sent_by_owner = event.attributed_to.as_str() == signer.ap_id
        || event.actor.as_ref().map(Url::as_str) == Some(signer.ap_id.as_str());
    if !sent_by_owner
        || authority(&event.id) != signer.domain
        || authority(&event.attributed_to) != signer.domain
    {
        return Err(Error::forbidden(
            "the Event is not attributed to the activity's actor",
        ));
    }
    let existing = q::by_ap_id(&data.db, event.id.as_str()).await?;
    let organizer = if event.attributed_to.as_str() == signer.ap_id {
        signer.clone()
    } else {
        match query::actor::by_ap_id(&data.db, event.attributed_to.as_str()).await? {
            Some(known) => known,
            None if existing.is_none()
                && !super::create_or_update::is_wanted(data, signer, &event.to, &event.cc)
                    .await? =>
            {
                return Ok(Outcome::Ignored(
                    "nobody here follows the organizer or is addressed".into(),
                ));
            }
            None => fetch::actor_by_id(data, &event.attributed_to).await?,
        }
    };
    if existing.is_none()
        && !super::create_or_update::is_wanted(data, &organizer, &event.to, &event.cc).await?
        && !super::create_or_update::is_wanted(data, signer, &event.to, &event.cc).await?
    {
        return Ok(Outcome::Ignored(
            "nobody here follows the organizer or is addressed".into(),
        ));
    }
    if let Some(row) = &existing
        && row.deleted_at.is_some()
    {
        return Ok(Outcome::Ignored("the call was deleted".into()));
    }
    store_event(data, &organizer, event).await?;
    Ok(Outcome::Applied)
}

fn call_data(event: RemoteEvent, organizer: &actor::Model) -> CallData {
    // Mobilizon sends no summary: write one the same way as for ours, in the event's zone.
    let summary = event.summary.clone().unwrap_or_else(|| {
        let place = match (&event.location_name, &event.location_address) {
            (Some(name), Some(address)) => Some(format!("{name}, {address}")),
            (name, address) => name.clone().or(address.clone()),
        };
        let link = event.url.as_ref().unwrap_or(&event.id).to_string();
        puentes_core::calls::summary(&puentes_core::calls::SummaryParts {
            status: &event.status,
            start: event.start_time,
            end: event.end_time,
            zone: puentes_core::calls::zone_or_utc(event.timezone.as_deref()),
            previous_start: event.previous_start_time,
            place: place.as_deref(),
            online: event.online_url.as_deref(),
            what: None,
            link: &link,
        })
    });
    CallData {
        ap_id: event.id.to_string(),
        organizer_id: organizer.id,
        name: event.name,
        what: None,
        summary,
        content: event.content,
        content_map: event.content_map,
        language: event.language,
        start_time: event.start_time,
        end_time: event.end_time,
        previous_start_time: event.previous_start_time,
        timezone: event.timezone,
        location_name: event.location_name,
        location_address: event.location_address,
        latitude: event.latitude,
        longitude: event.longitude,
        online_url: event.online_url,
        status: event.status,
        capacity: event.capacity,
        join_mode: event.join_mode,
        external_participation_url: event.external_participation_url,
        participant_count: event.participant_count,
        tags: event.tags,
        url: event.url.map(String::from),
        local: false,
        published: event.published.unwrap_or_else(chrono::Utc::now),
        updated_at: event.updated,
    }
}

/// Stores (or refreshes) a remote Event whose origin was checked by the caller.
pub async fn store_event(
    data: &crate::FedContext,
    organizer: &actor::Model,
    event: RemoteEvent,
) -> Result<call::Model> {
    let data_row = call_data(event, organizer);
    match q::by_ap_id(&data.db, &data_row.ap_id).await? {
        Some(existing) if existing.organizer_id != organizer.id => Err(Error::forbidden(
            "only the organizer can change a call to action",
        )),
        Some(existing) => q::replace(&data.db, existing, data_row).await,
        None => q::insert(&data.db, data_row).await,
    }
}

/// A call by its id: stored, or fetched from its origin (to pledge to it by URL).
pub async fn call_by_url(data: &Data, url: &Url) -> Result<call::Model> {
    let page_object = puentes_core::urls::object_id_of_page(url);
    let url = page_object.as_ref().unwrap_or(url);
    if let Some(row) = q::by_ap_id(&data.db, url.as_str()).await? {
        return Ok(row);
    }
    if data.urls.is_local(url) {
        return Err(Error::not_found("call to action"));
    }
    let doc = fetch::signed_get_json(data, url, None).await?;
    let event = parse_remote_event(&doc)
        .map_err(|reason| Error::bad_request(format!("{url} is not a call to action: {reason}")))?;
    if authority(&event.id) != authority(url) || authority(&event.attributed_to) != authority(url) {
        return Err(Error::remote("the Event is not from its own host"));
    }
    if let Some(row) = q::by_ap_id(&data.db, event.id.as_str()).await? {
        return Ok(row);
    }
    let organizer = fetch::actor_by_id(data, &event.attributed_to).await?;
    store_event(data, &organizer, event).await
}

/// Delete of a remote call: it stays known as deleted, and leaves calendars and counts.
pub async fn receive_delete(data: &Data, signer: &actor::Model, object: &Url) -> Result<Outcome> {
    let Some(row) = q::by_ap_id(&data.db, object.as_str()).await? else {
        return Ok(Outcome::Ignored("Delete of an unknown object".into()));
    };
    // Mobilizon deletes a group's event as the person who does it: same host is enough.
    if row.local || (row.organizer_id != signer.id && authority(object) != signer.domain) {
        return Err(Error::forbidden("only the organizer can delete a call"));
    }
    if row.deleted_at.is_none() {
        q::mark_deleted(&data.db, row).await?;
    }
    Ok(Outcome::Applied)
}
