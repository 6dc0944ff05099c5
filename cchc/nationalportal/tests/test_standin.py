"""The stand-in's schemas bite: a bad date, a missing field or a code outside the lists is
refused with the validation message, over HTTP as the adapter would see it."""

import copy

import requests
from django.test import SimpleTestCase

from cchc.dossiers.tests.helpers import at
from cchc.nationalportal import payload, standin
from cchc.nationalportal.tests.helpers import StandInTestCase


class SchemaTests(StandInTestCase):
    def setUp(self):
        super().setUp()
        self.item = payload.dossier_item(self.receive(at(2026, 3, 2, 9)))
        self.session = requests.post(
            self.running.url + "/login", json={"username": "cchc", "password": "mat-khau"}
        ).json()["session"]

    def post(self, item, service="DongBoHoSoMC"):
        body = {"session": self.session, "service": service, "madonvi": "", "isUpdating": "False"}
        return requests.post(
            self.running.url + "/integration", json={**body, "data": [item]}, timeout=5
        ).json()

    def test_a_valid_item_is_accepted(self):
        self.assertEqual(self.post(self.item)["error_code"], 0)
        self.assertEqual(self.national.dossier(self.item["MaHoSo"])["dossier"], self.item)

    def test_bad_dates_missing_fields_and_unknown_codes_are_refused_with_the_reason(self):
        cases = {
            "NgayTiepNhan": ("2026-03-02 09:00", "NgayTiepNhan"),
            "NgayHenTra": ("20261302090000", "NgayHenTra"),  # month 13: 14 digits, no date
            "KenhThucHien": ("4", "KenhThucHien"),
            "TrangThaiHoSo": ("11", "TrangThaiHoSo"),
            "LoaiDoiTuong": ("5", "LoaiDoiTuong"),
            "HinhThuc": ("2", "HinhThuc"),
            "DuocThanhToanTrucTuyen": ("9", "DuocThanhToanTrucTuyen"),
        }
        for field, (value, named) in cases.items():
            with self.subTest(field=field):
                item = {**self.item, field: value}
                reply = self.post(item)
                self.assertEqual(reply["error_code"], standin.INVALID)
                self.assertIn(named, reply["message"])
        missing = copy.deepcopy(self.item)
        del missing["TaiLieuNop"]
        reply = self.post(missing)
        self.assertEqual(reply["error_code"], standin.INVALID)
        self.assertIn("'TaiLieuNop' is a required property", reply["message"])
        fee = {
            **self.item,
            "DanhSachLePhi": [
                {
                    "TenPhiLePhi": "Lệ phí",
                    "MaPhiLePhi": "",
                    "HinhThucThu": "0",
                    "Gia": "50000",
                    "LoaiPhiLePhi": "3",
                }
            ],
        }
        self.assertIn("LoaiPhiLePhi", self.post(fee)["message"])
        self.assertIsNone(self.national.dossier(self.item["MaHoSo"]))  # nothing recorded

    def test_a_step_without_a_moment_is_refused(self):
        self.post(self.item)
        step = {
            "MaHoSo": self.item["MaHoSo"],
            "NguoiXuLy": "x" * 51,
            "ChucDanh": "",
            "ThoiDiemXuLy": "",
            "PhongBanXuLy": "",
            "NoiDungXuLy": "Tiếp nhận",
            "TrangThai": "2",
            "NgayBatDau": "",
            "NgayKetThucTheoQuyDinh": "",
        }
        reply = self.post(step, service="CapNhatTienDoHoSoMC")
        self.assertEqual(reply["error_code"], standin.INVALID)
        self.assertIn("ThoiDiemXuLy", reply["message"])
        self.assertIn("NguoiXuLy", reply["message"])

    def test_a_call_without_a_session_is_refused(self):
        reply = requests.post(
            self.running.url + "/integration",
            json={"service": "TraCuuHoSo", "mahoso": "x"},
            timeout=5,
        ).json()
        self.assertEqual(reply["error_code"], standin.SESSION_REFUSED)

    def test_faults_and_inspection_over_http(self):
        url = self.running.url
        requests.post(
            url + "/_standin/faults",
            json={"service": "TraCuuHoSo", "times": 1, "mode": "error"},
            timeout=5,
        )
        body = {"session": self.session, "service": "TraCuuHoSo", "mahoso": "x"}
        self.assertEqual(
            requests.post(url + "/integration", json=body, timeout=5).json()["error_code"],
            standin.FAULT,
        )
        self.assertEqual(
            requests.post(url + "/integration", json=body, timeout=5).json()["result"], []
        )
        self.post(self.item)
        seen = requests.get(url + "/_standin/dossiers/" + self.item["MaHoSo"], timeout=5)
        self.assertEqual(seen.status_code, 200)
        self.assertEqual(seen.json()["dossier"]["MaHoSo"], self.item["MaHoSo"])
        self.assertEqual(requests.get(url + "/_standin/dossiers/none", timeout=5).status_code, 404)


