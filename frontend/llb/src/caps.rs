//! LLB capability IDs, as BuildKit names them in `solver/pb/caps.go`.
//!
//! Each op records the caps it relies on in `OpMetadata.caps`; the daemon
//! refuses a Definition naming a cap it lacks only when it loads the graph
//! (after the frontend returned), so callers check [`required_caps`] against
//! the caps from Ping first and name the missing feature.

use std::collections::BTreeSet;
use std::fmt;

use crate::pb;

/// One LLB capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cap {
    /// `source.image`: docker-image sources.
    SourceImage,
    /// `source.image.resolvemode`: image resolve mode (pull/local).
    SourceImageResolveMode,
    /// `source.image.layerlimit`: image layer limit.
    SourceImageLayerLimit,
    /// `source.image.checksum`: image checksum.
    SourceImageChecksum,
    /// `source.local`: local (build context) sources.
    SourceLocal,
    /// `source.local.unique`: local source unique id.
    SourceLocalUnique,
    /// `source.local.sessionid`: local source session id.
    SourceLocalSessionId,
    /// `source.local.includepatterns`: local source include patterns.
    SourceLocalIncludePatterns,
    /// `source.local.followpaths`: local source follow paths.
    SourceLocalFollowPaths,
    /// `source.local.excludepatterns`: local source exclude patterns.
    SourceLocalExcludePatterns,
    /// `source.local.sharedkeyhint`: local source shared key hint.
    SourceLocalSharedKeyHint,
    /// `source.local.differ`: local source differ.
    SourceLocalDiffer,
    /// `source.local.metadatatransfer`: local source metadata-only transfer.
    SourceLocalMetadataTransfer,
    /// `source.git`: git sources.
    SourceGit,
    /// `source.git.keepgitdir`: git source keeping .git.
    SourceGitKeepDir,
    /// `source.git.fullurl`: git source full URL.
    SourceGitFullUrl,
    /// `source.git.httpauth`: git source HTTP authentication.
    SourceGitHttpAuth,
    /// `source.git.knownsshhosts`: git source known SSH hosts.
    SourceGitKnownSshHosts,
    /// `source.git.mountsshsock`: git source SSH agent socket.
    SourceGitMountSshSock,
    /// `source.git.subdir`: git source subdirectory.
    SourceGitSubdir,
    /// `source.git.checksum`: git source checksum.
    SourceGitChecksum,
    /// `source.git.skipsubmodules`: git source skipping submodules.
    SourceGitSkipSubmodules,
    /// `source.git.signatureverify`: git source signature verification.
    SourceGitSignatureVerify,
    /// `source.git.mtime`: git source file mtimes.
    SourceGitMTime,
    /// `source.git.fetchbycommit`: git source fetch by commit.
    SourceGitFetchByCommit,
    /// `source.git.bundle`: git source bundles.
    SourceGitBundle,
    /// `source.git.checkoutbundle`: git source checkout bundle.
    SourceGitCheckoutBundle,
    /// `source.http`: HTTP sources.
    SourceHttp,
    /// `source.http.auth`: HTTP source authentication.
    SourceHttpAuth,
    /// `source.http.checksum`: HTTP source checksum.
    SourceHttpChecksum,
    /// `source.http.perm`: HTTP source file permissions.
    SourceHttpPerm,
    /// `soruce.http.uidgid`: HTTP source file owner.
    SourceHttpUidGid,
    /// `source.http.header`: HTTP source headers.
    SourceHttpHeader,
    /// `source.http.signatureverify`: HTTP source signature verification.
    SourceHttpSignatureVerify,
    /// `source.imageblob`: image blob sources.
    SourceImageBlob,
    /// `source.ocilayout`: OCI layout sources.
    SourceOciLayout,
    /// `source.buildop.llbfilename`: build op LLB file name.
    BuildOpLlbFileName,
    /// `exec.meta.base`: running commands.
    ExecMetaBase,
    /// `exec.meta.cgroup.parent`: cgroup parent for commands.
    ExecMetaCgroupParent,
    /// `exec.meta.network`: network mode for commands.
    ExecMetaNetwork,
    /// `exec.meta.network.proxy`: network proxy for commands.
    ExecMetaNetworkProxy,
    /// `exec.meta.proxyenv`: proxy environment for commands.
    ExecMetaProxy,
    /// `exec.meta.security`: security mode (insecure) for commands.
    ExecMetaSecurity,
    /// `exec.meta.setsdefaultpath`: default PATH set by the daemon.
    ExecMetaSetsDefaultPath,
    /// `exec.meta.ulimit`: ulimits for commands.
    ExecMetaUlimit,
    /// `exec.meta.cdi`: CDI devices for commands.
    ExecMetaCdi,
    /// `exec.meta.removemountstubs.recursive`: recursive removal of mount stubs.
    ExecMetaRemoveMountStubsRecursive,
    /// `exec.meta.linux.resources`: Linux resource limits for commands.
    ExecMetaLinuxResources,
    /// `exec.mount.bind`: bind mounts.
    ExecMountBind,
    /// `exec.mount.bind.readwrite-nooutput`: read-write bind mounts without output.
    ExecMountBindReadWriteNoOutput,
    /// `exec.mount.cache`: cache mounts.
    ExecMountCache,
    /// `exec.mount.cache.sharing`: cache mount sharing modes.
    ExecMountCacheSharing,
    /// `exec.mount.selector`: mounting a subpath (selector).
    ExecMountSelector,
    /// `exec.mount.tmpfs`: tmpfs mounts.
    ExecMountTmpfs,
    /// `exec.mount.tmpfs.size`: tmpfs mount size.
    ExecMountTmpfsSize,
    /// `exec.mount.secret`: secret mounts.
    ExecMountSecret,
    /// `exec.mount.ssh`: SSH agent mounts.
    ExecMountSsh,
    /// `exec.mount.cache.content`: mount content cache.
    ExecMountContentCache,
    /// `exec.cgroup`: cgroups mounted in containers.
    ExecCgroupsMounted,
    /// `exec.secretenv`: secrets as environment variables.
    ExecSecretEnv,
    /// `exec.validexitcode`: accepted exit codes.
    ExecValidExitCode,
    /// `file.base`: file operations.
    FileBase,
    /// `file.rm.wildcard`: wildcards in file removal.
    FileRmWildcard,
    /// `file.copy.includeexcludepatterns`: include/exclude patterns on copy.
    FileCopyIncludeExcludePatterns,
    /// `file.copy.requiredpaths`: required paths on copy.
    FileCopyRequiredPaths,
    /// `file.rm.nofollowsymlink`: removal without following symlinks.
    FileRmNoFollowSymlink,
    /// `file.copy.alwaysreplaceexistingdestpaths`: always replacing existing destination paths on copy.
    FileCopyAlwaysReplaceExistingDestPaths,
    /// `file.copy.modestring`: symbolic modes (chmod strings) on copy.
    FileCopyModeString,
    /// `file.symlink.create`: creating symlinks.
    FileSymlinkCreate,
    /// `constraints`: worker constraints.
    Constraints,
    /// `platform`: op platforms.
    Platform,
    /// `meta.ignorecache`: ignoring the cache.
    MetaIgnoreCache,
    /// `meta.description`: op descriptions.
    MetaDescription,
    /// `meta.exportcache`: export cache control.
    MetaExportCache,
    /// `mergeop`: merge ops.
    MergeOp,
    /// `diffop`: diff ops.
    DiffOp,
    /// `passthroughop`: passthrough ops.
    PassthroughOp,
}

