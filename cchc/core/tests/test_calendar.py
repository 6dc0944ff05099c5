import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.test import TestCase

from cchc.core.models import CalendarOverride
from cchc.core.workcalendar import (
    CalendarError,
    WorkingCalendar,
    add_calendar_days,
    add_working_days,
    working_days_between,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, hh=0, mm=0, ss=0):
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=VN)


def skipped_dates(result):
    return [s.date for s in result.skipped]


class WorkingDaysTests(TestCase):
    def test_it_skips_tet_2025_and_the_weekends_around_it(self):
        result = add_working_days(at(2025, 1, 24, 10), 5)
        self.assertEqual(result.due, at(2025, 2, 7, 10))
        self.assertEqual(
            skipped_dates(result), [dt.date(2025, 1, 25) + dt.timedelta(days=i) for i in range(9)]
        )
        texts = " ".join(s.text for s in result.explanation)
        self.assertIn("Tết Nguyên Đán", texts)
        self.assertIn("ngày nghỉ cuối tuần", texts)

    def test_it_skips_tet_2026(self):
        result = add_working_days(at(2026, 2, 13, 9), 3)
        self.assertEqual(result.due, at(2026, 2, 25, 9))
        self.assertIn(dt.date(2026, 2, 17), skipped_dates(result))
        self.assertIn(dt.date(2026, 2, 20), skipped_dates(result))

    def test_it_skips_hung_kings_day(self):
        result = add_working_days(at(2025, 4, 4, 8), 1)
        self.assertEqual(result.due, at(2025, 4, 8, 8))
        self.assertIn("Giỗ Tổ Hùng Vương", result.skipped[-1].text)

    def test_it_skips_national_day_and_its_adjacent_day(self):
        result = add_working_days(at(2025, 8, 29, 14), 1)
        self.assertEqual(result.due, at(2025, 9, 3, 14))
        self.assertEqual(
            skipped_dates(result),
            [dt.date(2025, 8, 30), dt.date(2025, 8, 31), dt.date(2025, 9, 1), dt.date(2025, 9, 2)],
        )

    def test_a_holiday_on_a_weekend_gives_the_next_working_day_off(self):
        # Hùng Kings' day 2026 is a Sunday: Monday 27/04 is the day off in lieu.
        result = add_working_days(at(2026, 4, 24, 10), 1)
        self.assertEqual(result.due, at(2026, 4, 28, 10))
        self.assertIn(dt.date(2026, 4, 27), skipped_dates(result))

    def test_an_override_can_add_a_day_off(self):
        CalendarOverride.objects.create(
            date=dt.date(2026, 3, 10),
            is_working_day=False,
            reason="Nghỉ theo quyết định của UBND tỉnh",
        )
        result = add_working_days(at(2026, 3, 9, 10), 1)
        self.assertEqual(result.due, at(2026, 3, 11, 10))
        self.assertIn("Nghỉ theo quyết định của UBND tỉnh", result.skipped[0].text)

    def test_an_override_can_make_a_saturday_a_working_day(self):
        CalendarOverride.objects.create(
            date=dt.date(2026, 3, 14), is_working_day=True, reason="Làm bù theo quyết định của tỉnh"
        )
        result = add_working_days(at(2026, 3, 13, 10), 1)
        self.assertEqual(result.due, at(2026, 3, 14, 10))
        self.assertEqual([s.kind for s in result.explanation].count("working_override"), 1)

    def test_without_the_override_that_saturday_is_skipped(self):
        self.assertEqual(add_working_days(at(2026, 3, 13, 10), 1).due, at(2026, 3, 16, 10))

    def test_a_make_up_saturday_the_package_knows_is_a_working_day(self):
        # holidays: the day off of 22/08/2026 (a Saturday) moved to Monday 31/08/2026.
        result = add_working_days(at(2026, 8, 21, 8), 1)
        self.assertEqual(result.due, at(2026, 8, 22, 8))
        makeup = [s for s in result.explanation if s.kind == "working_makeup"]
        self.assertEqual([s.date for s in makeup], [dt.date(2026, 8, 22)])
        self.assertIn("thứ Bảy 22/08/2026", makeup[0].text)
        self.assertIn("làm bù", makeup[0].text)
        self.assertIn("thứ Hai 31/08/2026", makeup[0].text)
        self.assertIn(dt.date(2026, 8, 31), skipped_dates(add_working_days(at(2026, 8, 28, 8), 1)))

    def test_a_make_up_saturday_across_the_new_year_names_its_day_off(self):
        # Saturday 05/01/2019 was worked for Monday 31/12/2018.
        result = add_working_days(at(2019, 1, 4, 8), 1)
        self.assertEqual(result.due, at(2019, 1, 5, 8))
        self.assertIn("thứ Hai 31/12/2018", result.explanation[-2].text)

    def test_the_agency_override_comes_before_the_package(self):
        CalendarOverride.objects.create(
            date=dt.date(2026, 8, 22), is_working_day=False, reason="Nghỉ theo quyết định riêng"
        )
        result = add_working_days(at(2026, 8, 21, 8), 1)
        self.assertEqual(result.due, at(2026, 8, 24, 8))
        self.assertIn("Nghỉ theo quyết định riêng", result.skipped[0].text)

    def test_half_a_day_is_half_of_the_office_hours(self):
        self.assertEqual(
            add_working_days(at(2026, 3, 2, 9), Decimal("0.5")).due, at(2026, 3, 2, 14, 30)
        )
        self.assertEqual(
            add_working_days(at(2026, 3, 2, 9), Decimal("2.5")).due, at(2026, 3, 4, 14, 30)
        )

    def test_a_start_after_hours_counts_from_the_next_opening(self):
        result = add_working_days(at(2026, 3, 6, 18), 1)  # Friday evening
        self.assertEqual(result.due, at(2026, 3, 9, 17))  # all of Monday's office hours
        self.assertIn(
            "tính từ 07:30 thứ Hai 09/03/2026", " ".join(s.text for s in result.explanation)
        )

    def test_a_start_at_lunch_counts_from_the_afternoon(self):
        self.assertEqual(add_working_days(at(2026, 3, 2, 12), 1).due, at(2026, 3, 3, 13))

    def test_zero_days_is_the_start(self):
        self.assertEqual(add_working_days(at(2026, 3, 2, 9), 0).due, at(2026, 3, 2, 9))

    def test_it_refuses_bad_periods(self):
        for bad in (-1, Decimal("2.3"), 3651, "abc", "NaN"):
            with self.subTest(days=bad), self.assertRaises(CalendarError):
                add_working_days(at(2026, 3, 2, 9), bad)


