//! The one capability table: every cap BuildKit v0.32 declares, what it
//! enables, the release that added it, whether daemons that announce no list
//! are taken to have it, and what this frontend does on a daemon without it.
//!
//! Adding a capability is one row below: the enum, wire IDs, messages,
//! version checks and the fake daemon's lists all read it.
//!
//! Release numbers come from the first `vX.Y.0` tag whose `solver/pb/caps.go`
//! or `frontend/gateway/pb/caps.go` declares the ID (caps exist since v0.3, so
//! older IDs say v0.3).

use std::fmt;

/// Which of the two capability lists of `Ping` an ID belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CapKind {
    /// `PongResponse.FrontendAPICaps`: what the gateway API offers.
    Gateway,
    /// `PongResponse.LLBCaps`: what the solver accepts in a Definition.
    Llb,
}

impl fmt::Display for CapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CapKind::Gateway => "gateway",
            CapKind::Llb => "LLB",
        })
    }
}

/// A BuildKit release, `v<major>.<minor>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BuildkitVersion {
    pub major: u16,
    pub minor: u16,
}

impl BuildkitVersion {
    pub const fn new(major: u16, minor: u16) -> Self {
        BuildkitVersion { major, minor }
    }

    /// The BuildKit dockerd 20.10 embeds, the oldest daemon we build on.
    pub const DOCKER_20_10: BuildkitVersion = BuildkitVersion::new(0, 8);

    /// The first Docker Engine release whose embedded BuildKit is at least
    /// this version, when known.
    pub fn first_docker_release(self) -> Option<&'static str> {
        // Docker Engine release → BuildKit it vendors (moby vendor files).
        const DOCKER: [(&str, BuildkitVersion); 7] = [
            ("20.10", BuildkitVersion::DOCKER_20_10),
            ("23.0", BuildkitVersion::new(0, 10)),
            ("24.0", BuildkitVersion::new(0, 11)),
            ("25.0", BuildkitVersion::new(0, 12)),
            ("26.0", BuildkitVersion::new(0, 13)),
            ("27.0", BuildkitVersion::new(0, 14)),
            ("28.0", BuildkitVersion::new(0, 20)),
        ];
        DOCKER
            .iter()
            .find(|(_, shipped)| *shipped >= self)
            .map(|(docker, _)| *docker)
    }
}

impl fmt::Display for BuildkitVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}", self.major, self.minor)
    }
}

/// What happens on a daemon that lacks a cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// Nothing replaces it: a build that needs it stops before Solve with a
    /// message naming the feature, the release and the Dockerfile line.
    Refuse,
    /// Build options that need it (`--ulimit`, `--shm-size`,
    /// `--cgroup-parent`) are dropped, as the reference frontend drops them;
    /// a Dockerfile flag that needs it is refused.
    DropOption,
    /// The frontend does without it, as described.
    Instead(&'static str),
}

macro_rules! fallback {
    () => {
        Fallback::Refuse
    };
    (drops) => {
        Fallback::DropOption
    };
    (instead $how:literal) => {
        Fallback::Instead($how)
    };
}

macro_rules! caps {
    ($($variant:ident $kind:ident $id:literal ($major:literal, $minor:literal) $assumed:ident,
        $feature:literal $(=> $fallback:ident $($how:literal)?)?;)*) => {
        /// One BuildKit capability.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Cap {
            $(
                #[doc = concat!("`", $id, "`: ", $feature, ".")]
                $variant,
            )*
        }

        impl Cap {
            /// Every cap, in table order.
            pub const ALL: &[Cap] = &[$(Cap::$variant),*];

            /// The table row.
            const fn row(self) -> Row {
                match self {
                    $(Cap::$variant => Row {
                        kind: CapKind::$kind,
                        id: $id,
                        since: BuildkitVersion::new($major, $minor),
                        assumed: assumed!($assumed),
                        feature: $feature,
                        fallback: fallback!($($fallback $($how)?)?),
                    },)*
                }
            }
        }
    };
}

macro_rules! assumed {
    (assumed) => {
        true
    };
    (listed) => {
        false
    };
}

#[derive(Clone, Copy)]
struct Row {
    kind: CapKind,
    id: &'static str,
    since: BuildkitVersion,
    assumed: bool,
    feature: &'static str,
    fallback: Fallback,
}

