#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run every libFuzzer target for SECONDS each (default 30) from a copy of its
# seed corpus, so new inputs never land in the repository.  Fails on the
# first crash, leak or sanitizer report (libFuzzer exits non-zero and
# leaves the reproducer in the work dir, whose path is printed).
#   tests/fuzz/run.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=$(cd "${1:?usage: tests/fuzz/run.sh BUILD_DIR [SECONDS]}" && pwd)
seconds=${2:-30}
src=$(cd "$(dirname "$0")/../.." && pwd)
export GST_COMPLIANCE_MODELS_DIR="$src/models"
work=$(mktemp -d /tmp/gst-compliance-fuzz.XXXXXX)
status=0
for target in "$build"/tests/fuzz/fuzz_*; do
  [ -f "$target" ] && [ -x "$target" ] || continue
  name=$(basename "$target" | sed 's/^fuzz_//')
  mkdir -p "$work/$name"
  cp -r "$src/tests/fuzz/corpus/$name/." "$work/$name/" 2>/dev/null || true
  echo "fuzz: $name for ${seconds}s (corpus $(ls "$work/$name" | wc -l) files)"
  if ! (cd "$work" && "$target" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 "$work/$name" \
        > "$work/$name.log" 2>&1); then
    echo "fuzz: $name FAILED; log and reproducer in $work"
    tail -40 "$work/$name.log"
    status=1
  else
    grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$work/$name.log" | tail -2
  fi
done
[ "$status" = 0 ] && rm -rf "$work"
exit $status
