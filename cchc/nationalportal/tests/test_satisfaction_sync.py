"""The monthly satisfaction summary (DongBoDanhGia) against the stand-in over real HTTP: queued
once per agency and month, built from the ratings when sent (late ratings count), valid and
with the right counts, retried with backoff, never blocking dossier messages or other agencies,
listed on the failures page and retried there by that agency's administrator only."""

import io
import threading
import unittest

import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import TransactionTestCase, override_settings

from cchc.core.models import Agency
from cchc.core.roles import Role
from cchc.core.testing import make_agency, make_user
from cchc.dossiers import ratings
from cchc.dossiers import services as ds
from cchc.dossiers.tests.helpers import at
from cchc.nationalportal import services, standin, summaries
from cchc.nationalportal.models import OutboxMessage, SyncLog
from cchc.nationalportal.tests.helpers import UNIT_CODE, StandInTestCase, later

MARCH = summaries.resolve_month("2026-03", now=at(2026, 4, 2))
FEBRUARY = summaries.resolve_month("2026-02", now=at(2026, 4, 2))
FAILURES = "/lien-thong-dvcqg/loi-dong-bo/"


class SatisfactionTestCase(StandInTestCase):
    def returned(self, received, name):
        """A dossier received, decided and returned the same day (the desk's three steps)."""
        dossier = self.receive(received, name=name)
        self.decide(dossier, later(received, hours=1), result_text="Đã cấp")
        return ds.dossier_return(actor=self.desk, dossier=dossier, at=later(received, hours=2))

    def rate(self, dossier, level, when, comment=""):
        return ratings.rating_submit(dossier=dossier, level=level, comment=comment, at=when)

    def summary_calls(self):
        return [c for c in self.national.calls if c["service"] == "DongBoDanhGia"]


