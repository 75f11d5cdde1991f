//! Calls to action behind `puentes call …`: creating, changing and cancelling calls,
//! pledging and withdrawing, approving pledges and confirming co-organizers.

use crate::Instance;
use clap::Subcommand;
use puentes_apub::{activities::calls as inbound, fetch, objects::call::summary_of};
use puentes_core::{Error, Result, calls, text};
use puentes_db::{
    OutboxEvent, TransactionTrait, actor, call, pledge, query,
    query::call::{self as q, CallData, PledgeChange},
};
use url::Url;

/// What `call create` and `call update` take; on update, `None` keeps the stored value.
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
    /// auto or manual
    pub approval: Option<String>,
    /// tentative or confirmed
    pub status: Option<String>,
    /// Where people take part instead of pledging here (Mobilizon's `external` join mode).
    pub external_url: Option<String>,
    /// Handles of other actors invited to co-organize.
    pub co_organizers: Vec<String>,
}

fn http_url(what: &str, value: &str) -> Result<String> {
    match Url::parse(value.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url.to_string()),
        _ => Err(Error::bad_request(format!(
            "{what} {value:?} is not an http(s) URL"
        ))),
    }
}

fn geo(value: &str) -> Result<(f64, f64)> {
    let bad = || Error::bad_request(format!("--geo takes LAT,LON, got {value:?}"));
    let (lat, lon) = value.split_once(',').ok_or_else(bad)?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(bad());
    }
    Ok((lat, lon))
}

