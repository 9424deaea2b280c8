"""What a detector author writes against: `Detector`, `Setting`, `Finding`,
and `component`, which turns a Detector subclass into the `WitWorld` class
componentize-py exports.
"""

import traceback
from dataclasses import dataclass, field

from . import host

try:
    # See host.py: the bindings are imported when the module loads.
    from componentize_py_types import Err
    from wit_world.imports import types as _wit_types
except ImportError:  # running natively, outside a component
    Err = _wit_types = None
from .ipc import read_stream, write_findings


@dataclass
class Setting:
    """A setting the detector accepts from `[detectors.NAME]` in the
    configuration file; values always arrive as text."""

    name: str
    description: str
    default: str


@dataclass
class Finding:
    """One finding. `time` is integer microseconds since the Unix epoch
    (UTC), usually the time of the event that completed the finding;
    `severity` is 0 (informational) to 100 (critical)."""

    time: int
    kind: str
    severity: int
    title: str
    summary: str
    user: str = None
    device: str = None
    domain: str = None
    ip: str = None
    event_ids: list = field(default_factory=list)
    mitre: list = field(default_factory=list)
    attrs: dict = field(default_factory=dict)

    def check(self):
        """Raises ValueError naming the field that the host would reject."""
        for name in ("kind", "title", "summary"):
            if not isinstance(getattr(self, name), str):
                raise ValueError("finding %s must be text, not %r" % (name, getattr(self, name)))
        if not isinstance(self.time, int):
            raise ValueError("finding time must be integer microseconds, not %r" % (self.time,))
        if not isinstance(self.severity, int) or not 0 <= self.severity <= 100:
            raise ValueError("finding severity must be 0-100, not %r" % (self.severity,))

    def as_row(self):
        self.check()
        return {
            "time": self.time,
            "kind": self.kind,
            "severity": self.severity,
            "title": self.title,
            "summary": self.summary,
            "user": self.user,
            "device": self.device,
            "domain": self.domain,
            "ip": self.ip,
            "event_ids": [str(e) for e in self.event_ids],
            "mitre": [str(m) for m in self.mitre],
            "attrs": {str(k): None if v is None else str(v) for k, v in self.attrs.items()},
        }


class Detector:
    """Subclass this. Class attributes say who the detector is and what it
    reads; `configure` receives every setting (defaults filled in) as text;
    `detect` receives a batch of events and returns findings.

    A batch has `rows()` (a list of dicts, column name to value) and
    `column(name)` (a list of values); `time` is integer microseconds.
    An exception raised by `configure` rejects the configuration; one
    raised by `detect` fails that batch alone, with its message.
    """

    name = ""
    version = "0.1.0"
    summary = ""
    kinds = []
    columns = []
    settings = []

    def configure(self, values):
        """Applies settings; `values` maps every setting name to its text."""

    def detect(self, events):
        """The findings (a list of `Finding`) for one batch of events."""
        return []

    # The steps the component adapter and the native harness share.

    def apply_settings(self, pairs):
        known = {s.name: s.default for s in self.settings}
        values = dict(known)
        for name, value in pairs:
            if name not in known:
                raise ValueError(
                    "unknown setting `%s` (this detector accepts: %s)"
                    % (name, ", ".join(sorted(known)) or "none")
                )
            values[name] = value
        self.configure(values)

    def detect_ipc(self, data):
        findings = self.detect(read_stream(data)) or []
        return write_findings([f.as_row() for f in findings])


def _error_text(error):
    where = traceback.extract_tb(error.__traceback__)
    at = " (%s line %d)" % (where[-1].filename, where[-1].lineno) if where else ""
    return "%s: %s%s" % (type(error).__name__, error, at)


def component(detector_class):
    """The `WitWorld` class for componentize-py, running `detector_class`.

    One detector instance serves every call. Exceptions from the author's
    code become the error string of `configure` or `detect` (with the
    exception type and the line it came from) instead of a trap.
    """
    instance = detector_class()

    class WitWorld:
        def describe(self):
            types = _wit_types
            return types.Description(
                name=instance.name,
                version=instance.version,
                summary=instance.summary,
                kinds=list(instance.kinds),
                columns=list(instance.columns),
                settings=[
                    types.Setting(name=s.name, description=s.description, default_value=s.default)
                    for s in instance.settings
                ],
            )

        def configure(self, settings):
            try:
                host.use(host.ComponentHost())
                instance.apply_settings(settings)
            except Exception as error:
                raise Err(_error_text(error))

        def detect(self, events):
            try:
                return instance.detect_ipc(events)
            except Exception as error:
                raise Err(_error_text(error))

    return WitWorld
