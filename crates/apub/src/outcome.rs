//! What happened to an accepted inbox request (for logs and tests); a leaf shared by the
//! inbox pipeline and the activity handlers.

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    Duplicate,
    Ignored(String),
}
