//! The instance's Prometheus metrics: counters moved where things happen (requests, inbox,
//! deliveries, signatures) and gauges set when `/metrics` is read (queues, hosts, pool).
//! One set per instance, passed in like the configuration.

use prometheus_client::{
    encoding::text::encode,
    metrics::{counter::Counter, family::Family, gauge::Gauge},
    registry::Registry,
};
use std::sync::atomic::AtomicU64;

type Labels = Vec<(&'static str, String)>;

pub struct Metrics {
    registry: Registry,
    requests: Family<Labels, Counter>,
    inbox: Family<Labels, Counter>,
    deliveries: Family<Labels, Counter>,
    signatures: Family<Labels, Counter>,
    pub queue_depth: Family<Labels, Gauge>,
    pub queue_oldest_seconds: Family<Labels, Gauge<f64, AtomicU64>>,
    pub parked_hosts: Gauge,
    pub pool_connections: Family<Labels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// Activity types we count by name; anything else is `other`, so a peer cannot grow the
/// label set without bound.
const ACTIVITY_TYPES: &[&str] = &[
    "Create",
    "Update",
    "Delete",
    "Follow",
    "Accept",
    "Reject",
    "Undo",
    "Announce",
    "Like",
    "Block",
    "Add",
    "Remove",
    "Move",
    "Flag",
    "Join",
    "Leave",
    "Invite",
    "EmojiReact",
];

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("puentes");
        let requests = Family::<Labels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route and status",
            requests.clone(),
        );
        let inbox = Family::<Labels, Counter>::default();
        registry.register(
            "inbox_activities",
            "Activities posted to our inboxes, by type and outcome",
            inbox.clone(),
        );
        let deliveries = Family::<Labels, Counter>::default();
        registry.register(
            "deliveries",
            "Delivery attempts to remote inboxes, by outcome",
            deliveries.clone(),
        );
        let signatures = Family::<Labels, Counter>::default();
        registry.register(
            "signature_verifications",
            "HTTP signatures of incoming activities checked, by result",
            signatures.clone(),
        );
        let queue_depth = Family::<Labels, Gauge>::default();
        registry.register(
            "queue_depth",
            "Rows in the delivery queue by state, and unprocessed outbox events",
            queue_depth.clone(),
        );
        let queue_oldest_seconds = Family::<Labels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "queue_oldest_age_seconds",
            "Age of the oldest pending item of each queue",
            queue_oldest_seconds.clone(),
        );
        let parked_hosts = Gauge::default();
        registry.register(
            "parked_hosts",
            "Remote hosts whose deliveries are paused after repeated failures",
            parked_hosts.clone(),
        );
        let pool_connections = Family::<Labels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Database pool connections, by state",
            pool_connections.clone(),
        );
        Metrics {
            registry,
            requests,
            inbox,
            deliveries,
            signatures,
            queue_depth,
            queue_oldest_seconds,
            parked_hosts,
            pool_connections,
        }
    }

    /// `route` is the matched route pattern (`/actors/{name}`), never the raw path.
    pub fn request(&self, route: &str, status: u16) {
        self.requests
            .get_or_create(&vec![
                ("route", route.to_string()),
                ("status", status.to_string()),
            ])
            .inc();
    }

    /// `outcome`: applied, duplicate, ignored, refused.
    pub fn inbox_activity(&self, kind: &str, outcome: &str) {
        let kind = if ACTIVITY_TYPES.contains(&kind) {
            kind
        } else {
            "other"
        };
        self.inbox
            .get_or_create(&vec![
                ("type", kind.to_string()),
                ("outcome", outcome.to_string()),
            ])
            .inc();
    }

    /// `outcome`: delivered, refused, retry, gave_up.
    pub fn delivery(&self, outcome: &str) {
        self.deliveries
            .get_or_create(&vec![("outcome", outcome.to_string())])
            .inc();
    }

    /// `valid` or `invalid`.
    pub fn signature(&self, valid: bool) {
        let result = if valid { "valid" } else { "invalid" };
        self.signatures
            .get_or_create(&vec![("result", result.to_string())])
            .inc();
    }

    /// The OpenMetrics text exposition (Prometheus reads it).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// The content type of [`Metrics::encode`].
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_appear_in_the_exposition() {
        let metrics = Metrics::new();
        metrics.request("/actors/{name}", 200);
        metrics.inbox_activity("Follow", "applied");
        metrics.inbox_activity("Nonsense", "applied");
        let text = metrics.encode();
        assert!(
            text.contains(r#"puentes_http_requests_total{route="/actors/{name}",status="200"} 1"#),
            "{text}"
        );
        assert!(text.contains(r#"type="other""#), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }
}
