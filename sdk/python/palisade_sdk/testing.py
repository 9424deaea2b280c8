"""Run a detector natively over the JSON case files `palisade plugin
test` reads, for a quick loop before building the component.

    python -m palisade_sdk.testing app:OffHoursLogin cases/

Events are dicts of event columns (`time` as RFC 3339 text or
microseconds); each case gets a fresh detector and fresh state. Only
what the component would see is checked: the same expectations as the
Rust harness (kind, entities, severity range, title/summary text,
listed ids and techniques, attrs).
"""

import importlib
import json
import sys
from datetime import datetime
from pathlib import Path

from . import host
from .ipc import Batch


def event_time(value):
    """Microseconds since the epoch for a case's `time` value."""
    if isinstance(value, int):
        return value
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return int(parsed.timestamp()) * 1_000_000 + parsed.microsecond


def batch_of(detector, events):
    """The batch the host would send `detector` for these case events."""
    names = ["event_id", "time", "kind"] + [
        c for c in detector.columns if c not in ("event_id", "time", "kind")
    ]
    kinds = set(detector.kinds)
    rows = []
    for i, event in enumerate(events):
        if kinds and event.get("kind") not in kinds:
            continue
        row = {name: event.get(name) for name in names}
        row["event_id"] = event.get("event_id", "event-%d" % (i + 1))
        row["time"] = event_time(event.get("time", 0))
        rows.append(row)
    return Batch(names, {n: [r[n] for r in rows] for n in names}, len(rows))


def mismatches(expect, finding):
    """How a finding (a dict) differs from one expectation."""
    out = []
    for key in ("kind", "user", "ip", "domain", "device"):
        if key in expect and finding.get(key) != expect[key]:
            out.append("%s is %r, expected %r" % (key, finding.get(key), expect[key]))
    if finding["severity"] < expect.get("severity_min", 0):
        out.append("severity %d is below %d" % (finding["severity"], expect["severity_min"]))
    if finding["severity"] > expect.get("severity_max", 100):
        out.append("severity %d is above %d" % (finding["severity"], expect["severity_max"]))
    for key in ("title", "summary"):
        want = expect.get(key + "_contains")
        if want is not None and want.lower() not in finding[key].lower():
            out.append("%s %r does not contain %r" % (key, finding[key], want))
    for key in ("mitre", "event_ids"):
        missing = [x for x in expect.get(key, []) if x not in finding[key]]
        if missing:
            out.append("%s %r lacks %r" % (key, finding[key], missing[0]))
    for key, value in expect.get("attrs", {}).items():
        if finding["attrs"].get(key) != value:
            out.append("attrs[%r] is %r, expected %r" % (key, finding["attrs"].get(key), value))
    return out


def run_case(detector_class, case):
    """The problems of one case, empty when it passes."""
    previous = host.use(host.MemoryHost())
    try:
        detector = detector_class()
        detector.apply_settings(
            (k, v if isinstance(v, str) else json.dumps(v))
            for k, v in case.get("settings", {}).items()
        )
        findings = [f.as_row() for f in detector.detect(batch_of(detector, case["events"])) or []]
    finally:
        host.use(previous)
    problems = []
    left = list(findings)
    for expect in case["expect"]:
        match = next((f for f in left if not mismatches(expect, f)), None)
        if match is None:
            closest = [mismatches(expect, f) for f in left]
            problems.append("no finding matches %s%s" % (
                json.dumps(expect), "; closest: " + "; ".join(min(closest, key=len)) if closest else ""))
        else:
            left.remove(match)
    problems += ["unexpected finding: %s: %s" % (f["kind"], f["summary"]) for f in left]
    return problems


def run_cases(detector_class, path):
    """Runs every case of a file or folder of `*.json`; returns (passed,
    failures) with failures as (file, case name, problems)."""
    path = Path(path)
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    passed, failures = 0, []
    for file in files:
        cases = json.loads(file.read_text())
        for case in cases if isinstance(cases, list) else [cases]:
            problems = run_case(detector_class, case)
            if problems:
                failures.append((file, case["name"], problems))
            else:
                passed += 1
    return passed, failures


def main(argv):
    if len(argv) != 3 or ":" not in argv[1]:
        print("usage: python -m palisade_sdk.testing MODULE:CLASS CASES", file=sys.stderr)
        return 2
    module, name = argv[1].split(":", 1)
    sys.path.insert(0, ".")
    detector_class = getattr(importlib.import_module(module), name)
    passed, failures = run_cases(detector_class, argv[2])
    for file, case, problems in failures:
        print("FAIL %s (%s)" % (case, file))
        for problem in problems:
            print("  " + problem)
    print("%d passed, %d failed" % (passed, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
