//! `GET /api/v1/streaming`: Mastodon's WebSocket streaming, `user` and `public` streams
//! (`public:local`, `public:remote` too). Authenticated by the `access_token` query or the
//! `Sec-WebSocket-Protocol` header. It is fed by what `app` commits ([`puentes_app::Change`]):
//! on each change it reads, from the database, the statuses and notifications newer than
//! what it already sent, so nothing is missed when changes come faster than it reads.
//! Messages are `{"stream":[..],"event":"update"|"notification"|"delete","payload":"…"}`,
//! the payload being the entity as a JSON string.

use super::{ApiError, ApiResult, entities, objects};
use crate::HttpState;
use axum::{
    extract::{
        State,
        ws::{Message, WebSocket, WebSocketUpgrade},
    },
    http::HeaderMap,
    response::{IntoResponse, Response},
};
use puentes_app::{Change, oauth::TokenGrant};
use puentes_db::{actor, query::IdRange, read::api as reads};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use tokio::sync::broadcast::error::RecvError;

/// The streams a connection may follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stream {
    User,
    Public(Option<bool>),
}

impl Stream {
    fn parse(name: &str) -> Option<Stream> {
        match name {
            "user" | "user:notification" => Some(Stream::User),
            "public" => Some(Stream::Public(None)),
            "public:local" => Some(Stream::Public(Some(true))),
            "public:remote" => Some(Stream::Public(Some(false))),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Stream::User => "user",
            Stream::Public(None) => "public",
            Stream::Public(Some(true)) => "public:local",
            Stream::Public(Some(false)) => "public:remote",
        }
    }
}

type Upgrade = Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>;

/// `GET /api/v1/streaming?stream=…`
pub async fn connect(
    State(state): State<HttpState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    ws: Upgrade,
) -> ApiResult<Response> {
    open(state, headers, uri, None, ws).await
}

/// `GET /api/v1/streaming/:stream` (`user`, `public`, `public/local`).
pub async fn connect_named(
    State(state): State<HttpState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    axum::extract::Path(stream): axum::extract::Path<String>,
    ws: Upgrade,
) -> ApiResult<Response> {
    open(state, headers, uri, Some(stream), ws).await
}

async fn open(
    state: HttpState,
    headers: HeaderMap,
    uri: axum::http::Uri,
    path: Option<String>,
    ws: Upgrade,
) -> ApiResult<Response> {
    let Ok(ws) = ws else {
        return Err(ApiError::invalid(
            "this endpoint streams over a WebSocket only",
        ));
    };
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let protocol = headers
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(',').next().unwrap_or_default().trim().to_string())
        .filter(|v| !v.is_empty());
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").map(str::trim).map(String::from));
    let token = query
        .iter()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.clone())
        .or(bearer)
        .or(protocol.clone());
    let grant = match token {
        Some(t) => Some(
            state
                .app
                .token(&t)
                .await
                .map_err(|_| ApiError::unauthorized())?,
        ),
        None => None,
    };
    let mut streams = BTreeSet::new();
    let named = path.map(|p| p.replace('/', ":")).or_else(|| {
        query
            .iter()
            .find(|(k, _)| k == "stream")
            .map(|(_, v)| v.clone())
    });
    if let Some(name) = named {
        streams.insert(Stream::parse(&name).ok_or_else(|| ApiError::invalid("unknown stream"))?);
    }
    if streams.contains(&Stream::User) && !user_allowed(grant.as_ref()) {
        return Err(ApiError::unauthorized());
    }
    let ws = match protocol {
        // The token came as the subprotocol: the answer must name it back.
        Some(p) if grant.is_some() => ws.protocols([p]),
        _ => ws,
    };
    Ok(ws
        .on_upgrade(move |socket| run(state, grant, streams, socket))
        .into_response())
}

fn user_allowed(grant: Option<&TokenGrant>) -> bool {
    grant.is_some_and(|g| g.actor.is_some() && g.scopes.allows("read:statuses"))
}

fn message(stream: Stream, event: &str, payload: String) -> Message {
    Message::Text(
        json!({ "stream": [stream.name()], "event": event, "payload": payload })
            .to_string()
            .into(),
    )
}

/// Where a connection stands: the newest status and notification it has sent.
struct Cursors {
    statuses: i64,
    notifications: i64,
}

async fn newest(state: &HttpState, me: Option<&actor::Model>) -> ApiResult<Cursors> {
    let one = IdRange::newest(1);
    let mut statuses = 0;
    for p in reads::public(&state.db, None, false, one).await? {
        statuses = statuses.max(p.id);
    }
    for o in reads::other_statuses(&state.db, reads::OtherStatuses::Public(None), one).await? {
        statuses = statuses.max(o.id);
    }
    let mut notifications = 0;
    if let Some(me) = me {
        for p in reads::home(&state.db, me.id, one).await? {
            statuses = statuses.max(p.id);
        }
        for o in reads::other_statuses(&state.db, reads::OtherStatuses::Home(me.id), one).await? {
            statuses = statuses.max(o.id);
        }
        let all = super::notifications::shown();
        for n in puentes_db::query::notification::page(&state.db, me.id, &all, one).await? {
            notifications = notifications.max(n.id);
        }
    }
    Ok(Cursors {
        statuses,
        notifications,
    })
}

