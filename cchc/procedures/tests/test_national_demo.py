"""After load_demo every demo procedure that takes dossiers has its national code."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from cchc.core.models import Agency, AuditEntry
from cchc.procedures.models import FieldMapping, NationalProcedure, Procedure, ProcedureMapping
from cchc.procedures.national import national_for


class DemoMappingTests(TestCase):
    def test_every_demo_procedure_and_field_is_mapped_and_reloading_changes_nothing(self):
        call_command("load_demo", quiet_accounts=True, stdout=StringIO())

        procedures = list(Procedure.objects.current())
        self.assertEqual(len(procedures), 19)
        taking = [p for p in procedures if p.accepts_dossiers]
        self.assertTrue(taking)
        for procedure in procedures:
            national = national_for(procedure)
            with self.subTest(procedure=procedure.name):
                self.assertIsNotNone(national)
                if procedure.code:
                    self.assertTrue(national.code.startswith(f"{procedure.code}."))
                self.assertEqual(
                    FieldMapping.objects.get(field=procedure.field).national_code,
                    national.field_code,
                )
        self.assertEqual(NationalProcedure.objects.count(), 24)  # 5 distractors stay unmapped
        self.assertTrue(all(m.mapped_by is None for m in ProcedureMapping.objects.all()))
        self.assertEqual(
            dict(Agency.objects.values_list("code", "national_code")),
            {"SKHCN": "000.00.21.H45", "SKHCNTQ": "000.00.21.H60"},
        )
        xray = Procedure.objects.current().get(
            name__startswith="Gia hạn, sửa đổi, bổ sung, cấp lại"
        )
        self.assertEqual(national_for(xray).code, "1.004520.000.00.00.H45")

        audit = AuditEntry.objects.filter(action__contains="national").count()
        self.assertEqual(audit, 24 + 19 + 5)  # imported, mapped, fields mapped
        mappings = list(ProcedureMapping.objects.values_list("series", "national_id", "mapped_at"))
        call_command("load_demo", quiet_accounts=True, stdout=StringIO())
        self.assertEqual(
            list(ProcedureMapping.objects.values_list("series", "national_id", "mapped_at")),
            mappings,
        )
        self.assertEqual(AuditEntry.objects.filter(action__contains="national").count(), audit)
