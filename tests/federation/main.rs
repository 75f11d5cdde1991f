//! Federation suite: real HTTP between in-process instances over loopback, real
//! signatures, real databases (SQLite, and PostgreSQL when PUENTES_TEST_DATABASE_URL is set).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod actors;
mod alliances;
mod blocks;
mod bovine_herd;
mod calls;
mod delivery;
mod fedify;
mod fixtures;
mod following;
mod group_interop;
mod hostile;
mod inbox_security;
mod interop;
mod layers;
mod mastodon_clients;
mod media;
mod moves;
mod operations;
mod pasture;
mod peer;
mod performance;
mod posts;
mod readability;
mod rich_posts;
mod scale_out;
mod staff_web;
mod statements;
mod upgrade;
mod web;

/// Runs a scenario once per configured database backend.
macro_rules! on_every_backend {
    ($scenario:ident) => {
        for backend in puentes_tests::Backend::all() {
            eprintln!("{} on {:?}", stringify!($scenario), backend);
            Box::pin($scenario(&backend)).await;
        }
    };
}
pub(crate) use on_every_backend;
