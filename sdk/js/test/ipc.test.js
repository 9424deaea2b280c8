// The JavaScript Arrow IPC reader and findings writer under Node:
// `node --test sdk/js/test/`. The reader's fixtures come from the Rust SDK
// (sdk/rust/tests/python_fixtures.rs), built as the host builds batches.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { IpcError, readStream, writeFindings } from "../palisade-sdk/ipc.js";
import { dayNumber, hourOfDay, parseOffset, weekday } from "../palisade-sdk/times.js";

const fixture = (name) =>
  new Uint8Array(readFileSync(new URL(`../../python/tests/fixtures/${name}`, import.meta.url)));

test("every event column type, with nulls", () => {
  const batch = readStream(fixture("events.arrows"));
  assert.equal(batch.numRows, 3);
  assert.deepEqual(batch.column("event_id"), ["e1", "e2", "e3"]);
  assert.deepEqual(batch.column("time"), [1709609400000123, 0, -1000000]);
  assert.deepEqual(batch.column("bytes"), [9007199254740992, -1, null]);
  assert.deepEqual(batch.column("dst_port"), [443, null, null]);
  assert.deepEqual(batch.column("user"), ["ann@corp.example", null, null]);
  assert.deepEqual(batch.column("email_to"), [["a@x.example", "b@x.example"], [], null]);
  const rows = batch.rows();
  assert.equal(rows[0].src_lat, 40.7128);
  assert.equal(rows[1].email_subject, "Überweisung — dringend ✉");
  assert.deepEqual(rows[0].attrs, { Client: "Outlook" });
  assert.equal(rows[1].attrs, null);
  assert.deepEqual(rows[2].attrs, { MoveToFolder: "RSS Feeds", StopProcessingRules: "True" });
});

test("batches of one stream are concatenated", () => {
  assert.deepEqual(
    readStream(fixture("events-two-batches.arrows")).rows(),
    readStream(fixture("events.arrows")).rows(),
  );
});

test("an unknown column names the columns there are", () => {
  assert.throws(() => readStream(fixture("events.arrows")).column("nope"), /no column "nope".*event_id/);
});

test("garbage and truncation are IPC errors", () => {
  assert.throws(() => readStream(new TextEncoder().encode("not arrow at all")), IpcError);
  const data = fixture("events.arrows");
  assert.throws(() => readStream(data.subarray(0, data.length >> 1)), /message 2/);
});

test("findings read back", () => {
  const bytes = writeFindings([
    {
      time: 1709609400000123, kind: "off_hours.login", severity: 30, title: "t",
      summary: "ann — late", user: "ann@corp.example", event_ids: ["e1"], mitre: ["T1078"],
      attrs: { local_time: "22:30", day: "Monday" },
    },
    { time: -5, kind: "other", severity: 100, title: "t2", summary: "s2", domain: "x.example" },
  ]);
  const batch = readStream(bytes);
  assert.deepEqual(batch.names, [
    "time", "kind", "severity", "title", "summary", "user", "device", "domain", "ip",
    "event_ids", "mitre", "attrs",
  ]);
  const [a, b] = batch.rows();
  assert.equal(a.time, 1709609400000123);
  assert.equal(a.summary, "ann — late");
  assert.deepEqual(a.attrs, { day: "Monday", local_time: "22:30" });
  assert.equal(b.time, -5);
  assert.equal(b.user, null);
  assert.deepEqual(b.event_ids, []);
  assert.equal(writeFindings([]).length, 0);
});

test("local clock at fixed offsets", () => {
  const tuesday0330 = 1709609400000000;
  assert.equal(parseOffset("-05:00"), -300);
  assert.equal(parseOffset("+0530"), 330);
  assert.throws(() => parseOffset("Europe/Paris"), /not a UTC offset/);
  assert.equal(hourOfDay(tuesday0330, -300), 22);
  assert.equal(weekday(tuesday0330, -300), 0);
  assert.equal(dayNumber(tuesday0330) - dayNumber(tuesday0330, -300), 1);
  assert.equal(hourOfDay(-1), 23);
});
