"""Local clock arithmetic on event times, without a time zone database
(a component has no files to read one from): fixed UTC offsets."""

import re

_MICROS_PER_MINUTE = 60_000_000
_OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?$")


def parse_offset(text):
    """Minutes east of UTC for `+05:30`, `-0800`, `UTC+1`, `Z` or `UTC`.

    Raises ValueError naming the text when it is not an offset.
    """
    text = text.strip()
    if text in ("Z", "UTC", "+00:00", ""):
        return 0
    match = _OFFSET.match(text)
    if not match:
        raise ValueError("%r is not a UTC offset such as +01:00 or -05:00" % text)
    sign, hours, minutes = match.groups()
    total = int(hours) * 60 + int(minutes or 0)
    if total > 14 * 60:
        raise ValueError("%r is beyond the largest UTC offset, 14 hours" % text)
    return -total if sign == "-" else total


def _local_minutes(micros, offset_minutes):
    return micros // _MICROS_PER_MINUTE + offset_minutes


def hour_of_day(micros, offset_minutes=0):
    """The local hour (0-23) of an event time at a UTC offset."""
    return _local_minutes(micros, offset_minutes) // 60 % 24


def weekday(micros, offset_minutes=0):
    """The local day of the week, Monday 0 to Sunday 6."""
    # 1970-01-01 was a Thursday.
    return (_local_minutes(micros, offset_minutes) // 1440 + 3) % 7


def day_number(micros, offset_minutes=0):
    """Days since 1970-01-01 in local time: a key for "once a day"."""
    return _local_minutes(micros, offset_minutes) // 1440
