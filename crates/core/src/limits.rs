//! Token buckets keyed by IP or host, and a remembered-failure set: how an instance refuses
//! to be used as an amplifier or worn down by one client. In memory, per process.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Keys tracked before idle ones are dropped, so a flood of distinct keys costs bounded memory.
const MAX_KEYS: usize = 100_000;

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// `per_minute` requests per key, with bursts up to the same number.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`: `Ok` when allowed, else how long until one is free.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let rate = capacity / 60.0;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_KEYS && !buckets.contains_key(key) {
            // Drop buckets that have refilled: forgetting them changes nothing.
            buckets
                .retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < capacity);
            if buckets.len() >= MAX_KEYS {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate).max(Duration::from_secs(1)))
        }
    }
}

/// What was learned about a key recently (a keyId whose key could not be fetched, or the
/// key it resolved to that did not verify): asked again within `ttl`, the answer comes from
/// memory, not from another fetch.
pub struct RecentMap<V> {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, V)>>,
}

/// Keys that failed recently, and nothing more to know about them.
pub type FailureCache = RecentMap<()>;

impl<V: Clone> RecentMap<V> {
    pub fn new(ttl: Duration) -> RecentMap<V> {
        RecentMap {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn insert(&self, key: &str, value: V) {
        let now = Instant::now();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_KEYS {
            entries.retain(|_, (at, _)| now.duration_since(*at) < self.ttl);
            if entries.len() >= MAX_KEYS {
                entries.clear();
            }
        }
        entries.insert(key.to_string(), (now, value));
    }

    pub fn forget(&self, key: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    /// The value remembered for `key`, unless it is older than the TTL.
    pub fn get(&self, key: &str) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }
}

impl RecentMap<()> {
    pub fn remember(&self, key: &str) {
        self.insert(key, ());
    }

    pub fn failed_recently(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refuses_with_a_wait() {
        let limiter = RateLimiter::new(3);
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_ok());
        let wait = limiter.check("a").unwrap_err();
        assert!(wait >= Duration::from_secs(1) && wait <= Duration::from_secs(20));
        // Another key has its own bucket.
        assert!(limiter.check("b").is_ok());
        // Zero means unlimited.
        let open = RateLimiter::new(0);
        assert!((0..1000).all(|_| open.check("a").is_ok()));
    }

    #[test]
    fn failures_are_remembered_for_a_while() {
        let cache = FailureCache::new(Duration::from_secs(60));
        assert!(!cache.failed_recently("k"));
        cache.remember("k");
        assert!(cache.failed_recently("k"));
        cache.forget("k");
        assert!(!cache.failed_recently("k"));
        let expired = FailureCache::new(Duration::ZERO);
        expired.remember("k");
        assert!(!expired.failed_recently("k"));
    }
}