class SendingTests(SatisfactionTestCase):
    def test_a_queued_month_arrives_valid_with_the_counts_of_the_ratings_at_send_time(self):
        first = self.returned(at(2026, 3, 2, 9), "Nguyễn Văn An")
        second = self.returned(at(2026, 3, 3, 9), "Trần Thị Bình")
        third = self.returned(at(2026, 3, 4, 9), "Lê Văn Cường")
        april = self.returned(at(2026, 3, 5, 9), "Phạm Thị Dung")
        self.rate(first, 3, at(2026, 3, 10), "Cán bộ tận tình, gọi 0912345678.")
        self.rate(second, 3, at(2026, 3, 11))
        self.rate(april, 1, at(2026, 4, 1, 8))  # April in ICT: not in March
        queued = summaries.summary_queue(agency=self.agency, month=MARCH, now=at(2026, 4, 1, 9))
        self.assertEqual(queued.outcome, "queued")
        self.assertEqual(
            (queued.message.dossier, queued.message.payload), (None, {"month": "2026-03"})
        )
        # A rating recorded after the row was queued still counts: the body is built when sent.
        self.rate(third, 2, at(2026, 3, 31, 23, 30))
        result = services.sync_pass(now=at(2026, 4, 1, 9, 1))
        self.assertEqual(result.agency_messages, 1)
        self.assertEqual(result.failed, 0)

        (call,) = self.summary_calls()
        self.assertEqual(call["outcome"], "ok")
        self.assertEqual(standin.validation_errors("DongBoDanhGia", call["body"]), [])
        (item,) = self.national.satisfaction(UNIT_CODE, "3-2026")
        self.assertEqual(item["TongSoNguoiDanhGia"], "3")
        self.assertEqual(
            [item[f"PhanTramDanhGia{k}"] for k in ("RatHaiLong", "HaiLong", "ChuaHaiLong")],
            ["66.67", "33.33", "0.00"],
        )
        self.assertEqual(item["MaThuTuc"], self.procedure.code)
        self.assertEqual(item["DanhSachNoiDungYKien"], [{"NoiDung": "Cán bộ tận tình, gọi ***."}])
        message = OutboxMessage.objects.get(service="DongBoDanhGia")
        self.assertEqual((message.state, message.attempts), ("sent", 0))
        log = SyncLog.objects.get(service="DongBoDanhGia")
        self.assertEqual((log.dossier, log.message, log.state), (None, message, "ok"))
        self.assertEqual(log.agency, self.agency)
        self.assertEqual(log.payload["madonvi"], UNIT_CODE)

    def test_a_month_is_queued_once_and_again_only_with_resend_which_replaces_it(self):
        dossier = self.returned(at(2026, 3, 2, 9), "Nguyễn Văn An")
        self.rate(dossier, 3, at(2026, 3, 10))
        now = at(2026, 4, 1, 9)
        self.assertEqual(
            summaries.summary_queue(agency=self.agency, month=MARCH, now=now).outcome, "queued"
        )
        again = summaries.summary_queue(agency=self.agency, month=MARCH, resend=True, now=now)
        self.assertEqual(again.outcome, "waiting")  # even --resend adds nothing while one waits
        self.assertEqual(OutboxMessage.objects.filter(service="DongBoDanhGia").count(), 1)
        services.sync_pass(now=later(now, minutes=1))
        self.assertEqual(
            summaries.summary_queue(agency=self.agency, month=MARCH, now=now).outcome, "sent"
        )
        self.assertEqual(OutboxMessage.objects.filter(service="DongBoDanhGia").count(), 1)
        resent = summaries.summary_queue(
            agency=self.agency, month=MARCH, resend=True, now=later(now, hours=1)
        )
        self.assertEqual(resent.outcome, "queued")
        services.sync_pass(now=later(now, hours=1, minutes=1))
        self.assertEqual(len(self.summary_calls()), 2)
        # The stand-in keeps the unit's month once: the resend replaced it.
        self.assertEqual(len(self.national.satisfaction(UNIT_CODE, "3-2026")), 1)
        self.assertEqual(len(self.national.ratings), 1)
        self.assertEqual(self.national.rating_resends, 1)
        self.assertEqual(
            list(
                OutboxMessage.objects.filter(service="DongBoDanhGia").values_list(
                    "state", flat=True
                )
            ),
            ["sent", "sent"],
        )

    def test_a_month_without_ratings_is_marked_sent_without_a_call(self):
        summaries.summary_queue(agency=self.agency, month=FEBRUARY, now=at(2026, 3, 1, 9))
        services.sync_pass(now=at(2026, 3, 1, 9, 1))
        self.assertEqual(self.summary_calls(), [])
        self.assertEqual(OutboxMessage.objects.get(service="DongBoDanhGia").state, "sent")

    def test_a_fault_backs_off_and_the_next_due_pass_sends_it_once(self):
        dossier = self.returned(at(2026, 3, 2, 9), "Nguyễn Văn An")
        self.rate(dossier, 2, at(2026, 3, 10))
        services.sync_pass(now=at(2026, 3, 2, 12))  # the dossier's own messages go first
        self.national.add_fault("DongBoDanhGia", times=1, mode="error")
        summaries.summary_queue(agency=self.agency, month=MARCH, now=at(2026, 4, 1, 9))
        now = at(2026, 4, 1, 10)
        result = services.sync_pass(now=now)
        self.assertEqual((result.sent, result.failed), (0, 1))
        message = OutboxMessage.objects.get(service="DongBoDanhGia")
        self.assertEqual((message.state, message.attempts), ("failed", 1))
        self.assertEqual(message.next_attempt_at, later(now, seconds=60))
        self.assertIsNone(message.locked_until)
        self.assertIn("lỗi giả lập", message.last_error)
        log = SyncLog.objects.get(service="DongBoDanhGia")
        self.assertEqual((log.dossier, log.state), (None, "error"))
        self.assertEqual(self.national.satisfaction(UNIT_CODE, "3-2026"), [])
        # Not due yet: nothing is called; after the wait it goes, once.
        self.assertEqual(services.sync_pass(now=later(now, seconds=30)).agency_messages, 0)
        self.assertEqual(len(self.summary_calls()), 1)
        self.assertEqual(services.sync_pass(now=later(now, seconds=61)).sent, 1)
        self.assertEqual(services.sync_pass(now=later(now, seconds=200)).agency_messages, 0)
        self.assertEqual([c["outcome"] for c in self.summary_calls()], ["fault", "ok"])
        self.assertEqual(len(self.national.satisfaction(UNIT_CODE, "3-2026")), 1)
        message.refresh_from_db()
        self.assertEqual((message.state, message.attempts), ("sent", 1))

    def test_after_the_last_attempt_it_is_dead_and_left_alone(self):
        dossier = self.returned(at(2026, 3, 2, 9), "Nguyễn Văn An")
        self.rate(dossier, 2, at(2026, 3, 10))
        services.sync_pass(now=at(2026, 3, 2, 12))
        self.national.add_fault("DongBoDanhGia", times=5, mode="http500")
        summaries.summary_queue(agency=self.agency, month=MARCH, now=at(2026, 4, 1, 9))
        now = at(2026, 4, 1, 10)
        for wait in (0, 61, 61 + 121):  # DVCQG_MAX_ATTEMPTS is 3 in these tests
            services.sync_pass(now=later(now, seconds=wait))
        message = OutboxMessage.objects.get(service="DongBoDanhGia")
        self.assertEqual((message.state, message.attempts), ("dead", 3))
        self.assertIsNone(message.next_attempt_at)
        self.assertIn("HTTP 500", message.last_error)
        self.assertEqual(services.sync_pass(now=at(2026, 4, 3)).agency_messages, 0)
        self.assertEqual(len(self.summary_calls()), 3)