class CalendarDaysTests(TestCase):
    def test_a_period_ending_on_a_sunday_ends_at_the_end_of_monday(self):
        result = add_calendar_days(at(2026, 3, 2, 9), 6)  # last day Sunday 08/03
        self.assertEqual(result.due, at(2026, 3, 9, 23, 59, 59))
        self.assertEqual(skipped_dates(result), [dt.date(2026, 3, 8)])

    def test_a_period_ending_on_a_working_day_ends_that_day(self):
        result = add_calendar_days(at(2026, 3, 2, 9), 4)
        self.assertEqual(result.due, at(2026, 3, 6, 23, 59, 59))
        self.assertEqual(result.skipped, [])

    def test_a_period_ending_in_tet_ends_after_it(self):
        result = add_calendar_days(at(2026, 2, 1, 9), 15)  # last day 16/02, Tết until 22/02
        self.assertEqual(result.due, at(2026, 2, 23, 23, 59, 59))

    def test_a_period_ending_on_a_make_up_saturday_ends_that_day(self):
        result = add_calendar_days(at(2026, 8, 15, 9), 7)  # last day Saturday 22/08, worked
        self.assertEqual(result.due, at(2026, 8, 22, 23, 59, 59))
        self.assertEqual(result.skipped, [])

    def test_next_working_day_is_the_day_itself_or_the_first_one_after(self):
        cal = WorkingCalendar(overrides={})
        self.assertEqual(cal.next_working_day(dt.date(2026, 8, 22)), dt.date(2026, 8, 22))
        self.assertEqual(cal.next_working_day(dt.date(2026, 8, 29)), dt.date(2026, 9, 3))
        steps = []
        cal.next_working_day(dt.date(2026, 8, 29), steps)
        self.assertEqual(
            [s.date for s in steps], [dt.date(2026, 8, 29) + dt.timedelta(days=i) for i in range(5)]
        )

    def test_next_working_day_gives_up_on_a_calendar_without_working_days(self):
        days_off = {dt.date(2026, 1, 1) + dt.timedelta(days=i): (False, "x") for i in range(800)}
        with self.assertRaises(CalendarError):
            WorkingCalendar(overrides=days_off).next_working_day(dt.date(2026, 1, 1))

    def test_calendar_days_must_be_whole(self):
        with self.assertRaises(CalendarError):
            add_calendar_days(at(2026, 3, 2, 9), Decimal("1.5"))


class BetweenTests(TestCase):
    def test_it_counts_office_time_in_days(self):
        self.assertEqual(
            working_days_between(at(2026, 3, 2, 8), at(2026, 3, 4, 8)).days, Decimal("2.00")
        )

    def test_it_skips_weekends(self):
        self.assertEqual(
            working_days_between(at(2026, 3, 6, 8), at(2026, 3, 9, 8)).days, Decimal("1.00")
        )

    def test_it_is_negative_backwards(self):
        self.assertEqual(
            working_days_between(at(2026, 3, 4, 8), at(2026, 3, 2, 8)).days, Decimal("-2.00")
        )

    def test_it_agrees_with_add_working_days(self):
        start = at(2025, 1, 22, 9, 15)
        due = add_working_days(start, Decimal("7.5")).due
        self.assertEqual(working_days_between(start, due).days, Decimal("7.50"))
