#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Ingest without re-encoding: the encoded H.264 stream goes through
# untouched except for the SEI that compliancesei adds, while a decoded
# copy is analysed (complianceocr ! compliancecheck) in a second branch
# whose verdicts compliancesei writes into the stream.
#
#   samples/ingest-sei.sh IN OUT CATALOG
#
# IN and OUT are srt://... (MPEG-TS over SRT), rtmp://... (FLV over RTMP)
# or file paths (.flv for FLV, anything else MPEG-TS).  Live inputs never
# wait for the analysis (its queue is leaky, source-wait=0: a verdict
# reaches the first access unit after it is known); file inputs wait for it,
# so each access unit carries the verdict of its own frame.
#
# Examples:
#   samples/ingest-sei.sh 'srt://:7001?mode=listener' \
#       'srt://ingest.example:7002' samples/catalog-cn.json
#   samples/ingest-sei.sh rtmp://localhost/live/in rtmp://cdn.example/live/out \
#       samples/catalog-cn.json
#   samples/ingest-sei.sh recorded.ts audited.ts samples/catalog-cn.json
#
# Read the verdicts back (or use gst-compliance-scan):
#   gst-launch-1.0 -m filesrc location=audited.ts ! tsdemux ! h264parse !
#       compliancesei mode=extract ! fakesink
#
# GC_ANALYSIS replaces the analysis chain (it must contain an element
# named "check" whose output carries the verdict meta).  Audio is not
# carried in this sample.
set -euo pipefail
in=${1:?usage: ingest-sei.sh IN OUT CATALOG}
out=${2:?usage: ingest-sei.sh IN OUT CATALOG}
catalog=${3:?usage: ingest-sei.sh IN OUT CATALOG}

live=yes
case "$in" in
  srt://*) src="srtsrc uri=$in ! tsdemux" ;;
  rtmp://*) src="rtmp2src location=$in ! flvdemux" ;;
  *.flv) src="filesrc location=$in ! flvdemux"; live=no ;;
  *) src="filesrc location=$in ! tsdemux"; live=no ;;
esac
case "$out" in
  srt://*) sink="mpegtsmux ! srtsink uri=$out" ;;
  rtmp://*) sink="flvmux streamable=true ! rtmp2sink location=$out" ;;
  *.flv) sink="flvmux ! filesink location=$out" ;;
  *) sink="mpegtsmux ! filesink location=$out" ;;
esac
if [ "$live" = yes ]; then
  wait=0
  analysis_queue="queue leaky=downstream max-size-buffers=30"
  ocr_mode=live
else
  # A file: every sampled frame is read (replay), and each access unit
  # waits for the verdict of its own frame.
  wait=10000
  analysis_queue="queue"
  ocr_mode=replay
fi
analysis=${GC_ANALYSIS:-"complianceocr mode=$ocr_mode ! compliancecheck name=check catalog=$catalog"}

# shellcheck disable=SC2086  # the pipeline description is split on purpose
exec gst-launch-1.0 -e $src ! h264parse ! tee name=t \
  t. ! queue ! compliancesei source=check source-wait=$wait ! h264parse ! $sink \
  t. ! $analysis_queue ! avdec_h264 ! videoconvert ! $analysis ! fakesink sync=false
