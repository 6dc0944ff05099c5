"""Outbound sync against the stand-in over real HTTP: a walked dossier's whole history arrives,
valid, every step once; rollbacks write nothing; one failing dossier does not block another;
retries back off; a worker that dies between the national reply and our commit loses and
duplicates nothing."""

from django.db import transaction
from django.test import override_settings

from cchc.dossiers import services as ds
from cchc.dossiers.models import HandOver, Status
from cchc.dossiers.tests.helpers import at, pdf_upload
from cchc.nationalportal import payload, services, standin
from cchc.nationalportal.codes import national_time
from cchc.nationalportal.models import OutboxMessage, SyncLog
from cchc.nationalportal.tests.helpers import PUBLIC_BASE, UNIT_CODE, StandInTestCase, later


class WalkedDossierTests(StandInTestCase):
    def test_the_full_history_of_a_walked_dossier_arrives_valid_with_every_step_once(self):
        t = [at(2026, 3, 2, 9), at(2026, 3, 2, 10), at(2026, 3, 3, 9), at(2026, 3, 4, 14)]
        t += [at(2026, 3, 5, 9), at(2026, 3, 6, 10), at(2026, 3, 6, 15)]
        dossier = self.receive(t[0])
        code = f"{UNIT_CODE}-{dossier.code}"
        # Synced after each action, as the timer loop does: the first upsert creates it.
        self.assertEqual(services.sync_pass(now=later(t[0], minutes=1)).sent, 1)
        ds.dossier_hand_over(actor=self.desk, dossier=dossier, at=t[1])
        due_before = national_time(ds.Dossier.objects.get(pk=dossier.pk).effective_due)
        ds.dossier_request_supplement(
            actor=self.officer_a, dossier=dossier, items="Bản sao hợp đồng", at=t[2]
        )
        services.sync_pass(now=later(t[2], minutes=1))
        component = self.procedure.components.first()
        ds.dossier_supplement(
            dossier=dossier,
            files={f"component_{component.pk}": pdf_upload("hop-dong.pdf")},
            at=t[3],
        )
        due_after = national_time(ds.Dossier.objects.get(pk=dossier.pk).effective_due)
        ds.dossier_hand_over(actor=self.officer_a, dossier=dossier, at=t[4])
        ds.dossier_decide(
            actor=self.agency_leader,
            dossier=dossier,
            result_text="Cấp giấy chứng nhận",
            result_file=pdf_upload("ket-qua.pdf"),
            at=t[5],
        )
        ds.dossier_return(actor=self.desk, dossier=dossier, at=t[6])
        services.sync_pass(now=later(t[6], minutes=1))

        record = self.national.dossier(code)
        self.assertIsNotNone(record, code)
        handovers = list(HandOver.objects.filter(dossier=dossier).order_by("at", "id"))
        self.assertEqual(len(handovers), 7)  # receive, 2 hand-overs, supplement x2, decide, return
        self.assertEqual([s["IdBuocXuLy"] for s in record["steps"]], [str(h.pk) for h in handovers])
        self.assertEqual(record["duplicates"], 0)
        self.assertTrue(all(h.synced_at for h in HandOver.objects.filter(dossier=dossier)))
        self.assertEqual(
            [s["TrangThai"] for s in record["steps"]], ["2", "4", "5", "4", "4", "9", "10"]
        )
        # Created once (isUpdating False), then updated; every call was valid and accepted.
        calls = [c for c in self.national.calls if c["service"] == "DongBoHoSoMC"]
        self.assertEqual([c["body"]["isUpdating"] for c in calls], ["False", "True", "True"])
        self.assertEqual({c["outcome"] for c in self.national.calls}, {"ok"})
        for version in record["versions"]:
            body = {"service": "DongBoHoSoMC", "isUpdating": "True", "data": [version]}
            self.assertEqual(standin.validation_errors("DongBoHoSoMC", body), [])
        final = record["dossier"]
        self.assertEqual(final["TrangThaiHoSo"], str(Status.RETURNED))
        self.assertEqual(final["NgayTiepNhan"], "20260302090000")
        self.assertEqual(final["NgayKetThucXuLy"], "20260306100000")
        self.assertEqual(final["NgayTra"], "20260306150000")
        self.assertEqual(final["KenhThucHien"], "1")
        self.assertEqual(
            final["DinhDanhCHS"], [{"LoaiDinhDanh": "1", "SoDinhDanh": "001203004567"}]
        )
        self.assertEqual(final["MaTTHC"], self.procedure.code)  # unmapped: the local code
        (supplement,) = final["DanhSachHoSoBoSung"]
        self.assertEqual(supplement["NgayBoSung"], "20260303090000")
        self.assertEqual(supplement["NgayTiepNhanBoSung"], "20260304140000")
        self.assertEqual(
            (supplement["NgayHenTraTruoc"], supplement["NgayHenTraMoi"]), (due_before, due_after)
        )
        self.assertNotEqual(due_before, due_after)
        self.assertEqual(len(final["TaiLieuNop"]), 2)
        self.assertEqual(final["HoSoCoThanhPhanSoHoa"], "1")
        (result,) = final["DanhSachGiayToKetQua"]
        # The links are absolute, public, and serve the file to an anonymous client.
        for link in [f["DuongDanTaiTepTin"] for f in final["TaiLieuNop"]] + [
            result["DuongDanTepTinKetQua"]
        ]:
            self.assertTrue(link.startswith(PUBLIC_BASE + "/lien-thong-dvcqg/tep/"), link)
            self.client.logout()
            response = self.client.get(link.removeprefix(PUBLIC_BASE))
            self.assertEqual(response.status_code, 200)
            self.assertTrue(b"".join(response.streaming_content).startswith(b"%PDF"))
        self.assertFalse(OutboxMessage.objects.exclude(state=OutboxMessage.State.SENT).exists())
        self.assertEqual(
            SyncLog.objects.filter(dossier=dossier, state=SyncLog.State.OK).count(),
            len(self.national.calls),
        )

    def test_a_mapped_procedure_sends_the_national_codes(self):
        from django.utils import timezone

        from cchc.procedures.models import NationalProcedure, ProcedureMapping

        national = NationalProcedure.objects.create(
            code="1.003560.000.00.00.H56",
            name="Thủ tục quốc gia",
            field_code="G12",
            field_name="Hoạt động khoa học",
            result_code="KQ.01",
            imported_at=timezone.now(),
        )
        ProcedureMapping.objects.create(
            series=self.procedure.series, national=national, mapped_at=timezone.now()
        )
        dossier = self.receive(kind="organisation", id_number="2600123456")
        item = payload.dossier_item(dossier)
        # An organisation: LoaiDoiTuong 2, its tax code as SoGiayToChuHoSo, no DinhDanhCHS.
        self.assertEqual(
            (item["LoaiDoiTuong"], item["SoGiayToChuHoSo"], item["DinhDanhCHS"]),
            ("2", "2600123456", []),
        )
        self.assertEqual(
            (item["MaTTHC"], item["TenTTHC"], item["MaLinhVuc"], item["TenLinhVuc"]),
            ("1.003560.000.00.00.H56", "Thủ tục quốc gia", "G12", "Hoạt động khoa học"),
        )


