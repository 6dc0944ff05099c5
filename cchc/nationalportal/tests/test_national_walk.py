"""Every mapped procedure of the demo catalogue, filed on the national portal: pushed by the
stand-in (as `run_national_standin --push-demo` does), worked by the demo's people through
every step, decided with a PDF result and returned, while the outbox worker reports it; the
stand-in ends with a schema-valid dossier in status 10 and each step once."""

import io
import json

import time_machine
from django.core.management import call_command
from django.test import LiveServerTestCase, override_settings
from django.urls import reverse

from cchc.dossiers import services
from cchc.dossiers.models import Dossier, HandOver, Status
from cchc.dossiers.tests.demo_desk import demo_user, load_demo_catalogue, workable_procedures
from cchc.dossiers.tests.helpers import at, pdf_upload
from cchc.esign.tests.helpers import DemoCertificateMixin, blank_pdf
from cchc.nationalportal import adapter, push, standin
from cchc.nationalportal import services as sync
from cchc.nationalportal.tests.helpers import PASSWORD, USERNAME, link_settings
from cchc.procedures.models import ProcedureMapping

SECRET = "bi-mat-day-ho-so"


@override_settings(SITE_AGENCY_CODE="SKHCN")
@time_machine.travel(at(2026, 3, 2, 9), tick=True)  # a Monday morning, whatever today is
class NationalWalkTests(DemoCertificateMixin, LiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.running = standin.serve(mounts={}, username=USERNAME, password=PASSWORD)
        cls.addClassCleanup(cls.running.stop)
        cls.national = cls.running.standin
        link = link_settings(
            cls.running.url,
            DVCQG_TIMEOUT=5,
            DVCQG_INBOUND_SECRET=SECRET,
            SITE_URL=cls.live_server_url,
        )
        link.enable()
        cls.addClassCleanup(link.disable)

    def setUp(self):
        load_demo_catalogue()
        self.national.reset()
        adapter.forget_session()
        self.inbound_url = self.live_server_url + reverse("api:dvcqg-inbound")

    def test_the_demo_push_command_files_a_dossier_in_the_desk_queue(self):
        out = io.StringIO()
        call_command("run_national_standin", push_demo=self.inbound_url, stdout=out)
        outcome = json.loads(out.getvalue())
        self.assertEqual((outcome["status"], outcome["reply"]["error_code"]), (200, 0), outcome)
        dossier = Dossier.objects.get(code=outcome["reply"]["result"]["MaHoSoDonVi"])
        self.assertEqual(dossier.status, Status.SUBMITTED)
        self.assertTrue(dossier.secret_matches(outcome["reply"]["result"]["MaTraCuu"]))

    def test_a_demo_push_signed_with_another_secret_fails_the_command(self):
        from django.core.management.base import CommandError

        with self.assertRaises(CommandError):
            call_command(
                "run_national_standin",
                push_demo=self.inbound_url,
                secret="sai-khoa",
                stdout=io.StringIO(),
            )
        self.assertEqual(Dossier.objects.count(), 0)

    def test_every_mapped_demo_procedure_pushed_worked_and_reported(self):
        mapped = {m.series: m.national.code for m in ProcedureMapping.objects.all()}
        procedures = [p for p in workable_procedures() if p.series in mapped]
        self.assertGreaterEqual(len(procedures), 9)
        for number, procedure in enumerate(procedures, start=1):
            with self.subTest(procedure=procedure.name[:60]):
                self.walk(procedure, mapped[procedure.series], f"G22.99.260302-{number:05d}")
        invalid = [c for c in self.national.calls if c["outcome"] != "ok"]
        self.assertEqual(invalid, [])

    def person(self, step):
        return [p for p in services.step_people(step) if not p.is_superuser][0]

    def walk(self, procedure, national_procedure, national_code):
        body = push.demo_payload(
            at(2026, 3, 2, 8), procedure=national_procedure, code=national_code
        )
        reply = push.push_dossier(self.inbound_url, SECRET, body)
        self.assertEqual(reply.status_code, 200, reply.text)
        dossier = Dossier.objects.get(code=reply.json()["result"]["MaHoSoDonVi"])
        dossier = services.dossier_accept(actor=demo_user("motcua"), dossier=dossier)
        decision = next(s for s in procedure.steps.order_by("order") if s.is_decision)
        while True:
            dossier = Dossier.objects.select_related("current_step").get(pk=dossier.pk)
            step = dossier.current_step
            if step == decision:
                break
            services.dossier_hand_over(
                actor=self.person(step), dossier=dossier, step=step.pk, version=dossier.version
            )
        services.dossier_decide(
            actor=self.person(decision),
            dossier=dossier,
            result_text="Đã giải quyết",
            result_file=pdf_upload("ket-qua.pdf", blank_pdf()),
            step=decision.pk,
            version=dossier.version,
        )
        dossier = Dossier.objects.select_related("current_step").get(pk=dossier.pk)
        returner = (
            self.person(dossier.current_step) if dossier.current_step else demo_user("motcua")
        )
        services.dossier_return(actor=returner, dossier=dossier)
        result = sync.sync_pass()
        self.assertEqual(result.failed, 0)

        record = self.national.dossier(national_code)
        self.assertEqual(record["dossier"]["TrangThaiHoSo"], "10")
        self.assertEqual(record["dossier"]["MaTTHC"], national_procedure)
        self.assertEqual(len(record["dossier"]["DanhSachGiayToKetQua"]), 1)
        self.assertEqual(len(record["steps"]), HandOver.objects.filter(dossier=dossier).count())
        self.assertEqual(record["duplicates"], 0)
        self.assertTrue(record["statuses"])
