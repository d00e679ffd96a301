#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One Slurm array task: scans the recording of LIST whose line (counting
# recordings, from 0) is this task's index, into OUT/NAME.json and
# OUT/NAME.html.  submit.sh submits it for a whole list; by hand:
#
#   sbatch --array=0-$((N - 1)) samples/slurm/scan-array.sh LIST OUT [SCAN OPTION...]
#
# LIST holds one recording a line: INPUT, or INPUT, a tab and its CATALOG
# (gst-compliance-scan --inputs); relative paths are from LIST's directory.
# Options after OUT go to gst-compliance-scan (e.g. --catalog C.json,
# --rules cn).  GST_COMPLIANCE_SCAN names the scan tool (default: the one
# on PATH; build/tools/gst-compliance-scan runs uninstalled).
#
# A recording with violations is a finding, not a failed task: the task
# exits 0 once its report is written (scan status 0, 1 or 3) and 2 only
# when the scan failed, so that sacct and the merge job tell the two apart.
#SBATCH --job-name=gst-compliance-scan
#SBATCH --cpus-per-task=1
#SBATCH --output=gst-compliance-scan-%A_%a.out
set -uo pipefail

if [ $# -lt 2 ]; then
  echo "scan-array: usage: sbatch --array=0-N scan-array.sh LIST OUT [SCAN OPTION...]" >&2
  exit 2
fi
list=$1
out=$2
shift 2
task=${SLURM_ARRAY_TASK_ID:-}
if [ -z "$task" ]; then
  echo "scan-array: SLURM_ARRAY_TASK_ID is not set: submit with sbatch --array" >&2
  exit 2
fi
scan=${GST_COMPLIANCE_SCAN:-gst-compliance-scan}

# One OCR thread per CPU Slurm gave the task (the scan takes 1 to 16).
threads=${SLURM_CPUS_PER_TASK:-1}
[ "$threads" -le 16 ] || threads=16
"$scan" --inputs "$list" --report-dir "$out" --task "$task" \
  --threads "$threads" "$@"
status=$?
case $status in
  0|1|3) exit 0 ;;
  *) echo "scan-array: task $task: gst-compliance-scan exited $status" >&2; exit "$status" ;;
esac