class OutboxWritingTests(StandInTestCase):
    def test_every_action_writes_one_row_in_its_transaction_and_a_rollback_writes_none(self):
        dossier = self.receive()
        self.assertEqual(
            list(OutboxMessage.objects.values_list("event", "service")),
            [("receive", "DongBoHoSoMC")],
        )
        with self.assertRaises(RuntimeError), transaction.atomic():
            ds.dossier_hand_over(actor=self.desk, dossier=dossier, at=at(2026, 3, 2, 10))
            self.assertEqual(OutboxMessage.objects.count(), 2)
            raise RuntimeError("rolled back")
        self.assertEqual(OutboxMessage.objects.count(), 1)
        # A refused action (wrong status) writes nothing either.
        with self.assertRaises(ds.TransitionError):
            ds.dossier_return(actor=self.desk, dossier=dossier, at=at(2026, 3, 2, 11))
        self.assertEqual(OutboxMessage.objects.count(), 1)

    def test_nothing_is_written_while_the_link_is_off(self):
        with override_settings(DVCQG_ENABLED=False):
            self.receive()
        self.assertFalse(OutboxMessage.objects.exists())

    def test_a_dossier_filed_on_the_national_portal_also_syncs_its_status(self):
        dossier = self.receive()
        ds.Dossier.objects.filter(pk=dossier.pk).update(
            national_code="G22.99-260302-00001", national_account="TECH-42", channel=2
        )
        dossier.refresh_from_db()
        ds.dossier_hand_over(actor=self.desk, dossier=dossier, at=at(2026, 3, 2, 10))
        self.assertEqual(
            list(OutboxMessage.objects.filter(event="hand_over").values_list("service", flat=True)),
            ["DongBoHoSoMC", "DongBoTrangThaiHoSo"],
        )
        services.sync_pass(now=at(2026, 3, 2, 11))
        record = self.national.dossier("G22.99-260302-00001")
        self.assertEqual(record["dossier"]["MaDoiTuong"], "TECH-42")
        self.assertEqual(record["dossier"]["KenhThucHien"], "2")
        (status,) = record["statuses"]
        self.assertEqual((status["TrangThai"], status["MaHoSoDonVi"]), ("2", dossier.code))