impl Cap {
    /// The ID as it appears on the wire.
    pub const fn id(self) -> &'static str {
        self.row().id
    }

    pub const fn kind(self) -> CapKind {
        self.row().kind
    }

    /// What a user would call the feature.
    pub const fn feature(self) -> &'static str {
        self.row().feature
    }

    /// The first BuildKit release that has it.
    pub const fn since(self) -> BuildkitVersion {
        self.row().since
    }

    /// Taken as present when the daemon announces no list at all (the Go
    /// client's frozen defaults from when caps were introduced).
    pub const fn assumed(self) -> bool {
        self.row().assumed
    }

    pub const fn fallback(self) -> Fallback {
        self.row().fallback
    }

    /// The cap of `kind` with this wire ID.
    pub fn from_id(kind: CapKind, id: &str) -> Option<Cap> {
        Cap::ALL
            .iter()
            .copied()
            .find(|c| c.kind() == kind && c.id() == id)
    }

    /// Every cap of `kind`.
    pub fn of_kind(kind: CapKind) -> impl Iterator<Item = Cap> {
        Cap::ALL.iter().copied().filter(move |c| c.kind() == kind)
    }
}

impl fmt::Display for Cap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

// variant kind "id" (since) assumed|listed, "feature" [=> drops | => instead "how"];
caps! {
    SolveBase Gateway "solve.base" (0, 3) assumed, "solving LLB definitions";
    SolveInlineReturn Gateway "solve.inlinereturn" (0, 3) assumed, "results returned inline by Solve";
    ResolveImage Gateway "resolveimage" (0, 3) assumed, "resolving image configs";
    ResolveImageResolveMode Gateway "resolveimage.resolvemode" (0, 3) listed, "image resolve modes (pull/local)";
    ReadFile Gateway "readfile" (0, 3) assumed, "reading files from build results";
    Return Gateway "return" (0, 3) listed, "returning results with Return";
    ReturnMap Gateway "returnmap" (0, 3) listed, "returning several results";
    ReadDir Gateway "readdir" (0, 3) listed, "listing directories of build results";
    StatFile Gateway "statfile" (0, 3) listed, "stat of files in build results";
    ImportCaches Gateway "importcaches" (0, 4) listed, "cache imports in Solve";
    ProtoRefArray Gateway "proto.refarray" (0, 7) listed, "typed result references";
    ReferenceOutput Gateway "reference.output" (0, 7) listed, "result references with their definition";
    FrontendInputs Gateway "frontend.inputs" (0, 7) listed, "frontend inputs (named contexts passed by the client)"
        => instead "no named contexts from the client";
    SolveMetadata Gateway "gateway.solve.metadata" (0, 8) listed, "metadata from Solve results";
    GatewayExec Gateway "gateway.exec" (0, 8) listed, "interactive containers";
    FrontendCaps Gateway "frontend.caps" (0, 8) listed, "frontend capability negotiation";
    SolveEvaluate Gateway "gateway.solve.evaluate" (0, 8) listed, "eager evaluation in Solve";
    GatewayExecExtraHosts Gateway "gateway.exec.extrahosts" (0, 10) listed, "extra hosts in interactive containers";
    GatewayExecSignals Gateway "gateway.exec.signals" (0, 10) listed, "signals to interactive containers";
    GatewayWarnings Gateway "gateway.warnings" (0, 10) listed, "build warnings"
        => instead "warnings are not shown";
    GatewayEvaluate Gateway "gateway.evaluate" (0, 11) listed, "the Evaluate call";
    ReferenceAttestations Gateway "reference.attestations" (0, 11) listed, "attestations on results";
    GatewayExecSecretEnv Gateway "gateway.exec.secretenv" (0, 12) listed, "secret env in interactive containers";
    SourceMetaResolver Gateway "source.metaresolver" (0, 13) listed, "generic source metadata resolution";
    GatewayExecFilesystem Gateway "gateway.exec.filesystem" (0, 27) listed, "filesystem access in interactive containers";
    SourceMetaResolverImageAttestations Gateway "source.metaresolver.image.attestations" (0, 28) listed, "image attestation resolution";
    SourceMetaResolverHttpChecksumRequest Gateway "source.metaresolver.http.checksumrequest" (0, 28) listed, "HTTP checksum requests";
    SourceImage Llb "source.image" (0, 3) assumed, "image sources (FROM)";
    SourceImageResolveMode Llb "source.image.resolvemode" (0, 3) listed, "image resolve modes (--pull)";
    SourceLocal Llb "source.local" (0, 3) assumed, "local sources (the build context)";
    SourceLocalUnique Llb "source.local.unique" (0, 3) assumed, "unique local sources";
    SourceLocalSessionId Llb "source.local.sessionid" (0, 3) assumed, "local sources bound to a session";
    SourceLocalIncludePatterns Llb "source.local.includepatterns" (0, 3) assumed, "include patterns on the build context";
    SourceLocalFollowPaths Llb "source.local.followpaths" (0, 3) assumed, "follow paths on the build context";
    SourceLocalExcludePatterns Llb "source.local.excludepatterns" (0, 3) assumed, ".dockerignore exclude patterns";
    SourceLocalSharedKeyHint Llb "source.local.sharedkeyhint" (0, 3) assumed, "shared cache keys for local sources";
    SourceGit Llb "source.git" (0, 3) assumed, "Git sources";
    SourceGitKeepDir Llb "source.git.keepgitdir" (0, 3) assumed, "keeping .git in Git sources (ADD --keep-git-dir)";
    SourceGitFullUrl Llb "source.git.fullurl" (0, 3) assumed, "full URLs in Git sources";
    SourceHttp Llb "source.http" (0, 3) assumed, "HTTP sources (ADD <url>)";
    SourceHttpChecksum Llb "source.http.checksum" (0, 3) assumed, "checksums on HTTP sources (ADD --checksum)";
    SourceHttpPerm Llb "source.http.perm" (0, 3) assumed, "permissions on HTTP sources (ADD --chmod <url>)";
    SourceHttpUidGid Llb "soruce.http.uidgid" (0, 3) assumed, "ownership on HTTP sources (ADD --chown <url>)";
    BuildOpLlbFileName Llb "source.buildop.llbfilename" (0, 3) assumed, "LLB file names in build ops";
    ExecMetaBase Llb "exec.meta.base" (0, 3) assumed, "RUN";
    ExecMetaProxy Llb "exec.meta.proxyenv" (0, 3) assumed, "proxy variables in RUN";
    ExecMetaNetwork Llb "exec.meta.network" (0, 3) listed, "RUN --network";
    ExecMetaSetsDefaultPath Llb "exec.meta.setsdefaultpath" (0, 3) listed, "default PATH in RUN"
        => instead "RUN gets PATH from the frontend";
    ExecMountBind Llb "exec.mount.bind" (0, 3) assumed, "RUN --mount=type=bind";
    ExecMountCache Llb "exec.mount.cache" (0, 3) assumed, "RUN --mount=type=cache";
    ExecMountCacheSharing Llb "exec.mount.cache.sharing" (0, 3) assumed, "RUN --mount=type=cache,sharing=";
    ExecMountSelector Llb "exec.mount.selector" (0, 3) assumed, "RUN --mount source=";
    ExecMountTmpfs Llb "exec.mount.tmpfs" (0, 3) assumed, "RUN --mount=type=tmpfs";
    ExecMountSecret Llb "exec.mount.secret" (0, 3) assumed, "RUN --mount=type=secret";
    ExecMountSsh Llb "exec.mount.ssh" (0, 3) listed, "RUN --mount=type=ssh";
    ExecCgroupsMounted Llb "exec.cgroup" (0, 3) listed, "cgroup mounts in RUN";
    Constraints Llb "constraints" (0, 3) assumed, "worker constraints";
    Platform Llb "platform" (0, 3) assumed, "platforms on operations";
    MetaIgnoreCache Llb "meta.ignorecache" (0, 3) assumed, "cache bypass (--no-cache)";
    MetaDescription Llb "meta.description" (0, 3) assumed, "progress names for steps";
    MetaExportCache Llb "meta.exportcache" (0, 3) assumed, "per-step cache export control";
    ExecMetaSecurity Llb "exec.meta.security" (0, 5) listed, "RUN --security";
    FileBase Llb "file.base" (0, 5) listed, "file operations (COPY, ADD, WORKDIR)";
    ExecMountBindReadWriteNoOutput Llb "exec.mount.bind.readwrite-nooutput" (0, 7) listed, "RUN --mount=type=bind,rw"
        => instead "a writable bind mount keeps its writes as an output nobody reads";
    ExecMetaSecurityDevices Llb "exec.meta.security.devices.v1" (0, 7) listed, "device access in RUN --security=insecure";
    FileRmWildcard Llb "file.rm.wildcard" (0, 7) listed, "wildcards in file removal";
    SourceGitHttpAuth Llb "source.git.httpauth" (0, 8) listed, "HTTP auth for Git sources";
    SourceGitKnownSshHosts Llb "source.git.knownsshhosts" (0, 8) listed, "known SSH hosts for Git sources";
    SourceGitMountSshSock Llb "source.git.mountsshsock" (0, 8) listed, "SSH agent for Git sources";
    SourceLocalDiffer Llb "source.local.differ" (0, 9) listed, "local source differ selection";
    SourceGitSubdir Llb "source.git.subdir" (0, 9) listed, "Git sources with a subdirectory (#ref:subdir)";
    FileCopyIncludeExcludePatterns Llb "file.copy.includeexcludepatterns" (0, 9) listed, "COPY --exclude";
    CacheGha Llb "cache.gha" (0, 9) listed, "GitHub Actions cache";
    ExecMetaCgroupParent Llb "exec.meta.cgroup.parent" (0, 10) listed, "RUN cgroup parent"
        => drops;
    ExecMetaUlimit Llb "exec.meta.ulimit" (0, 10) listed, "ulimits in RUN"
        => drops;
    ExecMountTmpfsSize Llb "exec.mount.tmpfs.size" (0, 10) listed, "RUN --mount=type=tmpfs,size="
        => drops;
    ExecSecretEnv Llb "exec.secretenv" (0, 10) listed, "RUN --mount=type=secret,env=";
    FileRmNoFollowSymlink Llb "file.rm.nofollowsymlink" (0, 10) listed, "removing symlinks without following them";
    MergeOp Llb "mergeop" (0, 10) listed, "COPY --link (merge op)"
        => instead "COPY --link copies onto the stage as plain COPY does";
    DiffOp Llb "diffop" (0, 10) listed, "diff op";
    SourceImageLayerLimit Llb "source.image.layerlimit" (0, 11) listed, "image layer limits";
    SourceOciLayout Llb "source.ocilayout" (0, 11) listed, "OCI layout sources (oci-layout://)";
    ExecMetaRemoveMountStubsRecursive Llb "exec.meta.removemountstubs.recursive" (0, 11) listed, "recursive mount stub removal";
    CacheS3 Llb "cache.s3" (0, 11) listed, "S3 cache";
    CacheAzBlob Llb "cache.azblob" (0, 11) listed, "Azure Blob cache";
    ExporterImageAnnotations Llb "exporter.image.annotations" (0, 11) listed, "image annotations";
    ExporterImageAttestations Llb "exporter.image.attestations" (0, 11) listed, "image attestations";
    ExporterSourceDateEpoch Llb "exporter.sourcedateepoch" (0, 11) listed, "SOURCE_DATE_EPOCH in exporters";
    SourcePolicy Llb "source.policy" (0, 11) listed, "source policies";
    ExecMountContentCache Llb "exec.mount.cache.content" (0, 13) listed, "content-based cache for mounts";
    ExporterMultiple Llb "exporter.multiple" (0, 13) listed, "several exporters";
    FileCopyAlwaysReplaceExistingDestPaths Llb "file.copy.alwaysreplaceexistingdestpaths" (0, 14) listed, "always replacing existing destination paths";
    ExecValidExitCode Llb "exec.validexitcode" (0, 17) listed, "accepted exit codes in RUN";
    FileCopyModeString Llb "file.copy.modestring" (0, 17) listed, "symbolic --chmod (e.g. u+x)";
    GcFreeSpaceFilter Llb "gc.freespacefilter" (0, 17) listed, "free-space garbage collection filters";
    FileSymlinkCreate Llb "file.symlink.create" (0, 19) listed, "symlink creation";
    ExecMetaCdi Llb "exec.meta.cdi" (0, 20) listed, "RUN --device (CDI devices)";
    HistoryFilter Llb "history.filter" (0, 20) listed, "history filters";
    SourceLocalMetadataTransfer Llb "source.local.metadatatransfer" (0, 21) listed, "metadata-only local transfers";
    SourceHttpAuth Llb "source.http.auth" (0, 21) listed, "HTTP auth for ADD <url>";
    SourceHttpHeader Llb "source.http.header" (0, 21) listed, "HTTP headers for ADD <url>";
    ExporterSession Llb "exporter.session" (0, 21) listed, "session exporters";
    SourceGitChecksum Llb "source.git.checksum" (0, 22) listed, "ADD --checksum on Git sources";
    SourceGitSkipSubmodules Llb "source.git.skipsubmodules" (0, 24) listed, "Git sources without submodules";
    SourceImageChecksum Llb "source.image.checksum" (0, 25) listed, "image checksums";
    SourceGitSignatureVerify Llb "source.git.signatureverify" (0, 26) listed, "Git signature verification";
    FileCopyRequiredPaths Llb "file.copy.requiredpaths" (0, 26) listed, "required source paths in COPY";
    SourcePolicySession Llb "source.policy.session" (0, 26) listed, "session source policies";
    SourceHttpSignatureVerify Llb "source.http.signatureverify" (0, 28) listed, "HTTP signature verification";
    SourceImageBlob Llb "source.imageblob" (0, 28) listed, "image blob sources";
    SourceGitMTime Llb "source.git.mtime" (0, 29) listed, "the Git URL option mtime";
    SourceGitFetchByCommit Llb "source.git.fetchbycommit" (0, 30) listed, "the Git URL option fetch-by-commit";
    SourceGitBundle Llb "source.git.bundle" (0, 30) listed, "Git bundles";
    SourceGitCheckoutBundle Llb "source.git.checkoutbundle" (0, 30) listed, "Git checkout bundles";
    ExecMetaNetworkProxy Llb "exec.meta.network.proxy" (0, 31) listed, "network proxy in RUN";
    ExecMetaLinuxResources Llb "exec.meta.linux.resources" (0, 31) listed, "Linux resource limits in RUN";
    PassthroughOp Llb "passthroughop" (0, 31) listed, "passthrough op";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_every_upstream_cap_once() {
        assert_eq!(Cap::of_kind(CapKind::Gateway).count(), 27);
        assert_eq!(Cap::of_kind(CapKind::Llb).count(), 90);
        for (i, a) in Cap::ALL.iter().enumerate() {
            for b in Cap::ALL.iter().skip(i + 1) {
                assert!(a.kind() != b.kind() || a.id() != b.id(), "duplicate {a}");
            }
            assert_eq!(Cap::from_id(a.kind(), a.id()), Some(*a));
        }
        assert_eq!(Cap::from_id(CapKind::Llb, "no.such.cap"), None);
    }

    #[test]
    fn versions_and_docker_releases() {
        let exclude = Cap::FileCopyIncludeExcludePatterns;
        assert_eq!(exclude.since().to_string(), "v0.9");
        assert_eq!(exclude.since().first_docker_release(), Some("23.0"));
        assert_eq!(Cap::MergeOp.since(), BuildkitVersion::new(0, 10));
        assert_eq!(Cap::GatewayWarnings.since(), BuildkitVersion::new(0, 10));
        assert_eq!(
            BuildkitVersion::DOCKER_20_10.first_docker_release(),
            Some("20.10")
        );
        assert_eq!(BuildkitVersion::new(0, 26).first_docker_release(), None);
        assert_eq!(Cap::from_id(CapKind::Gateway, "mergeop"), None);
    }

    #[test]
    fn fallbacks_and_frozen_defaults() {
        assert!(matches!(Cap::MergeOp.fallback(), Fallback::Instead(_)));
        assert_eq!(Cap::ExecMetaUlimit.fallback(), Fallback::DropOption);
        assert_eq!(Cap::FileCopyModeString.fallback(), Fallback::Refuse);
        assert!(Cap::ReadFile.assumed());
        assert!(!Cap::Return.assumed());
        assert!(Cap::ExecMountSecret.assumed());
        assert!(!Cap::FileBase.assumed());
    }
}
