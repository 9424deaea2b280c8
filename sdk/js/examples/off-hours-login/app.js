// Off-hours login: a successful login outside the user's working hours, in
// the user's own time zone, reported at most once per user per local day.
//
// Build: `palisade plugin build` (after `npm install` here).
// Test:  `palisade plugin test dist/off-hours-login.wasm cases/`

import { dayNumber, detector, hourOfDay, parseOffset, state, weekday } from "./palisade-sdk/index.js";

const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const config = {};

function hour(text, name) {
  const h = Number(text);
  if (!Number.isInteger(h) || h < 0 || h > 24) {
    throw new Error(`${name} must be an hour from 0 to 24, not ${text}`);
  }
  return h;
}

function applySettings(values) {
  config.start = hour(values.work_start, "work_start");
  config.end = hour(values.work_end, "work_end");
  if (config.start >= config.end) {
    throw new Error(`work_start (${config.start}) must be before work_end (${config.end})`);
  }
  config.defaultOffset = parseOffset(values.time_zone);
  config.offsets = new Map();
  for (const pair of values.user_time_zones.split(",").map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf("=");
    if (eq < 0) throw new Error(`user_time_zones entry "${pair}" is not user=offset`);
    config.offsets.set(pair.slice(0, eq).trim().toLowerCase(), parseOffset(pair.slice(eq + 1)));
  }
  config.weekends = ["true", "yes", "1"].includes(values.weekends.trim().toLowerCase());
}

function offHours(time, offset) {
  if (config.weekends && weekday(time, offset) >= 5) return true;
  const h = hourOfDay(time, offset);
  return !(config.start <= h && h < config.end);
}

const pad = (n) => String(n).padStart(2, "0");

function finding(event, offset) {
  const minutes = (((Math.floor(event.time / 60_000_000) + offset) % 1440) + 1440) % 1440;
  const local = `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
  const a = Math.abs(offset);
  const zone = offset ? `UTC${offset < 0 ? "-" : "+"}${pad(Math.floor(a / 60))}:${pad(a % 60)}` : "UTC";
  const day = DAYS[weekday(event.time, offset)];
  const place = event.src_country ? ` from ${event.src_country}` : "";
  return {
    time: event.time,
    kind: "off_hours.login",
    severity: 30,
    title: "Login outside working hours",
    summary:
      `${event.user} logged in at ${local} on a ${day} (${zone})${place}, ` +
      `outside working hours ${pad(config.start)}:00-${pad(config.end)}:00.`,
    user: event.user,
    ip: event.src_ip,
    eventIds: [event.event_id],
    mitre: ["T1078"],
    attrs: { local_time: local, day, time_zone: zone },
  };
}

function findOffHours(events) {
  const findings = [];
  for (const event of events.rows()) {
    if (!event.user || event.outcome === "failure") continue;
    const offset = config.offsets.get(event.user) ?? config.defaultOffset;
    if (!offHours(event.time, offset)) continue;
    const day = dayNumber(event.time, offset);
    const key = `reported/${event.user}`;
    if (state.getJson(key) === day) continue;
    state.putJson(key, day);
    findings.push(finding(event, offset));
  }
  return findings;
}

export const { describe, configure, detect } = detector({
  name: "off-hours-login-js",
  version: "0.1.0",
  summary: "A successful login outside the user's working hours, in their time zone.",
  kinds: ["auth.login"],
  columns: ["user", "outcome", "src_ip", "src_country"],
  settings: [
    { name: "work_start", description: "Local hour (0-23) the working day starts.", default: "8" },
    { name: "work_end", description: "Local hour (1-24) the working day ends.", default: "18" },
    { name: "time_zone", description: "UTC offset of users not listed in user_time_zones.", default: "+00:00" },
    {
      name: "user_time_zones",
      description: "Comma-separated user=offset pairs, such as ann@corp.example=-05:00.",
      default: "",
    },
    { name: "weekends", description: "Whether any login on Saturday or Sunday is off hours.", default: "true" },
  ],
  configure: applySettings,
  detect: findOffHours,
});
