"""Dossiers filed on the National Public Service Portal and pushed to POST /api/v1/dvcqg/ho-so:
signed, replay-protected, created once in the desk's queue, refused whole when bad."""

import base64
import datetime as dt

import time_machine
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse

from cchc.core.models import AuditEntry
from cchc.dossiers import services
from cchc.dossiers.models import Channel, DayCounter, Dossier, DossierFile, HandOver, Status
from cchc.dossiers.tests.helpers import PDF, DeskTestCase, at, make_procedure
from cchc.nationalportal.models import InboundReceipt, SyncLog
from cchc.nationalportal.tests.inbound_helpers import (
    AGENCY_NATIONAL_CODE,
    PNG,
    SECRET,
    FileServer,
    map_procedure,
    payload,
    signed_post,
)
from cchc.procedures.models import Component

NOW = at(2026, 3, 2, 9)


def stored_files() -> list[str]:
    """Every file under dossiers/ in the storage (the tests use InMemoryStorage)."""
    found, folders = [], ["dossiers"]
    while folders:
        folder = folders.pop()
        if not default_storage.exists(folder):
            continue
        subfolders, files = default_storage.listdir(folder)
        folders += [f"{folder}/{name}" for name in subfolders]
        found += [f"{folder}/{name}" for name in files]
    return found


def nothing_written(test):
    test.assertEqual(Dossier.objects.count(), 0)
    test.assertEqual(InboundReceipt.objects.count(), 0)
    test.assertEqual(DossierFile.objects.count(), 0)
    test.assertEqual(HandOver.objects.count(), 0)
    test.assertEqual(set(stored_files()), test.files_before)


