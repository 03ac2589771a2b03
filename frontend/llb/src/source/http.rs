//! `http://` and `https://` sources.

use std::collections::BTreeMap;

use super::{SourceNode, source_state};
use crate::caps::Cap;
use crate::error::LlbError;
use crate::state::State;

/// An `http(s)://` source.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HttpSource {
    pub url: String,
    /// `sha256:…` the content must have.
    pub checksum: Option<String>,
    pub filename: Option<String>,
    pub perm: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub auth_header_secret: Option<String>,
    /// Extra request headers, name → value.
    pub headers: BTreeMap<String, String>,
}

impl HttpSource {
    pub fn new(url: impl Into<String>) -> Self {
        HttpSource {
            url: url.into(),
            ..HttpSource::default()
        }
    }
}

impl State {
    /// An HTTP(S) source. Fails when the URL is empty.
    pub fn http(src: HttpSource) -> Result<State, LlbError> {
        if src.url.is_empty() {
            return Err(LlbError::EmptySourceField { field: "http url" });
        }
        let mut attrs = BTreeMap::new();
        let mut caps = vec![Cap::SourceHttp];
        if let Some(c) = src.checksum.as_ref().filter(|s| !s.is_empty()) {
            attrs.insert("http.checksum".to_string(), c.clone());
            caps.push(Cap::SourceHttpChecksum);
        }
        if let Some(f) = src.filename.as_ref().filter(|s| !s.is_empty()) {
            attrs.insert("http.filename".to_string(), f.clone());
        }
        if let Some(perm) = src.perm.filter(|p| *p != 0) {
            attrs.insert("http.perm".to_string(), format!("0{perm:o}"));
            caps.push(Cap::SourceHttpPerm);
        }
        if let Some(uid) = src.uid.filter(|u| *u != 0) {
            attrs.insert("http.uid".to_string(), uid.to_string());
            caps.push(Cap::SourceHttpUidGid);
        }
        if let Some(gid) = src.gid.filter(|g| *g != 0) {
            attrs.insert("http.gid".to_string(), gid.to_string());
            caps.push(Cap::SourceHttpUidGid);
        }
        if let Some(s) = src.auth_header_secret.as_ref().filter(|s| !s.is_empty()) {
            attrs.insert("http.authheadersecret".to_string(), s.clone());
            caps.push(Cap::SourceHttpAuth);
        }
        if !src.headers.is_empty() {
            for (name, value) in &src.headers {
                attrs.insert(format!("http.header.{name}"), value.clone());
            }
            caps.push(Cap::SourceHttpHeader);
        }
        Ok(source_state(SourceNode {
            identifier: src.url.clone(),
            attrs,
            platform: None,
            caps,
        }))
    }
}
