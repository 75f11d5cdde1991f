//! A fake remote server: serves other software's documents (from real fixtures, with ids
//! moved to this loopback host and a fresh key), signs requests like they do, and records
//! what it receives.

use axum::{
    Router,
    body::Bytes,
    extract::{OriginalUri, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::any,
};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};
use tokio::net::TcpListener;

#[derive(Default)]
struct Shared {
    documents: HashMap<String, Value>,
    received: Vec<(String, Value)>,
    /// What POSTs are answered with; 202 unless a test says otherwise.
    inbox_status: Option<u16>,
    /// GETs served (documents or 404s): what fetching from here cost it.
    gets: usize,
}

#[derive(Clone)]
pub struct FakeRemote {
    pub base: String,
    pub public_key_pem: String,
    pub private_key_pem: String,
    /// Ed25519 seed (base64) for FEP-8b32 proofs of actors added with `add_signing_actor`.
    pub ed25519_private: String,
    pub ed25519_multibase: String,
    shared: Arc<Mutex<Shared>>,
}

async fn serve_any(
    State(remote): State<FakeRemote>,
    OriginalUri(uri): OriginalUri,
    method: axum::http::Method,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let mut shared = remote.shared.lock().expect("lock");
    if method == axum::http::Method::POST {
        let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        shared.received.push((path, value));
        let status = shared
            .inbox_status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::ACCEPTED);
        return status.into_response();
    }
    shared.gets += 1;
    match shared.documents.get(&path) {
        Some(doc) => (
            [(header::CONTENT_TYPE, "application/activity+json")],
            doc.to_string(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl FakeRemote {
    pub async fn start() -> FakeRemote {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let keys = activitypub_federation::http_signatures::generate_actor_keypair().expect("keys");
        let ed25519 = ed25519_dalek::SigningKey::from_bytes(&rand::random());
        let remote = FakeRemote {
            base: format!("http://localhost:{port}"),
            public_key_pem: keys.public_key,
            private_key_pem: keys.private_key,
            ed25519_private: base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                ed25519.to_bytes(),
            ),
            ed25519_multibase: puentes_apub::local_actors::ed25519_multibase(
                ed25519.verifying_key().as_bytes(),
            ),
            shared: Arc::default(),
        };
        let app = Router::new()
            .fallback(any(serve_any))
            .with_state(remote.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        remote
    }

    /// Publishes an actor document built from a real one: same shape, our ids and key.
    pub fn add_actor(&self, path: &str, template: &Value) -> String {
        let id = format!("{}{path}", self.base);
        let mut doc = template.clone();
        doc["id"] = json!(id);
        doc["inbox"] = json!(format!("{id}/inbox"));
        doc["outbox"] = json!(format!("{id}/outbox"));
        doc["followers"] = json!(format!("{id}/followers"));
        doc["endpoints"] = json!({ "sharedInbox": format!("{}/inbox", self.base) });
        doc["publicKey"] = json!({ "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": self.public_key_pem });
        self.shared
            .lock()
            .expect("lock")
            .documents
            .insert(path.to_string(), doc);
        id
    }

    /// An actor that also publishes an Ed25519 key in `assertionMethod` (FEP-521a), for
    /// documents with integrity proofs.
    pub fn add_signing_actor(&self, path: &str, template: &Value) -> String {
        let id = self.add_actor(path, template);
        let mut shared = self.shared.lock().expect("lock");
        if let Some(doc) = shared.documents.get_mut(path) {
            doc["assertionMethod"] = json!([{ "id": format!("{id}#ed25519-key"), "type": "Multikey",
                "controller": id, "publicKeyMultibase": self.ed25519_multibase }]);
        }
        id
    }

    /// Adds an `eddsa-jcs-2022` proof by `actor_id`'s Ed25519 key.
    pub fn prove(&self, actor_id: &str, doc: Value) -> Value {
        puentes_apub::integrity::sign(
            doc,
            &format!("{actor_id}#ed25519-key"),
            &self.ed25519_private,
        )
        .expect("proof")
    }

    pub fn add_document(&self, path: &str, doc: Value) {
        self.shared
            .lock()
            .expect("lock")
            .documents
            .insert(path.to_string(), doc);
    }

    pub fn set_inbox_status(&self, status: u16) {
        self.shared.lock().expect("lock").inbox_status = Some(status);
    }

    /// Stops serving a document (its origin now answers 404, as after a deletion).
    pub fn remove_document(&self, path: &str) {
        self.shared.lock().expect("lock").documents.remove(path);
    }

    /// How many GETs this server has answered.
    pub fn get_count(&self) -> usize {
        self.shared.lock().expect("lock").gets
    }

    pub fn received(&self) -> Vec<(String, Value)> {
        self.shared.lock().expect("lock").received.clone()
    }

    /// Moves a document's ids from their real hosts to this one, and aims what it targeted
    /// at our actor. Replacements are plain text, as the shapes must stay untouched.
    pub fn rewrite(&self, doc: &Value, replacements: &[(&str, &str)]) -> Value {
        let mut text = doc.to_string();
        for (from, to) in replacements {
            text = text.replace(from, to);
        }
        let mut value: Value = serde_json::from_str(&text).expect("rewritten json");
        if let Value::Object(map) = &mut value {
            // Linked-data signatures were made over the original text.
            map.remove("signature");
        }
        value
    }

    pub fn sign_headers(
        &self,
        inbox: &str,
        key_id: &str,
        body: &[u8],
    ) -> Vec<(&'static str, String)> {
        let url = url::Url::parse(inbox).expect("inbox url");
        puentes_apub::signing::sign_request("POST", &url, Some(body), key_id, &self.private_key_pem)
            .expect("sign")
    }

    /// Signs and posts an activity as `actor_id`, the way Mastodon does.
    pub async fn post(&self, inbox: &str, actor_id: &str, activity: &Value) -> (u16, String) {
        let body = activity.to_string().into_bytes();
        let headers = self.sign_headers(inbox, &format!("{actor_id}#main-key"), &body);
        self.post_raw(inbox, headers, body).await
    }

    pub async fn post_raw(
        &self,
        inbox: &str,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> (u16, String) {
        let mut request = reqwest::Client::new()
            .post(inbox)
            .header("Content-Type", "application/activity+json");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.body(body).send().await.expect("post");
        (
            response.status().as_u16(),
            response.text().await.unwrap_or_default(),
        )
    }
}
