//! What each BuildKit capability ID stands for and which release added it.
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

    /// The first Docker Engine release whose embedded BuildKit is at least
    /// this version, when known.
    pub fn first_docker_release(self) -> Option<&'static str> {
        // Docker Engine release → BuildKit it vendors (moby vendor files).
        const DOCKER: [(&str, BuildkitVersion); 7] = [
            ("20.10", BuildkitVersion::new(0, 8)),
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

/// One entry of the capability table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnownCap {
    pub id: &'static str,
    pub kind: CapKind,
    /// What a user would call the feature.
    pub feature: &'static str,
    pub since: BuildkitVersion,
}

/// Looks an ID up in the table.
pub fn known_cap(kind: CapKind, id: &str) -> Option<&'static KnownCap> {
    KNOWN_CAPS
        .iter()
        .find(|cap| cap.kind == kind && cap.id == id)
}

macro_rules! caps {
    ($($kind:ident $id:literal $major:literal $minor:literal $feature:literal;)*) => {
        /// Every capability BuildKit v0.32 declares.
        pub static KNOWN_CAPS: &[KnownCap] = &[$(KnownCap {
            id: $id,
            kind: CapKind::$kind,
            feature: $feature,
            since: BuildkitVersion::new($major, $minor),
        }),*];
    };
}

