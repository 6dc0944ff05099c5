"""The whole national loop on the demo catalogue, over real HTTP, on both databases.

The national stand-in (with the payment platform's stand-in mounted at /pp/) pushes a dossier
filed on the national portal to the product's live server; the demo's people work it through
every step of its procedure, with a supplement request and arrival, fees paid on the platform
(settled there without the callback, then found by `reconcile_payments`), a decision with a
signed PDF result, and the return; the applicant rates the service from the link of the
"returned" e-mail; the monthly satisfaction summary is queued. The outbox worker runs between
the steps, once through a reply that comes too late (a timeout: the resend must not duplicate)
and once killed after a reply (`SimulatedCrash`: nothing lost). At the end the stand-in holds
the whole, schema-valid history: the dossier as it is now, every step exactly once, the status
syncs of a portal-originated dossier, the signed result reachable by its public link, the fee
lines and the payment flag, and the satisfaction summary counting the rating.
"""

import datetime as dt
import html
import io
import re
from decimal import Decimal

import requests
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import LiveServerTestCase, override_settings
from django.urls import reverse

from cchc.core.models import Agency
from cchc.dossiers import services
from cchc.dossiers.models import Dossier, HandOver, PaidOnline, Rating, Status
from cchc.dossiers.tests.demo_desk import demo_user, load_demo_catalogue
from cchc.dossiers.tests.helpers import at, pdf_upload
from cchc.esign.services import verify_pdf
from cchc.esign.tests.helpers import DemoCertificateMixin, blank_pdf
from cchc.nationalportal import adapter, push, standin
from cchc.nationalportal import services as sync
from cchc.nationalportal.models import OutboxMessage, SyncLog
from cchc.nationalportal.tests.helpers import PASSWORD, USERNAME, link_settings
from cchc.payments import standin as payment_standin
from cchc.payments.models import PaymentTransaction
from cchc.procedures.models import Procedure, ProcedureMapping

SECRET = "bi-mat-day-ho-so"
PARTNER, PAYMENT_SECRET = "CCHC-LOOP", "bi-mat-thanh-toan"
START = at(2026, 3, 2, 8, 30)  # a Monday


