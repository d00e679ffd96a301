#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Checks every clip's truth in set.json against the facts parser and the
# rule engine, as make-set.sh does when it makes a clip, but without
# rendering video (seconds, not minutes): a change to the parser or a rule
# pack that the set's truth no longer agrees with fails here, in the test
# suite, instead of at the next make-set.
#
#   tests/realistic/check-truth.sh GENERATOR SET.json
set -euo pipefail
gen=$1
set_file=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
for clip in $("$gen" --set "$set_file" --list); do
  n=$((n + 1))
  if ! "$gen" --set "$set_file" --clip "$clip" -o "$tmp" --no-video >"$tmp/log" 2>&1; then
    echo "check-truth: $clip: the truth does not hold:"
    cat "$tmp/log"
    fail=1
  fi
done
[ "$n" -gt 0 ] || { echo "check-truth: no clips in $set_file"; exit 1; }
[ $fail = 0 ] && echo "check-truth: $n clips: every truth holds"
exit $fail
