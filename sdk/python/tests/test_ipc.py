"""The pure-Python Arrow IPC reader and findings writer, with plain
CPython: `python -m unittest discover -s sdk/python/tests`.

The reader's fixtures come from the Rust SDK (`sdk/rust/tests/
python_fixtures.rs`), which builds event batches as the host does. The
writer is checked by reading its output back, and with pyarrow when it is
installed (a test-only tool; it does not run inside Wasm).
"""

import struct
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from palisade_sdk import Finding, IpcError, read_stream, write_findings  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"

try:
    import pyarrow
except ImportError:
    pyarrow = None


def fixture(name):
    return (FIXTURES / name).read_bytes()


class ReaderTest(unittest.TestCase):
    def setUp(self):
        self.batch = read_stream(fixture("events.arrows"))

    def test_every_event_column_in_schema_order(self):
        self.assertEqual(len(self.batch), 3)
        self.assertEqual(self.batch.names[:4], ["event_id", "time", "source", "kind"])
        self.assertIn("attrs", self.batch.names)
        self.assertIn("raw", self.batch.names)

    def test_text_and_time(self):
        rows = self.batch.rows()
        self.assertEqual([r["event_id"] for r in rows], ["e1", "e2", "e3"])
        self.assertEqual(rows[0]["kind"], "auth.login")
        # 2024-03-05T03:30:00.000123Z in microseconds; 0; one second before the epoch.
        self.assertEqual(self.batch.column("time"), [1709609400000123, 0, -1000000])
        self.assertEqual(rows[1]["email_subject"], "Überweisung — dringend ✉")

    def test_numbers_and_nulls(self):
        rows = self.batch.rows()
        self.assertEqual(rows[0]["src_lat"], 40.7128)
        self.assertEqual(rows[0]["src_lon"], -74.006)
        self.assertEqual(rows[0]["dst_port"], 443)
        self.assertEqual(self.batch.column("bytes"), [9007199254740993, -1, None])
        self.assertEqual(self.batch.column("user"), ["ann@corp.example", None, None])
        self.assertEqual(self.batch.column("dst_port"), [443, None, None])
        self.assertEqual(self.batch.column("raw"), [None, None, None])

    def test_lists_and_maps(self):
        self.assertEqual(
            self.batch.column("email_to"), [["a@x.example", "b@x.example"], [], None]
        )
        attrs = self.batch.column("attrs")
        self.assertEqual(attrs[0], {"Client": "Outlook"})
        self.assertIsNone(attrs[1])
        self.assertEqual(attrs[2], {"MoveToFolder": "RSS Feeds", "StopProcessingRules": "True"})

    def test_batches_of_one_stream_are_concatenated(self):
        two = read_stream(fixture("events-two-batches.arrows"))
        self.assertEqual(two.rows(), self.batch.rows())

    def test_unknown_column_names_the_columns_there_are(self):
        with self.assertRaisesRegex(KeyError, "no column 'nope'.*event_id"):
            self.batch.column("nope")

    def test_garbage_and_truncation_are_ipc_errors(self):
        with self.assertRaises(IpcError):
            read_stream(b"not arrow at all")
        data = fixture("events.arrows")
        with self.assertRaisesRegex(IpcError, "message 2"):
            read_stream(data[: len(data) // 2])
        with self.assertRaisesRegex(IpcError, "no schema"):
            read_stream(struct.pack("<Ii", 0xFFFFFFFF, 0))


FINDINGS = [
    Finding(
        time=1709609400000123,
        kind="off_hours.login",
        severity=30,
        title="Login outside working hours",
        summary="ann logged in at 22:30 — late",
        user="ann@corp.example",
        ip="198.51.100.7",
        event_ids=["e1"],
        mitre=["T1078"],
        attrs={"local_time": "22:30", "day": "Monday"},
    ),
    Finding(time=0, kind="other", severity=100, title="t", summary="s", domain="x.example"),
]


class WriterTest(unittest.TestCase):
    def test_findings_read_back(self):
        batch = read_stream(write_findings([f.as_row() for f in FINDINGS]))
        rows = batch.rows()
        self.assertEqual(
            batch.names,
            ["time", "kind", "severity", "title", "summary", "user", "device", "domain",
             "ip", "event_ids", "mitre", "attrs"],
        )
        self.assertEqual(rows[0]["summary"], "ann logged in at 22:30 — late")
        self.assertEqual(rows[0]["attrs"], {"day": "Monday", "local_time": "22:30"})
        self.assertEqual(rows[1]["user"], None)
        self.assertEqual(rows[1]["domain"], "x.example")
        self.assertEqual(rows[1]["event_ids"], [])
        self.assertEqual([r["severity"] for r in rows], [30, 100])

    def test_no_findings_is_an_empty_stream(self):
        self.assertEqual(write_findings([]), b"")

    def test_a_severity_over_100_is_refused_before_the_host_sees_it(self):
        bad = Finding(time=0, kind="k", severity=101, title="t", summary="s")
        with self.assertRaisesRegex(ValueError, "severity must be 0-100"):
            bad.as_row()

    @unittest.skipIf(pyarrow is None, "pyarrow is not installed")
    def test_pyarrow_reads_the_detector_output_schema(self):
        table = pyarrow.ipc.open_stream(write_findings([f.as_row() for f in FINDINGS])).read_all()
        schema = table.schema
        self.assertEqual(schema.field("time").type, pyarrow.timestamp("us", tz="UTC"))
        self.assertFalse(schema.field("kind").nullable)
        self.assertEqual(schema.field("severity").type, pyarrow.uint8())
        self.assertEqual(schema.field("mitre").type, pyarrow.list_(pyarrow.utf8()))
        self.assertEqual(schema.field("attrs").type, pyarrow.map_(pyarrow.utf8(), pyarrow.utf8()))
        self.assertEqual(table.column("user").to_pylist(), ["ann@corp.example", None])
        self.assertEqual(table.column("attrs").to_pylist()[0], [("day", "Monday"), ("local_time", "22:30")])


if __name__ == "__main__":
    unittest.main()
