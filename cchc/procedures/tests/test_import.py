from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import TestCase

from cchc.procedures.demo import CATALOGUE
from cchc.procedures.models import Procedure
from cchc.procedures.services import (
    parse_fee,
    procedure_set_steps,
    procedure_update,
    procedures_import,
)


class FeeParsingTests(TestCase):
    def test_it_reads_the_fee_rules_of_the_catalogue(self):
        fee = parse_fee("0,1% giá trị hợp đồng; tối thiểu 5.000.000 đ, tối đa 10.000.000 đ")
        self.assertEqual(
            (fee.kind, fee.percent, fee.minimum, fee.maximum),
            ("percentage", Decimal("0.1"), Decimal(5000000), Decimal(10000000)),
        )
        self.assertEqual(fee.base, "giá trị hợp đồng")
        self.assertEqual(parse_fee("Không").kind, "free")
        self.assertEqual(parse_fee("500.000 đ").amount, Decimal(500000))
        self.assertEqual(parse_fee("").kind, "unknown")
        self.assertEqual(parse_fee("Theo quy định của Bộ Tài chính").kind, "text")

    def test_a_percentage_fee_is_clamped(self):
        p = Procedure(
            fee_kind="percentage",
            fee_percent=Decimal("0.1"),
            fee_min=Decimal(5000000),
            fee_max=Decimal(10000000),
        )
        self.assertEqual(p.fee_for(Decimal(20000000000)), Decimal(10000000))
        self.assertEqual(p.fee_for(Decimal(100000)), Decimal(5000000))
        self.assertEqual(p.fee_for(Decimal(7000000000)), Decimal(7000000))


class ImportTests(TestCase):
    def test_it_imports_the_reference_catalogue_and_keeps_blanks_unknown(self):
        out = StringIO()
        call_command("import_procedures", str(CATALOGUE), stdout=out, stderr=StringIO())
        self.assertIn("Thêm mới 19", out.getvalue())
        transfer = Procedure.objects.get(code="2.002248")
        self.assertEqual(
            (transfer.time, transfer.time_unit, transfer.fee_kind),
            (Decimal(5), "working_days", "percentage"),
        )
        self.assertEqual(
            transfer.fee_text, "0,1% giá trị hợp đồng; tối thiểu 5.000.000 đ, tối đa 10.000.000 đ"
        )
        self.assertEqual(transfer.legal_bases.count(), 3)
        unknown = Procedure.objects.get(code="2.002253")
        self.assertIsNone(unknown.time)
        self.assertFalse(unknown.accepts_dossiers)
        self.assertEqual(Procedure.objects.get(code="1.014438").fee_kind, "free")
        # Importing again changes nothing.
        report = procedures_import(path=CATALOGUE)
        self.assertEqual((report.created, report.unchanged, Procedure.objects.count()), (0, 19, 19))

    def test_bad_rows_are_reported_by_line_and_skipped(self):
        path = Path(self.id().replace(".", "_") + ".csv")
        path = Path("/tmp") / path
        path.write_text(
            "code,name,field,time,time_unit,fee,online,legal_basis,note\n"
            "2.000001,Thủ tục tốt,Lĩnh vực A,5,working_days,Không,full,,\n"
            "abc,Thủ tục mã sai,Lĩnh vực A,năm,weeks,,maybe,,\n"
            ",,Lĩnh vực A,,,,,,\n",
            encoding="utf-8",
        )
        report = procedures_import(path=path)
        self.assertEqual(report.created, 1)
        self.assertEqual([line for line, _ in report.errors], [3, 4])
        self.assertIn("không phải là số", report.errors[0][1])
        self.assertIn("thiếu tên", report.errors[1][1])
        self.assertEqual(Procedure.objects.count(), 1)

    def test_an_unreadable_file_or_missing_columns_stop_the_import_with_a_message(self):
        folder = Path("/tmp") / self.id().replace(".", "_")
        folder.mkdir(exist_ok=True)
        files = {
            "utf16.csv": "name,field,time,time_unit\nTh\u1ee7 t\u1ee5c,A,5,days\n".encode("utf-16"),
            "fake.xlsx": b"not a workbook",
            "columns.csv": b"ten,linh_vuc\nA,B\n",
        }
        for name, content in files.items():
            (folder / name).write_bytes(content)
            with self.assertRaises(CommandError, msg=name) as caught:
                call_command("import_procedures", folder / name, stdout=StringIO())
            self.assertRegex(str(caught.exception), "Không đọc được tệp|thiếu cột", name)
        self.assertEqual(Procedure.objects.count(), 0)

    def test_odd_times_and_overlong_texts_are_row_errors(self):
        path = Path("/tmp") / (self.id().replace(".", "_") + ".csv")
        path.write_text(
            "code,name,field,time,time_unit,fee,online,legal_basis,note\n"
            "2.000001,A,F,NaN,days,,full,,\n"
            "2.000002,B,F,Infinity,days,,full,,\n"
            "2.000003,C,F,123456,days,,full,,\n"
            f"2.000004,{'x' * 501},F,5,days,,full,,\n"
            f"2.000005,D,{'y' * 201},5,days,,full,,\n",
            encoding="utf-8",
        )
        report = procedures_import(path=path)
        self.assertEqual([line for line, _ in report.errors], [2, 3, 4, 5, 6])
        self.assertIn("dài quá 500", report.errors[3][1])
        self.assertEqual(Procedure.objects.count(), 0)