impl Cap {
    /// Every cap this crate knows, in declaration order.
    pub const ALL: &[Cap] = &[
        Cap::SourceImage,
        Cap::SourceImageResolveMode,
        Cap::SourceImageLayerLimit,
        Cap::SourceImageChecksum,
        Cap::SourceLocal,
        Cap::SourceLocalUnique,
        Cap::SourceLocalSessionId,
        Cap::SourceLocalIncludePatterns,
        Cap::SourceLocalFollowPaths,
        Cap::SourceLocalExcludePatterns,
        Cap::SourceLocalSharedKeyHint,
        Cap::SourceLocalDiffer,
        Cap::SourceLocalMetadataTransfer,
        Cap::SourceGit,
        Cap::SourceGitKeepDir,
        Cap::SourceGitFullUrl,
        Cap::SourceGitHttpAuth,
        Cap::SourceGitKnownSshHosts,
        Cap::SourceGitMountSshSock,
        Cap::SourceGitSubdir,
        Cap::SourceGitChecksum,
        Cap::SourceGitSkipSubmodules,
        Cap::SourceGitSignatureVerify,
        Cap::SourceGitMTime,
        Cap::SourceGitFetchByCommit,
        Cap::SourceGitBundle,
        Cap::SourceGitCheckoutBundle,
        Cap::SourceHttp,
        Cap::SourceHttpAuth,
        Cap::SourceHttpChecksum,
        Cap::SourceHttpPerm,
        Cap::SourceHttpUidGid,
        Cap::SourceHttpHeader,
        Cap::SourceHttpSignatureVerify,
        Cap::SourceImageBlob,
        Cap::SourceOciLayout,
        Cap::BuildOpLlbFileName,
        Cap::ExecMetaBase,
        Cap::ExecMetaCgroupParent,
        Cap::ExecMetaNetwork,
        Cap::ExecMetaNetworkProxy,
        Cap::ExecMetaProxy,
        Cap::ExecMetaSecurity,
        Cap::ExecMetaSetsDefaultPath,
        Cap::ExecMetaUlimit,
        Cap::ExecMetaCdi,
        Cap::ExecMetaRemoveMountStubsRecursive,
        Cap::ExecMetaLinuxResources,
        Cap::ExecMountBind,
        Cap::ExecMountBindReadWriteNoOutput,
        Cap::ExecMountCache,
        Cap::ExecMountCacheSharing,
        Cap::ExecMountSelector,
        Cap::ExecMountTmpfs,
        Cap::ExecMountTmpfsSize,
        Cap::ExecMountSecret,
        Cap::ExecMountSsh,
        Cap::ExecMountContentCache,
        Cap::ExecCgroupsMounted,
        Cap::ExecSecretEnv,
        Cap::ExecValidExitCode,
        Cap::FileBase,
        Cap::FileRmWildcard,
        Cap::FileCopyIncludeExcludePatterns,
        Cap::FileCopyRequiredPaths,
        Cap::FileRmNoFollowSymlink,
        Cap::FileCopyAlwaysReplaceExistingDestPaths,
        Cap::FileCopyModeString,
        Cap::FileSymlinkCreate,
        Cap::Constraints,
        Cap::Platform,
        Cap::MetaIgnoreCache,
        Cap::MetaDescription,
        Cap::MetaExportCache,
        Cap::MergeOp,
        Cap::DiffOp,
        Cap::PassthroughOp,
    ];

