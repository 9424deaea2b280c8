// Write Palisade detectors in JavaScript.
//
//   import { detector, state, log, hourOfDay } from "./palisade-sdk/index.js";
//   export const { describe, configure, detect } = detector({ ... });
//
// `jco componentize --bundle` (or `palisade plugin build`) turns the app
// into a Wasm component of the `detector` world. Exceptions thrown by the
// author's `configure` or `detect` become the call's error string (with
// the exception's message) instead of trapping the instance.

import * as hostLog from "palisade:detector/log@0.1.0";
import * as hostState from "palisade:detector/state@0.1.0";

import { readStream, writeFindings } from "./ipc.js";

export { Batch, IpcError, readStream, writeFindings } from "./ipc.js";
export { dayNumber, hourOfDay, parseOffset, weekday } from "./times.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The detector's key-value store, scoped to its name by the host. */
export const state = {
  /** The bytes (Uint8Array) stored under `key`, or undefined. */
  get: (key) => hostState.get(key),
  /** Stores bytes under `key`. */
  put: (key, value) => hostState.put(key, value),
  /** Removes `key`; a missing key is not an error. */
  delete: (key) => hostState.delete(key),
  /** The JSON value stored under `key`, or `fallback`. */
  getJson(key, fallback = undefined) {
    const raw = hostState.get(key);
    return raw === undefined || raw === null ? fallback : JSON.parse(decoder.decode(raw));
  },
  /** Stores `value` as JSON under `key`. */
  putJson: (key, value) => hostState.put(key, encoder.encode(JSON.stringify(value))),
};

/** Lines for the host's log, tagged with the detector's name. */
export const log = {
  debug: (message) => hostLog.write("debug", String(message)),
  info: (message) => hostLog.write("info", String(message)),
  warn: (message) => hostLog.write("warn", String(message)),
  error: (message) => hostLog.write("error", String(message)),
};

function errorText(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

const REQUIRED = ["kind", "title", "summary"];

function findingRow(f, index) {
  for (const name of REQUIRED) {
    if (typeof f[name] !== "string") {
      throw new TypeError(`finding ${index + 1}: ${name} must be text, not ${JSON.stringify(f[name])}`);
    }
  }
  if (!Number.isInteger(f.time)) {
    throw new TypeError(`finding ${index + 1}: time must be integer microseconds, not ${f.time}`);
  }
  if (!Number.isInteger(f.severity) || f.severity < 0 || f.severity > 100) {
    throw new RangeError(`finding ${index + 1}: severity must be 0-100, not ${f.severity}`);
  }
  return f;
}

/**
 * The three exports of the `detector` world for a detector spec:
 *
 *   name, version, summary, kinds, columns   who it is and what it reads
 *   settings: [{ name, description, default }]
 *   configure(values)   every setting (defaults filled in) as text; throw
 *                       to reject the configuration
 *   detect(batch)       an array of findings: { time, kind, severity,
 *                       title, summary, user?, device?, domain?, ip?,
 *                       eventIds?, mitre?, attrs? }; throw to fail the
 *                       batch. `batch.rows()` gives objects, and
 *                       `batch.column(name)` arrays; `time` is in
 *                       microseconds since the epoch.
 */
export function detector(spec) {
  const settings = spec.settings ?? [];
  return {
    describe() {
      return {
        name: spec.name,
        version: spec.version ?? "0.1.0",
        summary: spec.summary ?? "",
        kinds: spec.kinds ?? [],
        columns: spec.columns ?? [],
        settings: settings.map((s) => ({
          name: s.name,
          description: s.description,
          defaultValue: String(s.default),
        })),
      };
    },
    configure(pairs) {
      try {
        const values = Object.fromEntries(settings.map((s) => [s.name, String(s.default)]));
        for (const [name, value] of pairs) {
          if (!(name in values)) {
            const known = Object.keys(values).sort().join(", ") || "none";
            throw new Error(`unknown setting \`${name}\` (this detector accepts: ${known})`);
          }
          values[name] = value;
        }
        spec.configure?.(values);
      } catch (error) {
        // A thrown string is how jco returns the `err` of a result.
        throw errorText(error);
      }
    },
    detect(events) {
      try {
        const findings = spec.detect(readStream(events)) ?? [];
        return writeFindings(
          findings.map(findingRow).map((f) => ({ ...f, event_ids: f.eventIds ?? f.event_ids })),
        );
      } catch (error) {
        throw errorText(error);
      }
    },
  };
}
