//! Capabilities announced by BuildKit in `Ping`.
//!
//! There is no version handshake: a feature may be used iff its cap is listed
//! and enabled. Daemons that predate a list send none; then the frozen lists
//! from when caps were introduced apply (the Go client does the same).

use std::collections::BTreeMap;
use std::fmt;

mod table;

pub use table::{BuildkitVersion, Cap, CapKind, Fallback};

use crate::moby::buildkit::v1::apicaps::ApiCap;
use crate::moby::buildkit::v1::frontend::PongResponse;
use crate::pb;

/// How the daemon describes one cap it listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CapState {
    Enabled,
    /// Listed but switched off (e.g. by daemon configuration).
    Disabled {
        /// `DisabledReasonMsg`, for the user; may be empty.
        message: String,
        /// `DisabledAlternative`; may be empty.
        alternative: String,
    },
}

/// One of the two capability lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapSet {
    kind: CapKind,
    caps: BTreeMap<String, CapState>,
}

impl CapSet {
    /// The set announced in `list`, or the frozen defaults when it is empty.
    pub fn from_announced(kind: CapKind, list: &[ApiCap]) -> Self {
        let caps = if list.is_empty() {
            Cap::of_kind(kind)
                .filter(|cap| cap.assumed())
                .map(|cap| (cap.id().to_string(), CapState::Enabled))
                .collect()
        } else {
            list.iter()
                .map(|cap| {
                    let state = if cap.enabled {
                        CapState::Enabled
                    } else {
                        CapState::Disabled {
                            message: cap.disabled_reason_msg.clone(),
                            alternative: cap.disabled_alternative.clone(),
                        }
                    };
                    (cap.id.clone(), state)
                })
                .collect()
        };
        CapSet { kind, caps }
    }

    /// A set where exactly `ids` are enabled (tests, offline planning).
    pub fn with_enabled<'a>(kind: CapKind, ids: impl IntoIterator<Item = &'a str>) -> Self {
        CapSet {
            kind,
            caps: ids
                .into_iter()
                .map(|id| (id.to_string(), CapState::Enabled))
                .collect(),
        }
    }

    pub fn kind(&self) -> CapKind {
        self.kind
    }

    /// Listed and enabled.
    pub fn has(&self, cap: Cap) -> bool {
        cap.kind() == self.kind && self.supports(cap.id())
    }

    /// Listed and enabled, by wire ID (IDs this frontend does not know too).
    pub fn supports(&self, id: &str) -> bool {
        matches!(self.caps.get(id), Some(CapState::Enabled))
    }

    pub fn state(&self, id: &str) -> Option<&CapState> {
        self.caps.get(id)
    }

    /// IDs of the enabled caps, sorted.
    pub fn enabled(&self) -> impl Iterator<Item = &str> {
        self.caps
            .iter()
            .filter(|(_, state)| **state == CapState::Enabled)
            .map(|(id, _)| id.as_str())
    }

    /// Fails listing every required cap that is absent or disabled.
    pub fn check<'a>(
        &self,
        required: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), MissingCaps> {
        let mut missing: Vec<MissingCap> = Vec::new();
        for id in required {
            if self.supports(id) || missing.iter().any(|m| m.id == id) {
                continue;
            }
            missing.push(MissingCap {
                id: id.to_string(),
                kind: self.kind,
                disabled: match self.caps.get(id) {
                    Some(CapState::Disabled { message, .. }) => Some(message.clone()),
                    _ => None,
                },
                known: Cap::from_id(self.kind, id),
            });
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(MissingCaps { missing })
        }
    }
}

/// Both capability lists of a daemon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caps {
    pub gateway: CapSet,
    pub llb: CapSet,
}

impl Caps {
    pub fn from_pong(pong: &PongResponse) -> Self {
        Caps {
            gateway: CapSet::from_announced(CapKind::Gateway, &pong.frontend_api_caps),
            llb: CapSet::from_announced(CapKind::Llb, &pong.llb_caps),
        }
    }