    /// The ID as it appears on the wire.
    pub fn id(self) -> &'static str {
        match self {
            Cap::SourceImage => "source.image",
            Cap::SourceImageResolveMode => "source.image.resolvemode",
            Cap::SourceImageLayerLimit => "source.image.layerlimit",
            Cap::SourceImageChecksum => "source.image.checksum",
            Cap::SourceLocal => "source.local",
            Cap::SourceLocalUnique => "source.local.unique",
            Cap::SourceLocalSessionId => "source.local.sessionid",
            Cap::SourceLocalIncludePatterns => "source.local.includepatterns",
            Cap::SourceLocalFollowPaths => "source.local.followpaths",
            Cap::SourceLocalExcludePatterns => "source.local.excludepatterns",
            Cap::SourceLocalSharedKeyHint => "source.local.sharedkeyhint",
            Cap::SourceLocalDiffer => "source.local.differ",
            Cap::SourceLocalMetadataTransfer => "source.local.metadatatransfer",
            Cap::SourceGit => "source.git",
            Cap::SourceGitKeepDir => "source.git.keepgitdir",
            Cap::SourceGitFullUrl => "source.git.fullurl",
            Cap::SourceGitHttpAuth => "source.git.httpauth",
            Cap::SourceGitKnownSshHosts => "source.git.knownsshhosts",
            Cap::SourceGitMountSshSock => "source.git.mountsshsock",
            Cap::SourceGitSubdir => "source.git.subdir",
            Cap::SourceGitChecksum => "source.git.checksum",
            Cap::SourceGitSkipSubmodules => "source.git.skipsubmodules",
            Cap::SourceGitSignatureVerify => "source.git.signatureverify",
            Cap::SourceGitMTime => "source.git.mtime",
            Cap::SourceGitFetchByCommit => "source.git.fetchbycommit",
            Cap::SourceGitBundle => "source.git.bundle",
            Cap::SourceGitCheckoutBundle => "source.git.checkoutbundle",
            Cap::SourceHttp => "source.http",
            Cap::SourceHttpAuth => "source.http.auth",
            Cap::SourceHttpChecksum => "source.http.checksum",
            Cap::SourceHttpPerm => "source.http.perm",
            Cap::SourceHttpUidGid => "soruce.http.uidgid",
            Cap::SourceHttpHeader => "source.http.header",
            Cap::SourceHttpSignatureVerify => "source.http.signatureverify",
            Cap::SourceImageBlob => "source.imageblob",
            Cap::SourceOciLayout => "source.ocilayout",
            Cap::BuildOpLlbFileName => "source.buildop.llbfilename",
            Cap::ExecMetaBase => "exec.meta.base",
            Cap::ExecMetaCgroupParent => "exec.meta.cgroup.parent",
            Cap::ExecMetaNetwork => "exec.meta.network",
            Cap::ExecMetaNetworkProxy => "exec.meta.network.proxy",
            Cap::ExecMetaProxy => "exec.meta.proxyenv",
            Cap::ExecMetaSecurity => "exec.meta.security",
            Cap::ExecMetaSetsDefaultPath => "exec.meta.setsdefaultpath",
            Cap::ExecMetaUlimit => "exec.meta.ulimit",
            Cap::ExecMetaCdi => "exec.meta.cdi",
            Cap::ExecMetaRemoveMountStubsRecursive => "exec.meta.removemountstubs.recursive",
            Cap::ExecMetaLinuxResources => "exec.meta.linux.resources",
            Cap::ExecMountBind => "exec.mount.bind",
            Cap::ExecMountBindReadWriteNoOutput => "exec.mount.bind.readwrite-nooutput",
            Cap::ExecMountCache => "exec.mount.cache",
            Cap::ExecMountCacheSharing => "exec.mount.cache.sharing",
            Cap::ExecMountSelector => "exec.mount.selector",
            Cap::ExecMountTmpfs => "exec.mount.tmpfs",
            Cap::ExecMountTmpfsSize => "exec.mount.tmpfs.size",
            Cap::ExecMountSecret => "exec.mount.secret",
            Cap::ExecMountSsh => "exec.mount.ssh",
            Cap::ExecMountContentCache => "exec.mount.cache.content",
            Cap::ExecCgroupsMounted => "exec.cgroup",
            Cap::ExecSecretEnv => "exec.secretenv",
            Cap::ExecValidExitCode => "exec.validexitcode",
            Cap::FileBase => "file.base",
            Cap::FileRmWildcard => "file.rm.wildcard",
            Cap::FileCopyIncludeExcludePatterns => "file.copy.includeexcludepatterns",
            Cap::FileCopyRequiredPaths => "file.copy.requiredpaths",
            Cap::FileRmNoFollowSymlink => "file.rm.nofollowsymlink",
            Cap::FileCopyAlwaysReplaceExistingDestPaths => {
                "file.copy.alwaysreplaceexistingdestpaths"
            }
            Cap::FileCopyModeString => "file.copy.modestring",
            Cap::FileSymlinkCreate => "file.symlink.create",
            Cap::Constraints => "constraints",
            Cap::Platform => "platform",
            Cap::MetaIgnoreCache => "meta.ignorecache",
            Cap::MetaDescription => "meta.description",
            Cap::MetaExportCache => "meta.exportcache",
            Cap::MergeOp => "mergeop",
            Cap::DiffOp => "diffop",
            Cap::PassthroughOp => "passthroughop",
        }
    }

    /// A short human description of the feature the cap stands for.
    pub fn feature(self) -> &'static str {
        match self {
            Cap::SourceImage => "docker-image sources",
            Cap::SourceImageResolveMode => "image resolve mode (pull/local)",
            Cap::SourceImageLayerLimit => "image layer limit",
            Cap::SourceImageChecksum => "image checksum",
            Cap::SourceLocal => "local (build context) sources",
            Cap::SourceLocalUnique => "local source unique id",
            Cap::SourceLocalSessionId => "local source session id",
            Cap::SourceLocalIncludePatterns => "local source include patterns",
            Cap::SourceLocalFollowPaths => "local source follow paths",
            Cap::SourceLocalExcludePatterns => "local source exclude patterns",
            Cap::SourceLocalSharedKeyHint => "local source shared key hint",
            Cap::SourceLocalDiffer => "local source differ",
            Cap::SourceLocalMetadataTransfer => "local source metadata-only transfer",
            Cap::SourceGit => "git sources",
            Cap::SourceGitKeepDir => "git source keeping .git",
            Cap::SourceGitFullUrl => "git source full URL",
            Cap::SourceGitHttpAuth => "git source HTTP authentication",
            Cap::SourceGitKnownSshHosts => "git source known SSH hosts",
            Cap::SourceGitMountSshSock => "git source SSH agent socket",
            Cap::SourceGitSubdir => "git source subdirectory",
            Cap::SourceGitChecksum => "git source checksum",
            Cap::SourceGitSkipSubmodules => "git source skipping submodules",
            Cap::SourceGitSignatureVerify => "git source signature verification",
            Cap::SourceGitMTime => "git source file mtimes",
            Cap::SourceGitFetchByCommit => "git source fetch by commit",
            Cap::SourceGitBundle => "git source bundles",
            Cap::SourceGitCheckoutBundle => "git source checkout bundle",
            Cap::SourceHttp => "HTTP sources",
            Cap::SourceHttpAuth => "HTTP source authentication",
            Cap::SourceHttpChecksum => "HTTP source checksum",
            Cap::SourceHttpPerm => "HTTP source file permissions",
            Cap::SourceHttpUidGid => "HTTP source file owner",
            Cap::SourceHttpHeader => "HTTP source headers",
            Cap::SourceHttpSignatureVerify => "HTTP source signature verification",
            Cap::SourceImageBlob => "image blob sources",
            Cap::SourceOciLayout => "OCI layout sources",
            Cap::BuildOpLlbFileName => "build op LLB file name",
            Cap::ExecMetaBase => "running commands",
            Cap::ExecMetaCgroupParent => "cgroup parent for commands",
            Cap::ExecMetaNetwork => "network mode for commands",
            Cap::ExecMetaNetworkProxy => "network proxy for commands",
            Cap::ExecMetaProxy => "proxy environment for commands",
            Cap::ExecMetaSecurity => "security mode (insecure) for commands",
            Cap::ExecMetaSetsDefaultPath => "default PATH set by the daemon",
            Cap::ExecMetaUlimit => "ulimits for commands",
            Cap::ExecMetaCdi => "CDI devices for commands",
            Cap::ExecMetaRemoveMountStubsRecursive => "recursive removal of mount stubs",
            Cap::ExecMetaLinuxResources => "Linux resource limits for commands",
            Cap::ExecMountBind => "bind mounts",
            Cap::ExecMountBindReadWriteNoOutput => "read-write bind mounts without output",
            Cap::ExecMountCache => "cache mounts",
            Cap::ExecMountCacheSharing => "cache mount sharing modes",
            Cap::ExecMountSelector => "mounting a subpath (selector)",
            Cap::ExecMountTmpfs => "tmpfs mounts",
            Cap::ExecMountTmpfsSize => "tmpfs mount size",
            Cap::ExecMountSecret => "secret mounts",
            Cap::ExecMountSsh => "SSH agent mounts",
            Cap::ExecMountContentCache => "mount content cache",
            Cap::ExecCgroupsMounted => "cgroups mounted in containers",
            Cap::ExecSecretEnv => "secrets as environment variables",
            Cap::ExecValidExitCode => "accepted exit codes",
            Cap::FileBase => "file operations",
            Cap::FileRmWildcard => "wildcards in file removal",
            Cap::FileCopyIncludeExcludePatterns => "include/exclude patterns on copy",
            Cap::FileCopyRequiredPaths => "required paths on copy",
            Cap::FileRmNoFollowSymlink => "removal without following symlinks",
            Cap::FileCopyAlwaysReplaceExistingDestPaths => {
                "always replacing existing destination paths on copy"
            }
            Cap::FileCopyModeString => "symbolic modes (chmod strings) on copy",
            Cap::FileSymlinkCreate => "creating symlinks",
            Cap::Constraints => "worker constraints",
            Cap::Platform => "op platforms",
            Cap::MetaIgnoreCache => "ignoring the cache",
            Cap::MetaDescription => "op descriptions",
            Cap::MetaExportCache => "export cache control",
            Cap::MergeOp => "merge ops",
            Cap::DiffOp => "diff ops",
            Cap::PassthroughOp => "passthrough ops",
        }
    }

    /// The cap with this wire ID, if this crate knows it.
    pub fn from_id(id: &str) -> Option<Cap> {
        Cap::ALL.iter().copied().find(|c| c.id() == id)
    }
}

