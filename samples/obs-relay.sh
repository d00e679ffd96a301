#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A relay for OBS users: OBS streams to this machine over SRT (Settings →
# Stream → Custom, server srt://127.0.0.1:9000), the relay checks and labels
# the video with compliancebin, and sends it on to the platform over RTMP
# with OBS's audio untouched.  See docs/OBS.md.
#
#   samples/obs-relay.sh RTMP_URL CATALOG [LISTEN_PORT]
#
# With PRINT_ONLY=1 the pipeline is only printed (the test suite runs it on
# files).
set -euo pipefail
out=${1:?usage: samples/obs-relay.sh RTMP_URL CATALOG [LISTEN_PORT]}
catalog=${2:?usage: samples/obs-relay.sh RTMP_URL CATALOG [LISTEN_PORT]}
port=${3:-9000}

pipeline="srtsrc uri=\"srt://:$port?mode=listener\" ! tsdemux name=demux \
demux. ! queue ! h264parse ! avdec_h264 ! videoconvert ! compliancebin catalog=\"$catalog\" ! \
videoconvert ! x264enc tune=zerolatency speed-preset=veryfast bitrate=2500 key-int-max=60 ! \
h264parse ! flvmux streamable=true name=mux ! rtmpsink location=\"$out live=1\" \
demux. ! queue ! aacparse ! mux."
if [ "${PRINT_ONLY:-0}" = 1 ]; then
  printf '%s\n' "$pipeline"
  exit 0
fi
eval exec gst-launch-1.0 -e -m "$pipeline"
