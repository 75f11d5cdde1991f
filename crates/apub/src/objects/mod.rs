//! Adapters between stored rows and wire documents.

pub mod actor;
pub mod post;
pub mod statement;
