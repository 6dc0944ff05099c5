import hashlib
from decimal import Decimal

from django.test import override_settings

from cchc.dossiers import services as dossier_services
from cchc.dossiers.tests.helpers import DeskTestCase, at
from cchc.payments import standin

PARTNER, SECRET = "CCHC-TEST", "test-secret-khong-dung-that"
# The documented MaXacThuc field orders (docs/dvcqg.md), written out again here so that the
# tests check the adapter and the stand-in against the documentation, not against themselves.
ORDER = {
    "init": "LoaiBanTin|PhienBan|MaDoiTac|MaThamChieu|SoTien|LoaiHinhThanhToan|MaKenhThanhToan"
    "|MaThietBi|NgonNgu|MaTienTe|MaNganHang|ThongTinGiaoDich|ThoiGianGD|Ip",
    "callback": "LoaiBanTin|MaLoi|MaDoiTac|MaThamChieu|SoTien|MaTienTe|MaGiaoDich|MaNganHang"
    "|ThoiGianGD|ThongTinGiaoDich",
    "callback-reply": "MaLoi|MoTaLoi|MaDoiTac|MaThamChieu|ThoiGianGD",
}


def mac(message: dict, kind: str, secret: str = SECRET) -> str:
    text = "|".join(str(message[name]) for name in ORDER[kind].split("|"))
    return hashlib.sha256(f"{text}|{secret}".encode()).hexdigest()


def platform_settings(port: int, **extra):
    return override_settings(
        PAYMENT_PLATFORM_URL=f"http://127.0.0.1:{port}/",
        PAYMENT_PARTNER_CODE=PARTNER,
        PAYMENT_SECRET=SECRET,
        PAYMENT_BENEFICIARY_ACCOUNT="1234567890",
        PAYMENT_BENEFICIARY_BANK="970415",
        PAYMENT_BENEFICIARY_NAME="So Khoa hoc va Cong nghe",
        **extra,
    )


def platform_app(site: str = "http://127.0.0.1:9") -> standin.Platform:
    return standin.make_app(
        {
            PARTNER: {
                "secret": SECRET,
                "callback_url": f"{site}/thanh-toan/ket-qua/",
                "return_url": site + "/thanh-toan/tro-ve/{MaThamChieu}/",
            }
        }
    )


class PaymentTestCase(DeskTestCase):
    """A dossier waiting for its fees (status 6, 500 000 đồng asked at unit A's step) and the
    payment platform stand-in served over HTTP on a free port."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.agency.national_code = "000.00.12.H56"
        cls.agency.save(update_fields=["national_code"])

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.platform = platform_app()
        cls.server = standin.serve(cls.platform)
        cls.platform_settings = platform_settings(cls.server.server_port)
        cls.platform_settings.enable()

    @classmethod
    def tearDownClass(cls):
        cls.platform_settings.disable()
        cls.server.shutdown()
        cls.server.server_close()
        super().tearDownClass()

    def setUp(self):
        self.platform.transactions.clear()
        self.platform.callbacks.clear()
        self.dossier, self.secret = self.file_online(at(2026, 3, 2, 9))
        dossier_services.dossier_accept(
            actor=self.desk, dossier=self.dossier, at=at(2026, 3, 2, 10)
        )
        dossier_services.dossier_hand_over(
            actor=self.desk, dossier=self.dossier, at=at(2026, 3, 2, 11)
        )
        self.dossier = dossier_services.dossier_require_fees(
            actor=self.officer_a, dossier=self.dossier, amount=Decimal(500000), at=at(2026, 3, 3, 9)
        )

    def start(self, secret=None):
        return self.client.post(
            "/thanh-toan/bat-dau/", {"code": self.dossier.code, "secret": secret or self.secret}
        )