impl fmt::Display for Cap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The union of the caps every op of `def` declares (including the terminal
/// op), as wire IDs, sorted. IDs unknown to this crate are kept as strings.
pub fn required_caps(def: &pb::Definition) -> BTreeSet<String> {
    def.metadata
        .values()
        .flat_map(|md| md.caps.iter())
        .filter(|(_, on)| **on)
        .map(|(id, _)| id.clone())
        .collect()
}

/// The caps `def` needs that are not in `supported` (e.g. the LLB caps from
/// Ping), sorted. Pair each with [`Cap::from_id`] and [`Cap::feature`] to
/// name the feature in an error.
pub fn missing_caps(def: &pb::Definition, supported: &BTreeSet<String>) -> Vec<String> {
    required_caps(def)
        .into_iter()
        .filter(|c| !supported.contains(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let ids: BTreeSet<&str> = Cap::ALL.iter().map(|c| c.id()).collect();
        assert_eq!(ids.len(), Cap::ALL.len());
        for cap in Cap::ALL {
            assert_eq!(Cap::from_id(cap.id()), Some(*cap));
        }
        assert_eq!(Cap::from_id("no.such.cap"), None);
    }

    #[test]
    fn missing_caps_lists_unsupported_ones() {
        let mut def = pb::Definition::default();
        def.metadata.insert(
            "sha256:a".into(),
            pb::OpMetadata {
                caps: [
                    ("mergeop".to_string(), true),
                    ("file.base".to_string(), true),
                ]
                .into(),
                ..pb::OpMetadata::default()
            },
        );
        let supported: BTreeSet<String> = ["file.base".to_string()].into();
        assert_eq!(missing_caps(&def, &supported), ["mergeop"]);
    }
}
