#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Submits a QA batch to Slurm: one array task per recording of LIST
# (scan-array.sh), then one job that merges their reports once all have
# ended (merge.sh).  Prints the two job ids.
#
#   samples/slurm/submit.sh LIST OUT [SCAN OPTION...]
#
# SBATCH_* variables and sbatch's own configuration apply as usual (e.g.
# SBATCH_PARTITION=qa).  The batch's reports: OUT/NAME.json and
# OUT/NAME.html per recording, OUT/summary.json and OUT/index.html.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "submit: usage: submit.sh LIST OUT [SCAN OPTION...]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
list=$1
out=$2
shift 2
[ -r "$list" ] || { echo "submit: $list: cannot be read" >&2; exit 2; }
# Recordings are the lines that are neither blank nor comments, as
# gst-compliance-scan --inputs counts them.
n=$(grep -cvE '^[[:space:]]*(#|$)' "$list" || true)
[ "$n" -gt 0 ] || { echo "submit: $list lists no recording" >&2; exit 2; }
mkdir -p "$out"
array=$(sbatch --parsable --array="0-$((n - 1))" "$here/scan-array.sh" "$list" "$out" "$@")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterany:$array" "$here/merge.sh" "$out" "$list")
merge=${merge%%;*}
echo "submit: $n recordings: array job $array, merge job $merge; reports in $out"