class IsolationTests(SatisfactionTestCase):
    def test_a_failing_agency_message_blocks_neither_dossiers_nor_other_months_or_agencies(self):
        self.other_agency.national_code = "000.00.00.H98"
        self.other_agency.save()
        dossier = self.returned(at(2026, 2, 2, 9), "Nguyễn Văn An")
        self.rate(dossier, 3, at(2026, 2, 10))
        later_one = self.returned(at(2026, 3, 2, 9), "Trần Thị Bình")
        self.rate(later_one, 1, at(2026, 3, 10))
        services.sync_pass(now=at(2026, 3, 2, 12))
        # The other agency's row is broken (no month): it fails on its own.
        broken = OutboxMessage.objects.create(
            agency=self.other_agency,
            service="DongBoDanhGia",
            event="satisfaction",
            payload={},
            next_attempt_at=at(2026, 4, 1, 8),
            created_at=at(2026, 4, 1, 8),
        )
        summaries.summary_queue(agency=self.agency, month=FEBRUARY, now=at(2026, 4, 1, 9))
        summaries.summary_queue(agency=self.agency, month=MARCH, now=at(2026, 4, 1, 9, 1))
        self.national.add_fault("DongBoDanhGia", times=1, mode="error")  # February's call
        fresh = self.receive(at(2026, 4, 1, 9, 30), name="Lê Văn Cường")
        result = services.sync_pass(now=at(2026, 4, 1, 10))
        self.assertEqual((result.dossiers, result.agency_messages), (1, 3))
        self.assertEqual((result.sent, result.failed), (2, 2))
        states = dict(
            OutboxMessage.objects.filter(service="DongBoDanhGia").values_list("pk", "state")
        )
        broken.refresh_from_db()
        self.assertEqual(broken.state, "failed")
        self.assertIn("tháng", broken.last_error)
        self.assertEqual(sorted(states.values()), ["failed", "failed", "sent"])
        self.assertEqual(self.national.satisfaction(UNIT_CODE, "2-2026"), [])
        (march,) = self.national.satisfaction(UNIT_CODE, "3-2026")
        self.assertEqual(march["PhanTramDanhGiaChuaHaiLong"], "100.00")
        self.assertEqual(OutboxMessage.objects.get(dossier=fresh).state, "sent")
        self.assertIsNotNone(self.national.dossier(f"{UNIT_CODE}-{fresh.code}"))


