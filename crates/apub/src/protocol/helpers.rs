//! Tolerant readers for the shapes other servers send.

use serde_json::Value;
use url::Url;

/// An id given as a string or as an embedded object with `id` (or a link with `href`).
pub fn id_of(value: &Value) -> Option<Url> {
    match value {
        Value::String(s) => Url::parse(s).ok(),
        Value::Object(map) => map
            .get("id")
            .or_else(|| map.get("href"))
            .and_then(Value::as_str)
            .and_then(|s| Url::parse(s).ok()),
        Value::Array(items) => items.iter().find_map(id_of),
        _ => None,
    }
}

/// Every id in a value that may be one or many.
pub fn ids_of(value: Option<&Value>) -> Vec<Url> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter_map(id_of).collect(),
        Some(other) => id_of(other).into_iter().collect(),
    }
}

/// Address lists may hold `as:Public` shorthands that are not URLs.
pub fn addresses_of(value: Option<&Value>) -> Vec<String> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(map) => map.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter_map(one).collect(),
        Some(other) => one(other).into_iter().collect(),
    }
}

/// The `type` of a document; when it is an array, the first entry.
pub fn type_of(value: &Value) -> Option<&str> {
    match value.get("type")? {
        Value::String(s) => Some(s),
        Value::Array(items) => items.first().and_then(Value::as_str),
        _ => None,
    }
}

pub fn string_of(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A `url` that may be a string, a Link object or an array of either; prefers text/html.
pub fn page_url_of(value: Option<&Value>) -> Option<Url> {
    match value? {
        Value::Array(items) => items
            .iter()
            .find(|i| i.get("mediaType").and_then(Value::as_str) == Some("text/html"))
            .and_then(id_of)
            .or_else(|| items.iter().find_map(id_of)),
        other => id_of(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_come_in_many_shapes() {
        assert_eq!(
            id_of(&json!("https://a.example/x")).unwrap().as_str(),
            "https://a.example/x"
        );
        assert_eq!(
            id_of(&json!({"id": "https://a.example/y"}))
                .unwrap()
                .as_str(),
            "https://a.example/y"
        );
        assert_eq!(
            ids_of(Some(
                &json!(["https://a.example/1", {"id": "https://a.example/2"}])
            ))
            .len(),
            2
        );
        assert_eq!(addresses_of(Some(&json!("as:Public"))), vec!["as:Public"]);
        assert_eq!(type_of(&json!({"type": ["Note", "Other"]})), Some("Note"));
    }
}
