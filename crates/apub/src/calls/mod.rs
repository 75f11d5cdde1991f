//! Calls to action on the federation side: activities sent for outbox events, and the
//! routes serving Events, their attendees, upcoming collections and calendars.

pub mod routes;
pub mod vtimezone;
