#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A QA batch on a real single-node Slurm (issue 16).

Starts munged, slurmctld and slurmd in the foreground (no systemd) with a
configuration of their own in a temporary directory, on ports of their own,
then scans 4 generated recordings with samples/slurm/scan-array.sh as a
4-task job array and merges them with samples/slurm/merge.sh as a job that
depends on the array.  The merged summary must hold the 4 task reports
whole, each with the verdicts a plain single scan of the same recording
gives, and totals equal to theirs combined.

Skipped (exit 77, with the reason) where Slurm cannot run: not root (slurmd
starts jobs as their user), or slurmctld, slurmd, munged or sbatch missing
(tools/setup installs them: slurmctld slurmd slurm-client munge).  Under
the sanitizers it is skipped too: test_scan.py's batch tests run the same
scan code there, and the scheduler adds nothing a sanitizer checks.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_scan import (SCAN, SRC, SANITIZED, SUMMARY_SCHEMA, SCHEMA,  # noqa: E402
                       gst_launch, validate, write)

DAEMONS = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "sinfo",
           "scontrol")

CATALOG = {
    "schema": "gst-compliance-catalog/1", "jurisdiction": "CN",
    "currency": "CNY",
    "products": [{"sku": "A1001", "name": "保温杯", "price": 99.0,
                  "reference_price": 129.0, "category": "general",
                  "sold": 12000}],
    "schedule": [{"sku": "A1001", "start": 0.0, "end": 600.0}],
}
# What each recording shows, and the rule it breaks (None: clean).
RECORDINGS = [
    ("clean", ["到手价 ¥99.00", "原价 ¥129"], None),
    ("price", ["到手价 ¥89.00"], "price.mismatch"),
    ("absolute", ["全网最低价 到手价 ¥99.00"], "claim.absolute_term"),
    ("sales", ["已售10万+"], "claim.sales_inflated"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def why_not_runnable():
    if SANITIZED:
        return ("runs in the plain build (tests/run): the batch's scan code "
                "runs under the sanitizers in test_scan.py")
    if os.geteuid() != 0:
        return "slurmd must run as root to start jobs"
    missing = [d for d in DAEMONS if shutil.which(d) is None]
    if missing:
        return (f"{', '.join(missing)} not installed (tools/setup installs "
                "slurmctld slurmd slurm-client munge)")
    return None


class Cluster:
    """munged, slurmctld and slurmd of our own, in the foreground."""

    def __init__(self, d):
        self.d = d
        self.procs = []
        for sub in ("state", "spool", "log"):
            os.makedirs(os.path.join(d, sub))
        self.sock = os.path.join(d, "munge.sock")
        self.conf = os.path.join(d, "slurm.conf")
        self.host = socket.gethostname()
        self.env = dict(os.environ, SLURM_CONF=self.conf)
        # The jobs inherit the test environment (sbatch exports it all).
        for k in list(self.env):
            if k.startswith("SLURM_") and k != "SLURM_CONF":
                del self.env[k]

    def log(self, name):
        p = os.path.join(self.d, "log", name)
        try:
            with open(p, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def start(self):
        d = self.d
        subprocess.run(["mungekey", "-c", "-k", os.path.join(d, "munge.key")],
                       check=True, capture_output=True)
        self.spawn("munged", ["munged", "-F", "-f",
                              f"--key-file={d}/munge.key",
                              f"--socket={self.sock}",
                              f"--pid-file={d}/munged.pid",
                              f"--seed-file={d}/munge.seed",
                              f"--log-file={d}/log/munged.log"])
        self.wait_for(lambda: os.path.exists(self.sock), "munged's socket",
                      "munged.log")
        ctld, slurmd = free_port(), free_port()
        write(self.conf, f"""ClusterName=gctest
SlurmctldHost={self.host}(127.0.0.1)
SlurmctldPort={ctld}
SlurmdPort={slurmd}
AuthType=auth/munge
AuthInfo=socket={self.sock}
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/log/slurmctld.log
SlurmdLogFile={d}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SwitchType=switch/none
NodeName={self.host} NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=qa Nodes=ALL Default=YES MaxTime=INFINITE State=UP
""")
        self.spawn("slurmctld", ["slurmctld", "-D", "-f", self.conf])
        self.spawn("slurmd", ["slurmd", "-D", "-f", self.conf])

        def idle():
            p = subprocess.run(["sinfo", "-h", "-o", "%t"], env=self.env,
                               capture_output=True, text=True)
            return p.returncode == 0 and p.stdout.strip() == "idle"
        self.wait_for(idle, "the node to be idle", "slurmctld.log", 60)

    def spawn(self, name, cmd):
        out = open(os.path.join(self.d, "log", name + ".out"), "w")
        self.procs.append((name, subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=self.env,
            start_new_session=True)))
        out.close()

    def wait_for(self, ok, what, log, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if ok():
                return
            for name, p in self.procs:
                if p.poll() is not None:
                    raise AssertionError(
                        f"{name} exited {p.returncode} while waiting for "
                        f"{what}:\n{self.log(name + '.out')}\n{self.log(log)}")
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}:\n{self.log(log)}")

    def stop(self):
        try:
            subprocess.run(["scontrol", "shutdown"], env=self.env,
                           capture_output=True, timeout=30)
        except (subprocess.TimeoutExpired, OSError):
            pass
        for name, p in reversed(self.procs):
            if name == "munged" and p.poll() is None:
                p.terminate()       # scontrol stops only Slurm's daemons
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()

    def sbatch(self, *args, timeout=240):
        return subprocess.run(["sbatch", "--wait", *args], env=self.env,
                              cwd=self.d, capture_output=True, text=True,
                              timeout=timeout)


class Slurm(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="test-slurm-")
        d = cls.dir
        cls.catalog = os.path.join(d, "catalog.json")
        write(cls.catalog, json.dumps(CATALOG, ensure_ascii=False))
        # 4 s of each, 640x360, dark as live-sale overlays are.
        for name, lines, _ in RECORDINGS:
            text = []
            for i, line in enumerate(lines):
                text += ["!", "textoverlay", f"text={line}",
                         "font-desc=Noto Sans CJK SC 24", "valignment=top",
                         "halignment=left", "xpad=40", f"ypad={40 + 70 * i}",
                         "shaded-background=false"]
            gst_launch("videotestsrc", "num-buffers=40",
                       "pattern=solid-color", "foreground-color=0xff203040",
                       "!", "video/x-raw,width=640,height=360,framerate=10/1",
                       *text, "!", "videoconvert", "!", "x264enc",
                       "speed-preset=ultrafast", "key-int-max=20", "!",
                       "mp4mux", "!", "filesink",
                       f"location={os.path.join(d, name + '.mp4')}")
        cls.list = os.path.join(d, "list.txt")
        write(cls.list, "".join(f"{n}.mp4\n" for n, _, _ in RECORDINGS))
        cls.cluster = Cluster(os.path.join(d, "slurm"))
        try:
            cls.cluster.start()
        except BaseException:
            cls.cluster.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cluster.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def single(self, name):
        """A plain single scan of one recording, as a user runs it."""
        out = os.path.join(self.dir, "single", name + ".json")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        p = subprocess.run([SCAN, "--catalog", self.catalog, "--report", out,
                            "--threads", "1",
                            os.path.join(self.dir, name + ".mp4")],
                           capture_output=True, text=True, timeout=300)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        with open(out, encoding="utf-8") as f:
            return json.load(f)

    def test_array_scans_each_recording_and_the_merge_combines_them(self):
        out = os.path.join(self.dir, "reports")
        samples = os.path.join(SRC, "samples", "slurm")
        env_scan = f"GST_COMPLIANCE_SCAN={SCAN}"
        # The array: one task per recording, two at a time on two CPUs.
        p = self.cluster.sbatch(f"--export=ALL,{env_scan}",
                                f"--array=0-{len(RECORDINGS) - 1}",
                                "-o", os.path.join(self.dir, "task-%a.out"),
                                os.path.join(samples, "scan-array.sh"),
                                self.list, out, "--catalog", self.catalog)
        logs = "".join(open(os.path.join(self.dir, f"task-{i}.out"),
                            errors="replace").read()
                       for i in range(len(RECORDINGS))
                       if os.path.exists(os.path.join(self.dir,
                                                      f"task-{i}.out")))
        # Violations are findings: every task ends well.
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr + logs
                         + self.cluster.log("slurmctld.log"))
        for name, _, _ in RECORDINGS:
            self.assertTrue(os.path.isfile(os.path.join(out, name + ".json")),
                            name + logs)
            self.assertTrue(os.path.isfile(os.path.join(out, name + ".html")))
        # Each task ran as a task: "[i/4]" of its own recording only.
        for i, (name, _, _) in enumerate(RECORDINGS):
            with open(os.path.join(self.dir, f"task-{i}.out"),
                      errors="replace") as f:
                self.assertIn(f"[{i + 1}/{len(RECORDINGS)}] ", f.read())

        # The merge, as a job after the array.
        p = self.cluster.sbatch(f"--export=ALL,{env_scan}",
                                "-o", os.path.join(self.dir, "merge.out"),
                                os.path.join(samples, "merge.sh"), out,
                                self.list)
        with open(os.path.join(self.dir, "merge.out"), errors="replace") as f:
            merge_log = f.read()
        # merge.sh exits as the merge does: 1, violations found.
        self.assertIn("merged 4 reports", merge_log)
        with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
            summary = json.load(f)
        validate(summary, SUMMARY_SCHEMA, root=SUMMARY_SCHEMA)
        self.assertTrue(os.path.isfile(os.path.join(out, "index.html")))
        self.assertEqual(summary["recordings"], len(RECORDINGS))
        self.assertEqual(summary["missing"], [])

        # The summary equals the single reports combined.
        by_rule, total = {}, 0
        entries = {e["file"]: e for e in summary["reports"]}
        for name, _, rule in RECORDINGS:
            e = entries[name + ".json"]
            with open(os.path.join(out, name + ".json"), encoding="utf-8") as f:
                task_report = json.load(f)
            self.assertEqual(e["report"], task_report, name)
            validate(task_report, SCHEMA)
            single = self.single(name)
            # The same verdicts as a plain scan of that recording.
            self.assertEqual(
                sorted((v["rule"], v.get("observed")) for v in
                       task_report["violations"]),
                sorted((v["rule"], v.get("observed")) for v in
                       single["violations"]), name)
            self.assertEqual([v["rule"] for v in single["violations"]],
                             [rule] if rule else [], name)
            self.assertEqual(e["status"], "violations" if rule else "clean")
            for v in single["violations"]:
                by_rule[v["rule"]] = by_rule.get(v["rule"], 0) + 1
                total += 1
        self.assertEqual(summary["by_rule"], by_rule)
        self.assertEqual(summary["violations"], total)
        self.assertEqual(summary["status"]["violations"], 3)
        self.assertEqual(summary["status"]["clean"], 1)


if __name__ == "__main__":
    reason = why_not_runnable()
    if reason:
        print(f"SKIP: Slurm integration test: {reason}")
        sys.exit(77)
    unittest.main(verbosity=2)
