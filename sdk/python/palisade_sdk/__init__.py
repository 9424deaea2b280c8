"""Write Palisade detectors in Python.

A detector subclasses `Detector`, and its component's `app.py` ends with
`WitWorld = component(MyDetector)`; `componentize-py` (or `palisade plugin
build`) turns that into a Wasm component of the `detector` world.

    from palisade_sdk import Detector, Finding, Setting, component, state, log
"""

from .detector import Detector, Finding, Setting, component
from .host import log, state
from .ipc import Batch, IpcError, read_stream, write_findings
from .times import day_number, hour_of_day, parse_offset, weekday

__all__ = [
    "Batch",
    "Detector",
    "Finding",
    "IpcError",
    "Setting",
    "component",
    "day_number",
    "hour_of_day",
    "log",
    "parse_offset",
    "read_stream",
    "state",
    "weekday",
    "write_findings",
]
