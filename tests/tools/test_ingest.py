#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end tests of gst-compliance-ingest (issue 16): many streams in
one process, keyframes only, one shared OCR pool, SEI verdicts written back
without re-encoding, a status file, a clean drain on SIGTERM, and errors
that name what is wrong without losing the other streams.

The sale is samples/make-sample.sh's (a live sale's look, 960x540, 2 s
GOP, six 5 s segments with deliberate violations).  Under the sanitizers,
where PP-OCR is several times slower, it is the plain test-pattern sale
read with Tesseract: the plumbing is what is tested here (the accuracy of
the readers: tests/bench/realistic_bench.sh)."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_scan as ts  # noqa: E402  (recording helpers, environments)

INGEST = os.environ.get("GST_COMPLIANCE_INGEST", "gst-compliance-ingest")
SCAN = ts.SCAN
SANITIZED = ts.SANITIZED
SLOW = ts.SLOW
ENGINE = ["--engine", "tesseract"] if SANITIZED else []
# What the sale's segments 1-5 break (samples/make-sample.sh).
SALE_RULES = {"price.mismatch", "price.reference_inflated",
              "claim.sales_inflated", "disclosure.missing",
              "claim.absolute_term", "claim.medical"}


def ingest(*args, timeout=240, **kw):
    return subprocess.run([INGEST, *ENGINE, *args], capture_output=True,
                          text=True, timeout=timeout * SLOW, **kw)


def sei_report(path, tmp):
    """The verdicts carried in @path's SEI, as gst-compliance-scan
    --from-sei reports them."""
    report = os.path.join(tmp, os.path.basename(path) + ".report.json")
    p = subprocess.run([SCAN, "--from-sei", "--report", report, path],
                       capture_output=True, text=True, timeout=120 * SLOW)
    assert p.returncode in (0, 1), (path, p.returncode, p.stderr)
    with open(report, encoding="utf-8") as f:
        return json.load(f)