class CommandTests(SatisfactionTestCase):
    def run_command(self, *args):
        out = io.StringIO()
        call_command("send_satisfaction_summaries", *args, stdout=out)
        return out.getvalue()

    def test_the_command_queues_each_agency_once_and_says_so(self):
        out = self.run_command("--month", "2026-03")
        self.assertEqual(
            out.strip(),
            f"{self.agency.code}: đã đưa tổng hợp đánh giá tháng 03/2026 vào hàng chờ gửi.",
        )
        # The other agency has no national code: not queued.
        self.assertEqual(
            list(OutboxMessage.objects.values_list("agency", "payload")),
            [(self.agency.pk, {"month": "2026-03"})],
        )
        self.assertIn("đang chờ gửi, không thêm tin mới", self.run_command("--month", "2026-03"))
        OutboxMessage.objects.update(state="sent")
        self.assertIn("dùng --resend", self.run_command("--month", "2026-03"))
        self.assertEqual(OutboxMessage.objects.count(), 1)
        self.assertIn("vào hàng chờ gửi", self.run_command("--month", "2026-03", "--resend"))
        self.assertEqual(OutboxMessage.objects.count(), 2)

    def test_the_default_month_is_the_previous_one_in_vietnam(self):
        # 00:30 on 1 April in Hà Nội is still 31 March in UTC: the previous month is March.
        with time_machine.travel(at(2026, 4, 1, 0, 30), tick=False):
            out = self.run_command("--agency", UNIT_CODE)
        self.assertIn("tháng 03/2026", out)
        self.assertEqual(OutboxMessage.objects.get().payload, {"month": "2026-03"})

    def test_a_bad_month_or_agency_is_a_clear_error_and_queues_nothing(self):
        cases = {
            ("--month", "2026-13"): "Tháng không hợp lệ: hãy nhập theo dạng YYYY-MM.",
            ("--month", "03/2026"): "Tháng không hợp lệ",
            ("--month", "2099-01"): "chưa đến",
            ("--agency", "KHONGCO"): "Không có cơ quan mã KHONGCO",
            ("--agency", self.other_agency.code): "chưa có mã định danh đơn vị",
        }
        for args, message in cases.items():
            with (
                self.subTest(args=args),
                time_machine.travel(at(2026, 4, 2), tick=False),
                self.assertRaisesMessage(CommandError, message),
            ):
                self.run_command(*args)
        self.assertFalse(OutboxMessage.objects.exists())

    def test_every_repeats_until_interrupted(self):
        # `make run` keeps it running with --every 86400; Ctrl+C (here: during the first wait)
        # ends it cleanly after one round.
        from unittest import mock

        with mock.patch("time.sleep", side_effect=KeyboardInterrupt) as sleep:
            out = self.run_command("--month", "2026-03", "--every", "86400")
        sleep.assert_called_once_with(86400)
        self.assertEqual(out.count("vào hàng chờ gửi"), 1)
        self.assertEqual(OutboxMessage.objects.count(), 1)

    def test_the_command_says_when_the_link_is_off(self):
        with override_settings(DVCQG_ENABLED=False):
            out = self.run_command("--month", "2026-03")
        self.assertIn("đang tắt", out)
        self.assertFalse(OutboxMessage.objects.exists())

    def test_the_worker_command_reports_agency_messages(self):
        summaries.summary_queue(agency=self.agency, month=FEBRUARY, now=at(2026, 3, 1))
        out = io.StringIO()
        call_command("sync_national_portal", stdout=out)
        self.assertIn("1 tin của cơ quan, 1 tin đã gửi, 0 tin lỗi", out.getvalue())