class FailureTests(StandInTestCase):
    def test_a_fault_on_one_dossier_does_not_block_another_and_the_retry_backs_off(self):
        first = self.receive(at(2026, 3, 2, 9))
        second = self.receive(at(2026, 3, 2, 9, 5), name="Trần Thị Bình")
        self.national.add_fault("DongBoHoSoMC", times=1, mode="error")
        now = at(2026, 3, 2, 10)
        result = services.sync_pass(now=now)
        self.assertEqual((result.sent, result.failed), (1, 1))
        failed = OutboxMessage.objects.get(dossier=first)
        self.assertEqual((failed.state, failed.attempts), (OutboxMessage.State.FAILED, 1))
        self.assertEqual(failed.next_attempt_at, later(now, seconds=60))
        self.assertIn("lỗi giả lập", failed.last_error)
        self.assertIsNone(self.national.dossier(f"{UNIT_CODE}-{first.code}"))
        self.assertIsNotNone(self.national.dossier(f"{UNIT_CODE}-{second.code}"))
        # Not yet due: nothing is sent; after the wait it goes through.
        calls = len(self.national.calls)
        self.assertEqual(services.sync_pass(now=later(now, seconds=30)).dossiers, 0)
        self.assertEqual(len(self.national.calls), calls)
        self.assertEqual(services.sync_pass(now=later(now, seconds=61)).sent, 1)
        self.assertEqual(OutboxMessage.objects.get(dossier=first).state, OutboxMessage.State.SENT)
        self.assertEqual(len(self.national.dossier(f"{UNIT_CODE}-{first.code}")["steps"]), 1)

    def test_repeated_failures_double_the_wait_then_the_message_is_dead_and_blocks_its_dossier(
        self,
    ):
        dossier = self.receive(at(2026, 3, 2, 9))
        self.national.add_fault("TraCuuHoSo", times=3, mode="http500")
        now = at(2026, 3, 2, 10)
        services.sync_pass(now=now)
        message = OutboxMessage.objects.get()
        self.assertEqual(message.next_attempt_at, later(now, seconds=60))
        now = later(now, seconds=61)
        services.sync_pass(now=now)
        message.refresh_from_db()
        self.assertEqual((message.attempts, message.next_attempt_at), (2, later(now, seconds=120)))
        self.assertIn("HTTP 500", message.last_error)
        services.sync_pass(now=later(now, seconds=121))
        message.refresh_from_db()
        self.assertEqual((message.state, message.next_attempt_at), (OutboxMessage.State.DEAD, None))
        # A later change of the same dossier waits behind the dead message.
        ds.dossier_hand_over(actor=self.desk, dossier=dossier, at=at(2026, 3, 2, 11))
        self.assertEqual(services.sync_pass(now=at(2026, 3, 3, 9)).dossiers, 0)
        self.assertIsNone(self.national.dossier(f"{UNIT_CODE}-{dossier.code}"))
        # The administrator's retry lets both through, in order.
        admin = self.make_admin()
        services.retry_message(actor=admin, message=message, now=at(2026, 3, 3, 9))
        self.assertEqual(services.sync_pass(now=at(2026, 3, 3, 9, 1)).sent, 2)
        record = self.national.dossier(f"{UNIT_CODE}-{dossier.code}")
        self.assertEqual(len(record["steps"]), 2)

    def test_a_timeout_after_the_national_side_accepted_is_resent_without_duplicates(self):
        dossier = self.receive(at(2026, 3, 2, 9))
        # The stand-in records the steps, then answers after our 2 s timeout: the ack is lost.
        self.national.add_fault("CapNhatTienDoHoSoMC", times=1, mode="timeout", seconds=2.5)
        services.sync_pass(now=at(2026, 3, 2, 10))
        message = OutboxMessage.objects.get()
        self.assertEqual(message.state, OutboxMessage.State.FAILED)
        self.assertIn("không trả lời", message.last_error)
        self.assertIsNone(HandOver.objects.get(dossier=dossier).synced_at)
        services.sync_pass(now=at(2026, 3, 2, 11))
        record = self.national.dossier(f"{UNIT_CODE}-{dossier.code}")
        self.assertEqual(len(record["steps"]), 1)
        self.assertEqual(record["duplicates"], 1)
        self.assertIsNotNone(HandOver.objects.get(dossier=dossier).synced_at)

    def test_a_worker_dying_between_the_reply_and_our_commit_loses_and_duplicates_nothing(self):
        dossier = self.receive(at(2026, 3, 2, 9))
        ds.dossier_hand_over(actor=self.desk, dossier=dossier, at=at(2026, 3, 2, 10))
        now = at(2026, 3, 2, 11)
        with (
            override_settings(DVCQG_FAILPOINT="after-reply:CapNhatTienDoHoSoMC"),
            self.assertRaises(services.SimulatedCrash),
        ):
            services.sync_pass(now=now)
        code = f"{UNIT_CODE}-{dossier.code}"
        self.assertEqual(len(self.national.dossier(code)["steps"]), 2)  # they got there
        self.assertFalse(HandOver.objects.filter(dossier=dossier, synced_at__isnull=False).exists())
        self.assertEqual(OutboxMessage.objects.filter(state="pending").count(), 2)
        # Another worker leaves the dead one's claim alone until it expires...
        calls = len(self.national.calls)
        self.assertEqual(services.sync_pass(now=later(now, seconds=10)).sent, 0)
        self.assertEqual(len(self.national.calls), calls)
        # ...then sends again: the national side keeps each step once, and we record the acks.
        self.assertEqual(services.sync_pass(now=later(now, seconds=301)).sent, 2)
        record = self.national.dossier(code)
        self.assertEqual(len(record["steps"]), 2)
        self.assertEqual(record["duplicates"], 2)
        self.assertEqual(len(record["versions"]), 2)  # created, then updated (TraCuuHoSo found it)
        self.assertFalse(HandOver.objects.filter(dossier=dossier, synced_at__isnull=True).exists())
        self.assertFalse(OutboxMessage.objects.exclude(state="sent").exists())

    @override_settings(DVCQG_STEP_CHUNK=2)
    def test_steps_go_in_chunks_and_only_acknowledged_ones_are_marked(self):
        dossier = self.receive(at(2026, 3, 2, 9))
        ds.dossier_hand_over(actor=self.desk, dossier=dossier, at=at(2026, 3, 2, 10))
        ds.dossier_hand_over(actor=self.officer_a, dossier=dossier, at=at(2026, 3, 3, 10))
        # The first chunk (2 steps) is acknowledged, the second call fails.
        self.national.add_fault("CapNhatTienDoHoSoMC", times=1, mode="error", skip=1)
        services.sync_pass(now=at(2026, 3, 3, 11))
        steps = list(HandOver.objects.filter(dossier=dossier).order_by("at", "id"))
        self.assertEqual([bool(h.synced_at) for h in steps], [True, True, False])
        self.assertEqual(OutboxMessage.objects.filter(state="failed").count(), 1)
        services.sync_pass(now=at(2026, 3, 3, 12))
        step_calls = [c for c in self.national.calls if c["service"] == "CapNhatTienDoHoSoMC"]
        self.assertEqual([len(c["body"]["data"]) for c in step_calls], [2, 1, 1])
        record = self.national.dossier(f"{UNIT_CODE}-{dossier.code}")
        self.assertEqual([s["IdBuocXuLy"] for s in record["steps"]], [str(h.pk) for h in steps])
        self.assertEqual(record["duplicates"], 0)

    def test_an_expired_session_is_renewed_once(self):
        self.receive(at(2026, 3, 2, 9))
        services.sync_pass(now=at(2026, 3, 2, 9, 1))
        self.assertEqual(self.national.logins, 1)
        self.receive(at(2026, 3, 2, 9, 30), name="Lê Văn Cường")
        self.national.sessions.clear()
        self.assertEqual(services.sync_pass(now=at(2026, 3, 2, 10)).sent, 1)
        self.assertEqual(self.national.logins, 2)

    def make_admin(self):
        from cchc.core.roles import Role
        from cchc.core.testing import make_user

        return make_user("quantri", self.leadership, [Role.SYSTEM_ADMIN])