@override_settings(DVCQG_INBOUND_SECRET=SECRET)
@time_machine.travel(NOW, tick=False)
class InboundDossierTests(DeskTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        type(cls.agency).objects.filter(pk=cls.agency.pk).update(national_code=AGENCY_NATIONAL_CODE)
        Component.objects.create(procedure=cls.procedure, order=2, name="Bản sao hợp đồng")
        map_procedure(cls.procedure, at=NOW)

    def setUp(self):
        self.files_before = set(stored_files())  # the in-memory storage outlives each test

    def push(self, body=None, **kwargs):
        return signed_post(self.client, payload() if body is None else body, **kwargs)

    def test_a_signed_push_creates_the_dossier_in_the_desk_queue(self):
        response = self.push()

        self.assertEqual(response.status_code, 200, response.content)
        dossier = Dossier.objects.get()
        secret = response.json()["result"]["MaTraCuu"]
        self.assertEqual(
            response.json(),
            {
                "error_code": 0,
                "message": f"H43.99-260302-0001|{dossier.code}",
                "result": {
                    "MaHoSo": "H43.99-260302-0001",
                    "MaHoSoDonVi": dossier.code,
                    "MaTraCuu": secret,
                },
            },
        )
        # MaTraCuu is the applicant's lookup secret on our lookup page (8 characters).
        self.assertRegex(secret, r"^[A-HJ-NP-Z2-9]{8}$")
        self.assertTrue(dossier.secret_matches(secret))
        self.assertEqual(dossier.status, Status.SUBMITTED)
        self.assertEqual(dossier.channel, Channel.ONLINE)
        self.assertEqual(dossier.procedure, self.procedure)
        self.assertEqual(dossier.agency, self.agency)
        self.assertEqual(dossier.national_code, "H43.99-260302-0001")
        self.assertEqual(dossier.national_account, "a1b2c3d4-techid")
        self.assertTrue(dossier.vneid_verified)
        self.assertEqual(dossier.applicant_name, "Trần Thị Bình")
        self.assertEqual(dossier.applicant_kind, Dossier.ApplicantKind.PERSON)
        self.assertEqual(dossier.applicant_id_number, "025190001234")
        self.assertEqual(dossier.applicant_email, "binh@example.vn")
        self.assertEqual(dossier.submitted_at, at(2026, 3, 2, 8, 30))
        self.assertIsNone(dossier.owner)
        receipt = InboundReceipt.objects.get()
        self.assertEqual((receipt.dossier, receipt.received_at), (dossier, NOW))
        handover = dossier.handovers.get()
        self.assertEqual(handover.action, HandOver.Action.FILE_ONLINE)
        self.assertEqual(handover.get_action_display(), "Nộp hồ sơ trực tuyến")
        self.assertIn("chuyển giao công nghệ", handover.note)
        self.assertTrue(
            AuditEntry.objects.filter(action="dossier.file_online", object_id=str(dossier.pk))
        )
        stored = dossier.files.get()
        self.assertEqual(stored.component, self.procedure.components.get(order=1))
        self.assertEqual(stored.original_name, "don-de-nghi.pdf")
        self.assertEqual(stored.mime, "application/pdf")
        with default_storage.open(stored.path) as handle:
            self.assertEqual(handle.read(), PDF)

        self.client.force_login(self.desk)
        queue = self.client.get("/ho-so/", {"loc": "new"})
        self.assertContains(queue, dossier.code)
        self.client.force_login(self.outsider)
        self.assertNotContains(self.client.get("/ho-so/"), dossier.code)

    def test_the_same_push_again_answers_the_same_local_code_and_creates_nothing(self):
        first = self.push()
        again = self.push(moment=NOW + dt.timedelta(seconds=30))  # a new signature

        self.assertEqual(again.status_code, 200, again.content)
        code = Dossier.objects.get().code
        self.assertEqual(again.json()["error_code"], 1)
        self.assertEqual(again.json()["result"]["MaHoSoDonVi"], code)
        self.assertEqual(first.json()["result"]["MaHoSoDonVi"], code)
        self.assertEqual(again.json()["message"], f"H43.99-260302-0001|{code}")
        # The national side that lost our first reply gets the same lookup secret again.
        self.assertEqual(again.json()["result"]["MaTraCuu"], first.json()["result"]["MaTraCuu"])
        self.assertEqual(InboundReceipt.objects.count(), 1)
        self.assertEqual(HandOver.objects.count(), 1)
        self.assertEqual(DossierFile.objects.count(), 1)
        self.assertEqual(len(set(stored_files()) - self.files_before), 1)
        self.assertEqual(DayCounter.objects.get().last, 1)

    def test_a_wrong_signature_is_refused_and_nothing_is_written(self):
        for signature in ("sha256=" + "0" * 64, "", "sha256="):
            response = self.push(signature=signature or None, secret="not-the-secret")
            self.assertEqual(response.status_code, 401)
            body = response.json()
            self.assertEqual(body["error_code"], -1)
            self.assertEqual(body["errors"][0]["field"], "X-DVCQG-Signature")
            self.assertIn("chữ ký", body["errors"][0]["message"])
        nothing_written(self)

    def test_a_signature_that_is_not_hex_is_refused_not_a_server_error(self):
        for signature in ("sha256=" + "é" * 64, "sha256=" + "z" * 64, "md5=" + "0" * 64):
            response = self.push(signature=signature)
            self.assertEqual(response.status_code, 401, signature)
        nothing_written(self)

    def test_a_body_changed_after_signing_is_refused(self):
        from cchc.nationalportal.codes import body_signature

        timestamp = "20260302090000"
        signature = "sha256=" + body_signature(SECRET, timestamp, b'{"MaHoSo": "other"}')
        response = self.push(timestamp=timestamp, signature=signature)
        self.assertEqual(response.status_code, 401)
        nothing_written(self)

    def test_a_stale_or_future_timestamp_is_refused(self):
        for moment in (NOW - dt.timedelta(seconds=301), NOW + dt.timedelta(seconds=301)):
            response = self.push(moment=moment)
            self.assertEqual(response.status_code, 401, moment)
            self.assertEqual(response.json()["errors"][0]["field"], "X-DVCQG-Timestamp")
            self.assertIn("300 giây", response.json()["errors"][0]["message"])
        for timestamp in ("1772416800", "2026-03-02 09:00"):
            response = self.push(timestamp=timestamp)
            self.assertEqual(response.status_code, 401, timestamp)
            self.assertIn("yyyyMMddHHmmss", response.json()["errors"][0]["message"])
        nothing_written(self)

    def test_a_timestamp_within_five_minutes_is_accepted(self):
        response = self.push(moment=NOW - dt.timedelta(seconds=299))
        self.assertEqual(response.status_code, 200, response.content)

    def test_a_replayed_signature_is_refused(self):
        timestamp = "20260302090000"
        self.assertEqual(self.push(timestamp=timestamp).status_code, 200)
        replay = self.push(timestamp=timestamp)
        self.assertEqual(replay.status_code, 401)
        self.assertIn("đã được dùng", replay.json()["errors"][0]["message"])
        self.assertEqual(Dossier.objects.count(), 1)

    def test_a_replay_of_a_refused_push_is_refused_too(self):
        timestamp = "20260302090000"
        body = payload(MaTTHC="9.999999")
        self.assertEqual(self.push(body, timestamp=timestamp).status_code, 422)
        self.assertEqual(self.push(body, timestamp=timestamp).status_code, 401)

    @override_settings(DVCQG_INBOUND_SECRET="")
    def test_without_a_configured_secret_the_endpoint_is_disabled(self):
        response = self.push(secret="")
        self.assertEqual(response.status_code, 503)
        self.assertIn("DVCQG_INBOUND_SECRET", response.json()["message"])
        nothing_written(self)

    def test_an_unmapped_national_procedure_is_refused_naming_mattHC(self):
        response = self.push(payload(MaTTHC="1.000001.000.00.00.H43"))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["error_code"], -1)
        error = response.json()["errors"][0]
        self.assertEqual(error["field"], "MaTTHC")
        self.assertIn("1.000001.000.00.00.H43", error["message"])
        nothing_written(self)

    def test_a_mapped_procedure_that_takes_no_dossiers_is_refused_naming_mattHC(self):
        without_time = make_procedure(time=None)
        map_procedure(without_time, "1.000002.000.00.00.H43", at=NOW)
        response = self.push(payload(MaTTHC="1.000002.000.00.00.H43"))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"][0]["field"], "MaTTHC")
        self.assertIn("chưa nhận hồ sơ", response.json()["errors"][0]["message"])
        nothing_written(self)

    def test_the_dossier_takes_the_current_version_of_the_mapped_procedure(self):
        type(self.procedure).objects.filter(pk=self.procedure.pk).update(is_current=False)
        newer = make_procedure()
        type(newer).objects.filter(pk=newer.pk).update(series=self.procedure.series, version=2)
        response = self.push()
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(Dossier.objects.get().procedure_id, newer.pk)

    def test_an_unknown_agency_code_is_refused_naming_madonvi(self):
        response = self.push(payload(MaDonVi="000.00.99.H99"))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"][0]["field"], "MaDonVi")
        nothing_written(self)

    def test_a_body_that_breaks_the_schema_gets_vietnamese_messages_per_field(self):
        body = payload(NgayNopHoSo="2026-03-02", LoaiDoiTuong="9", SoGiayToChuHoSo="  ")
        del body["ChuHoSo"]
        body["TaiLieuNop"][0]["DuongDanTaiTepTin"] = "http://example.vn/a.pdf"  # and Base64
        response = self.push(body)
        self.assertEqual(response.status_code, 400)
        errors = {e["field"]: e["message"] for e in response.json()["errors"]}
        self.assertEqual(response.json()["error_code"], -1)
        self.assertIn("Thiếu", errors["ChuHoSo"])
        self.assertIn("yyyyMMddHHmmss", errors["NgayNopHoSo"])
        self.assertIn("1, 2, 3, 4", errors["LoaiDoiTuong"])
        self.assertIn("không được để trống", errors["SoGiayToChuHoSo"])
        self.assertIn("Base64", errors["TaiLieuNop[0]"])
        nothing_written(self)

    def test_a_body_that_is_not_json_is_refused(self):
        for raw in (b"{not json", b"[1, 2]", "\ufffd".encode() + b"\xff", b"[" * 200_000):
            response = self.push(raw)
            self.assertEqual(response.status_code, 400, raw)
            self.assertEqual(response.json()["error_code"], -1)
        nothing_written(self)

    def test_a_bad_email_or_submission_time_is_refused(self):
        response = self.push(payload(Email="khong-phai-email", NgayNopHoSo="20261399250000"))
        self.assertEqual(response.status_code, 400)
        fields = {e["field"] for e in response.json()["errors"]}
        self.assertEqual(fields, {"Email", "NgayNopHoSo"})
        nothing_written(self)

    def test_a_submission_time_in_the_future_is_refused(self):
        response = self.push(payload(NgayNopHoSo="20260302100000"))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["field"], "NgayNopHoSo")
        nothing_written(self)

    def test_a_body_larger_than_django_s_in_memory_limit_is_read_whole(self):
        scan = PDF + b"0" * (3 * 1024 * 1024)  # 4 MB of base64, above the 2.5 MB default
        body = payload()
        body["TaiLieuNop"][0]["Base64"] = base64.b64encode(scan).decode()
        response = self.push(body)
        self.assertEqual(response.status_code, 200, response.content[:300])
        self.assertEqual(DossierFile.objects.get().size, len(scan))

    def test_files_larger_than_the_limits_are_refused(self):
        from cchc.nationalportal import inbound

        big = base64.b64encode(PDF + b"0" * (inbound.MAX_FILE_BYTES)).decode()
        body = payload()
        body["TaiLieuNop"][0]["Base64"] = big
        response = self.push(body)
        self.assertEqual(response.status_code, 422)
        self.assertIn("quá lớn", response.json()["errors"][0]["message"])
        nothing_written(self)

    def test_a_base64_file_that_is_not_the_declared_type_is_refused_and_nothing_stored(self):
        body = payload()
        body["TaiLieuNop"].append(
            {
                "MaThanhPhanHoSo": "2",
                "TenTepDinhKem": "hop-dong.pdf",
                "Base64": base64.b64encode(b"<html><script>alert(1)</script></html>").decode(),
            }
        )
        response = self.push(body)
        self.assertEqual(response.status_code, 422)
        error = response.json()["errors"][0]
        self.assertEqual(error["field"], "TaiLieuNop[1].Base64")
        self.assertIn("hop-dong.pdf", error["message"])
        nothing_written(self)

    def test_base64_that_does_not_decode_is_refused(self):
        body = payload()
        body["TaiLieuNop"][0]["Base64"] = "%%% không phải base64 %%%"
        response = self.push(body)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"][0]["field"], "TaiLieuNop[0].Base64")
        nothing_written(self)

    def test_components_are_matched_by_order_number_or_by_name(self):
        body = payload()
        body["TaiLieuNop"] = [
            {
                "MaThanhPhanHoSo": "TP-QG-778",
                "TenThanhPhanHoSo": "BAN SAO HOP DONG",
                "TenTepDinhKem": "hop-dong.png",
                "Base64": base64.b64encode(PNG).decode(),
            },
            {
                "MaThanhPhanHoSo": "1",
                "TenTepDinhKem": "don.pdf",
                "Base64": base64.b64encode(PDF).decode(),
            },
            {"TenTepDinhKem": "khac.pdf", "Base64": base64.b64encode(PDF).decode()},
        ]
        self.assertEqual(self.push(body).status_code, 200)
        files = {f.original_name: f for f in DossierFile.objects.all()}
        self.assertEqual(files["hop-dong.png"].component.name, "Bản sao hợp đồng")
        self.assertEqual(files["don.pdf"].component.order, 1)
        self.assertIsNone(files["khac.pdf"].component)
        self.assertEqual(files["khac.pdf"].name, "khac.pdf")

    def test_the_reuse_flags_of_each_file_are_kept(self):
        body = payload()
        body["TaiLieuNop"][0] |= {"DuocTaiSuDung": "2", "DuocLayTuKhoDMQG": "1"}
        self.assertEqual(self.push(body).status_code, 200)
        stored = DossierFile.objects.get()
        self.assertEqual((stored.reuse, stored.from_national_store), (2, True))
        self.assertTrue(stored.digitised)  # an electronic file, as online filings count

    def test_a_component_given_by_url_is_fetched_from_the_server_and_stored(self):
        body = payload()
        with FileServer({"/tep/hop-dong.pdf": ("application/pdf", PDF)}) as server:
            body["TaiLieuNop"] = [
                {
                    "MaThanhPhanHoSo": "2",
                    "TenTepDinhKem": "hop-dong.pdf",
                    "DuongDanTaiTepTin": server.url("/tep/hop-dong.pdf"),
                }
            ]
            response = self.push(body)
        self.assertEqual(response.status_code, 200, response.content)
        stored = DossierFile.objects.get()
        self.assertEqual(stored.component.order, 2)
        self.assertEqual(stored.size, len(PDF))
        with default_storage.open(stored.path) as handle:
            self.assertEqual(handle.read(), PDF)

    def test_a_url_that_fails_or_serves_the_wrong_type_is_refused(self):
        served = {
            "/trang.pdf": ("text/html", b"<!doctype html><html><body>Dang nhap</body></html>"),
            "/gia.pdf": ("application/pdf", b"<html><script>x</script></html>"),
            "/chuyen": ("redirect", b"http://169.254.169.254/latest/meta-data"),
        }
        with FileServer(served) as server:
            for path, words in (
                ("/khong-co.pdf", "404"),
                ("/trang.pdf", "text/html"),
                ("/gia.pdf", "không đúng loại"),
                ("/chuyen", "302"),
            ):
                body = payload()
                body["TaiLieuNop"][0] = {
                    "TenTepDinhKem": "a.pdf",
                    "DuongDanTaiTepTin": server.url(path),
                }
                response = self.push(body, moment=NOW + dt.timedelta(seconds=len(path)))
                self.assertEqual(response.status_code, 422, path)
                error = response.json()["errors"][0]
                self.assertEqual(error["field"], "TaiLieuNop[0].DuongDanTaiTepTin")
                self.assertIn(words, error["message"])
        nothing_written(self)

    @override_settings(DVCQG_INBOUND_FILE_HOSTS=["files.dichvucong.gov.vn"])
    def test_a_url_outside_the_allowed_hosts_is_not_fetched(self):
        body = payload()
        body["TaiLieuNop"][0] = {
            "TenTepDinhKem": "a.pdf",
            "DuongDanTaiTepTin": "http://127.0.0.1:9/a.pdf",
        }
        response = self.push(body)
        self.assertEqual(response.status_code, 422)
        self.assertIn("127.0.0.1", response.json()["errors"][0]["message"])
        nothing_written(self)

    def test_the_desk_accepts_it_and_it_proceeds_through_the_normal_workflow(self):
        self.push()
        dossier = Dossier.objects.get()
        dossier = services.dossier_accept(actor=self.desk, dossier=dossier, at=NOW)
        self.assertEqual(dossier.status, Status.RECEIVED)
        self.assertIsNotNone(dossier.due_at)
        dossier = self.decide(dossier, at(2026, 3, 4, 9), result_text="Đã cấp giấy chứng nhận")
        self.assertEqual(dossier.status, Status.DECIDED)
        dossier = services.dossier_return(actor=self.desk, dossier=dossier, at=at(2026, 3, 4, 10))
        self.assertEqual(dossier.status, Status.RETURNED)
        self.assertEqual(dossier.national_code, "H43.99-260302-0001")
        self.assertEqual(
            list(dossier.handovers.order_by("id").values_list("action", flat=True)[:2]),
            [HandOver.Action.FILE_ONLINE, HandOver.Action.ACCEPT],
        )

    def test_the_other_agency_desk_cannot_see_or_accept_it(self):
        from cchc.core.roles import Role
        from cchc.core.testing import make_user

        self.push()
        dossier = Dossier.objects.get()
        other_desk = make_user("other_desk", self.other_unit, [Role.ONE_STOP_OFFICER])
        self.client.force_login(other_desk)
        self.assertEqual(self.client.get(f"/ho-so/{dossier.code}/").status_code, 404)
        with self.assertRaises(services.PermissionDenied):
            services.dossier_accept(actor=other_desk, dossier=dossier, at=NOW)
        self.assertEqual(Dossier.objects.get().status, Status.SUBMITTED)

    @override_settings(RATE_LIMITS={"dvcqg-inbound": "2/m"})
    def test_the_endpoint_is_rate_limited_per_address(self):
        codes = [self.push(signature="sha256=" + "0" * 64).status_code for _ in range(3)]
        self.assertEqual(codes, [401, 401, 429])
        response = self.push()
        self.assertEqual(response.status_code, 429)
        self.assertIn("quá nhiều lần", response.json()["errors"][0]["message"])
        nothing_written(self)

    def test_get_is_not_allowed(self):
        response = self.client.get("/api/v1/dvcqg/ho-so")
        self.assertEqual(response.status_code, 405)


