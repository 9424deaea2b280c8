"""Off-hours login: a successful login outside the user's working hours,
in the user's own time zone, reported at most once per user per local day.

Build: `palisade plugin build` (or componentize-py, see sdk/README.md).
Test:  `palisade plugin test dist/off-hours-login.wasm cases/`
"""

from palisade_sdk import (
    Detector,
    Finding,
    Setting,
    component,
    day_number,
    hour_of_day,
    parse_offset,
    state,
    weekday,
)

_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _hour(text, name):
    hour = int(text)
    if not 0 <= hour <= 24:
        raise ValueError("%s must be an hour from 0 to 24, not %s" % (name, text))
    return hour


class OffHoursLogin(Detector):
    name = "off-hours-login"
    version = "0.1.0"
    summary = "A successful login outside the user's working hours, in their time zone."
    kinds = ["auth.login"]
    columns = ["user", "outcome", "src_ip", "src_country"]
    settings = [
        Setting("work_start", "Local hour (0-23) the working day starts.", "8"),
        Setting("work_end", "Local hour (1-24) the working day ends.", "18"),
        Setting("time_zone", "UTC offset of users not listed in user_time_zones.", "+00:00"),
        Setting(
            "user_time_zones",
            "Comma-separated user=offset pairs, such as ann@corp.example=-05:00.",
            "",
        ),
        Setting("weekends", "Whether any login on Saturday or Sunday is off hours.", "true"),
    ]

    def configure(self, values):
        self.start = _hour(values["work_start"], "work_start")
        self.end = _hour(values["work_end"], "work_end")
        if self.start >= self.end:
            raise ValueError("work_start (%d) must be before work_end (%d)" % (self.start, self.end))
        self.default_offset = parse_offset(values["time_zone"])
        self.offsets = {}
        for pair in filter(None, (p.strip() for p in values["user_time_zones"].split(","))):
            user, sep, offset = pair.partition("=")
            if not sep:
                raise ValueError("user_time_zones entry %r is not user=offset" % pair)
            self.offsets[user.strip().lower()] = parse_offset(offset)
        self.weekends = values["weekends"].strip().lower() in ("true", "yes", "1")

    def off_hours(self, time, offset):
        if self.weekends and weekday(time, offset) >= 5:
            return True
        return not self.start <= hour_of_day(time, offset) < self.end

    def detect(self, events):
        findings = []
        for event in events.rows():
            user = event["user"]
            if not user or event["outcome"] == "failure":
                continue
            offset = self.offsets.get(user, self.default_offset)
            time = event["time"]
            if not self.off_hours(time, offset):
                continue
            day = day_number(time, offset)
            key = "reported/" + user
            if state.get_json(key) == day:
                continue
            state.put_json(key, day)
            findings.append(self.finding(event, offset))
        return findings

    def finding(self, event, offset):
        time = event["time"]
        minutes = (time // 60_000_000 + offset) % 1440
        local = "%02d:%02d" % (minutes // 60, minutes % 60)
        sign = "-" if offset < 0 else "+"
        zone = "UTC%s%02d:%02d" % (sign, abs(offset) // 60, abs(offset) % 60) if offset else "UTC"
        day = _DAYS[weekday(time, offset)]
        place = " from %s" % event["src_country"] if event["src_country"] else ""
        return Finding(
            time=time,
            kind="off_hours.login",
            severity=30,
            title="Login outside working hours",
            summary="%s logged in at %s on a %s (%s)%s, outside working hours %02d:00-%02d:00."
            % (event["user"], local, day, zone, place, self.start, self.end),
            user=event["user"],
            ip=event["src_ip"],
            event_ids=[event["event_id"]],
            mitre=["T1078"],
            attrs={"local_time": local, "day": day, "time_zone": zone},
        )


WitWorld = component(OffHoursLogin)
