"""The adapter to the national payment platform (DVCQG Payment Platform): message shapes,
their MaXacThuc and the two calls CCHC makes (init, query). docs/dvcqg.md, "Payment".

MaXacThuc = SHA-256 hex of the message's signed fields, in the order below, joined by "|",
with the secret as the last element: sha256("v1|v2|...|vn|secret"). Nested blocks
(ThongTinBienLai) are not signed: they travel in the same signed request over TLS.
"""

import hashlib
import hmac

import requests
from django.conf import settings

from cchc.nationalportal.codes import national_time

VERSION = "1.0.0"  # PhienBan
CURRENCY = "VND"  # MaTienTe
LANGUAGE = "vi"  # NgonNgu
OK = "00"  # MaLoi: Thành công
OTHER_ERROR = "99"  # MaLoi: Các lỗi khác

# LoaiBanTin of each message.
INIT, NOTIFY, QUERY = "PAY_INIT", "PAY_NOTIFY", "PAY_QUERY"

SIGNED = {
    "init": (
        "LoaiBanTin",
        "PhienBan",
        "MaDoiTac",
        "MaThamChieu",
        "SoTien",
        "LoaiHinhThanhToan",
        "MaKenhThanhToan",
        "MaThietBi",
        "NgonNgu",
        "MaTienTe",
        "MaNganHang",
        "ThongTinGiaoDich",
        "ThoiGianGD",
        "Ip",
    ),
    "init-reply": ("MaLoi", "MaDoiTac", "MaThamChieu", "UrlThanhToan", "ThoiGianGD"),
    "callback": (
        "LoaiBanTin",
        "MaLoi",
        "MaDoiTac",
        "MaThamChieu",
        "SoTien",
        "MaTienTe",
        "MaGiaoDich",
        "MaNganHang",
        "ThoiGianGD",
        "ThongTinGiaoDich",
    ),
    "callback-reply": ("MaLoi", "MoTaLoi", "MaDoiTac", "MaThamChieu", "ThoiGianGD"),
    "query": ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD"),
    "query-reply": (
        "MaLoi",
        "MaDoiTac",
        "MaThamChieu",
        "TrangThaiGD",
        "SoTien",
        "MaGiaoDich",
        "MaNganHang",
        "ThoiGianGD",
    ),
}

# TrangThaiGD of a query reply.
SETTLED, STILL_PENDING, CANCELLED = "1", "3", "4"


class PlatformError(Exception):
    """The platform could not be reached, refused the message or answered unsigned."""


def signature(message: dict, kind: str, secret: str) -> str:
    values = [str(message.get(name, "")) for name in SIGNED[kind]]
    return hashlib.sha256("|".join([*values, secret]).encode()).hexdigest()


def signed(message: dict, kind: str) -> dict:
    return {**message, "MaXacThuc": signature(message, kind, settings.PAYMENT_SECRET)}


def is_signed(message: dict, kind: str) -> bool:
    secret = settings.PAYMENT_SECRET
    given = message.get("MaXacThuc")
    return (
        bool(secret)
        and isinstance(given, str)
        and hmac.compare_digest(signature(message, kind, secret), given.lower())
    )


def configured() -> bool:
    return bool(
        settings.PAYMENT_PLATFORM_URL and settings.PAYMENT_PARTNER_CODE and settings.PAYMENT_SECRET
    )


def amount_text(amount) -> str:
    """SoTien: whole đồng, digits only."""
    return str(int(amount))


