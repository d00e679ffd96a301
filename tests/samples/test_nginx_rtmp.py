#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""One checker per stream from a real nginx-rtmp (issue 16).

Runs samples/nginx/nginx-rtmp.conf on a loopback port of its own (its
paths and port put in), publishes 3 streams with gst-launch-1.0 ... !
flvmux ! rtmp2sink, and checks that:
  - exec_push starts one checker (gst-compliance-ingest) per stream;
  - each republished stream (application "checked") carries the verdicts
    as SEI: compliancesei mode=extract reads price.mismatch back from it;
  - stopping one publisher ends its checker, and only its.

Skipped (exit 77, with the reason) without root, without nginx and its
RTMP module (tools/setup installs nginx and libnginx-mod-rtmp), or without
GStreamer's rtmp2 elements.
"""
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

# The build's gst-compliance-ingest (tests/samples/meson.build), else the
# installed one.
INGEST = sys.argv.pop(1) if len(sys.argv) > 1 and not sys.argv[1].startswith(
    "-") else shutil.which("gst-compliance-ingest") or "gst-compliance-ingest"
SRC = os.environ.get("GST_COMPLIANCE_SOURCE_DIR",
                     os.path.dirname(os.path.abspath(__file__)) + "/../..")
MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
STREAMS = ("s0", "s1", "s2")
CATALOG = {
    "schema": "gst-compliance-catalog/1", "jurisdiction": "CN",
    "currency": "CNY",
    "products": [{"sku": "A1001", "name": "保温杯", "price": 99.0,
                  "category": "general"}],
    "schedule": [{"sku": "A1001", "start": 0.0, "end": 100000.0}],
}


def why_not_runnable():
    if os.geteuid() != 0:
        return "nginx's workers start the checkers as root here"
    if shutil.which("nginx") is None or not os.path.exists(MODULE):
        return ("nginx or its RTMP module not installed (tools/setup installs "
                "nginx libnginx-mod-rtmp)")
    for el in ("rtmp2src", "rtmp2sink", "flvmux", "x264enc"):
        if subprocess.run(["gst-inspect-1.0", el], capture_output=True).returncode:
            return f"GStreamer element {el} missing (tools/setup installs it)"
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def checkers(tag):
    """{stream: pid} of the checkers whose command line holds @tag."""
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        line = " ".join(cmd)
        if tag in line and "gst-compliance-ingest" in line:
            m = re.search(r"/live/(s\d)", line)
            if m:
                found[m.group(1)] = int(pid)
    return found


class NginxRtmp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="test-nginx-rtmp-")
        d = cls.dir
        cls.port = free_port()
        cls.catalog = os.path.join(d, "catalog.json")
        with open(cls.catalog, "w", encoding="utf-8") as f:
            json.dump(CATALOG, f, ensure_ascii=False)
        with open(os.path.join(SRC, "samples", "nginx", "nginx-rtmp.conf"),
                  encoding="utf-8") as f:
            conf = f.read()
        for old, new in (
                ("user www-data;", "user root;"),
                ("1935", str(cls.port)),
                ("/usr/local/bin/gst-compliance-ingest", INGEST),
                ("/etc/gst-compliance/catalog.json", cls.catalog)):
            assert old in conf, old
            conf = conf.replace(old, new)
        # The checkers share the test's registry; logs and pid stay here.
        conf = (f"pid {d}/nginx.pid;\nerror_log {d}/error.log info;\n"
                "env GST_REGISTRY;\n" + conf)
        cls.conf = os.path.join(d, "nginx.conf")
        with open(cls.conf, "w", encoding="utf-8") as f:
            f.write(conf)
        cls.nginx = subprocess.Popen(
            ["nginx", "-c", cls.conf, "-p", d, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "nginx.err"), "w"),
            start_new_session=True)
        cls.publishers = {}
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", cls.port), 1).close()
                break
            except OSError:
                if cls.nginx.poll() is not None or time.monotonic() > deadline:
                    msg = cls.log("nginx.err") + cls.log("error.log")
                    cls.tearDownClass()     # unittest will not: no nginx left
                    raise AssertionError("nginx did not start: " + msg)
                time.sleep(0.2)

    @classmethod
    def log(cls, name):
        try:
            with open(os.path.join(cls.dir, name), errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    @classmethod
    def tearDownClass(cls):
        for p in cls.publishers.values():
            if p.poll() is None:
                p.kill()
                p.wait()
        cls.nginx.send_signal(signal.SIGQUIT)
        try:
            cls.nginx.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(cls.nginx.pid, signal.SIGKILL)
            cls.nginx.wait()
        # No checker outlives the test.
        for pid in checkers(cls.catalog).values():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(cls.dir, ignore_errors=True)

    def publish(self, name):
        url = f"rtmp://127.0.0.1:{self.port}/live/{name}"
        p = subprocess.Popen(
            ["gst-launch-1.0", "-e", "videotestsrc", "is-live=true",
             "pattern=solid-color", "foreground-color=0xff203040", "!",
             "video/x-raw,width=640,height=360,framerate=10/1", "!",
             "textoverlay", "text=到手价 ¥89.00",
             "font-desc=Noto Sans CJK SC 24", "valignment=top",
             "halignment=left", "xpad=40", "ypad=40",
             "shaded-background=false", "!", "videoconvert", "!", "x264enc",
             "tune=zerolatency", "speed-preset=ultrafast", "key-int-max=10",
             "!", "h264parse", "!", "flvmux", "streamable=true", "!",
             "rtmp2sink", f"location={url}"],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.dir, f"pub-{name}.err"), "w"))
        self.publishers[name] = p
        return p

    def verdicts(self, name, timeout=90):
        """The first verdict read back from the checked stream's SEI."""
        url = f"rtmp://127.0.0.1:{self.port}/checked/{name}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            p = subprocess.Popen(
                ["gst-launch-1.0", "-m", "rtmp2src", f"location={url}", "!",
                 "flvdemux", "!", "h264parse", "!", "compliancesei",
                 "mode=extract", "!", "fakesink"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            try:
                while time.monotonic() < deadline and p.poll() is None:
                    ready, _, _ = select.select([p.stdout], [], [], 1.0)
                    if not ready:
                        continue
                    line = p.stdout.readline()
                    if "compliance-violation" in line:
                        m = re.search(r"rule=\(string\)([a-z._]+)", line)
                        if m:
                            return m.group(1)
            finally:
                p.kill()
                p.wait()
            time.sleep(1)       # the checker has not published yet
        return None

    def test_one_checker_per_stream_verdicts_in_the_stream(self):
        for name in STREAMS:
            self.publish(name)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(checkers(self.catalog)) < 3:
            time.sleep(0.5)
        running = checkers(self.catalog)
        self.assertEqual(sorted(running), list(STREAMS),
                         self.log("error.log") + self.log("pub-s0.err"))

        for name in STREAMS:
            self.assertEqual(self.verdicts(name), "price.mismatch",
                             f"{name}: no verdict in the checked stream\n"
                             + self.log("error.log"))

        # The streamer of s0 stops: its checker ends, the others run on.
        pub = self.publishers["s0"]
        pub.send_signal(signal.SIGINT)
        pub.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "s0" in checkers(self.catalog):
            time.sleep(0.5)
        left = checkers(self.catalog)
        self.assertNotIn("s0", left, "the checker outlived its stream")
        self.assertEqual(sorted(left), ["s1", "s2"])
        self.assertEqual(left["s1"], running["s1"], "s1's checker restarted")


if __name__ == "__main__":
    reason = why_not_runnable()
    if reason:
        print(f"SKIP: nginx-rtmp integration test: {reason}")
        sys.exit(77)
    unittest.main(verbosity=2)