    /// Listed and enabled in the list `cap` belongs to.
    pub fn has(&self, cap: Cap) -> bool {
        match cap.kind() {
            CapKind::Gateway => self.gateway.has(cap),
            CapKind::Llb => self.llb.has(cap),
        }
    }

    pub fn supports_gateway(&self, id: &str) -> bool {
        self.gateway.supports(id)
    }

    pub fn supports_llb(&self, id: &str) -> bool {
        self.llb.supports(id)
    }

    /// The largest request this daemon accepts. BuildKit's frontend API took
    /// grpc-go's 4 MiB default until v0.14 raised it to 16 MiB, and Docker's
    /// embedded BuildKit only followed in Engine 27.1; a daemon announcing a
    /// cap first released in v0.17 or later is past both. Anything else gets
    /// the small limit: a needlessly early error beats one that is lost.
    pub fn message_limit(&self) -> usize {
        let newer = |set: &CapSet| {
            set.enabled().any(|id| {
                Cap::from_id(set.kind, id).is_some_and(|c| c.since() >= BuildkitVersion::new(0, 17))
            })
        };
        if newer(&self.gateway) || newer(&self.llb) {
            crate::transport::MAX_RESPONSE_BYTES
        } else {
            crate::transport::MAX_REQUEST_BYTES
        }
    }

    /// For the caps a Definition lists in `OpMetadata.caps`.
    pub fn check_llb<'a>(
        &self,
        required: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), MissingCaps> {
        self.llb.check(required)
    }

    /// Checks every cap the Definition's ops list in `OpMetadata.caps`. The
    /// daemon would only reject them when the result is used (after
    /// `Return`), with a bare cap ID in the message.
    pub fn check_definition(&self, definition: &pb::Definition) -> Result<(), MissingCaps> {
        self.llb.check(
            definition
                .metadata
                .values()
                .flat_map(|meta| meta.caps.iter())
                .filter(|(_, required)| **required)
                .map(|(id, _)| id.as_str()),
        )
    }

    pub fn check_gateway<'a>(
        &self,
        required: impl IntoIterator<Item = &'a str>,
    ) -> Result<(), MissingCaps> {
        self.gateway.check(required)
    }
}

/// A cap the daemon lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingCap {
    pub id: String,
    pub kind: CapKind,
    /// `Some` when the daemon lists the cap but disabled it, with its reason.
    pub disabled: Option<String>,
    /// The table's row, for caps BuildKit v0.32 knows.
    pub known: Option<Cap>,
}

impl fmt::Display for MissingCap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.disabled, self.known) {
            (Some(reason), known) => {
                let feature = known.map_or(self.id.as_str(), |cap| cap.feature());
                write!(
                    f,
                    "{feature} is disabled in this BuildKit (cap {})",
                    self.id
                )?;
                if !reason.is_empty() {
                    write!(f, ": {reason}")?;
                }
                Ok(())
            }
            (None, Some(known)) => {
                write!(
                    f,
                    "{} needs BuildKit {} or newer",
                    known.feature(),
                    known.since()
                )?;
                if let Some(docker) = known.since().first_docker_release() {
                    write!(f, " (Docker {docker} or newer)")?;
                }
                write!(f, " (cap {}); this daemon is older", self.id)
            }
            (None, None) => write!(
                f,
                "this BuildKit lacks the {} capability {}",
                self.kind, self.id
            ),
        }
    }
}

/// Some required caps are missing; never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingCaps {
    pub missing: Vec<MissingCap>,
}

impl fmt::Display for MissingCaps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, cap) in self.missing.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{cap}")?;
        }
        Ok(())
    }
}