class AdapterTests(StandInTestCase):
    def test_share_call_reads_the_catalogue_and_a_refusal_raises_a_vietnamese_error(self):
        from cchc.nationalportal import adapter

        reply = adapter.share_call("LayDanhSachTTHC", {})
        self.assertEqual(reply["error_code"], 0)
        self.assertIsInstance(reply["result"], list)
        self.national.add_fault("LayThuTuc", times=1, mode="error")
        with self.assertRaises(adapter.AdapterError) as caught:
            adapter.call("LayThuTuc", {"maTTHC": "1.000001"})
        self.assertIn("Cổng DVCQG từ chối LayThuTuc (mã 99)", caught.exception.message)
        # The body carried the session; the dstcode header was sent.
        self.assertEqual(self.national.calls[-1]["dstcode"], "TEST")
        body = self.national.calls[-1]["body"]
        self.assertEqual((body["service"], body["maTTHC"]), ("LayThuTuc", "1.000001"))
        self.assertIn(body["session"], self.national.sessions)

    def test_an_unreachable_adapter_is_a_clear_error(self):
        from django.test import override_settings

        from cchc.nationalportal import adapter

        with (
            override_settings(DVCQG_ADAPTER_URL="http://127.0.0.1:9"),
            self.assertRaises(adapter.AdapterError) as caught,
        ):
            adapter.call("TraCuuHoSo", {"mahoso": "x"})
        self.assertIn("Không kết nối được Cổng DVCQG", caught.exception.message)

    def test_renamed_services_and_the_plain_envelope(self):
        from django.test import override_settings

        from cchc.nationalportal import adapter

        self.national.open_access = True  # the plain envelope sends no session
        with override_settings(DVCQG_ENVELOPE="plain", DVCQG_SERVICE_NAMES={"Tim": "TraCuuHoSo"}):
            reply = adapter.call("Tim", {"mahoso": "x"})
        self.assertEqual(reply["result"], [])
        self.assertNotIn("session", self.national.calls[-1]["body"])
        self.assertEqual(self.national.logins, 0)


class MountTests(SimpleTestCase):
    def test_another_wsgi_app_is_served_under_its_prefix(self):
        def hello(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [f"{environ['SCRIPT_NAME']}|{environ['PATH_INFO']}".encode()]

        running = standin.serve(mounts={"/pp/": hello})
        try:
            response = requests.get(running.url + "/pp/thanh-toan", timeout=5)
            self.assertEqual(response.text, "/pp|/thanh-toan")
            self.assertEqual(
                requests.get(running.url + "/_standin/calls", timeout=5).json(), {"calls": []}
            )
        finally:
            running.stop()

    def test_the_catalogue_services_answer_a_list(self):
        running = standin.serve(mounts={})
        try:
            session = requests.post(
                running.url + "/login", json={"username": "a", "password": "b"}, timeout=5
            ).json()["session"]
            reply = requests.post(
                running.url + "/share",
                json={"session": session, "service": "LayDanhSachTTHC"},
                timeout=5,
            ).json()
            self.assertEqual(reply["error_code"], 0)
            self.assertIsInstance(reply["result"], list)
        finally:
            running.stop()
