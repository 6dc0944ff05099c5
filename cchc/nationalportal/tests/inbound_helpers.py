"""What the inbound tests share: a mapped procedure, a signed push, a local file server."""

import base64
import datetime as dt
import http.server
import json
import threading

from django.urls import reverse

from cchc.dossiers.tests.helpers import PDF
from cchc.nationalportal.codes import body_signature, national_time
from cchc.procedures.models import NationalProcedure, ProcedureMapping

SECRET = "bi-mat-dung-chung"
AGENCY_NATIONAL_CODE = "000.00.12.H43"
NATIONAL_PROCEDURE = "1.003560.000.00.00.H43"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def map_procedure(procedure, code=NATIONAL_PROCEDURE, *, at: dt.datetime):
    national = NationalProcedure.objects.create(
        code=code, name=procedure.name, field_code="G17", imported_at=at
    )
    # The demo catalogue comes mapped already: this test's national code replaces that mapping.
    mapping, _ = ProcedureMapping.objects.update_or_create(
        series=procedure.series, defaults={"national": national, "mapped_at": at}
    )
    return mapping


def payload(code="H43.99-260302-0001", **changes) -> dict:
    body = {
        "MaHoSo": code,
        "MaTTHC": NATIONAL_PROCEDURE,
        "MaDonVi": AGENCY_NATIONAL_CODE,
        "ChuHoSo": "Trần Thị Bình",
        "LoaiDoiTuong": "1",
        "SoGiayToChuHoSo": "025190001234",
        "SoDienThoai": "0987654321",
        "Email": "binh@example.vn",
        "DiaChi": "Phường Tân Dân, Việt Trì, Phú Thọ",
        "MaDoiTuong": "a1b2c3d4-techid",
        "TaiKhoanDuocXacThucVoiVNeID": "1",
        "NgayNopHoSo": "20260302083000",
        "TrichYeuHoSo": "Đề nghị cấp giấy chứng nhận chuyển giao công nghệ",
        "TaiLieuNop": [
            {
                "MaThanhPhanHoSo": "1",
                "TenTepDinhKem": "don-de-nghi.pdf",
                "Base64": base64.b64encode(PDF).decode(),
            }
        ],
    }
    body.update(changes)
    return body


def signed_post(client, body, *, secret=SECRET, timestamp=None, moment=None, signature=None):
    """POST the body as the national portal does: raw JSON, timestamp and HMAC headers."""
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    timestamp = timestamp or national_time(moment or dt.datetime.now(dt.UTC))
    signature = signature or "sha256=" + body_signature(secret, timestamp, raw)
    return client.post(
        reverse("api:dvcqg-inbound"),
        data=raw,
        content_type="application/json",
        headers={"X-DVCQG-Timestamp": timestamp, "X-DVCQG-Signature": signature},
    )


class FileServer:
    """A real HTTP server on 127.0.0.1 serving `files` {path: (content type, bytes)}."""

    def __init__(self, files: dict):
        served = files

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                if self.path not in served:
                    self.send_error(404)
                    return
                kind, content = served[self.path]
                if kind == "redirect":
                    self.send_response(302)
                    self.send_header("Location", content.decode())
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
