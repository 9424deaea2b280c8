"""Local clock arithmetic and the native case runner."""

import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from palisade_sdk import day_number, hour_of_day, parse_offset, weekday  # noqa: E402
from palisade_sdk.testing import run_cases  # noqa: E402

# 2024-03-05T03:30:00Z, a Tuesday.
TUESDAY_0330 = 1709609400000000


class TimesTest(unittest.TestCase):
    def test_offsets(self):
        self.assertEqual(parse_offset("+05:30"), 330)
        self.assertEqual(parse_offset("-0800"), -480)
        self.assertEqual(parse_offset("UTC+1"), 60)
        self.assertEqual(parse_offset("Z"), 0)
        with self.assertRaisesRegex(ValueError, "'Europe/Paris' is not a UTC offset"):
            parse_offset("Europe/Paris")
        with self.assertRaisesRegex(ValueError, "beyond"):
            parse_offset("+15:00")

    def test_local_hour_and_day(self):
        self.assertEqual(hour_of_day(TUESDAY_0330), 3)
        self.assertEqual(weekday(TUESDAY_0330), 1)
        # Five hours behind UTC it is still Monday evening.
        self.assertEqual(hour_of_day(TUESDAY_0330, -300), 22)
        self.assertEqual(weekday(TUESDAY_0330, -300), 0)
        self.assertEqual(day_number(TUESDAY_0330, -300) + 1, day_number(TUESDAY_0330))
        # Before the epoch, floor division keeps the clock right.
        self.assertEqual(hour_of_day(-1), 23)
        self.assertEqual(weekday(-1), 2)


class ExampleCasesTest(unittest.TestCase):
    def test_off_hours_example_passes_its_cases_natively(self):
        example = ROOT / "examples" / "off-hours-login"
        sys.path.insert(0, str(example))
        from app import OffHoursLogin

        passed, failures = run_cases(OffHoursLogin, example / "cases")
        self.assertEqual(failures, [])
        self.assertEqual(passed, 7)


if __name__ == "__main__":
    unittest.main()
