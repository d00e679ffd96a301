#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every pipeline string in samples/ runs: the scripts print their
pipeline (PRINT_ONLY=1), live sources and network sinks are swapped for
finite sources and files (no server here), and each runs to EOS through
the freshly built plugin.  Ends with 'samples: N passed, N failed'."""
import os
import re
import subprocess
import sys
import tempfile

src = os.environ.get("GST_COMPLIANCE_SOURCE_DIR", os.path.dirname(os.path.abspath(__file__)) + "/../..")
catalog = f"{src}/samples/catalog-cn.json"
tmp = tempfile.mkdtemp(prefix="gc-samples-")
passed = failed = 0


def printed(script, *args):
    env = dict(os.environ, PRINT_ONLY="1")
    return subprocess.run([f"{src}/samples/{script}", *args], env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def swap(pipeline, out):
    # Finite sources instead of a camera or a live pattern.
    pipeline = pipeline.replace("v4l2src device=/dev/video0", "videotestsrc num-buffers=45")
    pipeline = pipeline.replace("videotestsrc is-live=true", "videotestsrc num-buffers=45")
    # Files instead of servers.
    pipeline = re.sub(r'rtmpsink location="[^"]*"', f'filesink location="{out}"', pipeline)
    pipeline = re.sub(r'srtsink uri="[^"]*"', f'filesink location="{out}"', pipeline)
    return pipeline


def run(name, pipeline, out, want=("video",)):
    global passed, failed
    cmd = f"gst-launch-1.0 -e {pipeline}"
    try:
        r = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=300)
        ok = r.returncode == 0 and os.path.getsize(out) > 0
        if ok:
            info = subprocess.run(["gst-discoverer-1.0", out], capture_output=True,
                                  text=True, timeout=60).stdout
            ok = all(w in info for w in want)
            if not ok:
                print(f"  {name}: output lacks {want}:\n{info}")
        else:
            print(f"  {name}: exit {r.returncode}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    except (subprocess.TimeoutExpired, OSError) as e:
        ok = False
        print(f"  {name}: {e}")
    print(f"{'ok  ' if ok else 'FAIL'} {name}")
    if ok:
        passed += 1
    else:
        failed += 1


# stream.sh: each source kind to each target kind.
for source in ("webcam", "test"):
    for target in ("out.mp4", "out.mkv", "rtmp://live.example.com/app/key", "srt://relay.example.com:9000"):
        out = f"{tmp}/{source}-{re.sub('[^a-z0-9.]', '_', target)}"
        if not out.endswith((".mp4", ".mkv")):
            out += ".flv" if target.startswith("rtmp") else ".ts"
        p = printed("stream.sh", source, target if "://" in target else out, catalog)
        run(f"stream.sh {source} {target}", swap(p, out), out)

# A recording as the source.
rec = f"{tmp}/recording.mp4"
subprocess.run(f"gst-launch-1.0 -e videotestsrc num-buffers=30 ! video/x-raw,width=640,height=360 "
               f"! x264enc ! mp4mux ! filesink location={rec}", shell=True, check=True,
               capture_output=True)
out = f"{tmp}/from-file.mp4"
run("stream.sh FILE out.mp4", swap(printed("stream.sh", rec, out, catalog), out), out)

# The OBS relay: OBS's SRT (MPEG-TS with H.264 + AAC) in, FLV with both out.
obs = f"{tmp}/obs.ts"
subprocess.run(f"gst-launch-1.0 -e videotestsrc num-buffers=60 ! video/x-raw,width=640,height=360,framerate=30/1 "
               f"! x264enc key-int-max=30 ! h264parse ! mpegtsmux name=m ! filesink location={obs} "
               f"audiotestsrc num-buffers=90 ! avenc_aac ! aacparse ! m.", shell=True, check=True,
               capture_output=True)
out = f"{tmp}/relay.flv"
p = printed("obs-relay.sh", "rtmp://live.example.com/app/key", catalog)
p = re.sub(r'srtsrc uri="[^"]*"', f'filesrc location="{obs}"', p)
run("obs-relay.sh", swap(p, out), out, want=("video", "audio"))

# The OBS GStreamer filter: appsrc-like raw RGBA with framerate 0/1 in,
# the filter string from docs/OBS.md in the middle.
out = f"{tmp}/obs-filter.mkv"
run("OBS filter string",
    f"videotestsrc num-buffers=30 ! video/x-raw,format=RGBA,width=640,height=360,framerate=0/1 "
    f"! videoconvert ! compliancebin catalog=\"{catalog}\" ! videoconvert ! jpegenc ! matroskamux "
    f"! filesink location={out}", out)

print(f"samples: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