caps! {
    Gateway "solve.base" 0 3 "solving LLB definitions";
    Gateway "solve.inlinereturn" 0 3 "results returned inline by Solve";
    Gateway "resolveimage" 0 3 "resolving image configs";
    Gateway "resolveimage.resolvemode" 0 3 "image resolve modes (pull/local)";
    Gateway "readfile" 0 3 "reading files from build results";
    Gateway "return" 0 3 "returning results with Return";
    Gateway "returnmap" 0 3 "returning several results";
    Gateway "readdir" 0 3 "listing directories of build results";
    Gateway "statfile" 0 3 "stat of files in build results";
    Gateway "importcaches" 0 4 "cache imports in Solve";
    Gateway "proto.refarray" 0 7 "typed result references";
    Gateway "reference.output" 0 7 "result references with their definition";
    Gateway "frontend.inputs" 0 7 "frontend inputs (named contexts passed by the client)";
    Gateway "gateway.solve.metadata" 0 8 "metadata from Solve results";
    Gateway "gateway.exec" 0 8 "interactive containers";
    Gateway "frontend.caps" 0 8 "frontend capability negotiation";
    Gateway "gateway.solve.evaluate" 0 8 "eager evaluation in Solve";
    Gateway "gateway.exec.extrahosts" 0 10 "extra hosts in interactive containers";
    Gateway "gateway.exec.signals" 0 10 "signals to interactive containers";
    Gateway "gateway.warnings" 0 10 "build warnings";
    Gateway "gateway.evaluate" 0 11 "the Evaluate call";
    Gateway "reference.attestations" 0 11 "attestations on results";
    Gateway "gateway.exec.secretenv" 0 12 "secret env in interactive containers";
    Gateway "source.metaresolver" 0 13 "generic source metadata resolution";
    Gateway "gateway.exec.filesystem" 0 27 "filesystem access in interactive containers";
    Gateway "source.metaresolver.image.attestations" 0 28 "image attestation resolution";
    Gateway "source.metaresolver.http.checksumrequest" 0 28 "HTTP checksum requests";

    Llb "source.image" 0 3 "image sources (FROM)";
    Llb "source.image.resolvemode" 0 3 "image resolve modes (--pull)";
    Llb "source.local" 0 3 "local sources (the build context)";
    Llb "source.local.unique" 0 3 "unique local sources";
    Llb "source.local.sessionid" 0 3 "local sources bound to a session";
    Llb "source.local.includepatterns" 0 3 "include patterns on the build context";
    Llb "source.local.followpaths" 0 3 "follow paths on the build context";
    Llb "source.local.excludepatterns" 0 3 ".dockerignore exclude patterns";
    Llb "source.local.sharedkeyhint" 0 3 "shared cache keys for local sources";
    Llb "source.git" 0 3 "Git sources";
    Llb "source.git.keepgitdir" 0 3 "keeping .git in Git sources (ADD --keep-git-dir)";
    Llb "source.git.fullurl" 0 3 "full URLs in Git sources";
    Llb "source.http" 0 3 "HTTP sources (ADD <url>)";
    Llb "source.http.checksum" 0 3 "checksums on HTTP sources (ADD --checksum)";
    Llb "source.http.perm" 0 3 "permissions on HTTP sources (ADD --chmod <url>)";
    Llb "soruce.http.uidgid" 0 3 "ownership on HTTP sources (ADD --chown <url>)";
    Llb "source.buildop.llbfilename" 0 3 "LLB file names in build ops";
    Llb "exec.meta.base" 0 3 "RUN";
    Llb "exec.meta.proxyenv" 0 3 "proxy variables in RUN";
    Llb "exec.meta.network" 0 3 "RUN --network";
    Llb "exec.meta.setsdefaultpath" 0 3 "default PATH in RUN";
    Llb "exec.mount.bind" 0 3 "RUN --mount=type=bind";
    Llb "exec.mount.cache" 0 3 "RUN --mount=type=cache";
    Llb "exec.mount.cache.sharing" 0 3 "RUN --mount=type=cache,sharing=";
    Llb "exec.mount.selector" 0 3 "RUN --mount source=";
    Llb "exec.mount.tmpfs" 0 3 "RUN --mount=type=tmpfs";
    Llb "exec.mount.secret" 0 3 "RUN --mount=type=secret";
    Llb "exec.mount.ssh" 0 3 "RUN --mount=type=ssh";
    Llb "exec.cgroup" 0 3 "cgroup mounts in RUN";
    Llb "constraints" 0 3 "worker constraints";
    Llb "platform" 0 3 "platforms on operations";
    Llb "meta.ignorecache" 0 3 "cache bypass (--no-cache)";
    Llb "meta.description" 0 3 "progress names for steps";
    Llb "meta.exportcache" 0 3 "per-step cache export control";
    Llb "exec.meta.security" 0 5 "RUN --security";
    Llb "file.base" 0 5 "file operations (COPY, ADD, WORKDIR)";
    Llb "exec.mount.bind.readwrite-nooutput" 0 7 "RUN --mount=type=bind,rw";
    Llb "exec.meta.security.devices.v1" 0 7 "device access in RUN --security=insecure";
    Llb "file.rm.wildcard" 0 7 "wildcards in file removal";
    Llb "source.git.httpauth" 0 8 "HTTP auth for Git sources";
    Llb "source.git.knownsshhosts" 0 8 "known SSH hosts for Git sources";
    Llb "source.git.mountsshsock" 0 8 "SSH agent for Git sources";
    Llb "source.local.differ" 0 9 "local source differ selection";
    Llb "source.git.subdir" 0 9 "Git sources with a subdirectory (#ref:subdir)";
    Llb "file.copy.includeexcludepatterns" 0 9 "COPY --exclude";
    Llb "cache.gha" 0 9 "GitHub Actions cache";
    Llb "exec.meta.cgroup.parent" 0 10 "RUN cgroup parent";
    Llb "exec.meta.ulimit" 0 10 "ulimits in RUN";
    Llb "exec.mount.tmpfs.size" 0 10 "RUN --mount=type=tmpfs,size=";
    Llb "exec.secretenv" 0 10 "RUN --mount=type=secret,env=";
    Llb "file.rm.nofollowsymlink" 0 10 "removing symlinks without following them";
    Llb "mergeop" 0 10 "COPY --link (merge op)";
    Llb "diffop" 0 10 "diff op";
    Llb "source.image.layerlimit" 0 11 "image layer limits";
    Llb "source.ocilayout" 0 11 "OCI layout sources (oci-layout://)";
    Llb "exec.meta.removemountstubs.recursive" 0 11 "recursive mount stub removal";
    Llb "cache.s3" 0 11 "S3 cache";
    Llb "cache.azblob" 0 11 "Azure Blob cache";
    Llb "exporter.image.annotations" 0 11 "image annotations";
    Llb "exporter.image.attestations" 0 11 "image attestations";
    Llb "exporter.sourcedateepoch" 0 11 "SOURCE_DATE_EPOCH in exporters";
    Llb "source.policy" 0 11 "source policies";
    Llb "exec.mount.cache.content" 0 13 "content-based cache for mounts";
    Llb "exporter.multiple" 0 13 "several exporters";
    Llb "file.copy.alwaysreplaceexistingdestpaths" 0 14 "always replacing existing destination paths";
    Llb "exec.validexitcode" 0 17 "accepted exit codes in RUN";
    Llb "file.copy.modestring" 0 17 "symbolic --chmod (e.g. u+x)";
    Llb "gc.freespacefilter" 0 17 "free-space garbage collection filters";
    Llb "file.symlink.create" 0 19 "symlink creation";
    Llb "exec.meta.cdi" 0 20 "RUN --device (CDI devices)";
    Llb "history.filter" 0 20 "history filters";
    Llb "source.local.metadatatransfer" 0 21 "metadata-only local transfers";
    Llb "source.http.auth" 0 21 "HTTP auth for ADD <url>";
    Llb "source.http.header" 0 21 "HTTP headers for ADD <url>";
    Llb "exporter.session" 0 21 "session exporters";
    Llb "source.git.checksum" 0 22 "ADD --checksum on Git sources";
    Llb "source.git.skipsubmodules" 0 24 "Git sources without submodules";
    Llb "source.image.checksum" 0 25 "image checksums";
    Llb "source.git.signatureverify" 0 26 "Git signature verification";
    Llb "file.copy.requiredpaths" 0 26 "required source paths in COPY";
    Llb "source.policy.session" 0 26 "session source policies";
    Llb "source.http.signatureverify" 0 28 "HTTP signature verification";
    Llb "source.imageblob" 0 28 "image blob sources";
    Llb "source.git.mtime" 0 29 "Git commit mtimes";
    Llb "source.git.fetchbycommit" 0 30 "fetching Git commits by hash";
    Llb "source.git.bundle" 0 30 "Git bundles";
    Llb "source.git.checkoutbundle" 0 30 "Git checkout bundles";
    Llb "exec.meta.network.proxy" 0 31 "network proxy in RUN";
    Llb "exec.meta.linux.resources" 0 31 "Linux resource limits in RUN";
    Llb "passthroughop" 0 31 "passthrough op";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_every_upstream_cap_once() {
        assert_eq!(
            KNOWN_CAPS
                .iter()
                .filter(|c| c.kind == CapKind::Gateway)
                .count(),
            27
        );
        assert_eq!(
            KNOWN_CAPS.iter().filter(|c| c.kind == CapKind::Llb).count(),
            90
        );
        for (i, a) in KNOWN_CAPS.iter().enumerate() {
            for b in KNOWN_CAPS.iter().skip(i + 1) {
                assert!(a.kind != b.kind || a.id != b.id, "duplicate {}", a.id);
            }
        }
    }

    #[test]
    fn versions_and_docker_releases() {
        let exclude = known_cap(CapKind::Llb, "file.copy.includeexcludepatterns").unwrap();
        assert_eq!(exclude.since.to_string(), "v0.9");
        assert_eq!(exclude.since.first_docker_release(), Some("23.0"));
        let merge = known_cap(CapKind::Llb, "mergeop").unwrap();
        assert_eq!(merge.since, BuildkitVersion::new(0, 10));
        let warn = known_cap(CapKind::Gateway, "gateway.warnings").unwrap();
        assert_eq!(warn.since, BuildkitVersion::new(0, 10));
        assert_eq!(
            BuildkitVersion::new(0, 8).first_docker_release(),
            Some("20.10")
        );
        assert_eq!(BuildkitVersion::new(0, 26).first_docker_release(), None);
        assert!(known_cap(CapKind::Gateway, "mergeop").is_none());
    }
}
