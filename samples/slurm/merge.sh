#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Merges the reports of a batch into OUT/summary.json and OUT/index.html
# (gst-compliance-scan --merge).  submit.sh runs it as a job after every
# array task has ended; by hand:
#
#   sbatch --dependency=afterany:JOBID samples/slurm/merge.sh OUT [LIST]
#
# With LIST (the batch's list), every recording's report must be in OUT
# and be of that recording: a task that failed before writing its report
# is listed under "missing", and a report left there by another batch is
# refused.  Exits as the merge does: 0 all clean, 1 violations, 3 some
# recording not checked, 2 a report missing or unreadable, or a scan that
# stopped early.
#SBATCH --job-name=gst-compliance-merge
#SBATCH --cpus-per-task=1
#SBATCH --output=gst-compliance-merge-%j.out
set -uo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "merge: usage: sbatch merge.sh OUT [LIST]" >&2
  exit 2
fi
out=$1
scan=${GST_COMPLIANCE_SCAN:-gst-compliance-scan}
list=()
[ $# -eq 2 ] && list=(--inputs "$2")
exec "$scan" --merge "${list[@]}" "$out" --report "$out/summary.json" \
  --html "$out/index.html"
