//! Calls to action: remote Events arriving by Create/Update, pledges (Join, Leave and the
//! answers to ours) and co-organizer invitations (Invite{Event} and its answer). Parsed and
//! checked for origin here; decided by the app.

use crate::{
    context::Data,
    fetch,
    outcome::Outcome,
    protocol::{
        activities::Envelope,
        event::{RemoteEvent, parse_remote_event},
        helpers::{id_of, string_of, type_of},
    },
};
use puentes_app::{App, Caller};
use puentes_core::{Error, Result, urls::authority};
use puentes_db::{actor, call, query, query::call::CallData};
use url::Url;

/// The local call an activity's object names, if any.
async fn local_call(app: &App, activity: &Envelope) -> Result<Option<call::Model>> {
    let Some(id) = id_of(&activity.object) else {
        return Ok(None);
    };
    if !app.urls.is_local(&id) {
        return Ok(None);
    }
    app.local_call(id.as_str()).await
}

/// Join{Event} of one of our calls; `None` when the Join is about something else.
pub async fn receive_join(
    app: &App,
    pledger: &actor::Model,
    activity: &Envelope,
) -> Result<Option<Outcome>> {
    let Some(row) = local_call(app, activity).await? else {
        return Ok(None);
    };
    // Mobilizon's participationMessage: the pledger's note to the organizer.
    let message = string_of(&activity.raw, "participationMessage");
    app.receive_pledge(
        &Caller::remote_actor(pledger),
        &row,
        activity.id.as_str(),
        message,
    )
    .await?;
    Ok(Some(Outcome::Applied))
}

/// Leave{Event} of one of our calls: the pledge is withdrawn.
pub async fn receive_leave(
    app: &App,
    pledger: &actor::Model,
    activity: &Envelope,
) -> Result<Option<Outcome>> {
    let Some(row) = local_call(app, activity).await? else {
        return Ok(None);
    };
    Ok(Some(
        if app
            .receive_pledge_withdrawal(&Caller::remote_actor(pledger), &row)
            .await?
        {
            Outcome::Applied
        } else {
            Outcome::Ignored("Leave without a pledge".into())
        },
    ))
}

/// Invite{Event}: a remote organizer asks one of our actors to co-organize its call.
/// `None` when the Invite is about something else (alliance membership).
pub async fn receive_invite(
    app: &App,
    organizer: &actor::Model,
    activity: &Envelope,
) -> Result<Option<Outcome>> {
    let embedded = type_of(&activity.object) == Some("Event");
    let known = match id_of(&activity.object) {
        Some(id) => query::call::by_ap_id(&app.db, id.as_str()).await?,
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
    let Some(member) = query::actor::by_ap_id(&app.db, invitee.as_str())
        .await?
        .filter(|a| a.local)
    else {
        return Ok(Some(Outcome::Ignored(
            "Invite of an actor that is not ours".into(),
        )));
    };
    let row = match known {
        Some(row) => row,
        None => {
            let event = parse_remote_event(&activity.object).map_err(Error::bad_request)?;
            check_origin(&event, organizer)?;
            app.keep_call(organizer, call_data(event, organizer))
                .await?
        }
    };
    Ok(Some(
        if app
            .receive_co_organizer_invite(
                &Caller::remote_actor(organizer),
                &row,
                &member,
                activity.id.as_str(),
            )
            .await?
        {
            Outcome::Applied
        } else {
            Outcome::Ignored("invitation from a blocked actor".into())
        },
    ))
}

/// An Event must come from its own host, sent by its organizer or (Mobilizon) by the
/// person who made it.
fn check_origin(event: &RemoteEvent, signer: &actor::Model) -> Result<()> {
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
    Ok(())
}

/// Create or Update of an Event.
pub async fn receive_event(
    data: &Data,
    app: &App,
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
    check_origin(&event, signer)?;
    let organizer = if event.attributed_to.as_str() == signer.ap_id {
        signer.clone()
    } else {
        match query::actor::by_ap_id(&data.db, event.attributed_to.as_str()).await? {
            Some(known) => known,
            None if query::call::by_ap_id(&data.db, event.id.as_str())
                .await?
                .is_none()
                && !app.wants_from(signer, &event.to, &event.cc).await? =>
            {
                return Ok(Outcome::Ignored(
                    "nobody here follows the organizer or is addressed".into(),
                ));
            }
            None => fetch::actor_by_id(data, &event.attributed_to).await?,
        }
    };
    let (to, cc) = (event.to.clone(), event.cc.clone());
    let kept = app
        .receive_call(
            &Caller::remote_actor(signer),
            &organizer,
            call_data(event, &organizer),
            (&to, &cc),
        )
        .await?;
    Ok(if kept {
        Outcome::Applied
    } else {
        Outcome::Ignored(
            "nobody here follows the organizer or is addressed, or it was deleted".into(),
        )
    })
}

/// A remote Event as domain data.
pub(crate) fn call_data(event: RemoteEvent, organizer: &actor::Model) -> CallData {
    let url = event.url.as_ref().map(Url::to_string);
    let mut data = CallData {
        ap_id: event.id.to_string(),
        organizer_id: organizer.id,
        name: event.name,
        what: None,
        summary: String::new(),
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
        url,
        local: false,
        published: event.published.unwrap_or_else(chrono::Utc::now),
        updated_at: event.updated,
    };
    // Mobilizon sends no summary: write one the same way as for ours, in the event's zone.
    data.summary = event
        .summary
        .unwrap_or_else(|| puentes_app::calls::summary_of(&data));
    data
}
