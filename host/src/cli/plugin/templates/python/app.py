"""{{name}}: a login from a country that is not on the allowed list.

Build with `palisade plugin build`; test with
`palisade plugin test dist/{{name}}.wasm cases/`, or natively with
`python -m palisade_sdk.testing app:Detector cases/`.
"""

from palisade_sdk import Detector as Base
from palisade_sdk import Finding, Setting, component


class Detector(Base):
    name = "{{name}}"
    version = "0.1.0"
    summary = "A login from a country that is not on the allowed list."
    kinds = ["auth.login"]
    columns = ["user", "src_ip", "src_country"]
    settings = [
        Setting("allowed_countries", "Comma-separated ISO country codes logins may come from.", "US"),
    ]

    def configure(self, values):
        self.allowed = {c.strip().upper() for c in values["allowed_countries"].split(",") if c.strip()}

    def detect(self, events):
        findings = []
        for event in events.rows():
            country = (event["src_country"] or "").upper()
            if not country or country in self.allowed:
                continue
            findings.append(
                Finding(
                    time=event["time"],
                    kind="login.unexpected_country",
                    severity=40,
                    title="Login from an unexpected country",
                    summary="%s logged in from %s, which is not on the allowed list."
                    % (event["user"], country),
                    user=event["user"],
                    ip=event["src_ip"],
                    event_ids=[event["event_id"]],
                    mitre=["T1078"],
                    attrs={"country": country},
                )
            )
        return findings


WitWorld = component(Detector)
