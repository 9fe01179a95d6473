//! The key and identity types the SAS protocol works with.
pub(crate) use crate::identity::Identity;
pub(crate) use crate::key::{KeyType, PublicKey};
