"""The host's imports, state and log, with an in-memory stand-in.

Inside a component, `palisade_sdk.component` connects these to the
`state` and `log` imports of the `detector` world. Run natively (unit
tests, `palisade_sdk.testing`), state lives in a dict and log lines in a
list, so the same detector code runs unchanged in both places.
"""

import json

try:
    # Imported when the module loads: componentize-py snapshots the app
    # after its imports at build time, and the bindings cannot be found
    # by a first import inside a call.
    from wit_world.imports import log as _wit_log
    from wit_world.imports import state as _wit_state
except ImportError:  # running natively, outside a component
    _wit_log = _wit_state = None


class MemoryHost:
    """State in a dict and log lines in a list, for native runs."""

    def __init__(self):
        self.store = {}
        self.lines = []

    def get(self, key):
        return self.store.get(key)

    def put(self, key, value):
        self.store[key] = bytes(value)

    def delete(self, key):
        self.store.pop(key, None)

    def write(self, level, message):
        self.lines.append((level, message))


class ComponentHost:
    """The `state` and `log` imports of the detector world."""

    def __init__(self):
        log = self._log = _wit_log
        self._state = _wit_state
        self._levels = {
            "trace": log.Level.TRACE,
            "debug": log.Level.DEBUG,
            "info": log.Level.INFO,
            "warn": log.Level.WARN,
            "error": log.Level.ERROR,
        }

    def get(self, key):
        return self._state.get(key)

    def put(self, key, value):
        self._state.put(key, bytes(value))

    def delete(self, key):
        self._state.delete(key)

    def write(self, level, message):
        self._log.write(self._levels[level], message)


_host = MemoryHost()


def use(host):
    """Routes state and log calls to `host`; returns the previous one."""
    global _host
    previous, _host = _host, host
    return previous


class state:
    """The detector's key-value store, scoped to its name by the host.

    Writes made during `detect` are committed only when the call succeeds,
    and survive restarts and new versions of the detector.
    """

    @staticmethod
    def get(key):
        """The bytes stored under `key`, or None."""
        return _host.get(key)

    @staticmethod
    def put(key, value):
        """Stores bytes under `key`."""
        _host.put(key, value)

    @staticmethod
    def delete(key):
        """Removes `key`; a missing key is not an error."""
        _host.delete(key)

    @staticmethod
    def get_json(key, default=None):
        """The JSON value stored under `key`, or `default`."""
        raw = _host.get(key)
        return default if raw is None else json.loads(bytes(raw).decode("utf-8"))

    @staticmethod
    def put_json(key, value):
        """Stores `value` as compact JSON under `key`."""
        _host.put(key, json.dumps(value, separators=(",", ":")).encode("utf-8"))


class log:
    """Lines for the host's log, tagged with the detector's name."""

    @staticmethod
    def debug(message):
        _host.write("debug", message)

    @staticmethod
    def info(message):
        _host.write("info", message)

    @staticmethod
    def warn(message):
        _host.write("warn", message)

    @staticmethod
    def error(message):
        _host.write("error", message)
