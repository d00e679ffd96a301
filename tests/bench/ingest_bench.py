#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""How many live 1080p30 streams one machine checks (issue 16).

Runs gst-compliance-ingest on N live SRT streams (gst-launch-1.0 publishers
pacing MPEG-TS at its timestamps, their starts spread over --spread
seconds, as independent streams start at any time) of a 1080p30, 2 s GOP H.264 sale
drawn as a platform records one (samples/make-sample.sh, 3.5 Mb/s), for
each N of --streams, and prints
per N: samples analysed and dropped, the sample latency (keyframe in to
verdict out) median over the streams and worst stream's p95, the CPU of
the process split into the OCR pool's threads and the rest (demuxing,
parsing, SEI, muxing, keyframe decoding), peak memory, and ratios against
the first N (the baseline of the same run).  The target is 16 streams at
0.5 samples/s with p95 latency under 2 s.

--fairness runs one busy stream (a running timecode and a changing price
in large type: every keyframe's text differs from the last) next to 7
quiet ones (a still price card), and prints each one's latency.

  tests/bench/ingest_bench.py [--build build] [--streams 1,4,8,16]
      [--seconds 60] [--spread 16] [--interval MS] [--fairness]

Clips are made once into ~/.cache/gst-compliance-ingest-bench
(INGEST_BENCH_DIR to change it)."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
CACHE = os.environ.get("INGEST_BENCH_DIR", os.path.expanduser(
    "~/.cache/gst-compliance-ingest-bench"))
TICK = os.sysconf("SC_CLK_TCK")


def make_sale(build, seconds):
    path = os.path.join(CACHE, f"sale-1080p-{seconds}s.mp4")
    if not os.path.exists(path):
        os.makedirs(CACHE, exist_ok=True)
        seg = max(5, seconds // 6)
        subprocess.run([os.path.join(SRC, "samples", "make-sample.sh"),
                        "-o", path, "-c", path[:-4] + ".catalog.json",
                        "-s", "1920x1080", "-t", str(seg), "-b", build],
                       check=True, stdout=subprocess.DEVNULL)
    return path, path[:-4] + ".catalog.json"


def make_clip(name, seconds, overlays):
    """A 1080p30 2 s GOP H.264 clip at 3.5 Mb/s of a photo-like pattern
    with @overlays (gst-launch elements) over it."""
    path = os.path.join(CACHE, f"{name}-{seconds}s.ts")
    if not os.path.exists(path):
        os.makedirs(CACHE, exist_ok=True)
        tmp = path + ".part"
        subprocess.run(
            ["gst-launch-1.0", "-q", "videotestsrc", "pattern=pinwheel",
             f"num-buffers={seconds * 30}", "!",
             "video/x-raw,width=1920,height=1080,framerate=30/1", "!",
             *overlays, "!", "videoconvert", "!", "x264enc", "bitrate=3500",
             "key-int-max=60", "speed-preset=veryfast", "!", "h264parse",
             "!", "mpegtsmux", "!", "filesink", f"location={tmp}"],
            check=True)
        os.rename(tmp, path)
    return path


def threads_cpu(pid):
    """CPU seconds so far of each thread of @pid: {tid: (comm, seconds)}."""
    out = {}
    base = f"/proc/{pid}/task"
    try:
        tids = os.listdir(base)
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"{base}/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        out[tid] = (comm, (int(fields[11]) + int(fields[12])) / TICK)
    return out


def peak_rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def as_ts(path):
    """@path remuxed to MPEG-TS with the parameter sets at every keyframe,
    as a live encoder sends it (once, cached)."""
    ts = os.path.splitext(path)[0] + ".live.ts"
    if not os.path.exists(ts):
        demux = "qtdemux" if path.endswith(".mp4") else "tsdemux"
        subprocess.run(["gst-launch-1.0", "-q", "filesrc", f"location={path}",
                        "!", demux, "!", "h264parse", "config-interval=-1",
                        "!", "mpegtsmux", "!", "filesink",
                        f"location={ts}.part"], check=True)
        os.rename(ts + ".part", ts)
    return ts


def proc_cpu(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except OSError:
        return 0.0


def split_cpu(cpu):
    """(OCR pool, rest) CPU seconds of @cpu ({tid: (comm, seconds)}).
    ONNX Runtime's threads take their starter's name: all "ocr-pool-*"."""
    pool = sum(s for comm, s in cpu.values() if comm.startswith("ocr-pool"))
    return pool, sum(s for _, s in cpu.values()) - pool


def run(build, inputs, catalog, interval, spread, port0=7300):
    """Publishes each of @inputs over SRT, paced as live, to one
    gst-compliance-ingest listening for all of them; the publishers start
    spread evenly over @spread seconds (streams that start together would
    also re-detect their whole frames together: the engine does so every 8
    analysed frames).  Returns the ingest's status at the end, the CPU
    seconds of its OCR pool and of the rest of it and the publishers' CPU
    seconds, all over the time every stream was running, that time, and the
    peak MB."""
    d = tempfile.mkdtemp(prefix="ingest-bench-")
    status = os.path.join(d, "status.json")
    pairs = [f"srt://:{port0 + i}?mode=listener={d}/out{i}.ts"
             for i in range(len(inputs))]
    cmd = [os.path.join(build, "tools", "gst-compliance-ingest"),
           "--catalog", catalog, "--status", status,
           "--interval", str(interval), *pairs]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)
    pubs = []
    t0 = time.monotonic()
    stagger = spread / len(inputs)
    cpu, peak, pub_cpu = {}, 0.0, {}
    ended, drained = None, False
    for i, inp in enumerate(inputs):
        pubs.append(subprocess.Popen(
            ["gst-launch-1.0", "-q", "filesrc", f"location={inp}", "!",
             "tsparse", "set-timestamps=true", "!", "srtsink",
             f"uri=srt://127.0.0.1:{port0 + i}", "sync=true"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(stagger)
    # The window in which every stream runs: from the last publisher's
    # start to the first one's end.
    all_on = (dict(threads_cpu(proc.pid)), time.monotonic(),
              {p.pid: proc_cpu(p.pid) for p in pubs})
    window = None
    while proc.poll() is None:
        cpu.update(threads_cpu(proc.pid))
        if window is None and any(p.poll() is not None for p in pubs):
            window = (dict(cpu), time.monotonic(), dict(pub_cpu))
        peak = max(peak, peak_rss_mb(proc.pid))
        for p in pubs:
            if p.poll() is None:
                pub_cpu[p.pid] = proc_cpu(p.pid)
        if all(p.poll() is not None for p in pubs):
            # Each stream ends when its publisher hangs up; SIGTERM (a
            # drain) if one did not within 20 s.
            ended = ended or time.monotonic()
            if time.monotonic() - ended > 20 and not drained:
                proc.terminate()
                drained = True
        time.sleep(0.5)
    wall = time.monotonic() - t0
    err = proc.stderr.read()
    for p in pubs:
        if p.poll() is None:
            p.kill()
        p.wait()
    if proc.returncode not in (0, 1):
        sys.exit(f"ingest failed ({proc.returncode}):\n{err}")
    with open(status, encoding="utf-8") as f:
        st = json.load(f)
    shutil.rmtree(d, True)
    if window is None:
        window = (cpu, time.monotonic(), pub_cpu)
    pool1, rest1 = split_cpu(window[0])
    pool0, rest0 = split_cpu(all_on[0])
    pub = sum(window[2].values()) - sum(all_on[2].values())
    return (st, pool1 - pool0, rest1 - rest0, pub, window[1] - all_on[1],
            peak)


def summary(st):
    streams = st["streams"]
    analysed = sum(s["samples_analysed"] for s in streams)
    dropped = sum(s["samples_dropped"] for s in streams)
    medians = [s["latency_ms"]["median"] for s in streams
               if s["latency_ms"]["median"] is not None]
    p95s = [s["latency_ms"]["p95"] for s in streams
            if s["latency_ms"]["p95"] is not None]
    reads = [s["read_ms_mean"] for s in streams
             if s.get("read_ms_mean") is not None]
    return {
        "analysed": analysed, "dropped": dropped,
        "drop_pct": 100.0 * dropped / max(1, analysed + dropped),
        "lat_median": statistics.median(medians) if medians else float("nan"),
        "lat_p95_worst": max(p95s) if p95s else float("nan"),
        "read_ms": statistics.mean(reads) if reads else float("nan"),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--streams", default="1,4,8,16")
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--interval", type=int, default=2000)
    ap.add_argument("--spread", type=float, default=16.0,
                    help="seconds over which the publishers start")
    ap.add_argument("--fairness", action="store_true")
    a = ap.parse_args()
    build = os.path.abspath(a.build)

    if a.fairness:
        busy = make_clip("busy", a.seconds, [
            "timeoverlay", "font-desc=Sans 72", "valignment=center",
            "halignment=center", "!", "textoverlay", "text=到手价 ¥",
            "font-desc=Sans 72", "valignment=top", "!", "timeoverlay",
            "font-desc=Sans 48", "valignment=bottom", "time-mode=running-time"])
        quiet = make_clip("quiet", a.seconds, [
            "textoverlay", "text=保温杯 500ml 到手价 ¥99", "font-desc=Sans 64",
            "valignment=bottom"])
        _, catalog = make_sale(build, a.seconds)
        st, pool, rest, pub, wall, peak = run(
            build, [as_ts(busy)] + [as_ts(quiet)] * 7, catalog, a.interval,
            a.spread)
        print(f"fairness: 1 busy + 7 quiet 1080p30 streams, {wall:.0f} s, "
              f"CPU {100 * (pool + rest) / wall:.0f}% (OCR pool "
              f"{100 * pool / wall:.0f}%), peak {peak:.0f} MB")
        print(f"{'stream':<10} {'analysed':>8} {'dropped':>7} "
              f"{'lat med ms':>10} {'lat p95 ms':>10} {'read ms':>8}")
        for i, s in enumerate(st["streams"]):
            lat = s["latency_ms"]
            print(f"{'busy' if i == 0 else 'quiet':<10} "
                  f"{s['samples_analysed']:>8} {s['samples_dropped']:>7} "
                  f"{lat['median'] or float('nan'):>10.0f} "
                  f"{lat['p95'] or float('nan'):>10.0f} "
                  f"{s.get('read_ms_mean') or float('nan'):>8.0f}")
        quiet_p95 = [s["latency_ms"]["p95"] for s in st["streams"][1:]]
        print(f"busy p95 / quiet p95 (worst): "
              f"{st['streams'][0]['latency_ms']['p95'] / max(quiet_p95):.2f}")
        return

    sale, catalog = make_sale(build, a.seconds)
    print(f"gst-compliance-ingest on N live SRT streams of a 1080p30 2 s GOP "
          f"sale ({a.seconds} s, publishers starting over {a.spread:.0f} s, {os.path.getsize(sale) * 8 / a.seconds / 1e6:.1f}"
          f" Mb/s), --interval {a.interval}, {os.cpu_count()} cores")
    print(f"{'N':>3} {'analysed':>8} {'drop%':>6} {'lat med':>8} "
          f"{'p95 worst':>9} {'read ms':>8} {'CPU%':>5} {'OCR%':>5} "
          f"{'rest%':>5} {'pub%':>5} {'peak MB':>7} {'CPU/stream vs N0':>16}")
    base = None
    for n in [int(x) for x in a.streams.split(",")]:
        st, pool, rest, pub, wall, peak = run(build, [as_ts(sale)] * n,
                                              catalog, a.interval, a.spread)
        s = summary(st)
        cpu = 100 * (pool + rest) / wall
        per_stream = cpu / n
        if base is None:
            base = per_stream
        print(f"{n:>3} {s['analysed']:>8} {s['drop_pct']:>6.1f} "
              f"{s['lat_median']:>8.0f} {s['lat_p95_worst']:>9.0f} "
              f"{s['read_ms']:>8.0f} {cpu:>5.0f} {100 * pool / wall:>5.0f} "
              f"{100 * rest / wall:>5.0f} {100 * pub / wall:>5.0f} "
              f"{peak:>7.0f} "
              f"{per_stream / base:>16.2f}")
    print("lat: keyframe in to verdict out, ms (median over the streams of "
          "each stream's median; the worst stream's p95).  OCR%: the shared "
          "pool's threads (ONNX Runtime's included); rest%: demuxing, "
          "parsing, SEI, muxing, keyframe decoding; pub%: the publishers "
          "(gst-launch-1.0 ... srtsink), not the ingest; CPU over the time "
          "all N streams ran.  Target: 16 streams, "
          "p95 < 2000 ms, nothing dropped.")


if __name__ == "__main__":
    main()