def init_message(*, dossier, reference: str, lines, ip: str, at, national=None) -> dict:
    """The init message of one payment of `lines` (FeeLine) of `dossier`."""
    procedure = dossier.procedure
    procedure_code = national.code if national is not None else procedure.code
    procedure_name = national.name if national is not None else procedure.name
    total = sum(line.amount for line in lines)
    purpose = f"Nop phi, le phi ho so {dossier.code}"
    receipt = {
        "MaDichVu": "2",  # 2 = phí, lệ phí (1 = fines)
        "MaDonVi": dossier.agency.national_code,
        "TenDonVi": dossier.agency.name,
        "MaHoSo": dossier.national_code or dossier.code,
        "MaDVC": procedure_code,
        "TenDVC": procedure_name,
        "MaTTHC": procedure_code,
        "TenTTHC": procedure_name,
        "TKThuHuong": settings.PAYMENT_BENEFICIARY_ACCOUNT,
        "MaNHThuHuong": settings.PAYMENT_BENEFICIARY_BANK,
        "TenTKThuHuong": settings.PAYMENT_BENEFICIARY_NAME,
        "PhiLePhi": [
            {
                "LoaiPhiLePhi": str(line.kind),
                "MaPhiLePhi": line.code,
                "TenPhiLePhi": line.name,
                "SoTien": amount_text(line.amount),
            }
            for line in lines
        ],
        "NoiDungThanhToan": purpose,
        "HoTenNguoiNop": dossier.applicant_name,
        "SoCMNDNguoiNop": dossier.applicant_id_number,
        "DiaChiNguoiNop": dossier.applicant_address,
        "HuyenNguoiNop": "",
        "TinhNguoiNop": "",
        "MaCoQuanQD": "",
        "TenCoQuanQD": "",
        "DSKhoanNop": [
            {"NoiDung": line.name, "SoTien": amount_text(line.amount)} for line in lines
        ],
    }
    message = {
        "LoaiBanTin": INIT,
        "PhienBan": VERSION,
        "MaDoiTac": settings.PAYMENT_PARTNER_CODE,
        "MaThamChieu": reference,
        "SoTien": amount_text(total),
        "LoaiHinhThanhToan": "PAY",
        "MaKenhThanhToan": "1",  # internet
        "MaThietBi": "1",  # web browser
        "NgonNgu": LANGUAGE,
        "MaTienTe": CURRENCY,
        "MaNganHang": "",  # the citizen chooses the bank on the platform
        "ThongTinGiaoDich": purpose,
        # Always the 24-hour clock: TD formats "yyyyMMddhhmmss", which is 12-hour.
        "ThoiGianGD": national_time(at),
        "Ip": ip,
        "ThongTinBienLai": receipt,
    }
    return signed(message, "init")


def _post(path: str, message: dict) -> dict:
    url = settings.PAYMENT_PLATFORM_URL.rstrip("/") + "/" + path
    try:
        response = requests.post(url, json=message, timeout=settings.PAYMENT_TIMEOUT_SECONDS)
        reply = response.json()
    except (requests.RequestException, ValueError) as error:
        raise PlatformError(str(error)) from error
    if not isinstance(reply, dict):
        raise PlatformError("reply is not a JSON object")
    return reply


def send_init(message: dict) -> str:
    """The address of the platform's payment page for the initialised transaction."""
    reply = _post("inittransaction", message)
    if reply.get("MaLoi") != OK:
        raise PlatformError(f"{reply.get('MaLoi')}: {reply.get('MoTaLoi', '')}")
    if not is_signed(reply, "init-reply") or reply.get("MaThamChieu") != message["MaThamChieu"]:
        raise PlatformError("init reply not signed for this reference")
    url = reply.get("UrlThanhToan") or ""
    if not url.startswith(("https://", "http://")):
        raise PlatformError("init reply without a payment address")
    return url


def query(reference: str, *, at) -> dict:
    """The platform's state of one transaction (a signed query reply)."""
    message = signed(
        {
            "LoaiBanTin": QUERY,
            "PhienBan": VERSION,
            "MaDoiTac": settings.PAYMENT_PARTNER_CODE,
            "MaThamChieu": reference,
            "ThoiGianGD": national_time(at),
        },
        "query",
    )
    reply = _post("querytransaction", message)
    if not is_signed(reply, "query-reply") or reply.get("MaThamChieu") != reference:
        raise PlatformError("query reply not signed for this reference")
    return reply


def callback_answer(code: str, description: str, reference: str, *, at) -> dict:
    return signed(
        {
            "MaLoi": code,
            "MoTaLoi": description,
            "MaDoiTac": settings.PAYMENT_PARTNER_CODE,
            "MaThamChieu": reference,
            "ThoiGianGD": national_time(at),
        },
        "callback-reply",
    )
