"""Re-importing an exported plan updates its tasks by their id instead of adding them again
(issue 11, point 4.5)."""

import datetime as dt
import io
import zoneinfo

import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from cchc.core import demo as core_demo
from cchc.core.models import Agency, AuditEntry, Unit
from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.plans import demo, excel
from cchc.plans.models import PlanTask
from cchc.plans.tests.factories import d, make_plan, make_task
from cchc.plans.tests.test_excel import upload

ID_COLUMN = [key for key, _h, _w in excel.COLUMNS].index("task_id")


def sheet_of(content: bytes):
    book = load_workbook(io.BytesIO(content))
    return book, book.active


def saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# A fixed day near the year's end: the demo's deadlines then straddle two years.
@time_machine.travel(
    dt.datetime(2026, 12, 30, 16, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")), tick=False
)
class DemoPlanReimportTests(PersonaTestCase):
    def setUp(self):
        core_demo.load()
        demo.load()
        self.agency_demo = Agency.objects.get(code="SKHCN")
        self.plan = self.agency_demo.reform_plans.order_by("-year").first()
        self.manager = make_user(
            "demo_focal",
            Unit.objects.filter(agency=self.agency_demo).first(),
            [Role.REFORM_FOCAL_POINT],
        )
        self.client.force_login(self.manager)
        self.export = reverse("plans:plan-export", args=[self.plan.pk])
        self.url = reverse("plans:plan-import", args=[self.plan.pk])

    def messages(self, response):
        return [str(m) for m in get_messages(response.wsgi_request)]

    def test_reimporting_the_export_changes_nothing_then_updates_and_adds_only_what_changed(self):
        count = self.plan.tasks.count()
        self.assertGreater(count, 10)
        content = self.client.get(self.export).content
        book, sheet = sheet_of(content)
        self.assertEqual(sheet.cell(row=3, column=ID_COLUMN + 1).value, "Mã nhiệm vụ")
        before = AuditEntry.objects.count()
        response = self.client.post(self.url, {"file": upload(content)})
        self.assertRedirects(response, reverse("plans:plan-detail", args=[self.plan.pk]))
        self.assertEqual(
            self.messages(response),
            [f"Đã nhập tệp: thêm 0, cập nhật 0, không đổi {count} nhiệm vụ."],
        )
        self.assertEqual(self.plan.tasks.count(), count)
        self.assertEqual(AuditEntry.objects.count(), before)

        first_id = sheet.cell(row=4, column=ID_COLUMN + 1).value
        sheet.cell(row=4, column=3, value="Nội dung đã sửa trong Excel")
        last = sheet.max_row
        new_row = [c.value for c in sheet[last]]
        new_row[2], new_row[ID_COLUMN] = "Nhiệm vụ mới thêm trong Excel", None
        sheet.append(new_row)
        response = self.client.post(self.url, {"file": upload(saved(book))})
        self.assertEqual(
            self.messages(response),
            [f"Đã nhập tệp: thêm 1, cập nhật 1, không đổi {count - 1} nhiệm vụ."],
        )
        self.assertEqual(self.plan.tasks.count(), count + 1)
        self.assertEqual(
            PlanTask.objects.get(pk=int(first_id)).content, "Nội dung đã sửa trong Excel"
        )
        self.assertTrue(self.plan.tasks.filter(content="Nhiệm vụ mới thêm trong Excel").exists())

    def test_the_api_reports_added_updated_unchanged(self):
        count = self.plan.tasks.count()
        content = self.client.get(self.export).content
        url = reverse("api:plans-task-import", args=[self.plan.pk])
        response = self.client.post(url, {"file": upload(content)})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            {k: response.json()[k] for k in ("added", "updated", "unchanged")},
            {"added": 0, "updated": 0, "unchanged": count},
        )


class ReimportErrorTests(PersonaTestCase):
    def setUp(self):
        self.plan = make_plan(self.agency, 2024)
        self.task = make_task(self.plan, self.unit_a, deadline=d(2024, 3, 1))
        self.other_plan = make_plan(self.agency, 2025)
        self.other_task = make_task(self.other_plan, self.unit_a, deadline=d(2025, 3, 1))
        foreign_plan = make_plan(self.other_agency, 2024)
        self.foreign_task = make_task(foreign_plan, self.other_unit, deadline=d(2024, 3, 1))
        self.url = reverse("plans:plan-import", args=[self.plan.pk])
        self.login_as("agency_leader")
        content = self.client.get(reverse("plans:plan-export", args=[self.plan.pk])).content
        self.book, self.sheet = sheet_of(content)

    def add_row(self, task_id, content="Việc"):
        row = [c.value for c in self.sheet[4]]
        row[2], row[ID_COLUMN] = content, task_id
        self.sheet.append(row)

    def test_ids_of_another_plan_or_agency_or_not_ids_are_refused_per_row_nothing_written(self):
        self.sheet.cell(row=4, column=3, value="Sửa nhưng không được lưu")
        self.add_row("")  # a new task: fine on its own
        self.add_row(self.other_task.pk)
        self.add_row(self.foreign_task.pk)
        self.add_row("abc")
        self.add_row(self.task.pk)  # the same task twice
        response = self.client.post(self.url, {"file": upload(saved(self.book))})
        self.assertEqual(response.status_code, 400)
        errors = response.context["errors"]
        self.assertEqual([row for row, _m in errors], [6, 7, 8, 9])
        self.assertIn(f"Mã nhiệm vụ “{self.other_task.pk}” không thuộc kế hoạch này", errors[0][1])
        self.assertIn(f"“{self.foreign_task.pk}” không thuộc kế hoạch này", errors[1][1])
        self.assertIn("“abc”", errors[2][1])
        self.assertIn("dòng 4", errors[3][1])
        self.task.refresh_from_db()
        self.other_task.refresh_from_db()
        self.assertEqual(self.task.content, "Nhiệm vụ số 1")
        self.assertEqual(self.other_task.plan, self.other_plan)
        self.assertEqual(PlanTask.objects.count(), 3)
        self.assertFalse(AuditEntry.objects.exists())

    def test_the_api_gives_row_errors_as_json(self):
        self.add_row(self.foreign_task.pk)
        response = self.client.post(
            reverse("api:plans-task-import", args=[self.plan.pk]),
            {"file": upload(saved(self.book))},
        )
        self.assertEqual(response.status_code, 400)
        error = response.json()["errors"][0]
        self.assertEqual(error["field"], "file")
        self.assertIn("Dòng 5", error["message"])
        self.assertIn("không thuộc kế hoạch này", error["message"])
        self.login_as("officer_a")
        response = self.client.post(
            reverse("api:plans-task-import", args=[self.plan.pk]),
            {"file": upload(saved(self.book))},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(PlanTask.objects.count(), 3)
