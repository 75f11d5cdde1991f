//! Calls to action: creating, changing and cancelling calls; pledging and withdrawing (to
//! ours or to another server's); the organizer's admission of pledges, written once for
//! local pledgers and the inbox; co-organizers; and the calls kept from elsewhere.

use crate::{App, Caller, Permission, posts::NewPost};
use chrono::Utc;
use puentes_core::{
    CallStatus, Error, InvitationStatus, JoinMode, PledgeStatus, Result, calls, content::Tag,
    sanitize, text,
};
use puentes_db::{
    ConnectionTrait, OutboxEvent, actor, call, call_organizer, pledge,
    query::{
        self,
        call::{self as q, CallData, PledgeChange},
    },
};
use std::collections::BTreeMap;
use url::Url;

/// What creating or updating a call takes; on update, `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct CallInput {
    pub title: Option<String>,
    /// RFC 3339, with its offset.
    pub start: Option<String>,
    pub end: Option<String>,
    /// IANA zone the call is shown in (default UTC).
    pub timezone: Option<String>,
    pub place: Option<String>,
    pub address: Option<String>,
    /// "LAT,LON"
    pub geo: Option<String>,
    pub online: Option<String>,
    /// What to do, in a sentence: it goes into the summary Mastodon shows.
    pub summary: Option<String>,
    /// The full text, Markdown with #hashtags.
    pub description: Option<String>,
    pub language: Option<String>,
    /// More languages of the description: (language, Markdown).
    pub translations: Vec<(String, String)>,
    pub capacity: Option<i64>,
    /// Free (accepted at once) or Restricted (approved by the organizer).
    pub approval: Option<JoinMode>,
    pub status: Option<CallStatus>,
    /// Where people take part instead of pledging here (Mobilizon's `external` join mode).
    pub external_url: Option<String>,
    /// Handles of other actors invited to co-organize.
    pub co_organizers: Vec<String>,
}

fn http_url(what: &str, value: &str) -> Result<String> {
    match Url::parse(value.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url.to_string()),
        _ => Err(Error::bad_request(format!(
            "the {what} {value:?} is not an http(s) URL"
        ))),
    }
}

fn geo(value: &str) -> Result<(f64, f64)> {
    let bad = || {
        Error::bad_request(format!(
            "the coordinates take LAT,LON (like 51.34,12.37), got {value:?}"
        ))
    };
    let (lat, lon) = value.split_once(',').ok_or_else(bad)?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(bad());
    }
    Ok((lat, lon))
}

