//! Change counters for what the server caches in memory (actors, NodeInfo counts, what we
//! know of other hosts).
//! Every write through this crate that could change a cached value bumps its counter, so a
//! cache entry taken before is dropped at once. They count writes of this process only:
//! caches also expire after a short time, for writes by other processes (CLI commands).

use std::sync::atomic::{AtomicU64, Ordering};

static ACTORS: AtomicU64 = AtomicU64::new(0);
static LOCAL_POSTS: AtomicU64 = AtomicU64::new(0);
static INSTANCES: AtomicU64 = AtomicU64::new(0);
static FOLLOWS_ENDED: AtomicU64 = AtomicU64::new(0);

/// Changes to any actor row so far.
pub fn actors() -> u64 {
    ACTORS.load(Ordering::Acquire)
}

/// Changes to the number of local posts so far.
pub fn local_posts() -> u64 {
    LOCAL_POSTS.load(Ordering::Acquire)
}

/// Changes to a host's block or signature scheme so far.
pub fn instances() -> u64 {
    INSTANCES.load(Ordering::Acquire)
}

/// Follows that ended or changed state so far (a follow that begins is not counted: it
/// can only make an actor followed, which a cache of followed actors need not be told).
pub fn follows_ended() -> u64 {
    FOLLOWS_ENDED.load(Ordering::Acquire)
}

pub(crate) fn follow_ended() {
    FOLLOWS_ENDED.fetch_add(1, Ordering::AcqRel);
}

pub(crate) fn actor_changed() {
    ACTORS.fetch_add(1, Ordering::AcqRel);
}

pub(crate) fn local_posts_changed() {
    LOCAL_POSTS.fetch_add(1, Ordering::AcqRel);
}

pub(crate) fn instance_changed() {
    INSTANCES.fetch_add(1, Ordering::AcqRel);
}