class FullLoopTests(DemoCertificateMixin, LiveServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()  # the live server and the demo certificate
        cls.platform = payment_standin.make_app(
            {
                PARTNER: {
                    "secret": PAYMENT_SECRET,
                    "callback_url": f"{cls.live_server_url}/thanh-toan/ket-qua/",
                    "return_url": cls.live_server_url + "/thanh-toan/tro-ve/{MaThamChieu}/",
                }
            }
        )
        cls.running = standin.serve(
            mounts={"/pp/": cls.platform}, username=USERNAME, password=PASSWORD
        )
        cls.addClassCleanup(cls.running.stop)
        cls.national = cls.running.standin
        link = link_settings(
            cls.running.url,
            DVCQG_DSTCODE="TEST",
            DVCQG_TIMEOUT=2,
            DVCQG_BACKOFF_SECONDS=60,
            DVCQG_INBOUND_SECRET=SECRET,
            SITE_URL=cls.live_server_url,
            PAYMENT_PLATFORM_URL=cls.running.url + "/pp/",
            PAYMENT_PARTNER_CODE=PARTNER,
            PAYMENT_SECRET=PAYMENT_SECRET,
            SITE_AGENCY_CODE="SKHCN",
        )
        link.enable()
        cls.addClassCleanup(link.disable)

    def setUp(self):
        load_demo_catalogue()
        self.national.reset()
        adapter.forget_session()
        self.agency = Agency.objects.get(code="SKHCN")
        self.assertEqual(self.agency.national_code, push.DEMO_AGENCY)
        self.browser = requests.Session()  # the applicant's browser

    # --- helpers ----------------------------------------------------------------------------

    def sync(self, **fault):
        """One pass of the outbox worker (the django-tasks worker runs the same function)."""
        if fault:
            self.national.add_fault(**fault)
        return sync.sync_pass()

    def person_for(self, step) -> str:
        people = [p for p in services.step_people(step) if not p.is_superuser]
        self.assertTrue(people, f"no demo account for step {step}")
        return people[0].username

    def fresh(self, dossier) -> Dossier:
        return Dossier.objects.select_related("current_step").get(pk=dossier.pk)

    def hand_over(self, dossier) -> Dossier:
        dossier = self.fresh(dossier)
        actor = demo_user(self.person_for(dossier.current_step))
        return services.dossier_hand_over(
            actor=actor,
            dossier=dossier,
            step=dossier.current_step_id,
            version=dossier.version,
        )

    def lookup(self, code, secret) -> str:
        page = self.browser.get(
            f"{self.live_server_url}{reverse('dossiers:dossier-lookup')}",
            params={"code": code, "secret": secret},
        )
        self.assertEqual(page.status_code, 200)
        return page.text

    # --- the loop ---------------------------------------------------------------------------

    def test_pushed_dossier_processed_paid_signed_rated_and_the_national_side_has_it_all(self):
        with time_machine.travel(START, tick=True) as clock:
            self.loop(clock)

    def loop(self, clock):
        # 1. Filed on the national portal: the stand-in pushes it to our inbound endpoint.
        inbound_url = self.live_server_url + reverse("api:dvcqg-inbound")
        pushed = self.browser.post(
            f"{self.running.url}/_standin/push", json={"url": inbound_url, "secret": SECRET}
        ).json()
        self.assertEqual(pushed["error_code"], 0, pushed)
        self.assertEqual((pushed["status"], pushed["reply"]["error_code"]), (200, 0), pushed)
        result = pushed["reply"]["result"]
        national_code, secret = result["MaHoSo"], result["MaTraCuu"]
        dossier = Dossier.objects.get(code=result["MaHoSoDonVi"])
        self.assertEqual(dossier.national_code, national_code)
        self.assertEqual((dossier.channel, dossier.status), (2, Status.SUBMITTED))
        procedure = Procedure.objects.get(pk=dossier.procedure_id)
        mapping = ProcedureMapping.objects.get(series=procedure.series)
        self.assertEqual(mapping.national.code, push.DEMO_PROCEDURE)
        # The push is in the dossier's sync log, without the file's content.
        [logged] = SyncLog.objects.filter(direction=SyncLog.Direction.IN)
        self.assertEqual((logged.dossier, logged.state), (dossier, SyncLog.State.OK))
        self.assertNotIn(push.demo_payload()["TaiLieuNop"][0]["Base64"], str(logged.payload))
        self.assertEqual(logged.reply["result"]["MaTraCuu"], "***")
        # With the code and MaTraCuu the applicant follows it on our lookup page.
        self.assertIn(dossier.code, self.lookup(dossier.code, secret))

        # 2. The desk accepts it; the worker reports it (its first reply comes too late).
        desk = demo_user("motcua")
        clock.shift(dt.timedelta(minutes=30))
        dossier = services.dossier_accept(actor=desk, dossier=dossier)
        first = self.sync(service="CapNhatTienDoHoSoMC", mode="timeout", seconds=3)
        self.assertEqual(first.failed, 1)
        self.assertEqual(HandOver.objects.filter(dossier=dossier, synced_at=None).count(), 2)

        # 3. At the first step, a supplement is asked for, and arrives the next day.
        clock.shift(dt.timedelta(hours=1))
        dossier = self.fresh(dossier)
        asker = demo_user(self.person_for(dossier.current_step))
        services.dossier_request_supplement(
            actor=asker, dossier=dossier, items="Bản sao hợp đồng chuyển giao công nghệ"
        )
        clock.shift(dt.timedelta(days=1))
        component = procedure.components.first()
        dossier = services.dossier_supplement(
            dossier=self.fresh(dossier),
            files={f"component_{component.pk}": pdf_upload("hop-dong.pdf")},
            actor=desk,
        )
        self.assertEqual(self.fresh(dossier).status, Status.RECEIVED)
        clock.shift(dt.timedelta(minutes=2))  # past the backoff of the failed message
        self.sync()

        # 4. Handed on; at the next step the fees are asked for.
        steps = list(procedure.steps.order_by("order"))
        decision = next(s for s in steps if s.is_decision)
        self.assertGreater(decision.order, 1, "the loop needs a step before the decision")
        clock.shift(dt.timedelta(hours=2))
        dossier = self.hand_over(dossier)
        dossier = self.fresh(dossier)
        # "0,1% of the contract value, at least 5.000.000 đ": the officer writes the amount.
        services.dossier_require_fees(
            actor=demo_user(self.person_for(dossier.current_step)),
            dossier=dossier,
            amount=Decimal(5_000_000),
        )
        self.assertEqual(self.fresh(dossier).status, Status.FEES)

        # 5. The applicant pays on the platform; its callback never comes; reconciliation
        #    finds the payment and the dossier goes on. The worker is killed after one reply.
        page = self.lookup(dossier.code, secret)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        started = self.browser.post(
            f"{self.live_server_url}{reverse('payments:payment-start')}",
            data={"csrfmiddlewaretoken": token, "code": dossier.code, "secret": secret},
            allow_redirects=False,
        )
        self.assertEqual(started.status_code, 302, started.text[:500])
        payment = PaymentTransaction.objects.get(dossier=dossier)
        self.assertTrue(started.headers["Location"].startswith(self.running.url + "/pp/"))
        settled = self.browser.post(
            f"{self.running.url}/pp/_standin/settle/{payment.reference}"
        ).json()
        self.assertNotEqual(settled.get("MaLoi"), "01", settled)
        self.assertEqual(self.platform.callbacks, [])
        with (
            override_settings(DVCQG_FAILPOINT="after-reply:DongBoHoSoMC"),
            self.assertRaises(sync.SimulatedCrash),
        ):
            self.sync()  # the worker dies after the national side accepted the dossier
        clock.shift(dt.timedelta(minutes=20))
        out = io.StringIO()
        call_command("reconcile_payments", stdout=out)
        self.assertIn("paid=1", out.getvalue())
        dossier = self.fresh(dossier)
        self.assertEqual(
            (dossier.status, dossier.paid_online), (Status.PROCESSING, PaidOnline.NATIONAL)
        )
        self.assertEqual(dossier.handovers.order_by("-id").first().action, "fees_paid")
        clock.shift(dt.timedelta(minutes=10))  # the crashed worker's lease ran out
        self.sync()

        # 6. The other steps up to the decision, which a leader takes with a signed PDF.
        while self.fresh(dossier).current_step_id != decision.pk:
            clock.shift(dt.timedelta(hours=3))
            dossier = self.hand_over(dossier)
        clock.shift(dt.timedelta(hours=3))
        dossier = self.fresh(dossier)
        decided = services.dossier_decide(
            actor=demo_user(self.person_for(decision)),
            dossier=dossier,
            result_text="Cấp Giấy chứng nhận đăng ký chuyển giao công nghệ",
            result_file=pdf_upload("giay-chung-nhan.pdf", blank_pdf()),
            step=decision.pk,
            version=dossier.version,
        )
        self.assertEqual(decided.status, Status.DECIDED)

        # 7. The result is returned (by whoever the procedure says); the applicant is mailed.
        clock.shift(dt.timedelta(hours=1))
        dossier = self.fresh(dossier)
        returner = self.person_for(dossier.current_step) if dossier.current_step_id else "motcua"
        mail.outbox.clear()
        services.dossier_return(actor=demo_user(returner), dossier=dossier)
        self.assertEqual(self.fresh(dossier).status, Status.RETURNED)
        self.sync()
        # The national side downloads the signed result by its public link and checks it.
        [result] = self.national.dossier(national_code)["dossier"]["DanhSachGiayToKetQua"]
        self.result_link = result["DuongDanTepTinKetQua"]
        signed = requests.get(self.result_link, timeout=10)
        self.assertEqual(signed.status_code, 200)
        check = verify_pdf(signed.content)
        self.assertTrue(check.signed and check.valid and check.intact, check)

        # 8. The applicant rates the service from the e-mail's link, once.
        [notice] = [m for m in mail.outbox if dossier.applicant_email in m.to]
        link = re.search(r"https?://\S+/danh-gia/\?t=\S+", notice.body).group(0)
        form = self.browser.get(link)
        self.assertEqual(form.status_code, 200)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        hidden = html.unescape(re.search(r'name="t" value="([^"]+)"', form.text).group(1))
        rated = self.browser.post(
            link,
            data={
                "csrfmiddlewaretoken": token,
                "t": hidden,
                "level": str(Rating.Level.VERY_SATISFIED),
                "comment": "Nhanh, đúng hẹn",
            },
        )
        self.assertEqual(rated.status_code, 200)
        self.assertEqual(Rating.objects.get(dossier=dossier).level, Rating.Level.VERY_SATISFIED)
        again = self.browser.post(
            link, data={"csrfmiddlewaretoken": token, "t": hidden, "level": "1"}
        )
        self.assertLess(again.status_code, 500)
        self.assertEqual(Rating.objects.filter(dossier=dossier).count(), 1)

        # 9. The monthly satisfaction summary is queued and sent with the dossier messages.
        clock.shift(dt.timedelta(days=31))  # in April: March's summary
        call_command("send_satisfaction_summaries", stdout=io.StringIO())
        self.sync()
        self.sync()  # nothing left: a second pass sends nothing again

        self.assert_national_history(dossier, national_code)

    def assert_national_history(self, dossier, national_code):
        unsent = OutboxMessage.objects.exclude(state=OutboxMessage.State.SENT)
        self.assertEqual(list(unsent.values_list("service", "state", "last_error")), [])
        calls = self.national.calls
        self.assertEqual([c for c in calls if c["outcome"] == "invalid"], [])
        record = self.national.dossier(national_code)
        self.assertIsNotNone(record, [c["service"] for c in calls])

        # The dossier as it is now, every version schema-valid (the stand-in refused none).
        latest = record["dossier"]
        self.assertEqual(latest["TrangThaiHoSo"], "10")
        self.assertEqual(latest["KenhThucHien"], "2")
        self.assertEqual(latest["DuocThanhToanTrucTuyen"], str(PaidOnline.NATIONAL))
        [fee] = latest["DanhSachLePhi"]
        self.assertEqual((fee["Gia"], fee["HinhThucThu"]), ("5000000", "1"))
        self.assertTrue(latest["DanhSachHoSoBoSung"], latest)
        [result] = latest["DanhSachGiayToKetQua"]
        self.assertEqual(result["DuongDanTepTinKetQua"], self.result_link)

        # Every step exactly once, in order, although one reply came too late and a worker
        # was killed after a reply: the stand-in saw resends and kept each step once.
        handovers = list(HandOver.objects.filter(dossier=dossier).order_by("at", "id"))
        self.assertTrue(all(h.synced_at for h in handovers))
        self.assertEqual(len(record["steps"]), len(handovers))
        self.assertEqual(len(record["step_keys"]), len(set(record["step_keys"])))
        self.assertGreaterEqual(record["duplicates"], 1)  # the timed-out chunk came again
        times = [s["ThoiDiemXuLy"] for s in record["steps"]]
        self.assertEqual(times, sorted(times))

        # The status syncs of a dossier filed on the portal: accepted and in process until
        # returned, all "2" (5 only for refused, withdrawn or stopped), each change once.
        statuses = [(s["TrangThai"], s["NgayXuLy"], s["NoiDung"]) for s in record["statuses"]]
        self.assertGreaterEqual(len(statuses), 3, statuses)
        self.assertEqual({s[0] for s in statuses}, {"2"})
        self.assertEqual(len(statuses), len(set(statuses)))

        # The monthly satisfaction summary for March counts the one rating.
        [summary] = [r for r in self.national.ratings if r.get("Madonvi") == push.DEMO_AGENCY]
        self.assertEqual(summary["NgayTongHop"], "3-2026")
        self.assertEqual(summary["TongSoNguoiDanhGia"], "1")
        self.assertEqual(float(summary["PhanTramDanhGiaRatHaiLong"].replace(",", ".")), 100)
        self.assertEqual(summary["DanhSachNoiDungYKien"], [{"NoiDung": "Nhanh, đúng hẹn"}])