/// A single line of plain text (titles, places): no markup, no line breaks.
fn line(value: &str) -> String {
    sanitize::strip_html(value)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn non_empty_line(value: Option<String>) -> Option<String> {
    value.map(|v| line(&v)).filter(|v| !v.is_empty())
}

/// The place as one line: "Marktplatz, Leipzig" or "Name, address".
pub fn place_of(name: Option<&str>, address: Option<&str>) -> Option<String> {
    match (name, address) {
        (Some(name), Some(address)) if !address.contains(name) => {
            Some(format!("{name}, {address}"))
        }
        (_, Some(address)) => Some(address.to_string()),
        (Some(name), None) => Some(name.to_string()),
        (None, None) => None,
    }
}

/// What Event-unaware software shows: time in the organizer's zone, place, what to do,
/// where to pledge. Our calls' summary is written from their fields, so it is never stale.
pub fn summary_of(data: &CallData) -> String {
    let link = data.url.clone().unwrap_or_else(|| data.ap_id.clone());
    let place = place_of(
        data.location_name.as_deref(),
        data.location_address.as_deref(),
    );
    calls::summary(&calls::SummaryParts {
        status: data.status,
        start: data.start_time,
        end: data.end_time,
        zone: calls::zone_or_utc(data.timezone.as_deref()),
        previous_start: data.previous_start_time,
        place: place.as_deref(),
        online: data.online_url.as_deref(),
        what: data.what.as_deref(),
        link: &link,
    })
}

/// What the organizer answers a new pledge: accepted, held for approval, or refused with
/// the reason (cancelled, elsewhere, full, blocked).
pub fn admission(
    row: &call::Model,
    accepted: u64,
    blocked: bool,
) -> (PledgeStatus, Option<String>) {
    if blocked {
        return (
            PledgeStatus::Rejected,
            Some("not accepted by the organizer".into()),
        );
    }
    if row.is_cancelled() {
        return (
            PledgeStatus::Rejected,
            Some("the call to action was cancelled".into()),
        );
    }
    let mode = row.join_mode();
    if !mode.takes_pledges() {
        let elsewhere = row
            .external_participation_url
            .as_deref()
            .map(|url| format!("this call takes pledges at {url}"))
            .unwrap_or_else(|| "this call does not take pledges here".into());
        return (PledgeStatus::Rejected, Some(elsewhere));
    }
    if row
        .capacity
        .is_some_and(|capacity| accepted as i64 >= capacity)
    {
        return (PledgeStatus::Rejected, Some("no places left".into()));
    }
    if mode == JoinMode::Free {
        (PledgeStatus::Accepted, None)
    } else {
        (PledgeStatus::Pending, None)
    }
}

/// After a pledge change on one of our calls: store the new count and, when it changed,
/// send the Update that makes every server show the same number.
async fn recount_and_announce(db: &impl ConnectionTrait, call_id: i64) -> Result<()> {
    let row = q::get(db, call_id).await?;
    let before = row.participant_count;
    let row = q::recount(db, row).await?;
    if row.participant_count != before {
        query::outbox::enqueue(db, &OutboxEvent::CallUpdated { call_id: row.id }).await?;
    }
    Ok(())
}

/// Decides a pledge to one of our calls and records it with the events that tell the
/// pledger (when remote) and everyone concerned by the new count.
async fn admit(
    db: &impl ConnectionTrait,
    row: &call::Model,
    pledger: &actor::Model,
    join_ap_id: Option<&str>,
    message: Option<String>,
) -> Result<pledge::Model> {
    let blocked = query::block::exists(db, row.organizer_id, pledger.id).await?;
    let existing = q::pledge(db, row.id, pledger.id).await?;
    let (status, reason) = match &existing {
        // A repeated Join (a retry, or Mobilizon re-joining) gets the same answer again.
        Some(p) if p.status() == PledgeStatus::Accepted && !blocked => {
            (PledgeStatus::Accepted, None)
        }
        _ => {
            let accepted = q::count_pledges(db, row.id, PledgeStatus::Accepted).await?;
            admission(row, accepted, blocked)
        }
    };
    let saved = q::save_pledge(
        db,
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
    if existing.is_none() && status != PledgeStatus::Rejected {
        crate::notifications::tell_id(
            db,
            row.organizer_id,
            puentes_core::NotificationKind::Pledge,
            pledger,
            None,
            Some(&row.ap_id),
        )
        .await?;
    }
    if status != PledgeStatus::Pending && !pledger.local {
        query::outbox::enqueue(
            db,
            &OutboxEvent::PledgeAnswered {
                pledge_id: saved.id,
                accepted: status == PledgeStatus::Accepted,
            },
        )
        .await?;
    }
    recount_and_announce(db, row.id).await?;
    Ok(saved)
}

impl App {
    /// Applies `input` over `data` (a new call's defaults or a stored call), checking it all.
    fn apply_call_input(&self, data: &mut CallData, input: CallInput) -> Result<()> {
        if let Some(title) = input.title {
            let title = line(&title);
            if title.is_empty() {
                return Err(Error::bad_request("the title is empty"));
            }
            data.name = title;
        }
        let zone = match &input.timezone {
            Some(zone) => calls::parse_timezone(zone)?,
            None => calls::zone_or_utc(data.timezone.as_deref()),
        };
        data.timezone = Some(zone.name().to_string());
        if let Some(start) = &input.start {
            let start = calls::parse_time("the start time", start)?;
            if !data.ap_id.is_empty() && start != data.start_time {
                // Moved: FEP-8a8e's previousStartTime, and "Moved to …" in the summary.
                data.previous_start_time = Some(data.start_time);
            }
            data.start_time = start;
        }
        if let Some(end) = &input.end {
            data.end_time = Some(calls::parse_time("the end time", end)?);
        }
        calls::check_span(data.start_time, data.end_time)?;
        if input.place.is_some() {
            data.location_name = non_empty_line(input.place);
        }
        if input.address.is_some() {
            data.location_address = non_empty_line(input.address);
        }
        if let Some(value) = &input.geo {
            let (lat, lon) = geo(value)?;
            data.latitude = Some(lat);
            data.longitude = Some(lon);
        }
        if let Some(online) = &input.online {
            data.online_url = Some(http_url("online link", online)?);
        }
        if let Some(external) = &input.external_url {
            data.external_participation_url = Some(http_url("external link", external)?);
            data.join_mode = JoinMode::External;
        }
        if input.summary.is_some() {
            data.what = non_empty_line(input.summary);
        }
        if let Some(capacity) = input.capacity {
            calls::check_capacity(Some(capacity))?;
            data.capacity = Some(capacity);
        }
        if let Some(approval) = input.approval {
            if !approval.takes_pledges() {
                return Err(Error::bad_request(
                    "approval is auto (free) or manual (restricted)",
                ));
            }
            data.join_mode = approval;
        }
        if let Some(status) = input.status {
            data.status = status;
        }
        let language = input.language.as_deref().map(text::language).transpose()?;
        if language.is_some() {
            data.language = language;
        }
        if !input.translations.is_empty() && data.language.is_none() {
            return Err(Error::bad_request(
                "give the language of the description when adding translations",
            ));
        }
        let tag_base = self.tag_base();
        if let Some(description) = &input.description {
            data.content = text::render(description, &tag_base, &[]);
            let mut all = description.clone();
            if let Some(what) = &data.what {
                all.push(' ');
                all.push_str(what);
            }
            data.tags = text::hashtags(&all)
                .iter()
                .map(|tag| Tag::hashtag(tag, &tag_base))
                .collect();
        }
        if !input.translations.is_empty()
            && let Some(lang) = &data.language
        {
            let mut map = BTreeMap::from([(lang.clone(), data.content.clone())]);
            for (other, translated) in &input.translations {
                map.insert(
                    text::language(other)?,
                    text::render(translated, &tag_base, &[]),
                );
            }
            data.content_map = Some(map);
        }
        Ok(())
    }

    /// A call by its id (URL), its page, or for ours the UUID at its end.
    pub async fn find_call(&self, id: &str) -> Result<call::Model> {
        let url = match uuid::Uuid::parse_str(id.trim()) {
            Ok(uuid) => self.urls.call(uuid),
            Err(_) => {
                let url = Url::parse(id.trim())
                    .map_err(|_| Error::bad_request(format!("{id:?} is not a call's id or URL")))?;
                puentes_core::urls::object_id_of_page(&url).unwrap_or(url)
            }
        };
        q::by_ap_id(&self.db, url.as_str())
            .await?
            .ok_or_else(|| Error::not_found(format!("call to action {url}")))
    }

    /// One of our calls, with its organizer, if the caller may act for the organizer.
    async fn own_call(
        &self,
        caller: &Caller,
        id: &str,
        need: Permission,
    ) -> Result<(call::Model, actor::Model)> {
        let row = self.find_call(id).await?;
        if !row.local {
            return Err(Error::bad_request(
                "that call is organized on another server; only its organizer can change it",
            ));
        }
        let organizer = query::actor::get(&self.db, row.organizer_id).await?;
        let acting = self.acting_for(caller, organizer, need).await?;
        Ok((row, acting.actor))
    }

    /// Publishes a call to action as `as_name`; co-organizers are invited.
    pub async fn create_call(
        &self,
        caller: &Caller,
        as_name: &str,
        input: CallInput,
    ) -> Result<call::Model> {
        let organizer = self
            .acting(caller, as_name, Permission::Publish)
            .await?
            .actor;
        if input.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
            return Err(Error::bad_request("a call to action needs a title"));
        }
        let start = input
            .start
            .as_deref()
            .ok_or_else(|| Error::bad_request("a call to action needs a start time"))?;
        let start = calls::parse_time("the start time", start)?;
        let co_handles = input.co_organizers.clone();
        let uuid = uuid::Uuid::now_v7();
        let now = Utc::now();
        let mut data = CallData {
            ap_id: String::new(),
            organizer_id: organizer.id,
            name: String::new(),
            what: None,
            summary: String::new(),
            content: String::new(),
            content_map: None,
            language: None,
            start_time: start,
            end_time: None,
            previous_start_time: None,
            timezone: None,
            location_name: None,
            location_address: None,
            latitude: None,
            longitude: None,
            online_url: None,
            status: CallStatus::Confirmed,
            capacity: None,
            join_mode: JoinMode::Free,
            external_participation_url: None,
            participant_count: 0,
            tags: Vec::new(),
            url: Some(self.urls.call_page(&organizer.username, uuid).to_string()),
            local: true,
            published: now,
            updated_at: None,
        };
        self.apply_call_input(&mut data, input)?;
        if data.status == CallStatus::Cancelled {
            return Err(Error::bad_request("a new call cannot be cancelled"));
        }
        data.ap_id = self.urls.call(uuid).to_string();
        data.summary = summary_of(&data);
        let mut co_organizers = Vec::new();
        for handle in &co_handles {
            let actor = self.resolve(handle).await?;
            if actor.id == organizer.id {
                return Err(Error::bad_request(
                    "the organizer cannot co-organize with itself",
                ));
            }
            co_organizers.push(actor);
        }
        let txn = self.write().await?;
        let row = q::insert(&txn, data).await?;
        query::outbox::enqueue(&txn, &OutboxEvent::CallPublished { call_id: row.id }).await?;
        for actor in co_organizers {
            let invite = self.urls.new_activity();
            let saved = q::save_organizer(
                &txn,
                row.id,
                actor.id,
                InvitationStatus::Invited,
                Some(invite.as_str()),
            )
            .await?;
            if !actor.local {
                query::outbox::enqueue(
                    &txn,
                    &OutboxEvent::CoOrganizerInvited {
                        organizer_id: saved.id,
                    },
                )
                .await?;
            }
        }
        self.commit(txn).await?;
        Ok(row)
    }

    /// Changes a call; followers and everyone pledged get the Update.
    pub async fn update_call(
        &self,
        caller: &Caller,
        id: &str,
        input: CallInput,
    ) -> Result<call::Model> {
        if !input.co_organizers.is_empty() {
            return Err(Error::bad_request(
                "co-organizers are invited when the call is created",
            ));
        }
        let (row, _) = self.own_call(caller, id, Permission::Publish).await?;
        if row.status() == CallStatus::Cancelled {
            return Err(Error::conflict("the call was cancelled; create a new one"));
        }
        let mut data = CallData::of(&row);
        self.apply_call_input(&mut data, input)?;
        self.save_call(row, data).await
    }

    async fn save_call(&self, row: call::Model, mut data: CallData) -> Result<call::Model> {
        data.updated_at = Some(Utc::now());
        data.summary = summary_of(&data);
        let txn = self.write().await?;
        let saved = q::replace(&txn, row, data).await?;
        query::outbox::enqueue(&txn, &OutboxEvent::CallUpdated { call_id: saved.id }).await?;
        self.commit(txn).await?;
        Ok(saved)
    }

    /// Cancels a call: it stays, marked cancelled, and everyone concerned is told.
    pub async fn cancel_call(&self, caller: &Caller, id: &str) -> Result<call::Model> {
        let (row, _) = self.own_call(caller, id, Permission::Publish).await?;
        if row.status() == CallStatus::Cancelled {
            return Err(Error::conflict("the call is already cancelled"));
        }
        let mut data = CallData::of(&row);
        data.status = CallStatus::Cancelled;
        self.save_call(row, data).await
    }

    /// A call known here by its URL, or read from its origin (and kept).
    async fn call_by_url(&self, url: &Url) -> Result<call::Model> {
        let url = puentes_core::urls::object_id_of_page(url).unwrap_or(url.clone());
        if let Some(row) = q::by_ap_id(&self.db, url.as_str()).await? {
            return Ok(row);
        }
        if self.urls.is_local(&url) {
            return Err(Error::not_found("call to action"));
        }
        let remote = self.network().fetch_call(&url).await?;
        if let Some(row) = q::by_ap_id(&self.db, &remote.data.ap_id).await? {
            return Ok(row);
        }
        self.keep_call(&remote.organizer, remote.data).await
    }

    /// `as_name` pledges to take part in the call at `url` (ours or another server's).
    pub async fn pledge(&self, caller: &Caller, as_name: &str, url: &str) -> Result<pledge::Model> {
        let pledger = self
            .acting(caller, as_name, Permission::Publish)
            .await?
            .actor;
        let url = Url::parse(url.trim())
            .map_err(|_| Error::bad_request(format!("{url:?} is not a call's URL")))?;
        let target = self.call_by_url(&url).await?;
        if target.organizer_id == pledger.id {
            return Err(Error::bad_request(
                "the organizer does not pledge to its own call",
            ));
        }
        if target.is_cancelled() {
            return Err(Error::conflict("the call was cancelled"));
        }
        if !target.join_mode().takes_pledges() {
            return Err(Error::bad_request(
                match &target.external_participation_url {
                    Some(external) => format!("this call takes pledges elsewhere: {external}"),
                    None => "this call does not take pledges".to_string(),
                },
            ));
        }
        let existing = q::pledge(&self.db, target.id, pledger.id).await?;
        if let Some(p) = existing.filter(|p| p.status().is_live()) {
            return Err(Error::conflict(format!(
                "{as_name} already pledged ({})",
                p.status
            )));
        }
        let txn = self.write().await?;
        let row = if target.local {
            // Same server: the organizer's rules apply at once.
            admit(&txn, &target, &pledger, None, None).await?
        } else {
            let join = self.urls.new_activity();
            let change = PledgeChange {
                status: PledgeStatus::Pending,
                join_ap_id: Some(join.as_str()),
                message: None,
                reason: None,
            };
            let row = q::save_pledge(&txn, target.id, pledger.id, change).await?;
            query::outbox::enqueue(&txn, &OutboxEvent::PledgeSent { pledge_id: row.id }).await?;
            row
        };
        self.commit(txn).await?;
        Ok(row)
    }

    /// `as_name` withdraws its pledge.
    pub async fn withdraw_pledge(&self, caller: &Caller, as_name: &str, url: &str) -> Result<()> {
        let pledger = self
            .acting(caller, as_name, Permission::Publish)
            .await?
            .actor;
        let target = self.find_call(url).await?;
        q::pledge(&self.db, target.id, pledger.id)
            .await?
            .filter(|p| p.status().is_live())
            .ok_or_else(|| Error::not_found(format!("{as_name}'s pledge to {}", target.ap_id)))?;
        let txn = self.write().await?;
        let change = PledgeChange {
            status: PledgeStatus::Withdrawn,
            join_ap_id: None,
            message: None,
            reason: None,
        };
        let saved = q::save_pledge(&txn, target.id, pledger.id, change).await?;
        if target.local {
            recount_and_announce(&txn, target.id).await?;
        } else {
            query::outbox::enqueue(
                &txn,
                &OutboxEvent::PledgeWithdrawn {
                    pledge_id: saved.id,
                },
            )
            .await?;
        }
        self.commit(txn).await?;
        Ok(())
    }

    /// Every pledge to a call known here, with its actor (public: counts and who pledged).
    pub async fn call_pledges(
        &self,
        id: &str,
    ) -> Result<(call::Model, Vec<(pledge::Model, actor::Model)>)> {
        let row = self.find_call(id).await?;
        let all = q::pledges(
            &self.db,
            row.id,
            &[
                PledgeStatus::Accepted,
                PledgeStatus::Pending,
                PledgeStatus::Rejected,
                PledgeStatus::Withdrawn,
            ],
        )
        .await?;
        Ok((row, all))
    }

    /// The organizer approves or declines a pending pledge (calls with manual approval).
    pub async fn decide_pledge(
        &self,
        caller: &Caller,
        id: &str,
        handle: &str,
        approve: bool,
    ) -> Result<()> {
        let (row, _) = self.own_call(caller, id, Permission::Decide).await?;
        let pledger = self.resolve(handle).await?;
        q::pledge(&self.db, row.id, pledger.id)
            .await?
            .filter(|p| p.status() == PledgeStatus::Pending)
            .ok_or_else(|| Error::not_found(format!("a pending pledge of {handle}")))?;
        let txn = self.write().await?;
        let accepted = q::count_pledges(&txn, row.id, PledgeStatus::Accepted).await?;
        if approve && row.capacity.is_some_and(|c| accepted as i64 >= c) {
            return Err(Error::conflict("no places left: raise the capacity first"));
        }
        let change = PledgeChange {
            status: if approve {
                PledgeStatus::Accepted
            } else {
                PledgeStatus::Rejected
            },
            join_ap_id: None,
            message: None,
            reason: (!approve).then(|| "not accepted by the organizer".to_string()),
        };
        let saved = q::save_pledge(&txn, row.id, pledger.id, change).await?;
        if !pledger.local {
            query::outbox::enqueue(
                &txn,
                &OutboxEvent::PledgeAnswered {
                    pledge_id: saved.id,
                    accepted: approve,
                },
            )
            .await?;
        }
        recount_and_announce(&txn, row.id).await?;
        self.commit(txn).await?;
        Ok(())
    }

    /// `as_name` confirms it co-organizes the call it was invited to.
    pub async fn confirm_co_organizer(
        &self,
        caller: &Caller,
        as_name: &str,
        id: &str,
    ) -> Result<()> {
        let me = self
            .acting(caller, as_name, Permission::Publish)
            .await?
            .actor;
        let row = self.find_call(id).await?;
        q::organizer_of(&self.db, row.id, me.id)
            .await?
            .filter(|o| o.status() == InvitationStatus::Invited)
            .ok_or_else(|| {
                Error::not_found(format!("an invitation of {as_name} to co-organize"))
            })?;
        let txn = self.write().await?;
        let saved =
            q::save_organizer(&txn, row.id, me.id, InvitationStatus::Confirmed, None).await?;
        let event = if row.local {
            OutboxEvent::CallUpdated { call_id: row.id }
        } else {
            OutboxEvent::CoOrganizerConfirmed {
                organizer_id: saved.id,
            }
        };
        query::outbox::enqueue(&txn, &event).await?;
        self.commit(txn).await?;
        Ok(())
    }

    /// A campaign without a date is an Article carrying its hashtag, so Mastodon users can
    /// follow the tag and every post using it gathers on the tag page.
    pub async fn campaign(
        &self,
        caller: &Caller,
        as_name: &str,
        title: &str,
        hashtag: &str,
        text_md: &str,
        summary: Option<String>,
    ) -> Result<puentes_db::post::Model> {
        let tag = hashtag.trim().trim_start_matches('#');
        if tag.is_empty() || !tag.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(Error::bad_request(format!(
                "{hashtag:?} is not a hashtag: letters, digits and _ only"
            )));
        }
        let mut body = text_md.to_string();
        if !text::hashtags(text_md)
            .iter()
            .any(|t| t.eq_ignore_ascii_case(tag))
        {
            body.push_str(&format!("\n\n#{tag}"));
        }
        let new = NewPost {
            title: Some(title.to_string()),
            summary,
            ..NewPost::text(&body)
        };
        self.publish(caller, as_name, new).await
    }

    // The inbox, and calls kept from elsewhere.

    /// Stores (or refreshes) a remote call whose origin the federation side checked.
    pub async fn keep_call(&self, organizer: &actor::Model, data: CallData) -> Result<call::Model> {
        match q::by_ap_id(&self.db, &data.ap_id).await? {
            Some(existing) if existing.organizer_id != organizer.id => Err(Error::forbidden(
                "only the organizer can change a call to action",
            )),
            Some(existing) if existing.local => Err(Error::forbidden("that call is ours")),
            Some(existing) => q::replace(&self.db, existing, data).await,
            None => q::insert(&self.db, data).await,
        }
    }

    /// Create or Update of a remote call (`organizer` found by the federation side, the
    /// sender checked to be it or one of its people): kept when someone here cares.
    pub async fn receive_call(
        &self,
        from: &Caller,
        organizer: &actor::Model,
        data: CallData,
        addressed_to: (&[String], &[String]),
    ) -> Result<bool> {
        let signer = from.remote()?;
        let existing = q::by_ap_id(&self.db, &data.ap_id).await?;
        if let Some(row) = &existing
            && row.deleted_at.is_some()
        {
            return Ok(false);
        }
        let (to, cc) = addressed_to;
        if existing.is_none()
            && !self.wants_from(organizer, to, cc).await?
            && !self.wants_from(signer, to, cc).await?
        {
            return Ok(false);
        }
        self.keep_call(organizer, data).await?;
        Ok(true)
    }

    /// One of our calls, by an activity's object id.
    pub async fn local_call(&self, id: &str) -> Result<Option<call::Model>> {
        Ok(q::by_ap_id(&self.db, id).await?.filter(|c| c.local))
    }

    /// A remote actor pledges (Join) to one of our calls.
    pub async fn receive_pledge(
        &self,
        from: &Caller,
        row: &call::Model,
        join_id: &str,
        message: Option<String>,
    ) -> Result<pledge::Model> {
        let pledger = from.remote()?;
        if !row.local {
            return Err(Error::not_found("that call"));
        }
        let message = message
            .map(|m| sanitize::strip_html(&m))
            .filter(|m| !m.trim().is_empty());
        let txn = self.write().await?;
        let saved = admit(&txn, row, pledger, Some(join_id), message).await?;
        self.commit(txn).await?;
        Ok(saved)
    }

    /// A remote actor withdraws its pledge (Leave) from one of our calls.
    pub async fn receive_pledge_withdrawal(
        &self,
        from: &Caller,
        row: &call::Model,
    ) -> Result<bool> {
        let pledger = from.remote()?;
        let txn = self.write().await?;
        if q::pledge(&txn, row.id, pledger.id).await?.is_none() {
            return Ok(false);
        }
        let change = PledgeChange {
            status: PledgeStatus::Withdrawn,
            join_ap_id: None,
            message: None,
            reason: None,
        };
        q::save_pledge(&txn, row.id, pledger.id, change).await?;
        recount_and_announce(&txn, row.id).await?;
        self.commit(txn).await?;
        Ok(true)
    }

    /// The answer to one of our pledges: Accept, Reject, or Ignore from software that
    /// takes no pledges.
    pub async fn receive_pledge_answer(
        &self,
        from: &Caller,
        row: pledge::Model,
        answer: CallAnswer,
    ) -> Result<()> {
        let signer = from.remote()?;
        {
            let target = q::get(&self.db, row.call_id).await?;
            // Mobilizon answers a group's event as one of the group's people: same host will do.
            let same_origin = Url::parse(&target.ap_id)
                .is_ok_and(|u| puentes_core::urls::authority(&u) == signer.domain);
            if target.local || (target.organizer_id != signer.id && !same_origin) {
                return Err(Error::forbidden("only the organizer can answer a pledge"));
            }
            let (status, reason) = match answer {
                CallAnswer::Accepted => (PledgeStatus::Accepted, None),
                CallAnswer::Rejected(reason) => (
                    PledgeStatus::Rejected,
                    reason.map(|r| sanitize::strip_html(&r)),
                ),
                // FEP-8a8e: software that takes no pledges answers Ignore.
                CallAnswer::Ignored => (
                    PledgeStatus::Rejected,
                    Some("the organizer's server does not take pledges".to_string()),
                ),
            };
            let change = PledgeChange {
                status,
                join_ap_id: None,
                message: None,
                reason,
            };
            q::save_pledge(&self.db, row.call_id, row.actor_id, change).await?;
        }
        Ok(())
    }

    /// The invited actor answers our invitation to co-organize a call.
    pub async fn receive_co_organizer_answer(
        &self,
        from: &Caller,
        row: call_organizer::Model,
        answer: CallAnswer,
    ) -> Result<()> {
        let signer = from.remote()?;
        {
            if row.actor_id != signer.id {
                return Err(Error::forbidden("only the invited actor can answer"));
            }
            let status = match answer {
                CallAnswer::Accepted => InvitationStatus::Confirmed,
                _ => InvitationStatus::Declined,
            };
            let txn = self.write().await?;
            q::save_organizer(&txn, row.call_id, row.actor_id, status, None).await?;
            query::outbox::enqueue(
                &txn,
                &OutboxEvent::CallUpdated {
                    call_id: row.call_id,
                },
            )
            .await?;
            self.commit(txn).await?;
        }
        Ok(())
    }

    /// A remote organizer invites one of our actors to co-organize its call (kept first).
    pub async fn receive_co_organizer_invite(
        &self,
        from: &Caller,
        row: &call::Model,
        invitee: &actor::Model,
        invite_id: &str,
    ) -> Result<bool> {
        let organizer = from.remote()?;
        if !invitee.local {
            return Err(Error::not_found("that actor"));
        }
        if query::block::exists(&self.db, invitee.id, organizer.id).await? {
            return Ok(false);
        }
        if row.organizer_id != organizer.id {
            return Err(Error::forbidden("only the organizer invites co-organizers"));
        }
        q::save_organizer(
            &self.db,
            row.id,
            invitee.id,
            InvitationStatus::Invited,
            Some(invite_id),
        )
        .await?;
        Ok(true)
    }

    /// Delete of a remote call: it stays known as deleted, and leaves calendars and counts.
    pub async fn receive_call_deleted(
        &self,
        from: &Caller,
        object_id: &str,
    ) -> Result<crate::posts::Received> {
        let signer = from.remote()?;
        let Some(row) = q::by_ap_id(&self.db, object_id).await? else {
            return Ok(crate::posts::Received::Ignored(
                "Delete of an unknown object",
            ));
        };
        // Mobilizon deletes a group's event as the person who does it: same host is enough.
        let same_origin =
            Url::parse(object_id).is_ok_and(|u| puentes_core::urls::authority(&u) == signer.domain);
        if row.local || (row.organizer_id != signer.id && !same_origin) {
            return Err(Error::forbidden("only the organizer can delete a call"));
        }
        if row.deleted_at.is_none() {
            q::mark_deleted(&self.db, row).await?;
        }
        Ok(crate::posts::Received::Stored)
    }
}

