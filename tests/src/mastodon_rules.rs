//! A remote server that answers only requests signed the way Mastodon's `SignedRequest`
//! (app/lib/signed_request.rb) accepts them, written from Mastodon's rules and independent
//! of our own verification code: `keyId` and `signature` present; `rsa-sha256` or `hs2019`;
//! `date` or `(created)` signed; `(request-target)` or `digest` signed; `host` signed on a
//! GET and `digest` on a POST; a SHA-256 `Digest` equal to the body; the date within 12
//! hours (1 hour of clock skew); the RSA signature over the signing string with the query
//! in `(request-target)`, or, as Mastodon still tolerates, without it.
//!
//! It serves WebFinger openly, and its one actor (`/users/max`) and inbox only to requests
//! that pass; every verdict is recorded.

use axum::{
    Router,
    body::Bytes,
    extract::{OriginalUri, Query, State},
    http::{HeaderMap, Method, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::{Engine, engine::general_purpose::STANDARD as Base64};
use rsa::{Pkcs1v15Sign, RsaPublicKey, pkcs8::DecodePublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::net::TcpListener;

/// One request and what Mastodon's rules said of it.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub method: String,
    pub path: String,
    pub signed_headers: Vec<String>,
    pub result: Result<(), String>,
}

#[derive(Clone)]
pub struct MastodonRules {
    pub base: String,
    pub public_key_pem: String,
    verdicts: Arc<Mutex<Vec<Verdict>>>,
    received: Arc<Mutex<Vec<Value>>>,
}

impl MastodonRules {
    pub async fn start() -> MastodonRules {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let keys = activitypub_federation::http_signatures::generate_actor_keypair().expect("keys");
        let server = MastodonRules {
            base: format!("http://localhost:{port}"),
            public_key_pem: keys.public_key,
            verdicts: Arc::default(),
            received: Arc::default(),
        };
        let app = Router::new()
            .route("/.well-known/webfinger", get(webfinger))
            .route("/users/max", get(actor))
            .route("/users/max/inbox", post(inbox))
            .route("/inbox", post(inbox))
            .with_state(server.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        server
    }

    pub fn actor_id(&self) -> String {
        format!("{}/users/max", self.base)
    }

    pub fn handle(&self) -> String {
        format!("max@{}", self.base.trim_start_matches("http://"))
    }

    pub fn verdicts(&self) -> Vec<Verdict> {
        self.verdicts.lock().expect("lock").clone()
    }

    /// Activities that passed and were accepted at the inbox.
    pub fn received(&self) -> Vec<Value> {
        self.received.lock().expect("lock").clone()
    }

    fn record(&self, verdict: Verdict) -> Result<(), String> {
        let result = verdict.result.clone();
        self.verdicts.lock().expect("lock").push(verdict);
        result
    }
}

async fn webfinger(State(server): State<MastodonRules>) -> Response {
    let doc = json!({
        "subject": format!("acct:{}", server.handle()),
        "links": [{ "rel": "self", "type": "application/activity+json", "href": server.actor_id() }]
    });
    axum::Json(doc).into_response()
}

async fn actor(
    State(server): State<MastodonRules>,
    OriginalUri(uri): OriginalUri,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let path = uri
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    if let Err(e) = check(&server, &method, &path, &headers, &[]).await {
        return (StatusCode::UNAUTHORIZED, e).into_response();
    }
    let id = server.actor_id();
    let doc = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id, "type": "Person", "preferredUsername": "max",
        "inbox": format!("{id}/inbox"), "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "endpoints": { "sharedInbox": format!("{}/inbox", server.base) },
        "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": server.public_key_pem },
    });
    (
        [(header::CONTENT_TYPE, "application/activity+json")],
        doc.to_string(),
    )
        .into_response()
}

async fn inbox(
    State(server): State<MastodonRules>,
    OriginalUri(uri): OriginalUri,
    method: Method,
    headers: HeaderMap,
    _query: Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let path = uri
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    if let Err(e) = check(&server, &method, &path, &headers, &body).await {
        return (StatusCode::UNAUTHORIZED, e).into_response();
    }
    if let Ok(activity) = serde_json::from_slice(&body) {
        server.received.lock().expect("lock").push(activity);
    }
    StatusCode::ACCEPTED.into_response()
}

async fn check(
    server: &MastodonRules,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), String> {
    let (signed_headers, result) = match parse(headers) {
        Ok(params) => {
            let signed = signed_headers(&params);
            let result = verify(method, path, headers, body, &params, &signed).await;
            (signed, result)
        }
        Err(e) => (Vec::new(), Err(e)),
    };
    server.record(Verdict {
        method: method.to_string(),
        path: path.to_string(),
        signed_headers,
        result,
    })
}

/// `SignatureParser`: comma-separated `key="value"` pairs.
fn parse(headers: &HeaderMap) -> Result<HashMap<String, String>, String> {
    let header = headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .ok_or("Request not signed")?;
    let mut params = HashMap::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or("Error parsing signature parameters")?;
        params.insert(key.to_string(), value.trim_matches('"').to_string());
    }
    for required in ["keyId", "signature"] {
        if params.get(required).is_none_or(|v| v.is_empty()) {
            return Err("Incompatible request signature. keyId and signature are required".into());
        }
    }
    Ok(params)
}

