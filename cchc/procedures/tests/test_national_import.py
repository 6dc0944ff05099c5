"""Importing the national catalogue from LayDanhSachTTHC / LayThuTuc replies."""

import datetime as dt
import json
import tempfile
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import TestCase

from cchc.core.models import AuditEntry
from cchc.procedures.models import NationalProcedure
from cchc.procedures.national_services import national_catalogue_import

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN)
LATER = dt.datetime(2026, 3, 9, 9, 0, tzinfo=VN)


def record(code="1.004227.000.00.00.H56", name="Cấp giấy phép tiến hành công việc bức xạ", **more):
    return {
        "MATTHC": code,
        "TENTTHC": name,
        "LINHVUCTHUCHIEN": [{"MALINHVUC": "G08-ATBX", "TENLINHVUC": "An toàn bức xạ"}],
        "KETQUATHUCHIEN": [{"MAKETQUA": "KQ-001", "TENKETQUA": "Giấy phép"}],
        "TRANGTHAI": "1",
        "CACHTHUCTHUCHIEN": [{"KENH": "2", "THOIGIAN": [{"THOIGIANGIAIQUYET": "30"}]}],
        "THANHPHANHOSO": [{"GIAYTO": [{"MAGIAYTO": "GT01", "TENGIAYTO": "Đơn đề nghị"}]}],
        **more,
    }


def reply(*records, error_code=0):
    return {"error_code": error_code, "message": "", "result": list(records)}


class NationalImportTests(TestCase):
    def test_a_laythutuc_reply_creates_the_records_with_their_details(self):
        hidden = record("2.002249.000.00.00.H56", "Gia hạn giấy chứng nhận", TRANGTHAI="0")
        report = national_catalogue_import(reply=reply(record(), hidden), at=AT)

        self.assertEqual(report.created, ["1.004227.000.00.00.H56", "2.002249.000.00.00.H56"])
        self.assertEqual(report.rejected, [])
        first = NationalProcedure.objects.get(code="1.004227.000.00.00.H56")
        self.assertEqual(
            (first.name, first.field_code, first.field_name, first.result_code, first.public),
            (
                "Cấp giấy phép tiến hành công việc bức xạ",
                "G08-ATBX",
                "An toàn bức xạ",
                "KQ-001",
                True,
            ),
        )
        self.assertEqual(first.raw["THANHPHANHOSO"][0]["GIAYTO"][0]["TENGIAYTO"], "Đơn đề nghị")
        self.assertEqual(first.imported_at, AT)
        self.assertFalse(NationalProcedure.objects.get(code="2.002249.000.00.00.H56").public)
        self.assertEqual(AuditEntry.objects.filter(action="national_procedure.import").count(), 2)

    def test_importing_the_same_reply_again_changes_nothing(self):
        national_catalogue_import(reply=reply(record()), at=AT)
        report = national_catalogue_import(reply=reply(record()), at=LATER)

        self.assertEqual((report.created, report.updated), ([], []))
        self.assertEqual(report.unchanged, ["1.004227.000.00.00.H56"])
        self.assertEqual(NationalProcedure.objects.get().imported_at, AT)

    def test_a_list_reply_renames_and_keeps_the_details_of_a_laythutuc_record(self):
        national_catalogue_import(reply=reply(record()), at=AT)
        short = {"MATTHC": "1.004227.000.00.00.H56", "TENTTHC": "Cấp giấy phép bức xạ (mới)"}
        report = national_catalogue_import(reply=reply(short), at=LATER)

        self.assertEqual(report.updated, ["1.004227.000.00.00.H56"])
        found = NationalProcedure.objects.get()
        self.assertEqual((found.name, found.field_code), ("Cấp giấy phép bức xạ (mới)", "G08-ATBX"))
        self.assertIn("THANHPHANHOSO", found.raw)
        self.assertEqual(found.imported_at, LATER)

    def test_a_malformed_reply_writes_nothing(self):
        malformed = [
            ["not", "an", "envelope"],
            {"result": [record()]},
            reply(record(), error_code=-1),
            {"error_code": 0, "result": {"MATTHC": "1.004227"}},
            {"error_code": 0, "result": [record(), "1.004228"]},
            {"error_code": "0", "result": []},
        ]
        for bad in malformed:
            with self.subTest(bad=bad), self.assertRaises(ValidationError) as caught:
                national_catalogue_import(reply=bad, at=AT)
            self.assertTrue(caught.exception.messages[0])
        self.assertFalse(NationalProcedure.objects.exists())
        self.assertFalse(AuditEntry.objects.exists())

    def test_bad_rows_are_rejected_with_reasons_and_the_others_imported(self):
        report = national_catalogue_import(
            reply=reply(
                record(),
                record(code=""),
                record(code="1.004 227"),
                record(code="1.004228.000.00.00.H56", name=""),
                record(LINHVUCTHUCHIEN="G08"),
                record(),
            ),
            at=AT,
        )

        self.assertEqual(report.created, ["1.004227.000.00.00.H56"])
        reasons = {number: reason for number, _code, reason in report.rejected}
        self.assertEqual(set(reasons), {2, 3, 4, 5, 6})
        self.assertIn("Thiếu mã thủ tục", reasons[2])
        self.assertIn("không đúng định dạng", reasons[3])
        self.assertIn("Thiếu tên thủ tục", reasons[4])
        self.assertIn("LINHVUCTHUCHIEN", reasons[5])
        self.assertIn("bị lặp", reasons[6])
        self.assertEqual(NationalProcedure.objects.count(), 1)


class ImportCommandTests(TestCase):
    def write(self, folder, content) -> Path:
        path = Path(folder) / "catalogue.json"
        path.write_text(content, encoding="utf-8")
        return path

    def test_the_command_imports_a_file(self):
        with tempfile.TemporaryDirectory() as folder:
            path = self.write(folder, json.dumps(reply(record()), ensure_ascii=False))
            out = StringIO()
            call_command("import_national_catalogue", file=path, stdout=out)
            call_command("import_national_catalogue", file=path, stdout=out)

        self.assertEqual(NationalProcedure.objects.get().field_code, "G08-ATBX")
        self.assertIn("Thêm mới 1", out.getvalue())
        self.assertIn("không đổi 1", out.getvalue())

    def test_the_command_refuses_a_broken_file_with_a_clear_message(self):
        with tempfile.TemporaryDirectory() as folder:
            not_json = self.write(folder, "{error_code: 0")
            with self.assertRaisesMessage(CommandError, "không phải JSON"):
                call_command("import_national_catalogue", file=not_json, stdout=StringIO())
            failed = self.write(folder, json.dumps({"error_code": 1, "message": "Sai phiên"}))
            with self.assertRaisesMessage(CommandError, "Sai phiên"):
                call_command("import_national_catalogue", file=failed, stdout=StringIO())
            with self.assertRaisesMessage(CommandError, "Không đọc được"):
                call_command(
                    "import_national_catalogue", file=Path(folder) / "x.json", stdout=StringIO()
                )
        self.assertFalse(NationalProcedure.objects.exists())

    def test_the_shipped_demo_catalogue_imports_cleanly(self):
        from cchc.procedures.demo import NATIONAL_CATALOGUE

        data = json.loads(NATIONAL_CATALOGUE.read_text(encoding="utf-8"))
        self.assertIn("minh họa", data["_note"])
        report = national_catalogue_import(reply=data, at=AT)
        self.assertEqual((len(report.created), report.rejected), (24, []))
        self.assertTrue(all(n.field_code for n in NationalProcedure.objects.all()))
