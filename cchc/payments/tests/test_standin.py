"""The payment platform stand-in refuses what the real platform would (over HTTP)."""

import requests
from django.test import SimpleTestCase

from cchc.payments import standin
from cchc.payments.tests.helpers import PARTNER, mac, platform_app


def init(**changes):
    message = {
        "LoaiBanTin": "PAY_INIT",
        "PhienBan": "1.0.0",
        "MaDoiTac": PARTNER,
        "MaThamChieu": "TEST-260303-0001-AB",
        "SoTien": "30000",
        "LoaiHinhThanhToan": "PAY",
        "MaKenhThanhToan": "1",
        "MaThietBi": "1",
        "NgonNgu": "vi",
        "MaTienTe": "VND",
        "MaNganHang": "",
        "ThongTinGiaoDich": "Nop le phi",
        "ThoiGianGD": "20260303150000",
        "Ip": "127.0.0.1",
        "ThongTinBienLai": {
            "MaDichVu": "2",
            "MaDonVi": "000.00.12.H56",
            "TenDonVi": "Sở KH&CN",
            "MaHoSo": "TEST-260303-0001",
            "MaTTHC": "2.002248",
            "PhiLePhi": [
                {"LoaiPhiLePhi": "2", "MaPhiLePhi": "X", "TenPhiLePhi": "Lệ phí", "SoTien": "30000"}
            ],
        },
        **changes,
    }
    message["MaXacThuc"] = mac(message, "init")
    return message


class StandInTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.platform = platform_app()
        cls.server = standin.serve(cls.platform)
        cls.url = f"http://127.0.0.1:{cls.server.server_port}/"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        super().tearDownClass()

    def post(self, path, message):
        return requests.post(self.url + path, json=message, timeout=5)

    def test_a_valid_init_gets_its_payment_page_once(self):
        reply = self.post("inittransaction", init()).json()
        self.assertEqual(reply["MaLoi"], "00")
        self.assertEqual(reply["UrlThanhToan"], self.url + "thanhtoan/TEST-260303-0001-AB")
        page = requests.get(reply["UrlThanhToan"], timeout=5)
        self.assertIn("Thanh toán</button>", page.text)
        self.assertEqual(self.post("inittransaction", init()).json()["MaLoi"], "07")

    def test_what_the_platform_refuses(self):
        unsigned = init(MaThamChieu="R-1")
        unsigned["MaXacThuc"] = "0" * 64
        missing = init(MaThamChieu="R-2")
        del missing["ThongTinBienLai"]["MaDonVi"]
        missing["MaXacThuc"] = mac(missing, "init")
        for message, code in (
            (unsigned, "04"),
            (missing, "02"),
            (init(MaThamChieu="R-3", MaDoiTac="KHAC"), "03"),
            (init(MaThamChieu="R-4", SoTien="31000"), "05"),
            (init(MaThamChieu="R-5", ThoiGianGD="2026-03-03 15:00"), "06"),
        ):
            response = self.post("inittransaction", message)
            self.assertEqual((response.status_code, response.json()["MaLoi"]), (400, code))
        self.assertNotIn("R-1", self.platform.transactions)

    def test_an_unsigned_query_is_refused(self):
        reply = self.post(
            "querytransaction", {"MaDoiTac": PARTNER, "MaThamChieu": "X", "MaXacThuc": "00"}
        )
        self.assertEqual(reply.json()["MaLoi"], "04")
