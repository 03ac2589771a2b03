//! `oci-layout://` sources: an image in an OCI layout the client holds,
//! read through the build session's content store.

use std::collections::BTreeMap;

use super::{SourceNode, source_state};
use crate::caps::Cap;
use crate::error::LlbError;
use crate::pb;
use crate::state::State;

/// An image in one of the session's OCI layouts.
#[derive(Clone, Debug, PartialEq)]
pub struct OciLayoutSource {
    /// `name@digest` (the name only labels it; the digest picks the image).
    pub reference: String,
    /// The session that holds the store, and the store's ID in it.
    pub session_id: String,
    pub store_id: String,
    pub platform: Option<pb::Platform>,
}

impl State {
    /// An OCI layout source. Fails when the reference is empty.
    pub fn oci_layout(src: OciLayoutSource) -> Result<State, LlbError> {
        if src.reference.is_empty() {
            return Err(LlbError::EmptySourceField {
                field: "oci-layout reference",
            });
        }
        let mut attrs = BTreeMap::new();
        if !src.session_id.is_empty() {
            attrs.insert("oci.session".to_string(), src.session_id);
        }
        if !src.store_id.is_empty() {
            attrs.insert("oci.store".to_string(), src.store_id);
        }
        Ok(source_state(SourceNode {
            identifier: format!("oci-layout://{}", src.reference),
            attrs,
            platform: src.platform,
            caps: vec![Cap::SourceOciLayout],
        }))
    }
}
