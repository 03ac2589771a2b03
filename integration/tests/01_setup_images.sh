#!/usr/bin/env bash
# setup.sh never replaces an image it did not make: its stand-ins have names
# of their own, and the familiar names are tagged only where they are free.
# Runs setup.sh (without the frontend phases) with the familiar busybox name
# pointed at probe names, so the machine's real names are not touched.
# peers: docker
# shellcheck source=../lib.sh
source "$(dirname "$0")/../lib.sh"

image_id() { docker_cli image inspect -f '{{.Id}}' "$1" 2>/dev/null; }

# An image of the user's: an empty filesystem without setup's label.
owned="$(unique_tag users-own)"
if check "a user's own image exists" sh -c "tar -cf - -T /dev/null | '$DOCKER' import - '$owned'"; then
    before="$(image_id "$owned")"
    out="$(BUSYBOX_IMAGE="$owned" "$INTEGRATION_DIR/setup.sh" --skip-frontend --skip-peers 2>&1)"
    assert_eq "setup keeps an image it did not make" "$before" "$(image_id "$owned")"
    assert_contains "setup says it kept it" "$out" "keeping $owned: setup did not make it"
fi

# A free name gets the stand-in.
free="$(unique_tag free-name)"
docker_cli image rm -f "$free" >/dev/null 2>&1
BUSYBOX_IMAGE="$free" "$INTEGRATION_DIR/setup.sh" --skip-frontend --skip-peers >/dev/null 2>&1
assert_eq "a free name is tagged with the stand-in" "$(image_id "$STANDIN_BUSYBOX")" "$(image_id "$free")"