impl std::error::Error for MissingCaps {}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(id: &str, enabled: bool) -> ApiCap {
        ApiCap {
            id: id.to_string(),
            enabled,
            disabled_reason_msg: if enabled {
                String::new()
            } else {
                "turned off".to_string()
            },
            ..Default::default()
        }
    }

    #[test]
    fn message_limit_is_large_only_for_daemons_known_to_accept_it() {
        let pong = |llb: &[&str]| PongResponse {
            frontend_api_caps: vec![cap("readfile", true)],
            llb_caps: llb.iter().map(|id| cap(id, true)).collect(),
            workers: vec![],
        };
        let small = 4 << 20;
        assert_eq!(
            Caps::from_pong(&pong(&["file.base"])).message_limit(),
            small
        );
        // v0.14 raised the limit, but Docker 27.0 embeds v0.14 without it.
        let v14 = pong(&["file.base", "file.copy.alwaysreplaceexistingdestpaths"]);
        assert_eq!(Caps::from_pong(&v14).message_limit(), small);
        let v17 = pong(&["file.base", "exec.validexitcode"]);
        assert_eq!(Caps::from_pong(&v17).message_limit(), 16 << 20);
        // A cap we do not know says nothing about the version.
        assert_eq!(
            Caps::from_pong(&pong(&["some.future.cap"])).message_limit(),
            small
        );
    }

    #[test]
    fn enabled_disabled_and_absent() {
        let pong = PongResponse {
            frontend_api_caps: vec![cap("readfile", true), cap("gateway.warnings", false)],
            llb_caps: vec![cap("file.base", true)],
            workers: vec![],
        };
        let caps = Caps::from_pong(&pong);
        assert!(caps.supports_gateway("readfile"));
        assert!(!caps.supports_gateway("gateway.warnings"));
        assert!(!caps.supports_gateway("solve.base"));
        assert!(caps.supports_llb("file.base"));
        assert!(!caps.supports_llb("mergeop"));
        let err = caps
            .check_gateway(["readfile", "gateway.warnings"])
            .unwrap_err();
        assert_eq!(err.missing.len(), 1);
        assert_eq!(err.missing[0].disabled.as_deref(), Some("turned off"));
        assert_eq!(
            err.to_string(),
            "build warnings is disabled in this BuildKit (cap gateway.warnings): turned off"
        );
    }

    #[test]
    fn empty_lists_mean_frozen_defaults() {
        let caps = Caps::from_pong(&PongResponse::default());
        assert_eq!(caps.gateway.enabled().count(), 4);
        assert!(caps.supports_gateway("resolveimage"));
        assert!(!caps.supports_gateway("return"));
        assert!(caps.supports_llb("exec.mount.secret"));
        assert!(!caps.supports_llb("file.base"));
    }

    #[test]
    fn definition_caps_are_checked() {
        let caps = Caps {
            gateway: CapSet::with_enabled(CapKind::Gateway, []),
            llb: CapSet::with_enabled(CapKind::Llb, ["file.base", "mergeop"]),
        };
        let meta = |ids: &[(&str, bool)]| pb::OpMetadata {
            caps: ids.iter().map(|(id, on)| (id.to_string(), *on)).collect(),
            ..Default::default()
        };
        let mut definition = pb::Definition::default();
        definition.metadata.insert(
            "sha256:a".into(),
            meta(&[("file.base", true), ("diffop", false)]),
        );
        definition
            .metadata
            .insert("sha256:b".into(), meta(&[("mergeop", true)]));
        assert!(caps.check_definition(&definition).is_ok());
        definition
            .metadata
            .insert("sha256:c".into(), meta(&[("exec.mount.tmpfs.size", true)]));
        let err = caps.check_definition(&definition).unwrap_err();
        assert_eq!(err.missing.len(), 1);
        assert_eq!(err.missing[0].id, "exec.mount.tmpfs.size");
    }

    #[test]
    fn missing_cap_messages() {
        let caps = CapSet::with_enabled(CapKind::Llb, ["file.base"]);
        assert!(caps.check(["file.base"]).is_ok());
        let err = caps
            .check([
                "file.copy.includeexcludepatterns",
                "file.base",
                "x.unknown",
                "x.unknown",
            ])
            .unwrap_err();
        assert_eq!(err.missing.len(), 2);
        assert_eq!(
            err.missing[0].to_string(),
            "COPY --exclude needs BuildKit v0.9 or newer (Docker 23.0 or newer) \
             (cap file.copy.includeexcludepatterns); this daemon is older"
        );
        assert_eq!(
            err.missing[1].to_string(),
            "this BuildKit lacks the LLB capability x.unknown"
        );
    }
}
