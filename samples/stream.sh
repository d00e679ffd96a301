#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Go live through compliancebin: the stream is read, checked against the
# catalog, and leaves with the disclosure label drawn in (hardware-free
# x264 tuned for live, 2 s GOP).
#
#   samples/stream.sh SOURCE TARGET CATALOG [RULES]
#
# SOURCE  webcam (v4l2src, /dev/video0), test (a test pattern), or a file
#         path / URI of a recording.
# TARGET  a file ending in .mp4 or .mkv, rtmp://HOST/APP/KEY (FLV over RTMP,
#         e.g. a platform's ingest URL), or srt://HOST:PORT (MPEG-TS over SRT).
# RULES   cn, eu or us (default: the catalog's jurisdiction).
#
# Examples:
#   samples/stream.sh webcam rtmp://live.example.com/app/KEY samples/catalog-cn.json
#   samples/stream.sh webcam 'srt://relay.example.com:9000' samples/catalog-us.json us
#   samples/stream.sh recording.mp4 checked.mp4 samples/catalog-cn.json
#
# Violations are printed as they start and end (gst-launch -m shows the
# compliance-violation messages).  With PRINT_ONLY=1 the pipeline is only
# printed (the test suite runs every printed pipeline).
set -euo pipefail
source=${1:?usage: samples/stream.sh SOURCE TARGET CATALOG [RULES]}
target=${2:?usage: samples/stream.sh SOURCE TARGET CATALOG [RULES]}
catalog=${3:?usage: samples/stream.sh SOURCE TARGET CATALOG [RULES]}
rules=${4:-}

case "$source" in
  webcam) src="v4l2src device=/dev/video0 ! videoconvert ! videoscale ! video/x-raw,width=1280,height=720" ;;
  test)   src="videotestsrc is-live=true pattern=smpte ! video/x-raw,width=1280,height=720,framerate=30/1" ;;
  *://*)  src="uridecodebin uri=\"$source\" ! videoconvert" ;;
  *)      src="filesrc location=\"$source\" ! decodebin ! videoconvert" ;;
esac

# Live: complianceocr never holds frames; the bin draws the ad label.
check="compliancebin catalog=\"$catalog\"${rules:+ rules=$rules}"
# Zero-latency x264 with a keyframe every 2 s, as ingest servers expect.
enc="videoconvert ! x264enc tune=zerolatency speed-preset=veryfast bitrate=2500 key-int-max=60 ! video/x-h264,profile=main ! h264parse config-interval=-1"

case "$target" in
  rtmp://*) sink="flvmux streamable=true name=mux ! rtmpsink location=\"$target live=1\"" ;;
  srt://*)  sink="mpegtsmux name=mux ! srtsink uri=\"$target\"" ;;
  *.mkv)    sink="matroskamux name=mux ! filesink location=\"$target\"" ;;
  *)        sink="mp4mux name=mux ! filesink location=\"$target\"" ;;
esac

pipeline="$src ! queue ! $check ! $enc ! $sink"
if [ "${PRINT_ONLY:-0}" = 1 ]; then
  printf '%s\n' "$pipeline"
  exit 0
fi
# -e: finish the file properly on Ctrl-C.
eval exec gst-launch-1.0 -e -m "$pipeline"