fn non_empty(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Applies `input` over `data` (a new call's defaults or a stored call), checking it all.
fn apply(instance: &Instance, data: &mut CallData, input: CallInput) -> Result<()> {
    if let Some(title) = input.title {
        if title.trim().is_empty() {
            return Err(Error::bad_request("the title is empty"));
        }
        data.name = title.trim().to_string();
    }
    let zone = match &input.timezone {
        Some(zone) => calls::parse_timezone(zone)?,
        None => calls::zone_or_utc(data.timezone.as_deref()),
    };
    data.timezone = Some(zone.name().to_string());
    if let Some(start) = &input.start {
        let start = calls::parse_time("--start", start)?;
        if !data.ap_id.is_empty() && start != data.start_time {
            // Moved: FEP-8a8e's previousStartTime, and "Moved to …" in the summary.
            data.previous_start_time = Some(data.start_time);
        }
        data.start_time = start;
    }
    if let Some(end) = &input.end {
        data.end_time = Some(calls::parse_time("--end", end)?);
    }
    calls::check_span(data.start_time, data.end_time)?;
    if input.place.is_some() {
        data.location_name = non_empty(input.place);
    }
    if input.address.is_some() {
        data.location_address = non_empty(input.address);
    }
    if let Some(value) = &input.geo {
        let (lat, lon) = geo(value)?;
        data.latitude = Some(lat);
        data.longitude = Some(lon);
    }
    if let Some(online) = &input.online {
        data.online_url = Some(http_url("--online", online)?);
    }
    if let Some(external) = &input.external_url {
        data.external_participation_url = Some(http_url("--external", external)?);
        data.join_mode = calls::EXTERNAL.to_string();
    }
    if input.summary.is_some() {
        data.what = non_empty(input.summary);
    }
    if let Some(capacity) = input.capacity {
        calls::check_capacity(Some(capacity))?;
        data.capacity = Some(capacity);
    }
    if let Some(approval) = &input.approval {
        data.join_mode = calls::join_mode_for(approval)?.to_string();
    }
    if let Some(status) = &input.status {
        calls::check_status(status)?;
        data.status = status.clone();
    }
    let language = input.language.as_deref().map(text::language).transpose()?;
    if language.is_some() {
        data.language = language.clone();
    }
    if !input.translations.is_empty() && data.language.is_none() {
        return Err(Error::bad_request(
            "give --lang for the main text when adding translations",
        ));
    }
    let tag_base = format!("{}/tags", instance.ctx.urls.base());
    if let Some(description) = &input.description {
        data.content = text::render(description, &tag_base, &[]);
        let mut all = description.clone();
        if let Some(what) = &data.what {
            all.push(' ');
            all.push_str(what);
        }
        data.tags = text::hashtags(&all)
            .iter()
            .map(|tag| serde_json::json!({ "type": "Hashtag", "name": format!("#{tag}"), "href": format!("{tag_base}/{tag}") }))
            .collect();
    }
    if !input.translations.is_empty()
        && let Some(lang) = &data.language
    {
        let mut map = std::collections::BTreeMap::from([(lang.clone(), data.content.clone())]);
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

async fn local(instance: &Instance, name: &str) -> Result<actor::Model> {
    query::actor::local_by_name_required(&instance.ctx.db, name).await
}

/// A call by its id (URL) or, for ours, by the UUID at its end.
pub async fn find(instance: &Instance, id: &str) -> Result<call::Model> {
    let url = match uuid::Uuid::parse_str(id.trim()) {
        Ok(uuid) => instance.ctx.urls.call(uuid),
        Err(_) => Url::parse(id.trim())
            .map_err(|_| Error::bad_request(format!("{id:?} is not a call's id or URL")))?,
    };
    q::by_ap_id(&instance.ctx.db, url.as_str())
        .await?
        .ok_or_else(|| Error::not_found(format!("call to action {url}")))
}

async fn find_local(instance: &Instance, id: &str) -> Result<call::Model> {
    let row = find(instance, id).await?;
    if !row.local {
        return Err(Error::bad_request(
            "that call is organized on another server; only its organizer can change it",
        ));
    }
    Ok(row)
}

/// Publishes a call to action as `as_name`; co-organizers are invited.
pub async fn create(instance: &Instance, as_name: &str, input: CallInput) -> Result<call::Model> {
    let organizer = local(instance, as_name).await?;
    if input.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Err(Error::bad_request("a call to action needs --title"));
    }
    let start = input
        .start
        .as_deref()
        .ok_or_else(|| Error::bad_request("a call to action needs --start"))?;
    let start = calls::parse_time("--start", start)?;
    let co_handles = input.co_organizers.clone();
    let uuid = uuid::Uuid::now_v7();
    let urls = &instance.ctx.urls;
    let now = chrono::Utc::now();
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
        status: calls::CONFIRMED.to_string(),
        capacity: None,
        join_mode: calls::FREE.to_string(),
        external_participation_url: None,
        participant_count: 0,
        tags: Vec::new(),
        url: Some(urls.call_page(&organizer.username, uuid).to_string()),
        local: true,
        published: now,
        updated_at: None,
    };
    apply(instance, &mut data, input)?;
    if data.status == calls::CANCELLED {
        return Err(Error::bad_request("a new call cannot be cancelled"));
    }
    data.ap_id = urls.call(uuid).to_string();
    data.summary = summary_of(&data);
    let mut co_organizers = Vec::new();
    for handle in &co_handles {
        let actor = fetch::actor_by_handle(&instance.data(), handle).await?;
        if actor.id == organizer.id {
            return Err(Error::bad_request(
                "the organizer cannot co-organize with itself",
            ));
        }
        co_organizers.push(actor);
    }
    let txn = instance.ctx.db.begin().await?;
    let row = q::insert(&txn, data).await?;
    query::outbox::enqueue(&txn, &OutboxEvent::CallPublished { call_id: row.id }).await?;
    for actor in co_organizers {
        let invite = urls.new_activity();
        let saved =
            q::save_organizer(&txn, row.id, actor.id, q::INVITED, Some(invite.as_str())).await?;
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
    txn.commit().await?;
    Ok(row)
}

/// Changes a call; followers and everyone pledged get the Update.
pub async fn update(instance: &Instance, id: &str, input: CallInput) -> Result<call::Model> {
    if !input.co_organizers.is_empty() {
        return Err(Error::bad_request(
            "co-organizers are invited when the call is created",
        ));
    }
    let row = find_local(instance, id).await?;
    if row.status == calls::CANCELLED {
        return Err(Error::conflict("the call was cancelled; create a new one"));
    }
    let mut data = CallData::of(&row);
    apply(instance, &mut data, input)?;
    save(instance, row, data).await
}

async fn save(instance: &Instance, row: call::Model, mut data: CallData) -> Result<call::Model> {
    data.updated_at = Some(chrono::Utc::now());
    data.summary = summary_of(&data);
    let txn = instance.ctx.db.begin().await?;
    let saved = q::replace(&txn, row, data).await?;
    query::outbox::enqueue(&txn, &OutboxEvent::CallUpdated { call_id: saved.id }).await?;
    txn.commit().await?;
    Ok(saved)
}

/// Cancels a call: it stays, marked CANCELLED, and everyone concerned is told.
pub async fn cancel(instance: &Instance, id: &str) -> Result<call::Model> {
    let row = find_local(instance, id).await?;
    if row.status == calls::CANCELLED {
        return Err(Error::conflict("the call is already cancelled"));
    }
    let mut data = CallData::of(&row);
    data.status = calls::CANCELLED.to_string();
    save(instance, row, data).await
}

/// `as_name` pledges to take part in the call at `url` (ours or another server's).
pub async fn pledge(instance: &Instance, as_name: &str, url: &str) -> Result<pledge::Model> {
    let pledger = local(instance, as_name).await?;
    let url = Url::parse(url.trim())
        .map_err(|_| Error::bad_request(format!("{url:?} is not a call's URL")))?;
    let data = instance.data();
    let target = inbound::call_by_url(&data, &url).await?;
    if target.organizer_id == pledger.id {
        return Err(Error::bad_request(
            "the organizer does not pledge to its own call",
        ));
    }
    if target.status == calls::CANCELLED {
        return Err(Error::conflict("the call was cancelled"));
    }
    if matches!(
        target.join_mode.as_str(),
        calls::EXTERNAL | "invite" | "none"
    ) {
        return Err(Error::bad_request(
            match &target.external_participation_url {
                Some(external) => format!("this call takes pledges elsewhere: {external}"),
                None => "this call does not take pledges".to_string(),
            },
        ));
    }
    let existing = q::pledge(&instance.ctx.db, target.id, pledger.id).await?;
    if let Some(p) = existing.filter(|p| matches!(p.status.as_str(), q::ACCEPTED | q::PENDING)) {
        return Err(Error::conflict(format!(
            "{as_name} already pledged ({})",
            p.status
        )));
    }
    if target.local {
        // Same server: the organizer's rules apply at once.
        return inbound::admit(&instance.ctx.db, &target, &pledger, None, None).await;
    }
    let join = instance.ctx.urls.new_activity();
    let txn = instance.ctx.db.begin().await?;
    let change = PledgeChange {
        status: q::PENDING,
        join_ap_id: Some(join.as_str()),
        ..Default::default()
    };
    let row = q::save_pledge(&txn, target.id, pledger.id, change).await?;
    query::outbox::enqueue(&txn, &OutboxEvent::PledgeSent { pledge_id: row.id }).await?;
    txn.commit().await?;
    Ok(row)
}

/// `as_name` withdraws its pledge.
pub async fn withdraw(instance: &Instance, as_name: &str, url: &str) -> Result<()> {
    let pledger = local(instance, as_name).await?;
    let target = find(instance, url).await?;
    q::pledge(&instance.ctx.db, target.id, pledger.id)
        .await?
        .filter(|p| matches!(p.status.as_str(), q::ACCEPTED | q::PENDING))
        .ok_or_else(|| Error::not_found(format!("{as_name}'s pledge to {}", target.ap_id)))?;
    let txn = instance.ctx.db.begin().await?;
    let change = PledgeChange {
        status: q::WITHDRAWN,
        ..Default::default()
    };
    let saved = q::save_pledge(&txn, target.id, pledger.id, change).await?;
    if target.local {
        inbound::recount_and_announce(&txn, target.id).await?;
    } else {
        query::outbox::enqueue(
            &txn,
            &OutboxEvent::PledgeWithdrawn {
                pledge_id: saved.id,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Every pledge to a call known here, with its actor.
pub async fn pledges(
    instance: &Instance,
    id: &str,
) -> Result<(call::Model, Vec<(pledge::Model, actor::Model)>)> {
    let row = find(instance, id).await?;
    let all = q::pledges(
        &instance.ctx.db,
        row.id,
        &[q::ACCEPTED, q::PENDING, q::REJECTED, q::WITHDRAWN],
    )
    .await?;
    Ok((row, all))
}

/// The organizer approves or declines a pending pledge (calls with manual approval).
pub async fn decide(instance: &Instance, id: &str, handle: &str, approve: bool) -> Result<()> {
    let row = find_local(instance, id).await?;
    let pledger = fetch::actor_by_handle(&instance.data(), handle).await?;
    q::pledge(&instance.ctx.db, row.id, pledger.id)
        .await?
        .filter(|p| p.status == q::PENDING)
        .ok_or_else(|| Error::not_found(format!("a pending pledge of {handle}")))?;
    let txn = instance.ctx.db.begin().await?;
    let accepted = q::count_pledges(&txn, row.id, q::ACCEPTED).await?;
    let full = row.capacity.is_some_and(|c| accepted as i64 >= c);
    if approve && full {
        return Err(Error::conflict("no places left: raise --capacity first"));
    }
    let change = PledgeChange {
        status: if approve { q::ACCEPTED } else { q::REJECTED },
        reason: (!approve).then(|| "not accepted by the organizer".to_string()),
        ..Default::default()
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
    inbound::recount_and_announce(&txn, row.id).await?;
    txn.commit().await?;
    Ok(())
}

/// `as_name` confirms it co-organizes the call it was invited to.
pub async fn confirm(instance: &Instance, as_name: &str, id: &str) -> Result<()> {
    let me = local(instance, as_name).await?;
    let row = find(instance, id).await?;
    q::organizer_of(&instance.ctx.db, row.id, me.id)
        .await?
        .filter(|o| o.status == q::INVITED)
        .ok_or_else(|| Error::not_found(format!("an invitation of {as_name} to co-organize")))?;
    let txn = instance.ctx.db.begin().await?;
    let saved = q::save_organizer(&txn, row.id, me.id, q::CONFIRMED, None).await?;
    let event = if row.local {
        OutboxEvent::CallUpdated { call_id: row.id }
    } else {
        OutboxEvent::CoOrganizerConfirmed {
            organizer_id: saved.id,
        }
    };
    query::outbox::enqueue(&txn, &event).await?;
    txn.commit().await?;
    Ok(())
}

/// A campaign without a date is an Article carrying its hashtag, so Mastodon users can
/// follow the tag and every post using it gathers on the tag page.
pub async fn campaign(
    instance: &Instance,
    as_name: &str,
    title: &str,
    hashtag: &str,
    text: &str,
    summary: Option<String>,
) -> Result<puentes_db::post::Model> {
    let tag = hashtag.trim().trim_start_matches('#');
    if tag.is_empty() || !tag.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(Error::bad_request(format!(
            "{hashtag:?} is not a hashtag: letters, digits and _ only"
        )));
    }
    let mut body = text.to_string();
    if !text::hashtags(text)
        .iter()
        .any(|t| t.eq_ignore_ascii_case(tag))
    {
        body.push_str(&format!("\n\n#{tag}"));
    }
    let new = crate::commands::NewPost {
        title: Some(title.to_string()),
        summary,
        ..crate::commands::NewPost::text(&body)
    };
    crate::commands::publish(instance, as_name, new).await
}

/// `puentes call …`
#[derive(Debug, Subcommand)]
pub enum CallCommand {
    /// Publish a call to action (an Event); prints its id.
    Create {
        #[arg(long = "as")]
        as_name: String,
        #[command(flatten)]
        options: CallOptions,
    },
    /// Change a call: time, place, text, capacity… Everyone pledged is told.
    Update {
        id: String,
        #[command(flatten)]
        options: CallOptions,
    },
    /// Cancel a call (it stays, marked CANCELLED).
    Cancel { id: String },
    /// Pledge to take part in a call (ours or another server's), by its URL.
    Pledge {
        #[arg(long = "as")]
        as_name: String,
        url: String,
    },
    /// Withdraw a pledge.
    Withdraw {
        #[arg(long = "as")]
        as_name: String,
        url: String,
    },
    /// Pledges to a call, with their status, and the count.
    Pledges { id: String },
    /// Accept a pending pledge (calls with --approval manual).
    Approve { id: String, actor: String },
    /// Decline a pending pledge.
    Decline { id: String, actor: String },
    /// A campaign without a date: an Article with its hashtag; prints its id.
    Campaign {
        #[arg(long = "as")]
        as_name: String,
        #[arg(long)]
        title: String,
        /// The campaign's hashtag (added to the text when missing).
        #[arg(long)]
        hashtag: String,
        /// What to do, shown by Mastodon under the title.
        #[arg(long)]
        summary: Option<String>,
        text: String,
    },
    /// Confirm an invitation to co-organize a call.
    Confirm {
        #[arg(long = "as")]
        as_name: String,
        id: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct CallOptions {
    #[arg(long)]
    title: Option<String>,
    /// Start, RFC 3339 with offset: 2026-09-12T14:00:00+02:00
    #[arg(long)]
    start: Option<String>,
    #[arg(long)]
    end: Option<String>,
    /// IANA time zone the call is shown in (default UTC): Europe/Berlin
    #[arg(long)]
    timezone: Option<String>,
    /// Where: "Marktplatz, Leipzig"
    #[arg(long)]
    place: Option<String>,
    /// Street address of the place.
    #[arg(long)]
    address: Option<String>,
    /// Coordinates of the place: LAT,LON
    #[arg(long)]
    geo: Option<String>,
    /// Online link (livestream, video call); with --place for hybrid calls.
    #[arg(long)]
    online: Option<String>,
    /// What to do, in a sentence (shown by Mastodon with the date and place).
    #[arg(long)]
    summary: Option<String>,
    /// The full text (Markdown, #hashtags).
    #[arg(long)]
    description: Option<String>,
    #[arg(long)]
    lang: Option<String>,
    /// The description in another language, as LANG=TEXT; repeat for more.
    #[arg(long = "translation", value_name = "LANG=TEXT")]
    translations: Vec<String>,
    /// How many pledges are accepted at most.
    #[arg(long)]
    capacity: Option<i64>,
    /// auto: pledges are accepted at once; manual: the organizer approves each.
    #[arg(long)]
    approval: Option<String>,
    /// tentative or confirmed
    #[arg(long)]
    status: Option<String>,
    /// Take part elsewhere (a form, another site) instead of pledging here.
    #[arg(long)]
    external: Option<String>,
    /// Invite another organization or alliance (name@domain) to co-organize; repeat.
    #[arg(long = "co-organizer", value_name = "HANDLE")]
    co_organizers: Vec<String>,
}

impl CallOptions {
    fn into_input(self) -> Result<CallInput> {
        let mut translations = Vec::new();
        for t in self.translations {
            let (lang, text) = t.split_once('=').ok_or_else(|| {
                Error::bad_request(format!("--translation takes LANG=TEXT, got {t:?}"))
            })?;
            translations.push((lang.to_string(), text.to_string()));
        }
        Ok(CallInput {
            title: self.title,
            start: self.start,
            end: self.end,
            timezone: self.timezone,
            place: self.place,
            address: self.address,
            geo: self.geo,
            online: self.online,
            summary: self.summary,
            description: self.description,
            language: self.lang,
            translations,
            capacity: self.capacity,
            approval: self.approval,
            status: self.status,
            external_url: self.external,
            co_organizers: self.co_organizers,
        })
    }
}

pub async fn run(instance: &Instance, command: CallCommand) -> Result<()> {
    match command {
        CallCommand::Create { as_name, options } => {
            let row = create(instance, &as_name, options.into_input()?).await?;
            println!("{}", row.ap_id);
        }
        CallCommand::Update { id, options } => {
            let row = update(instance, &id, options.into_input()?).await?;
            println!("updated {}: {}", row.ap_id, row.summary);
        }
        CallCommand::Cancel { id } => {
            let row = cancel(instance, &id).await?;
            println!("cancelled {}", row.ap_id);
        }
        CallCommand::Pledge { as_name, url } => {
            let row = pledge(instance, &as_name, &url).await?;
            println!("{as_name} pledged to {url}: {}", row.status);
        }
        CallCommand::Withdraw { as_name, url } => {
            withdraw(instance, &as_name, &url).await?;
            println!("{as_name} withdrew from {url}");
        }
        CallCommand::Pledges { id } => {
            let (row, all) = pledges(instance, &id).await?;
            println!("{}\t{} pledged", row.ap_id, row.participant_count);
            for (p, a) in all {
                println!(
                    "{}@{}\t{}\t{}",
                    a.username,
                    a.domain,
                    p.status,
                    p.reason.or(p.message).unwrap_or_default()
                );
            }
        }
        CallCommand::Approve { id, actor } => {
            decide(instance, &id, &actor, true).await?;
            println!("accepted {actor}");
        }
        CallCommand::Decline { id, actor } => {
            decide(instance, &id, &actor, false).await?;
            println!("declined {actor}");
        }
        CallCommand::Campaign {
            as_name,
            title,
            hashtag,
            summary,
            text,
        } => {
            let post = campaign(instance, &as_name, &title, &hashtag, &text, summary).await?;
            println!("{}", post.ap_id);
        }
        CallCommand::Confirm { as_name, id } => {
            confirm(instance, &as_name, &id).await?;
            println!("{as_name} co-organizes {id}");
        }
    }
    Ok(())
}