@override_settings(DVCQG_INBOUND_SECRET=SECRET)
@time_machine.travel(NOW, tick=False)
class InboundReplyAndLogTests(DeskTestCase):
    """MaTraCuu of the reply, and the "in" rows of the sync log."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        type(cls.agency).objects.filter(pk=cls.agency.pk).update(national_code=AGENCY_NATIONAL_CODE)
        map_procedure(cls.procedure, at=NOW)

    def test_the_lookup_secret_opens_the_lookup_page_and_another_code_gets_another(self):
        first = signed_post(self.client, payload()).json()["result"]
        other = signed_post(self.client, payload(code="H43.99-260302-0002")).json()["result"]
        self.assertNotEqual(first["MaTraCuu"], other["MaTraCuu"])
        page = self.client.get(
            "/ho-so/tra-cuu/", {"code": first["MaHoSoDonVi"], "secret": first["MaTraCuu"]}
        )
        self.assertContains(page, first["MaHoSoDonVi"])
        self.assertContains(page, "Trần Thị Bình")
        wrong = self.client.get(
            "/ho-so/tra-cuu/", {"code": first["MaHoSoDonVi"], "secret": other["MaTraCuu"]}
        )
        self.assertNotContains(wrong, "Trần Thị Bình")

    def test_after_a_change_of_secret_key_a_repeat_answers_without_a_wrong_secret(self):
        signed_post(self.client, payload())
        with override_settings(SECRET_KEY="another-key-" + "x" * 50):
            again = signed_post(self.client, payload(), moment=NOW + dt.timedelta(seconds=5))
        self.assertEqual(again.json()["error_code"], 1)
        self.assertNotIn("MaTraCuu", again.json()["result"])

    def test_an_accepted_push_is_logged_in_with_its_dossier_without_file_content(self):
        response = signed_post(self.client, payload())
        dossier = Dossier.objects.get()
        [log] = SyncLog.objects.all()
        self.assertEqual(
            (log.direction, log.service, log.state, log.dossier, log.agency),
            (SyncLog.Direction.IN, "NhanHoSoDVCQG", SyncLog.State.OK, dossier, self.agency),
        )
        self.assertEqual(log.payload["MaHoSo"], "H43.99-260302-0001")
        self.assertNotIn(payload()["TaiLieuNop"][0]["Base64"], str(log.payload))
        self.assertEqual(log.reply["result"]["MaTraCuu"], "***")  # the secret is not kept
        self.assertNotEqual(response.json()["result"]["MaTraCuu"], "***")
        # The dossier's sync log page shows it to the desk.
        self.client.force_login(self.desk)
        page = self.client.get(reverse("nationalportal:dossier-sync-log", args=[dossier.code]))
        self.assertContains(page, "NhanHoSoDVCQG")

    def test_a_refused_push_of_a_known_agency_is_logged_with_its_reason(self):
        response = signed_post(self.client, payload(MaTTHC="9.999999.000.00.00.H43"))
        self.assertEqual(response.status_code, 422)
        [log] = SyncLog.objects.all()
        self.assertEqual((log.state, log.dossier, log.agency), ("error", None, self.agency))
        self.assertIn("9.999999.000.00.00.H43", log.error)
        self.assertEqual(log.reply["error_code"], -1)

    def test_an_unsigned_push_or_one_of_an_unknown_agency_writes_no_log(self):
        signed_post(self.client, payload(), signature="sha256=" + "0" * 64)
        signed_post(self.client, payload(MaDonVi="000.00.00.X00"))
        signed_post(self.client, b"not json")
        self.assertEqual(SyncLog.objects.count(), 0)
