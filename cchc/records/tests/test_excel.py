import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cchc.core.models import AuditEntry
from cchc.core.testing import PersonaTestCase
from cchc.records import excel
from cchc.records import models as m
from cchc.records.kinds import BY_SLUG
from cchc.records.tests import factories as f

STAFFING = BY_SLUG["bien-che"]


def book(kind, rows, headers=None) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.append(headers or [excel.header(kind, n) for n in kind.excel_fields])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(data, name="so-lieu.xlsx"):
    return SimpleUploadedFile(name, data)


class ExcelImportTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()

    def post(self, data, slug="bien-che"):
        return self.client.post(reverse("records:import", args=[slug]), {"file": upload(data)})

    def test_the_template_has_the_vietnamese_headers(self):
        self.login_as("officer_a")
        response = self.client.get(reverse("records:template", args=["bien-che"]))
        sheet = load_workbook(io.BytesIO(response.content)).active
        headers = [c.value for c in sheet[1]]
        self.assertIn("Biên chế được giao", headers)
        self.assertIn("Đơn vị (mã hoặc tên)", headers)

    def test_a_good_file_writes_every_row_and_is_audited_once(self):
        existing = f.staffing(self.unit_a, 2025, quota=10, headcount=9)
        self.login_as("agency_leader")
        data = book(
            STAFFING,
            [
                # unit, year, decision, decided on, quota, headcount, deputies
                ["A", 2025, "20/QĐ", "15/01/2025", 12, 11, 2],  # updates unit A 2025
                ["Phòng B", 2025, "21/QĐ", dt.datetime(2025, 1, 16), "8", 9, 1],
                ["B", 2026, "", "", 8, 8, 1],
            ],
        )
        response = self.post(data)
        self.assertEqual(response.status_code, 302)
        existing.refresh_from_db()
        self.assertEqual((existing.staffing_quota, existing.functions_decision), (12, "20/QĐ"))
        b = m.UnitStaffing.objects.get(unit=self.unit_b, year=2025)
        self.assertEqual((b.functions_decided_on, b.headcount), (dt.date(2025, 1, 16), 9))
        self.assertEqual(m.UnitStaffing.objects.filter(agency=self.agency).count(), 3)
        audits = AuditEntry.objects.filter(action="bien_che_import", agency=self.agency)
        self.assertEqual(audits.count(), 1)
        self.assertIn("thêm 2, cập nhật 1", audits.get().reason)

    def test_a_column_left_out_keeps_the_stored_value_on_update(self):
        existing = f.staffing(self.unit_a, 2025, quota=10, headcount=9, deputies=2)
        self.login_as("agency_leader")
        headers = ["Đơn vị (mã hoặc tên)", "Năm", "Số có mặt"]
        self.assertEqual(
            self.post(book(STAFFING, [["A", 2025, 8]], headers=headers)).status_code, 302
        )
        existing.refresh_from_db()
        self.assertEqual(
            (
                existing.headcount,
                existing.staffing_quota,
                existing.deputy_heads,
                existing.functions_decision,
            ),
            (8, 10, 2, "12/QĐ-SKHCN"),
        )

    def test_one_bad_row_writes_nothing_and_the_report_names_that_row(self):
        self.login_as("agency_leader")
        data = book(
            STAFFING,
            [
                ["A", 2025, "", "", 12, 11, 2],
                ["B", 2025, "", "", 8, 9, 1],
                ["A", 2026, "", "", -3, 9, 1],  # row 4
                ["X", 2026, "", "32/13/2026", 1, 1, 1],  # row 5
            ],
        )
        response = self.post(data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "Dòng 4: Biên chế được giao phải là số nguyên không âm.", status_code=400
        )
        self.assertContains(response, "Dòng 5:", status_code=400)
        self.assertContains(response, "Không có đơn vị “X” trong cơ quan", status_code=400)
        self.assertFalse(m.UnitStaffing.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(action="bien_che_import").exists())

    def test_a_row_breaking_a_constraint_or_repeating_a_key_is_reported(self):
        self.login_as("agency_leader")
        data = book(
            BY_SLUG["chinh-phu-so"],
            [
                # unit, month, staff, e-mail, out e/paper, in e/paper, signed, reusing
                ["A", "01/2026", 10, 11, 5, 0, 5, 0, 5, 0],  # e-mail > staff
                ["A", "02/2026", 10, 10, 5, 0, 5, 0, 5, 0],
                ["A", dt.datetime(2026, 2, 1), 10, 10, 5, 0, 5, 0, 5, 0],  # same month
            ],
        )
        response = self.post(data, "chinh-phu-so")
        self.assertContains(response, "Dòng 2:", status_code=400)
        self.assertContains(response, "không được vượt tổng số CCVC", status_code=400)
        self.assertContains(response, "Dòng 4: Trùng với dòng 3.", status_code=400)
        self.assertFalse(m.DigitalMonth.objects.exists())

    def test_bad_files_get_a_clear_message(self):
        self.login_as("agency_leader")
        for data, message in [
            (b"not a spreadsheet", "Tệp không phải bảng tính Excel (.xlsx) đọc được."),
            (book(STAFFING, [], headers=["Cột lạ", "Khác"]), "Không tìm thấy dòng tiêu đề"),
            (book(STAFFING, []), "Tệp không có dòng số liệu nào."),
            (
                book(STAFFING, [["A", 1]], headers=["Đơn vị", "Biên chế được giao"]),
                "Thiếu cột bắt buộc: “Năm”.",
            ),
        ]:
            response = self.post(data)
            self.assertContains(response, message, status_code=400)
        self.assertFalse(m.UnitStaffing.objects.exists())

    def test_only_managers_may_import_and_only_into_their_own_agency(self):
        data = book(STAFFING, [["A", 2025, "", "", 12, 11, 2]])
        self.login_as("officer_a")
        self.assertEqual(self.post(data).status_code, 404)
        self.assertFalse(m.UnitStaffing.objects.exists())
        # the other agency's manager: the rows go to its own agency ("A" is its own unit)
        self.login_as("outsider_chief")
        self.assertEqual(self.post(data).status_code, 302)
        self.assertEqual(
            list(m.UnitStaffing.objects.values_list("agency_id", "unit_id")),
            [(self.other_agency.pk, self.other_unit.pk)],
        )
