# shellcheck shell=bash
# The filesystem of an image as text, for comparing two builds; sourced after
# lib.sh.
#
#   fs_lines IMAGE    one sorted line per path of the exported container

IMAGE_FS_PY="${IMAGE_FS_PY:-/usr/bin/python3}"
[[ -x "$IMAGE_FS_PY" ]] || IMAGE_FS_PY=python3

# One line per exported path (suites/tar_rows.py).
fs_lines() {
    local cid status
    cid="$(docker_cli create "$1" /eq-never-started)" || return 1
    docker_cli export "$cid" | "$IMAGE_FS_PY" "$INTEGRATION_DIR/suites/tar_rows.py"
    status=$?
    docker_cli rm -v "$cid" >/dev/null 2>&1
    return "$status"
}
