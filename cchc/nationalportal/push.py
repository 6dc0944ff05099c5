"""The national side's half of an inbound push: sign a dossier and POST it to our endpoint.

The local stand-in of the national portal uses it (and so do the tests); a real DVCQG adapter
signs the same way: `X-DVCQG-Timestamp` = now as yyyyMMddHHmmss (ICT) and `X-DVCQG-Signature`
= "sha256=" + HMAC-SHA256(secret, timestamp + "." + body)."""

import base64
import datetime as dt
import json

import requests
from django.utils import timezone

from cchc.nationalportal.codes import ICT, body_signature, national_time

TIMEOUT = (5, 120)  # seconds: connecting, then the reply (the endpoint may fetch files)

# The demo's dossier filed on the national portal: the demo Sở KH&CN (its national unit code in
# cchc/procedures/demo.py) and the technology-transfer registration of the demo catalogue.
DEMO_AGENCY = "000.00.21.H45"
DEMO_PROCEDURE = "2.002248.000.00.00.H45"
DEMO_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"  # a one-object placeholder


def demo_payload(
    now: dt.datetime | None = None, *, procedure: str = DEMO_PROCEDURE, code: str = ""
) -> dict:
    """A dossier as the national portal pushes it, with a national code of its own at each
    moment unless `code` is given (two pushes a second apart are two dossiers; the same
    second, one)."""
    now = (now or timezone.now()).astimezone(ICT)
    return {
        "MaHoSo": code or f"G22.99.{now:%y%m%d}-{now:%H%M%S}",
        "MaTTHC": procedure,
        "MaDonVi": DEMO_AGENCY,
        "ChuHoSo": "Công ty TNHH Công nghệ Hùng Vương (minh họa)",
        "LoaiDoiTuong": "2",
        "SoGiayToChuHoSo": "2600123456",
        "SoDienThoai": "0912345678",
        "Email": "hungvuong@example.vn",
        "DiaChi": "Phường Gia Cẩm, Việt Trì, Phú Thọ",
        "MaDoiTuong": "demo-techid-0001",
        "TaiKhoanDuocXacThucVoiVNeID": "1",
        "NgayNopHoSo": national_time(now),
        "TrichYeuHoSo": "Đăng ký hợp đồng chuyển giao công nghệ (hồ sơ minh họa từ Cổng DVCQG)",
        "TaiLieuNop": [
            {
                "MaThanhPhanHoSo": "1",
                "TenTepDinhKem": "don-de-nghi.pdf",
                "Base64": base64.b64encode(DEMO_PDF).decode(),
                "DuocTaiSuDung": "0",
                "DuocLayTuKhoDMQG": "0",
            }
        ],
    }


def push_dossier(
    url: str, secret: str, payload: dict, *, timestamp: str | None = None
) -> requests.Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    timestamp = timestamp or national_time(timezone.now())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-DVCQG-Timestamp": timestamp,
        "X-DVCQG-Signature": "sha256=" + body_signature(secret, timestamp, body),
    }
    return requests.post(url, data=body, headers=headers, timeout=TIMEOUT)