/// What happened since the cursors, as messages for the followed streams (oldest first).
async fn news(
    state: &HttpState,
    grant: Option<&TokenGrant>,
    streams: &BTreeSet<Stream>,
    cursors: &mut Cursors,
) -> ApiResult<Vec<Message>> {
    let me = grant.and_then(|g| g.actor.as_ref());
    let since = IdRange {
        since_id: Some(cursors.statuses),
        ..IdRange::newest(IdRange::MAX_LIMIT)
    };
    let mut out = Vec::new();
    let mut newest_status = cursors.statuses;
    for stream in streams {
        let (list, ids) = match (stream, me) {
            (Stream::User, Some(me)) => {
                let posts = reads::home(&state.db, me.id, since).await?;
                let others =
                    reads::other_statuses(&state.db, reads::OtherStatuses::Home(me.id), since)
                        .await?;
                objects::timeline(state, Some(me), posts, others, since).await?
            }
            (Stream::Public(local), _) => {
                let posts = reads::public(&state.db, *local, false, since).await?;
                let others =
                    reads::other_statuses(&state.db, reads::OtherStatuses::Public(*local), since)
                        .await?;
                objects::timeline(state, me, posts, others, since).await?
            }
            (Stream::User, None) => continue,
        };
        newest_status = newest_status.max(ids.first().copied().unwrap_or(0));
        for value in list.into_iter().rev() {
            out.push(message(*stream, "update", value.to_string()));
        }
    }
    cursors.statuses = newest_status;
    if let (true, Some(grant), Some(me)) = (streams.contains(&Stream::User), grant, me)
        && let Some(caller) = grant.caller.as_ref()
        && grant.scopes.allows("read:notifications")
    {
        let filter = super::notifications::shown();
        let range = IdRange {
            since_id: Some(cursors.notifications),
            ..IdRange::newest(IdRange::MAX_LIMIT)
        };
        let told = state
            .app
            .notifications(caller, &me.username, &filter, range)
            .await?;
        for t in told.iter().rev() {
            cursors.notifications = cursors.notifications.max(t.row.id);
            if let Some(value) = entities::notification(state, me, t, false).await? {
                out.push(message(Stream::User, "notification", value.to_string()));
            }
        }
    }
    Ok(out)
}

/// A client's `{"type":"subscribe","stream":"public"}` or `unsubscribe`.
fn follow_request(
    text: &str,
    grant: Option<&TokenGrant>,
    streams: &mut BTreeSet<Stream>,
) -> Option<Message> {
    let value: Value = serde_json::from_str(text).ok()?;
    let stream = Stream::parse(value["stream"].as_str()?);
    let error = |what: &str| {
        Some(Message::Text(
            json!({ "error": what, "status": 400 }).to_string().into(),
        ))
    };
    match (value["type"].as_str()?, stream) {
        ("subscribe", Some(Stream::User)) if !user_allowed(grant) => error("Missing access token"),
        ("subscribe", Some(s)) => {
            streams.insert(s);
            None
        }
        ("unsubscribe", Some(s)) => {
            streams.remove(&s);
            None
        }
        _ => error("Unknown stream type"),
    }
}

async fn run(
    state: HttpState,
    grant: Option<TokenGrant>,
    mut streams: BTreeSet<Stream>,
    mut socket: WebSocket,
) {
    let mut changes = state.app.subscribe();
    let me = grant.as_ref().and_then(|g| g.actor.clone());
    let Ok(mut cursors) = newest(&state, me.as_ref()).await else {
        return;
    };
    // Keeps proxies from closing a quiet connection.
    let mut ping = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        let mut out = Vec::new();
        tokio::select! {
            change = changes.recv() => match change {
                Ok(Change::PostDeleted { post_id, author_id }) => {
                    for stream in &streams {
                        let mine = me.as_ref().is_some_and(|m| {
                            m.id == author_id
                        });
                        if matches!(stream, Stream::Public(_)) || mine || *stream == Stream::User {
                            out.push(message(*stream, "delete", post_id.to_string()));
                        }
                    }
                }
                Ok(Change::Committed) | Err(RecvError::Lagged(_)) => {
                    match news(&state, grant.as_ref(), &streams, &mut cursors).await {
                        Ok(messages) => out = messages,
                        Err(e) => tracing::warn!(error = ?e, "streaming read failed"),
                    }
                }
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    out.extend(follow_request(text.as_str(), grant.as_ref(), &mut streams));
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => out.push(Message::Ping(Vec::new().into())),
        }
        for m in out {
            if socket.send(m).await.is_err() {
                return;
            }
        }
    }
}
