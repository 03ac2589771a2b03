"""One text row per tar entry, for comparing image filesystems and layers.

A row is `path kind mode uid:gid size link-target sha256-prefix` (kind: f
file, d directory, l symlink, h hard link, o other; no mtimes). Used by
suites/image_fs.sh and tests/40_equivalence.sh; run as a script it lists the
tar stream on stdin.
"""
import hashlib
import sys
import tarfile


def rows(tar):
    """Sorted rows of an open tarfile (streamed or not)."""
    out = []
    for m in tar:
        digest = "-"
        if m.isfile():
            digest = hashlib.sha256(tar.extractfile(m).read()).hexdigest()[:16]
        kind = "f" if m.isfile() else "d" if m.isdir() else "l" if m.issym() else "h" if m.islnk() else "o"
        out.append("%s %s %04o %d:%d %d %s %s" % (m.name.rstrip("/"), kind, m.mode, m.uid, m.gid,
                                                m.size if m.isfile() else 0, m.linkname or "-", digest))
    return sorted(out)


if __name__ == "__main__":
    with tarfile.open(fileobj=sys.stdin.buffer, mode="r|") as stream:
        print("\n".join(rows(stream)))
