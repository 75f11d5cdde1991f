//! Actor documents: ours (Organization, Group, the instance Application) and everyone
//! else's (Person, Service, Group, Organization, Application…).

use super::helpers::{id_of, page_url_of, string_of, type_of};
use serde_json::Value;
use url::Url;

pub const ACTOR_TYPES: [&str; 5] = ["Person", "Organization", "Group", "Service", "Application"];

/// What we keep of a remote actor.
#[derive(Debug, Clone)]
pub struct RemoteActor {
    pub id: Url,
    pub kind: String,
    pub preferred_username: String,
    pub name: Option<String>,
    pub summary: Option<String>,
    pub inbox: Url,
    pub shared_inbox: Option<Url>,
    pub outbox: Option<Url>,
    pub followers: Option<Url>,
    pub following: Option<Url>,
    pub featured: Option<Url>,
    pub url: Option<Url>,
    pub icon: Option<Url>,
    /// The header image.
    pub image: Option<Url>,
    pub public_key_id: String,
    pub public_key_pem: String,
    pub ed25519_multibase: Option<String>,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub indexable: bool,
    /// Earlier ids of this actor (`alsoKnownAs`), where it moved from.
    pub also_known_as: Vec<Url>,
    /// Where it moved (`movedTo`).
    pub moved_to: Option<Url>,
}

/// Reads a remote actor; the error says which required field is missing.
pub fn parse_remote_actor(doc: &Value) -> Result<RemoteActor, String> {
    let kind = type_of(doc).ok_or("actor has no type")?.to_string();
    if !ACTOR_TYPES.contains(&kind.as_str()) {
        return Err(format!("{kind} is not an actor type"));
    }
    let id = doc.get("id").and_then(id_of).ok_or("actor has no id")?;
    let inbox = doc
        .get("inbox")
        .and_then(id_of)
        .ok_or("actor has no inbox")?;
    // Some servers send an array of keys; the first RSA key is the signing key.
    let key = match doc.get("publicKey") {
        Some(Value::Array(keys)) => keys.first().cloned(),
        Some(key) => Some(key.clone()),
        None => None,
    }
    .ok_or("actor has no publicKey")?;
    let public_key_pem = string_of(&key, "publicKeyPem").ok_or("publicKey has no publicKeyPem")?;
    let public_key_id = string_of(&key, "id").unwrap_or_else(|| format!("{id}#main-key"));
    let preferred_username = string_of(doc, "preferredUsername")
        .or_else(|| {
            id.path_segments()
                .and_then(|mut s| s.next_back())
                .map(str::to_string)
        })
        .unwrap_or_default();
    let ed25519_multibase = match doc.get("assertionMethod") {
        Some(Value::Array(methods)) => methods
            .iter()
            .find(|m| type_of(m) == Some("Multikey"))
            .and_then(|m| string_of(m, "publicKeyMultibase")),
        Some(m) if type_of(m) == Some("Multikey") => string_of(m, "publicKeyMultibase"),
        _ => None,
    };
    let endpoint = |key: &str| doc.get(key).and_then(id_of);
    let also_known_as = match doc.get("alsoKnownAs") {
        Some(Value::Array(items)) => items.iter().filter_map(id_of).collect(),
        Some(one) => id_of(one).into_iter().collect(),
        None => Vec::new(),
    };
    Ok(RemoteActor {
        also_known_as,
        moved_to: endpoint("movedTo"),
        kind,
        preferred_username,
        name: string_of(doc, "name"),
        summary: string_of(doc, "summary").map(|s| puentes_core::sanitize::clean_html(&s)),
        shared_inbox: doc
            .get("endpoints")
            .and_then(|e| e.get("sharedInbox"))
            .and_then(id_of),
        outbox: endpoint("outbox"),
        followers: endpoint("followers"),
        following: endpoint("following"),
        featured: endpoint("featured"),
        url: page_url_of(doc.get("url")),
        icon: doc
            .get("icon")
            .and_then(|i| i.get("url").or(Some(i)))
            .and_then(id_of)
            .filter(|u| matches!(u.scheme(), "http" | "https")),
        image: doc
            .get("image")
            .and_then(|i| i.get("url").or(Some(i)))
            .and_then(id_of)
            .filter(|u| matches!(u.scheme(), "http" | "https")),
        public_key_id,
        public_key_pem,
        ed25519_multibase,
        manually_approves_followers: doc
            .get("manuallyApprovesFollowers")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        discoverable: doc
            .get("discoverable")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        indexable: doc
            .get("indexable")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        id,
        inbox,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_minimal_actor_and_refuses_a_keyless_one() {
        let doc = json!({
            "id": "https://a.example/u/x", "type": "Person", "inbox": "https://a.example/u/x/inbox",
            "publicKey": {"id": "https://a.example/u/x#k", "owner": "https://a.example/u/x", "publicKeyPem": "PEM"}
        });
        let actor = parse_remote_actor(&doc).unwrap();
        assert_eq!(actor.preferred_username, "x");
        assert_eq!(actor.public_key_id, "https://a.example/u/x#k");
        let mut keyless = doc.clone();
        keyless.as_object_mut().unwrap().remove("publicKey");
        assert!(
            parse_remote_actor(&keyless)
                .unwrap_err()
                .contains("publicKey")
        );
    }
}
