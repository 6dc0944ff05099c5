import io

from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cchc.core.testing import PersonaTestCase
from cchc.plans import excel, selectors
from cchc.plans.models import PlanTask
from cchc.plans.tests.factories import d, make_plan, make_task

HEADERS = [h for _k, h, _w in excel.COLUMNS]


def workbook(rows, headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2024"])
    sheet.append([])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(data, name="ke-hoach.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


class ExcelTests(PersonaTestCase):
    def setUp(self):
        self.plan = make_plan(self.agency, 2024)
        task = make_task(
            self.plan,
            self.unit_a,
            deadline=d(2024, 3, 1),
            status="done",
            completed_on=d(2024, 2, 20),
        )
        task.co_units.set([self.unit_b])
        make_task(
            self.plan,
            self.unit_b,
            deadline=d(2024, 9, 30),
            field="7",
            progress=30,
            status="in_progress",
        )
        self.url = reverse("plans:plan-import", args=[self.plan.pk])

    def test_export_has_one_row_per_task_and_imports_back_the_same_tasks(self):
        self.login_as("officer_b")
        response = self.client.get(reverse("plans:plan-export", args=[self.plan.pk]))
        sheet = load_workbook(io.BytesIO(response.content)).active
        self.assertEqual([c.value for c in sheet[3]], HEADERS)
        rows = list(sheet.iter_rows(min_row=4, values_only=True))
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[0][3:5], ("A", "B"))
        target = make_plan(self.agency, 2025)
        self.login_as("agency_leader")
        # Into another plan, the ids of this plan's tasks are refused: the rows become new
        # tasks once the "Mã nhiệm vụ" column is emptied.
        url = reverse("plans:plan-import", args=[target.pk])
        self.assertEqual(self.client.post(url, {"file": upload(response.content)}).status_code, 400)
        book = load_workbook(io.BytesIO(response.content))
        id_column = [k for k, _h, _w in excel.COLUMNS].index("task_id") + 1
        for row in range(4, book.active.max_row + 1):
            book.active.cell(row=row, column=id_column).value = None
        copied = io.BytesIO()
        book.save(copied)
        self.client.post(url, {"file": upload(copied.getvalue())})
        imported = list(selectors.plan_tasks(target))
        original = list(selectors.plan_tasks(self.plan))
        self.assertEqual(len(imported), 2)
        for a, b in zip(original, imported, strict=True):
            self.assertEqual(
                (
                    a.field,
                    a.content,
                    a.lead_unit_id,
                    a.deadline,
                    a.status,
                    a.progress,
                    a.completed_on,
                ),
                (
                    b.field,
                    b.content,
                    b.lead_unit_id,
                    b.deadline,
                    b.status,
                    b.progress,
                    b.completed_on,
                ),
            )
            self.assertEqual(list(a.co_units.all()), list(b.co_units.all()))

    def test_a_bad_file_is_refused_row_by_row_and_nothing_is_imported(self):
        data = workbook(
            [
                [1, "3", "Nhiệm vụ tốt", "A", "", "15/03/2024", "", "", 0, None],
                [2, "9", "Lĩnh vực sai", "A", "", "15/03/2024", "", "", 0, None],
                [3, "1", "Ngày sai", "A", "", "31/02/2024", "", "", 0, None],
                [4, "1", "Đơn vị sai", "KHONGCO", "B, XYZ", "2024-03-15", "", "", 0, None],
                [5, "1", "", "A", "", "15/03/2024", "", "Hoàn thành", 0, None],
            ]
        )
        self.login_as("agency_leader")
        before = PlanTask.objects.count()
        response = self.client.post(self.url, {"file": upload(data)})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(PlanTask.objects.count(), before)
        errors = response.context["errors"]
        self.assertEqual([row for row, _m in errors], [5, 6, 7, 8])
        self.assertIn("Lĩnh vực “9”", errors[0][1])
        self.assertIn("“31/02/2024”", errors[1][1])
        self.assertIn("“KHONGCO”", errors[2][1])
        self.assertIn("“XYZ”", errors[2][1])
        self.assertIn("Thiếu nội dung", errors[3][1])
        self.assertContains(response, "chưa nhập nhiệm vụ nào", status_code=400)

    def test_missing_columns_and_non_excel_files_are_refused(self):
        self.login_as("agency_leader")
        data = workbook(
            [[1, "Nội dung", "A"]], headers=["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì"]
        )
        response = self.client.post(self.url, {"file": upload(data)})
        self.assertContains(response, "Thiếu cột bắt buộc", status_code=400)
        self.assertContains(response, "Thời hạn", status_code=400)
        response = self.client.post(self.url, {"file": upload(b"not a workbook", "x.xlsx")})
        self.assertContains(response, "không phải bảng tính", status_code=400)
        self.assertEqual(PlanTask.objects.count(), 2)

    def test_a_good_file_adds_its_tasks_accepting_unit_names_and_field_names(self):
        data = workbook(
            [
                [
                    1,
                    "Cải cách thể chế",
                    "Rà soát văn bản",
                    "Phòng B",
                    "A",
                    "15/03/2024",
                    "Danh mục",
                    "Đang thực hiện",
                    "40%",
                    None,
                ]
            ]
        )
        self.login_as("agency_leader")
        response = self.client.post(self.url, {"file": upload(data)})
        self.assertRedirects(response, reverse("plans:plan-detail", args=[self.plan.pk]))
        task = PlanTask.objects.get(content="Rà soát văn bản")
        self.assertEqual(
            (task.field, task.lead_unit, task.status, task.progress),
            ("2", self.unit_b, "in_progress", 40),
        )

    def test_only_agency_wide_roles_import(self):
        self.login_as("leader_a")
        response = self.client.post(self.url, {"file": upload(workbook([]))})
        self.assertEqual(response.status_code, 404)

    def test_impossible_progress_and_dates_far_from_the_plan_year_are_refused_row_by_row(self):
        data = workbook(
            [
                [1, "1", "Tiến độ vô cực", "A", "", "15/03/2024", "", "", "inf", None],
                [2, "1", "Tiến độ quá lớn", "A", "", "15/03/2024", "", "", "1e400", None],
                [3, "1", "Năm 9999", "A", "", "31/12/9999", "", "", 0, None],
                [4, "1", "Năm 1", "A", "", "01/01/0001", "", "", 0, None],
                [5, "1", "Năm sau vẫn được", "A", "", "31/03/2025", "", "", 0, None],
            ]
        )
        self.login_as("agency_leader")
        response = self.client.post(self.url, {"file": upload(data)})
        self.assertEqual(response.status_code, 400)
        errors = response.context["errors"]
        self.assertEqual([row for row, _m in errors], [4, 5, 6, 7])
        self.assertIn("“inf”", errors[0][1])
        self.assertIn("ngoài các năm 2023-2025", errors[2][1])
        self.assertEqual(PlanTask.objects.count(), 2)

    def test_a_file_over_the_size_limit_is_refused_before_it_is_read(self):
        self.login_as("agency_leader")
        big = upload(b"PK" + b"\0" * (5 * 1024 * 1024), "lon.xlsx")
        response = self.client.post(self.url, {"file": big})
        self.assertContains(response, "lớn hơn 5 MB", status_code=400)
        self.assertEqual(PlanTask.objects.count(), 2)

    def test_a_sheet_longer_than_the_row_limit_is_refused(self):
        rows = [[i, "1", f"NV {i}", "A", "", "15/03/2024"] for i in range(excel.MAX_ROWS + 1)]
        self.login_as("agency_leader")
        response = self.client.post(self.url, {"file": upload(workbook(rows))})
        self.assertContains(response, "Quá 2000 dòng", status_code=400)
        self.assertEqual(PlanTask.objects.count(), 2)

    def test_a_task_that_looks_like_a_formula_is_exported_as_text(self):
        formula = '=HYPERLINK("http://evil.example","Bấm")'
        PlanTask.objects.filter(plan=self.plan, order=1).update(content=formula)
        self.login_as("officer_a")
        response = self.client.get(reverse("plans:plan-export", args=[self.plan.pk]))
        cell = load_workbook(io.BytesIO(response.content)).active.cell(row=4, column=3)
        self.assertEqual((cell.value, cell.data_type), (formula, "s"))
        from cchc.core.tests.test_excel import assert_kept_as_text

        PlanTask.objects.filter(plan=self.plan, order=2).update(expected_output="@SUM(A1)")
        response = self.client.get(reverse("plans:plan-export", args=[self.plan.pk]))
        assert_kept_as_text(self, response.content, formula)
        assert_kept_as_text(self, response.content, "@SUM(A1)")

    def test_a_completion_date_after_today_is_refused(self):
        data = workbook(
            [[1, "1", "Xong sớm", "A", "", "15/03/2024", "", "Hoàn thành", 100, "31/12/2099"]]
        )
        self.login_as("agency_leader")
        response = self.client.post(self.url, {"file": upload(data)})
        self.assertContains(response, "31/12/2099 sau hôm nay", status_code=400)
        self.assertEqual(PlanTask.objects.count(), 2)

    def test_a_workbook_with_a_damaged_sheet_is_refused_not_a_server_error(self):
        import zipfile

        original = zipfile.ZipFile(io.BytesIO(workbook([[1, "1", "NV", "A", "", "15/03/2024"]])))
        damaged = io.BytesIO()
        with zipfile.ZipFile(damaged, "w") as out:
            for item in original.infolist():
                data = original.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    data = data[: len(data) // 2]
                out.writestr(item, data)
        self.login_as("agency_leader")
        response = self.client.post(self.url, {"file": upload(damaged.getvalue())})
        self.assertContains(response, "không phải bảng tính", status_code=400)
        self.assertEqual(PlanTask.objects.count(), 2)
