//! Joint statements on the wire: the `Article` of one version with its frozen core, the
//! `Endorse` activity, and the readers of both as other servers send them.

use super::{
    PUENTES_NS, context,
    helpers::{id_of, ids_of, string_of, type_of},
};
use crate::integrity::DATA_INTEGRITY_CONTEXT;
use serde_json::{Map, Value, json};
use url::Url;

/// `statementStatus` of a version that a newer one replaced.
pub const SUPERSEDED: &str = "superseded";

/// The fields of a version that endorsers sign through its digest; the rest (summary with
/// the live count, status, later translations, proof) may change without a new version.
pub const CORE_FIELDS: [&str; 9] = [
    "id",
    "type",
    "attributedTo",
    "initiators",
    "name",
    "content",
    "contentMap",
    "published",
    "url",
];

/// `@context` of statements and endorsements: ours, with the statement terms and the data
/// integrity context. Here `endorsements` means the statement's endorsement collection.
pub fn statement_context() -> Value {
    let mut items = match context() {
        Value::Array(items) => items,
        other => vec![other],
    };
    items.push(json!(DATA_INTEGRITY_CONTEXT));
    items.push(json!({
        "puentes": PUENTES_NS,
        "Endorse": "puentes:Endorse",
        "endorsements": { "@id": "puentes:endorsements", "@type": "@id" },
        "revocations": { "@id": "puentes:revocations", "@type": "@id" },
        "initiators": { "@id": "puentes:initiators", "@type": "@id" },
        "version": "puentes:version",
        "supersededBy": { "@id": "puentes:supersededBy", "@type": "@id" },
        "endorsementPolicy": "puentes:endorsementPolicy",
        "statementStatus": "puentes:statementStatus",
        "deadline": { "@id": "puentes:deadline", "@type": "xsd:dateTime" },
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "translations": { "@id": "puentes:translations", "@container": "@language" },
        "anonymous": "puentes:anonymous",
        "endorsementCount": "puentes:endorsementCount",
        "anonymousEndorsementCount": "puentes:anonymousEndorsementCount",
        "anonymousItems": "puentes:anonymousItems",
        "role": "puentes:role",
        "StatementCopy": "puentes:StatementCopy",
        "copyOf": { "@id": "puentes:copyOf", "@type": "@id" }
    }));
    Value::Array(items)
}

/// What a version's `content` carries on the wire: its title, its text and its address,
/// so software that shows only `content` (GoToSocial, Misskey, Lemmy) reads it whole while
/// `name` keeps the title for those that read it. A function of the frozen core only.
pub fn readable_content(name: &str, text: &str, url: &str) -> String {
    let url = puentes_core::sanitize::escape(url);
    format!(
        "<p><strong>{}</strong></p>{text}<p><a href=\"{url}\">{url}</a></p>",
        puentes_core::sanitize::escape(name)
    )
}

/// The statement's own text inside a readable `content` (older versions and other
/// software send the text alone, which is returned as it is).
pub fn text_of(content: &str, name: &str, url: &str) -> String {
    let head = format!(
        "<p><strong>{}</strong></p>",
        puentes_core::sanitize::escape(name)
    );
    let url = puentes_core::sanitize::escape(url);
    let tail = format!("<p><a href=\"{url}\">{url}</a></p>");
    content
        .strip_prefix(&head)
        .and_then(|rest| rest.strip_suffix(&tail))
        .unwrap_or(content)
        .to_string()
}

/// The frozen core of a version document.
pub fn frozen_core(document: &Value) -> Value {
    let mut core = Map::new();
    for field in CORE_FIELDS {
        if let Some(value) = document.get(field).filter(|v| !v.is_null()) {
            core.insert(field.to_string(), value.clone());
        }
    }
    Value::Object(core)
}

/// Is this document a statement version (and not an ordinary article)?
pub fn is_statement(document: &Value) -> bool {
    type_of(document) == Some("Article")
        && document.get("endorsements").is_some()
        && document.get("version").is_some()
}

/// A statement version as another server describes it.
#[derive(Debug, Clone)]
pub struct StatementDoc {
    pub id: Url,
    pub url: Url,
    pub owner: Url,
    pub initiators: Vec<Url>,
    pub name: String,
    pub content: String,
    pub content_map: Option<Value>,
    pub published: String,
    pub version: i32,
    pub status: String,
    pub policy: String,
    pub deadline: Option<chrono::DateTime<chrono::Utc>>,
}

pub fn parse_statement(document: &Value) -> Result<StatementDoc, String> {
    if !is_statement(document) {
        return Err("not a statement".into());
    }
    let field = |key: &str| document.get(key).and_then(id_of);
    let id = field("id").ok_or("statement has no id")?;
    let owner = field("attributedTo").ok_or("statement has no attributedTo")?;
    let url = field("url").unwrap_or_else(|| id.clone());
    let name = string_of(document, "name").ok_or("statement has no name")?;
    // Copies keep the signed document verbatim; these fields are the text for pages.
    let content = string_of(document, "content").ok_or("statement has no content")?;
    let content_map = match document.get("contentMap") {
        Some(Value::Object(map)) => Some(Value::Object(
            map.iter()
                .map(|(lang, v)| {
                    let text = v.as_str().map(|t| text_of(t, &name, url.as_str()));
                    (lang.clone(), text.map(Value::String).unwrap_or(v.clone()))
                })
                .collect(),
        )),
        _ => None,
    };
    Ok(StatementDoc {
        content: text_of(&content, &name, url.as_str()),
        url,
        initiators: ids_of(document.get("initiators")),
        name,
        content_map,
        published: string_of(document, "published").ok_or("statement has no published")?,
        version: document
            .get("version")
            .and_then(Value::as_i64)
            .and_then(|v| i32::try_from(v).ok())
            .ok_or("statement version is not a number")?,
        status: string_of(document, "statementStatus").unwrap_or_else(|| "open".into()),
        policy: string_of(document, "endorsementPolicy").unwrap_or_else(|| "anyone".into()),
        deadline: string_of(document, "deadline")
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(&d).ok())
            .map(|d| d.with_timezone(&chrono::Utc)),
        id,
        owner,
    })
}

/// An `Endorse` as its endorser signed it.
#[derive(Debug, Clone)]
pub struct EndorseDoc {
    pub id: Url,
    pub actor: Url,
    pub object: Url,
    pub digest: String,
    pub anonymous: bool,
    pub note: Option<String>,
}

pub fn parse_endorse(document: &Value) -> Result<EndorseDoc, String> {
    if type_of(document) != Some("Endorse") {
        return Err("not an Endorse".into());
    }
    let field = |key: &str| document.get(key).and_then(id_of);
    Ok(EndorseDoc {
        id: field("id").ok_or("Endorse has no id")?,
        actor: field("actor").ok_or("Endorse has no actor")?,
        object: field("object").ok_or("Endorse has no object")?,
        digest: string_of(document, "digestMultibase").ok_or("Endorse has no digestMultibase")?,
        anonymous: document.get("anonymous").and_then(Value::as_bool) == Some(true),
        note: string_of(document, "content"),
    })
}