def read_status(path):
    """The status file's JSON, or None while it is not there yet."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def stop(proc, timeout):
    """SIGTERM (the drain), then its output; killed if it does not end."""
    try:
        proc.send_signal(signal.SIGTERM)
        return proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def coded_frames(path):
    """Coded video frames in @path (demuxed and parsed, not decoded)."""
    demux = {".ts": "tsdemux", ".flv": "flvdemux", ".mp4": "qtdemux"}[
        os.path.splitext(path)[1]]
    p = ts.system("gst-launch-1.0", "filesrc", f"location={path}", "!",
                  demux, "!", "h264parse", "!", "fakesink", "silent=false",
                  "-v", capture_output=True, text=True, check=True)
    return sum(1 for line in p.stdout.splitlines() if "chain" in line)


class Ingest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="test-ingest-")
        cls.sale = os.path.join(cls.dir, "sale.mp4")
        cls.catalog = os.path.join(cls.dir, "sale.catalog.json")
        args = ["-S", "plain"] if SANITIZED else ["-b", ts.BUILD]
        ts.make_sample(*args, "-o", cls.sale, "-c", cls.catalog,
                       "-s", "960x540", "-t", "5", check=True)

    def tmp(self):
        return tempfile.mkdtemp(dir=self.dir)

    def test_files_are_checked_and_reemitted_with_sei(self):
        d = self.tmp()
        outs = [os.path.join(d, "a.ts"), os.path.join(d, "b.flv")]
        status = os.path.join(d, "status.json")
        evidence = os.path.join(d, "evidence")
        p = ingest("--catalog", self.catalog, "--status", status,
                   "--evidence", evidence,
                   *(f"{self.sale}={o}" for o in outs))
        self.assertEqual(p.returncode, 1, p.stderr)
        st = read_status(status)
        self.assertEqual(st["schema"], "gst-compliance-ingest-status/1")
        self.assertEqual(len(st["streams"]), 2)
        printed = {}
        for line in p.stdout.splitlines():
            name, rule = line.split(": ", 1)[0], line.split(" ")[1]
            printed.setdefault(name, set()).add(rule)
        for s, out in zip(st["streams"], outs):
            with self.subTest(stream=s["name"]):
                self.assertEqual(s["state"], "ended", s)
                self.assertIsNone(s["error"])
                # 30 s at a 2 s GOP: 15 keyframes, every one analysed (a
                # file waits for the pool), none dropped.
                self.assertEqual(s["keyframes"], 15, s)
                self.assertEqual(s["samples_analysed"], 15, s)
                self.assertEqual(s["samples_dropped"], 0, s)
                self.assertEqual(s["violations_open"], [], "ended: none open")
                # Tesseract on the plain sale (sanitizers) misses some.
                self.assertGreaterEqual(s["violations_total"],
                                        3 if SANITIZED else 5)
                self.assertTrue(SALE_RULES >= printed[s["name"]],
                                printed[s["name"]])
                if not SANITIZED:
                    self.assertEqual(printed[s["name"]], SALE_RULES)
                # The verdicts are in the output stream itself.
                rep = sei_report(out, d)
                self.assertTrue(rep["coverage"]["checked"], rep["coverage"])
                self.assertGreater(rep["coverage"]["sei_access_units"], 10)
                self.assertEqual({v["rule"] for v in rep["violations"]},
                                 printed[s["name"]])
                mism = [v for v in rep["violations"]
                        if v["rule"] == "price.mismatch"]
                self.assertTrue(mism and mism[0]["observed"] == "¥89.00",
                                mism)
                # Nothing lost: every coded frame went through.
                self.assertEqual(coded_frames(out), coded_frames(self.sale))
                # The stream's own evidence log.
                log = os.path.join(evidence, s["name"], "evidence.jsonl")
                with open(log, encoding="utf-8") as f:
                    rules = {json.loads(line)["rule"] for line in f
                             if line.strip()}
                self.assertEqual(rules, printed[s["name"]])

    def test_realtime_streams_drain_on_sigterm(self):
        d = self.tmp()
        outs = [os.path.join(d, n) for n in ("a.ts", "b.flv", "c.mp4")]
        status = os.path.join(d, "status.json")
        proc = subprocess.Popen(
            [INGEST, *ENGINE, "--catalog", self.catalog, "--status", status,
             "--realtime", *(f"{self.sale}={o}" for o in outs)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Until every stream has had a few samples analysed (5: a stream's
        # SEI starts with the keyframe after its first verdict, so 3 left
        # an output with 2 SEI once, on a loaded machine).
        deadline = time.monotonic() + 60 * SLOW
        analysed = [0]
        while time.monotonic() < deadline and min(analysed) < 5:
            time.sleep(0.5)
            st = read_status(status)
            if st:
                analysed = [s["samples_analysed"] for s in st["streams"]]
        running = proc.poll() is None
        out, err = stop(proc, 60 * SLOW)
        self.assertGreaterEqual(min(analysed), 5, analysed)
        self.assertTrue(running, "paced as live: still running")
        self.assertIn(proc.returncode, (0, 1), err)
        self.assertIn("draining 3 stream(s)", err)
        st = read_status(status)
        self.assertTrue(st["draining"])
        for s, o in zip(st["streams"], outs):
            with self.subTest(stream=s["name"]):
                self.assertEqual(s["state"], "ended", s)
                # (Latency is the benchmark's to measure, not a test's:
                # tests/bench/ingest_bench.py.)
                self.assertIsNotNone(s["latency_ms"]["median"], s)
                # Cut short but whole: the MP4 got its index at EOS.
                frames = coded_frames(o)
                self.assertGreater(frames, 90, o)
                self.assertLess(frames, coded_frames(self.sale), o)
                rep = sei_report(o, d)
                self.assertGreater(rep["coverage"]["sei_access_units"], 2)

    def test_watched_directory(self):
        d = self.tmp()
        inbox, outbox = os.path.join(d, "in"), os.path.join(d, "out")
        os.makedirs(inbox)
        os.makedirs(outbox)
        shutil.copy(self.sale, os.path.join(inbox, "first.mp4"))
        # Checked before: its output is there and stays as it is.
        shutil.copy(self.sale, os.path.join(inbox, "done.mp4"))
        with open(os.path.join(outbox, "done.ts"), "w") as f:
            f.write("an earlier output")
        status = os.path.join(d, "status.json")
        proc = subprocess.Popen(
            [INGEST, *ENGINE, "--catalog", self.catalog, "--status", status,
             f"{inbox}={outbox}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def streams():
            st = read_status(status)
            return st["streams"] if st else []
        deadline = time.monotonic() + 30 * SLOW
        while time.monotonic() < deadline and not streams():
            time.sleep(0.2)
        # Written under a temporary name, then renamed into place: taken
        # once whole, never while half written.
        shutil.copy(self.sale, os.path.join(inbox, "second.mp4.part"))
        os.rename(os.path.join(inbox, "second.mp4.part"),
                  os.path.join(inbox, "second.mp4"))
        deadline = time.monotonic() + 180 * SLOW
        while time.monotonic() < deadline:
            got = streams()
            if len(got) == 2 and all(s["state"] == "ended" for s in got):
                break
            time.sleep(0.5)
        running = proc.poll() is None
        out, err = stop(proc, 60 * SLOW)
        self.assertTrue(running, "a watch runs until SIGTERM")
        self.assertEqual(proc.returncode, 1, err)
        got = {os.path.basename(s["input"]): s for s in streams()}
        self.assertEqual(sorted(got), ["first.mp4", "second.mp4"], err)
        for name, s in got.items():
            self.assertEqual(s["state"], "ended", s)
            self.assertEqual(s["samples_analysed"], 15, s)
            self.assertEqual(s["output"], os.path.join(
                outbox, name.replace(".mp4", ".ts")))
            rep = sei_report(s["output"], d)
            self.assertGreater(rep["coverage"]["sei_access_units"], 10)
        self.assertIn("done.ts exists", err)
        with open(os.path.join(outbox, "done.ts")) as f:
            self.assertEqual(f.read(), "an earlier output")

    def test_bad_arguments_are_named_and_nothing_is_overwritten(self):
        d = self.tmp()
        kept = os.path.join(d, "kept.ts")
        with open(kept, "w") as f:
            f.write("the user's file")
        cases = [
            ([f"{self.sale}={kept}"], "kept.ts exists"),
            ([os.path.join(d, "nosuch.mp4") + "=" + os.path.join(d, "o.ts")],
             "nosuch.mp4: no such file"),
            ([self.sale], "give INPUT=OUTPUT"),
            ([f"{d}/x.ts?k=1=" + os.path.join(d, "o.ts")],
             "x.ts?k=1: no such file"),
            ([f"{self.sale}={d}/o.ts", f"{self.sale}={d}/o.ts"],
             "given twice"),
            ([f"{self.sale}={d}/o.avi"], None),
        ]
        for args, want in cases:
            with self.subTest(args=args):
                p = ingest("--catalog", self.catalog, *args, timeout=60)
                if want is None:
                    # An unknown extension is MPEG-TS: accepted.
                    self.assertIn(p.returncode, (0, 1), p.stderr)
                    continue
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(want, p.stderr)
        with open(kept) as f:
            self.assertEqual(f.read(), "the user's file")
        status = os.path.join(d, "notes.txt")
        with open(status, "w") as f:
            f.write("mine")
        p = ingest("--catalog", self.catalog, "--status", status,
                   f"{self.sale}={d}/s.ts", timeout=60)
        self.assertEqual(p.returncode, 2)
        self.assertIn("notes.txt exists and is not a status file", p.stderr)
        with open(status) as f:
            self.assertEqual(f.read(), "mine")
        bad_catalog = os.path.join(d, "bad.json")
        with open(bad_catalog, "w") as f:
            f.write("{\"schema\": ")
        p = ingest("--catalog", bad_catalog, f"{self.sale}={d}/c.ts",
                   timeout=60)
        self.assertEqual(p.returncode, 2)
        self.assertIn("bad.json", p.stderr)
        self.assertFalse(os.path.exists(f"{d}/c.ts"))

    def test_a_bad_stream_fails_alone(self):
        d = self.tmp()
        junk = os.path.join(d, "junk.ts")
        with open(junk, "wb") as f:
            f.write(os.urandom(200000))
        audio = os.path.join(d, "tone.ts")
        ts.gst_launch("audiotestsrc", "num-buffers=50", "!", "avenc_aac", "!",
                      "aacparse", "!", "mpegtsmux", "!", "filesink",
                      f"location={audio}")
        good = os.path.join(d, "good.ts")
        status = os.path.join(d, "status.json")
        p = ingest("--catalog", self.catalog, "--status", status,
                   f"{junk}={d}/junk-out.ts", f"{audio}={d}/tone-out.ts",
                   f"{self.sale}={good}")
        self.assertEqual(p.returncode, 2, p.stderr)
        st = {s["input"]: s for s in read_status(status)["streams"]}
        self.assertEqual(st[junk]["state"], "failed")
        self.assertEqual(st[audio]["state"], "failed")
        self.assertIn("no video stream", st[audio]["error"])
        self.assertIn(audio, st[audio]["error"])
        self.assertEqual(st[self.sale]["state"], "ended")
        self.assertEqual(st[self.sale]["samples_analysed"], 15)
        self.assertGreater(sei_report(good, d)["coverage"]["sei_access_units"],
                           10)
        # A failed stream leaves no empty output behind to block a retry.
        self.assertFalse(os.path.exists(f"{d}/junk-out.ts"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
