//! Puentes federation: wire types, object adapters, activity handlers, federation routes,
//! delivery and remote fetching. It never depends on the web crate: both meet in the server.

pub mod activities;
pub mod calls;
pub mod client;
pub mod config;
pub mod context;
pub mod corpus;
pub mod delivery;
pub mod fetch;
pub mod forwarding;
pub mod inbox;
pub mod integrity;
pub mod local_actors;
pub mod member_lists;
pub mod network;
pub mod objects;
pub mod outbox;
pub mod outcome;
pub mod protocol;
pub mod resolver;
pub mod respond;
pub mod routes;
pub mod signing;
pub mod statements;
pub mod subscribe;

pub use config::federation_config;
pub use context::{Data, FedContext};
