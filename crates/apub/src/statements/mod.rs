//! Joint statements beyond the inbox: what the outbox sends, what the routes serve, and the
//! independent verification behind `puentes verify`.

pub mod routes;
pub mod verify;
