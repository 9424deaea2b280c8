// {{name}}: a login from a country that is not on the allowed list.
//
// Build with `npm install` once, then `palisade plugin build`; test with
// `palisade plugin test dist/{{name}}.wasm cases/`.

import { detector } from "./palisade-sdk/index.js";

let allowed = new Set();

export const { describe, configure, detect } = detector({
  name: "{{name}}",
  version: "0.1.0",
  summary: "A login from a country that is not on the allowed list.",
  kinds: ["auth.login"],
  columns: ["user", "src_ip", "src_country"],
  settings: [
    {
      name: "allowed_countries",
      description: "Comma-separated ISO country codes logins may come from.",
      default: "US",
    },
  ],
  configure(values) {
    allowed = new Set(
      values.allowed_countries.split(",").map((c) => c.trim().toUpperCase()).filter(Boolean),
    );
  },
  detect(events) {
    const findings = [];
    for (const event of events.rows()) {
      const country = (event.src_country ?? "").toUpperCase();
      if (!country || allowed.has(country)) continue;
      findings.push({
        time: event.time,
        kind: "login.unexpected_country",
        severity: 40,
        title: "Login from an unexpected country",
        summary: `${event.user} logged in from ${country}, which is not on the allowed list.`,
        user: event.user,
        ip: event.src_ip,
        eventIds: [event.event_id],
        mitre: ["T1078"],
        attrs: { country },
      });
    }
    return findings;
  },
});
