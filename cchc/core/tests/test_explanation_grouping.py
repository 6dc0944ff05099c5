"""The due-date explanation as pages show it: skipped days grouped, the stored steps untouched."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase

from cchc.core.workcalendar import WorkingCalendar, day_ranges, group_explanation

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, hh=9) -> dt.datetime:
    return dt.datetime(y, m, d, hh, 0, tzinfo=VN)


def steps(due) -> list[dict]:
    return [s.as_dict() for s in due.explanation]


class GroupingTests(SimpleTestCase):
    def setUp(self):
        self.cal = WorkingCalendar(overrides={})

    def texts(self, entries):
        return [line["text"] for line in group_explanation(entries)]

    def test_weekend_pairs_and_a_holiday_become_one_line(self):
        stored = steps(self.cal.add_working_days(at(2026, 11, 13), 7))
        self.assertEqual(sum(e["kind"] == "skip" for e in stored), 5)
        self.assertEqual(
            self.texts(stored),
            [
                "Bắt đầu: 09:00 thứ Sáu 13/11/2026",
                "Bỏ qua 4 ngày cuối tuần: 14-15/11, 21-22/11; Ngày Văn hóa Việt Nam 24/11",
                "Hạn: 09:00 thứ Tư 25/11/2026 (7 ngày làm việc)",
            ],
        )

    def test_a_single_sunday(self):
        # Four calendar days from Wednesday end on a Sunday: the due day moves to Monday.
        stored = steps(self.cal.add_calendar_days(at(2026, 11, 11), 4))
        lines = group_explanation(stored)
        self.assertIn(
            {"kind": "skipped", "text": "Bỏ qua 1 ngày cuối tuần: 15/11"},
            lines,
        )
        self.assertEqual(lines[-1]["text"], "Hạn: hết ngày thứ Hai 16/11/2026")

    def test_a_holiday_inside_a_weekend_is_named_with_its_day_in_lieu(self):
        stored = steps(self.cal.add_working_days(at(2026, 4, 24), 2))
        self.assertIn(
            "Bỏ qua 1 ngày cuối tuần: 25/04; Ngày Giỗ Tổ Hùng Vương 26/04; "
            "Ngày Giỗ Tổ Hùng Vương (nghỉ bù) 27/04",
            self.texts(stored),
        )

    def test_a_weekend_across_two_months(self):
        stored = steps(self.cal.add_working_days(at(2026, 10, 30), 1))
        self.assertIn("Bỏ qua 2 ngày cuối tuần: 31/10-01/11", self.texts(stored))

    def test_days_off_across_the_new_year(self):
        cal = WorkingCalendar(
            overrides={
                dt.date(2026, 12, 31): (False, "Cơ quan nghỉ theo quyết định 12/QĐ"),
                dt.date(2027, 1, 1): (False, "Cơ quan nghỉ theo quyết định 12/QĐ"),
            }
        )
        stored = steps(cal.add_working_days(at(2026, 12, 30), 1))
        self.assertIn(
            "Bỏ qua 2 ngày cuối tuần: 02-03/01; Cơ quan nghỉ theo quyết định 12/QĐ 31/12-01/01",
            self.texts(stored),
        )
        self.assertEqual(day_ranges([dt.date(2027, 1, 1), dt.date(2026, 12, 31)]), "31/12-01/01")

    def test_a_make_up_working_day_is_named(self):
        stored = steps(self.cal.add_working_days(at(2026, 8, 21), 3))
        self.assertEqual(
            self.texts(stored)[1:3],
            [
                "Bỏ qua 1 ngày cuối tuần: 23/08",
                "Tính là ngày làm việc: 22/08 (làm bù, ngày nghỉ chuyển sang thứ Hai 31/08/2026)",
            ],
        )

    def test_no_skipped_day_leaves_the_steps_as_stored(self):
        stored = steps(self.cal.add_working_days(at(2026, 11, 16), 2))
        self.assertEqual([e["kind"] for e in stored], ["start", "due"])
        self.assertEqual(
            group_explanation(stored), [{"kind": e["kind"], "text": e["text"]} for e in stored]
        )
        self.assertEqual(group_explanation([]), [])

    def test_steps_around_the_days_keep_their_order_and_the_record_is_untouched(self):
        pause = {"date": None, "kind": "pause", "text": "Tạm dừng chờ bổ sung"}
        stored = [pause, *steps(self.cal.add_working_days(at(2026, 11, 13), 2))]
        before = [dict(e) for e in stored]
        self.assertEqual(
            [line["kind"] for line in group_explanation(stored)],
            ["pause", "start", "skipped", "due"],
        )
        self.assertEqual(stored, before)

    def test_ranges(self):
        days = [dt.date(2026, 11, d) for d in (22, 14, 15, 21, 24, 15)]
        self.assertEqual(day_ranges(days), "14-15/11, 21-22/11, 24/11")
        self.assertEqual(day_ranges([dt.date(2026, 11, 5)]), "05/11")
        self.assertEqual(day_ranges([]), "")
