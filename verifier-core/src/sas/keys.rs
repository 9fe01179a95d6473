//! The key and identity types the SAS protocol works with.
pub(crate) use super::placeholder::{Identity, KeyType, PublicKey};