/// How a remote server answered one of our pledges or invitations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallAnswer {
    Accepted,
    /// With the organizer's reason, when it gave one.
    Rejected(Option<String>),
    Ignored,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::testing::TestApp;
    use puentes_core::ActorKind;

    fn input(approval: JoinMode, capacity: Option<i64>) -> CallInput {
        CallInput {
            title: Some("Vigilia".into()),
            start: Some("2031-05-01T18:00:00+02:00".into()),
            approval: Some(approval),
            capacity,
            ..CallInput::default()
        }
    }

    /// The organizer's rule, the same for a pledge from the inbox and from a local actor.
    #[tokio::test]
    async fn pledges_are_admitted_by_one_rule() {
        for app in TestApp::all().await {
            let op = Caller::Operator;
            app.actor("convoca", ActorKind::Alliance).await;
            app.actor("vecina", ActorKind::Organization).await;
            let lejana = app.remote("lejana", ActorKind::Organization).await;
            let otra = app.remote("otra", ActorKind::Organization).await;
            let from = Caller::remote_actor(&lejana);

            // Free: accepted at once; a repeated Join gets the same answer.
            let free = app
                .create_call(&op, "convoca", input(JoinMode::Free, Some(2)))
                .await
                .unwrap();
            let p = app
                .receive_pledge(&from, &free, "http://remote.example/join/1", None)
                .await
                .unwrap();
            assert_eq!(p.status(), PledgeStatus::Accepted);
            let p = app
                .receive_pledge(&from, &free, "http://remote.example/join/1", None)
                .await
                .unwrap();
            assert_eq!(p.status(), PledgeStatus::Accepted);
            let p = app.pledge(&op, "vecina", &free.ap_id).await.unwrap();
            assert_eq!(p.status(), PledgeStatus::Accepted);
            // Full: refused with the reason.
            let p = app
                .receive_pledge(
                    &Caller::remote_actor(&otra),
                    &free,
                    "http://remote.example/join/2",
                    None,
                )
                .await
                .unwrap();
            assert_eq!(p.status(), PledgeStatus::Rejected);
            assert_eq!(p.reason.as_deref(), Some("no places left"));
            assert_eq!(q::get(&app.db, free.id).await.unwrap().participant_count, 2);

            // Restricted: held for the organizer, who decides.
            let held = app
                .create_call(&op, "convoca", input(JoinMode::Restricted, None))
                .await
                .unwrap();
            let p = app
                .receive_pledge(&from, &held, "http://remote.example/join/3", None)
                .await
                .unwrap();
            assert_eq!(p.status(), PledgeStatus::Pending);
            let p = app.pledge(&op, "vecina", &held.ap_id).await.unwrap();
            assert_eq!(p.status(), PledgeStatus::Pending);
            app.decide_pledge(&op, &held.ap_id, "lejana@remote.example", true)
                .await
                .unwrap();
            assert_eq!(
                q::pledge(&app.db, held.id, lejana.id)
                    .await
                    .unwrap()
                    .unwrap()
                    .status(),
                PledgeStatus::Accepted
            );

            // Cancelled: refused; blocked: refused.
            app.cancel_call(&op, &held.ap_id).await.unwrap();
            let held = q::get(&app.db, held.id).await.unwrap();
            let p = app
                .receive_pledge(
                    &Caller::remote_actor(&otra),
                    &held,
                    "http://remote.example/join/4",
                    None,
                )
                .await
                .unwrap();
            assert_eq!(p.status(), PledgeStatus::Rejected);
            let open = app
                .create_call(&op, "convoca", input(JoinMode::Free, None))
                .await
                .unwrap();
            app.block(&op, "convoca", "otra@remote.example")
                .await
                .unwrap();
            let p = app
                .receive_pledge(
                    &Caller::remote_actor(&otra),
                    &open,
                    "http://remote.example/join/5",
                    None,
                )
                .await
                .unwrap();
            assert_eq!(p.status(), PledgeStatus::Rejected);
            app.close().await;
        }
    }
}