class FailuresPageTests(SatisfactionTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        cls.admin = make_user("quantri", cls.leadership, [Role.SYSTEM_ADMIN])

    def setUp(self):
        super().setUp()
        dossier = self.returned(at(2026, 3, 2, 9), "Nguyễn Văn An")
        self.rate(dossier, 3, at(2026, 3, 10))
        february = self.returned(at(2026, 2, 2, 9), "Trần Thị Bình")
        self.rate(february, 2, at(2026, 2, 10))
        services.sync_pass(now=at(2026, 3, 2, 12))
        self.national.add_fault("DongBoDanhGia", times=2, mode="error")
        self.feb = summaries.summary_queue(
            agency=self.agency, month=FEBRUARY, now=at(2026, 4, 1, 9)
        ).message
        self.march = summaries.summary_queue(
            agency=self.agency, month=MARCH, now=at(2026, 4, 1, 9, 1)
        ).message
        services.sync_pass(now=at(2026, 4, 1, 10))
        OutboxMessage.objects.filter(pk=self.feb.pk).update(state="dead", next_attempt_at=None)
        self.retry_url = f"{FAILURES}{self.march.pk}/gui-lai/"

    def test_the_admin_sees_the_agency_messages_and_a_retry_sends_only_that_one(self):
        self.client.force_login(self.admin)
        page = self.client.get(FAILURES)
        self.assertEqual(page.status_code, 200)
        self.assertEqual([m.pk for m in page.context["rows"]], [self.feb.pk, self.march.pk])
        self.assertContains(page, "Cả cơ quan, tháng 2026-03")
        self.assertContains(page, "DongBoDanhGia")
        self.assertContains(page, "lỗi giả lập")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.retry_url)
        self.assertRedirects(response, FAILURES, fetch_redirect_response=False)
        self.march.refresh_from_db()
        # The retry ran the worker (immediate task backend): sent now; February stays dead.
        self.assertEqual(self.march.state, "sent")
        self.assertEqual(OutboxMessage.objects.get(pk=self.feb.pk).state, "dead")
        self.assertEqual(len(self.national.satisfaction(UNIT_CODE, "3-2026")), 1)
        self.assertEqual(self.national.satisfaction(UNIT_CODE, "2-2026"), [])
        self.assertEqual(self.client.post(self.retry_url).status_code, 404)

    def test_an_admin_of_another_agency_and_non_admins_are_refused(self):
        for persona in ("outsider_chief", "agency_leader", "officer_a", "citizen", "anonymous"):
            with self.subTest(persona=persona):
                self.login_as(persona)
                page = self.client.get(FAILURES)
                if persona == "outsider_chief":  # a system admin elsewhere: their own, empty
                    self.assertEqual(page.status_code, 200)
                    self.assertEqual(list(page.context["rows"]), [])
                    self.assertNotContains(page, "2026-03")
                else:
                    self.assertEqual(page.status_code, 404)
                self.assertEqual(self.client.post(self.retry_url).status_code, 404)
                self.march.refresh_from_db()
                self.assertEqual((self.march.state, self.march.attempts), ("failed", 1))
        with self.assertRaises(services.PermissionDenied):
            services.retry_message(actor=self.outsider_chief, message=self.march)


class LeaseTests(SatisfactionTestCase):
    def test_a_second_worker_gets_nothing_until_the_lease_ends(self):
        queued = summaries.summary_queue(agency=self.agency, month=MARCH, now=at(2026, 4, 1, 9))
        now = at(2026, 4, 1, 10)
        self.assertIsNotNone(services.claim_message(queued.message.pk, now))
        self.assertIsNone(services.claim_message(queued.message.pk, later(now, seconds=299)))
        self.assertEqual(services.due_agency_message_ids(later(now, seconds=299)), [])
        self.assertEqual(services.sync_pass(now=later(now, seconds=299)).agency_messages, 0)
        self.assertEqual(
            services.due_agency_message_ids(later(now, seconds=301)), [queued.message.pk]
        )


@unittest.skipUnless(connection.vendor == "postgresql", "row locks: PostgreSQL only")
class ConcurrentQueueTests(TransactionTestCase):
    def test_a_run_waits_for_another_holding_the_agency_and_then_adds_nothing(self):
        agency = make_agency()
        Agency.objects.filter(pk=agency.pk).update(national_code=UNIT_CODE)
        agency.refresh_from_db()
        outcome, started = [], threading.Event()

        def other_run():
            try:
                started.set()
                outcome.append(
                    summaries.summary_queue(agency=agency, month=MARCH, now=at(2026, 4, 1)).outcome
                )
            finally:
                connection.close()

        with transaction.atomic():  # this "run" holds the agency row and queues first
            Agency.objects.select_for_update().get(pk=agency.pk)
            thread = threading.Thread(target=other_run)
            thread.start()
            self.assertTrue(started.wait(10))
            thread.join(1)
            self.assertTrue(thread.is_alive())  # blocked on the agency row
            OutboxMessage.objects.create(
                agency=agency,
                service="DongBoDanhGia",
                event="satisfaction",
                payload={"month": "2026-03"},
                created_at=at(2026, 4, 1),
            )
        thread.join(10)
        self.assertEqual(outcome, ["waiting"])
        self.assertEqual(OutboxMessage.objects.count(), 1)