class VersioningTests(TestCase):
    def setUp(self):
        procedures_import(path=CATALOGUE)
        self.procedure = Procedure.objects.get(code="1.014438")

    def test_steps_may_not_exceed_the_legal_time(self):
        steps = [{"name": "Thẩm định", "working_days": 17}, {"name": "Ký", "working_days": 2}]
        with self.assertRaises(ValidationError) as caught:
            procedure_set_steps(procedure=self.procedure, steps=steps)
        self.assertIn("vượt thời hạn", caught.exception.messages[0])
        self.assertFalse(self.procedure.steps.exists())
        procedure_set_steps(
            procedure=self.procedure,
            steps=[
                {"name": "Thẩm định", "working_days": 12},
                {"name": "Ký", "working_days": "2.5"},
            ],
        )
        self.assertEqual(self.procedure.steps_total, Decimal("14.5"))

    def test_editing_a_procedure_with_dossiers_creates_a_new_version(self):
        updated, versioned = procedure_update(procedure=self.procedure, name="Tên mới")
        self.assertFalse(versioned)
        from cchc.core.testing import make_agency
        from cchc.dossiers.models import Dossier

        agency = make_agency()
        Dossier.objects.create(
            code="T-1",
            agency=agency,
            procedure=updated,
            channel=1,
            status=2,
            submitted_at="2026-01-05T09:00+07:00",
        )
        procedure_set_steps(procedure=updated, steps=[{"name": "Xử lý", "working_days": 10}])
        new = Procedure.objects.current().get(series=updated.series)
        self.assertEqual(new.version, 2)
        self.assertEqual(new.steps.count(), 1)
        self.assertEqual(Dossier.objects.get().procedure_id, updated.pk)
        self.assertFalse(Procedure.objects.get(pk=updated.pk).is_current)


class ExcelImportTests(TestCase):
    def test_it_imports_an_excel_file_with_the_same_columns(self):
        import tempfile

        from openpyxl import Workbook

        wb = Workbook()
        wb.active.append(
            ["code", "name", "field", "time", "time_unit", "fee", "online", "legal_basis", "note"]
        )
        wb.active.append(
            [
                "2.000002",
                "Thủ tục từ Excel",
                "Lĩnh vực B",
                2.5,
                "working_days",
                "200.000 đ",
                "full",
                "Luật A; Nghị định B",
                None,
            ]
        )
        wb.active.append([None, None, "Lĩnh vực B", None, None, None, None, None, None])
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            wb.save(handle.name)
            report = procedures_import(path=Path(handle.name))
        self.assertEqual((report.created, [line for line, _ in report.errors]), (1, [3]))
        procedure = Procedure.objects.get(code="2.000002")
        self.assertEqual(
            (procedure.time, procedure.fee_amount, procedure.legal_bases.count()),
            (Decimal("2.5"), Decimal(200000), 2),
        )