fn algorithm(params: &HashMap<String, String>) -> String {
    params
        .get("algorithm")
        .cloned()
        .unwrap_or_else(|| "hs2019".into())
}

fn signed_headers(params: &HashMap<String, String>) -> Vec<String> {
    let default = if algorithm(params) == "hs2019" {
        "(created)"
    } else {
        "date"
    };
    params
        .get("headers")
        .map(String::as_str)
        .unwrap_or(default)
        .to_lowercase()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

async fn verify(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    params: &HashMap<String, String>,
    signed: &[String],
) -> Result<(), String> {
    let algorithm = algorithm(params);
    if !matches!(algorithm.as_str(), "rsa-sha256" | "hs2019") {
        return Err(
            "Unsupported signature algorithm (only rsa-sha256 and hs2019 are supported)".into(),
        );
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    // matches_time_window?
    let now = chrono::Utc::now().timestamp();
    let created = if algorithm == "hs2019" && params.contains_key("created") {
        params.get("created").and_then(|c| c.parse::<i64>().ok())
    } else {
        header("date").and_then(|d| {
            chrono::DateTime::parse_from_rfc2822(d)
                .ok()
                .map(|t| t.timestamp())
        })
    };
    let expires = params.get("expires").and_then(|e| e.parse::<i64>().ok());
    if let Some(created) = created {
        let expires = expires.unwrap_or(created + 300).min(created + 12 * 3600);
        if created > now + 3600 || now > expires + 3600 {
            return Err("Signed request date outside acceptable time window".into());
        }
    }
    // verify_signature_strength!
    let has = |h: &str| signed.iter().any(|s| s == h);
    if !has("date") && !has("(created)") {
        return Err(
            "Mastodon requires the Date header or (created) pseudo-header to be signed".into(),
        );
    }
    if !has("(request-target)") && !has("digest") {
        return Err(
            "Mastodon requires the Digest header or (request-target) pseudo-header to be signed"
                .into(),
        );
    }
    if method == Method::GET && !has("host") {
        return Err(
            "Mastodon requires the Host header to be signed when doing a GET request".into(),
        );
    }
    if method == Method::POST && !has("digest") {
        return Err(
            "Mastodon requires the Digest header to be signed when doing a POST request".into(),
        );
    }
    // verify_body_digest!
    if has("digest") {
        let digest = header("digest").ok_or("Digest header missing")?;
        let sha256 = digest
            .split(',')
            .filter_map(|d| d.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("sha-256"))
            .map(|(_, v)| v.trim().to_string())
            .ok_or("Mastodon only supports SHA-256 in Digest header")?;
        if sha256 != Base64.encode(Sha256::digest(body)) {
            return Err("Invalid Digest value".into());
        }
    }
    // The key, from the keyId's document (the actor, as Mastodon reads it).
    let key_id = &params["keyId"];
    let document: Value = reqwest::Client::new()
        .get(key_id)
        .header("Accept", "application/activity+json")
        .send()
        .await
        .map_err(|e| format!("cannot fetch key {key_id}: {e}"))?
        .json()
        .await
        .map_err(|e| format!("key document is not JSON: {e}"))?;
    let key = match document.get("publicKey") {
        Some(Value::Array(keys)) => keys.iter().find(|k| k["id"] == json!(key_id)).cloned(),
        Some(key) if key["id"] == json!(key_id) => Some(key.clone()),
        _ => None,
    }
    .ok_or_else(|| format!("{key_id} is not a key of its document"))?;
    let pem = key["publicKeyPem"].as_str().ok_or("key without PEM")?;
    let public = RsaPublicKey::from_public_key_pem(pem).map_err(|e| e.to_string())?;
    let signature = Base64
        .decode(&params["signature"])
        .map_err(|_| "signature is not base64")?;
    // verified?: with the query, then without.
    let path_only = path.split('?').next().unwrap_or(path);
    for target in [path, path_only] {
        let signing_string = signed
            .iter()
            .map(|name| match name.as_str() {
                "(request-target)" => Ok(format!(
                    "(request-target): {} {target}",
                    method.as_str().to_lowercase()
                )),
                "(created)" => params
                    .get("created")
                    .map(|c| format!("(created): {c}"))
                    .ok_or_else(|| {
                        "Pseudo-header (created) used but corresponding argument missing"
                            .to_string()
                    }),
                "(expires)" => params
                    .get("expires")
                    .map(|c| format!("(expires): {c}"))
                    .ok_or_else(|| {
                        "Pseudo-header (expires) used but corresponding argument missing"
                            .to_string()
                    }),
                other => Ok(format!("{other}: {}", header(other).unwrap_or(""))),
            })
            .collect::<Result<Vec<_>, _>>()?
            .join("\n");
        if public
            .verify(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(signing_string.as_bytes()),
                &signature,
            )
            .is_ok()
        {
            return Ok(());
        }
    }
    Err("Verification failed".into())
}
