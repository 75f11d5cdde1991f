//! Ordered collections, served in pages so no response grows past what peers accept.

use serde_json::{Value, json};
use url::Url;

pub const PAGE_SIZE: u64 = 20;

/// The collection head: total and a link to the first page.
pub fn ordered_collection(id: &Url, total: u64) -> Value {
    json!({
        "id": id,
        "type": "OrderedCollection",
        "totalItems": total,
        "first": format!("{id}?page=1"),
        "last": format!("{id}?page={}", total.div_ceil(PAGE_SIZE).max(1)),
    })
}

pub fn ordered_collection_page(id: &Url, page: u64, total: u64, items: Vec<Value>) -> Value {
    let mut doc = json!({
        "id": format!("{id}?page={page}"),
        "type": "OrderedCollectionPage",
        "partOf": id,
        "totalItems": total,
        "orderedItems": items,
    });
    if page.saturating_mul(PAGE_SIZE) < total {
        doc["next"] = json!(format!("{id}?page={}", page.saturating_add(1)));
    }
    if page > 1 {
        doc["prev"] = json!(format!("{id}?page={}", page - 1));
    }
    doc
}
