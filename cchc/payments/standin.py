"""A stand-in of the national payment platform: a plain WSGI `app` (standard library only,
no Django), its state in memory. Mounted at /pp/ by the national stand-in server, or served
alone: `python -m cchc.payments.standin --port 8765`.

    POST inittransaction          signed init message -> {MaLoi, UrlThanhToan, ...} (signed)
    GET  thanhtoan/<ref>          the payment page: "Thanh toán" / "Hủy"
    POST thanhtoan/<ref>          pays or cancels, calls the partner's callback, sends the
                                  citizen to the partner's return address
    POST querytransaction         signed query -> {TrangThaiGD 1 paid / 3 pending / 4 cancelled}
    POST _standin/settle/<ref>    test control: paid, without calling back
    GET  _standin/transactions    test control: the state of every transaction (JSON)

MaXacThuc is written here independently of cchc.payments.gateway, from docs/dvcqg.md:
sha256 of the signed fields joined by "|" with the partner's secret last.
"""

import hashlib
import hmac
import html
import json
import os
import secrets
import threading
import urllib.request
from datetime import datetime
from urllib.parse import parse_qs
from wsgiref.util import application_uri
from zoneinfo import ZoneInfo

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
FIELDS = {
    "init": "LoaiBanTin PhienBan MaDoiTac MaThamChieu SoTien LoaiHinhThanhToan MaKenhThanhToan "
    "MaThietBi NgonNgu MaTienTe MaNganHang ThongTinGiaoDich ThoiGianGD Ip",
    "init-reply": "MaLoi MaDoiTac MaThamChieu UrlThanhToan ThoiGianGD",
    "callback": "LoaiBanTin MaLoi MaDoiTac MaThamChieu SoTien MaTienTe MaGiaoDich MaNganHang "
    "ThoiGianGD ThongTinGiaoDich",
    "query": "LoaiBanTin PhienBan MaDoiTac MaThamChieu ThoiGianGD",
    "query-reply": "MaLoi MaDoiTac MaThamChieu TrangThaiGD SoTien MaGiaoDich MaNganHang ThoiGianGD",
}
REQUIRED_INIT = FIELDS["init"].split() + ["ThongTinBienLai", "MaXacThuc"]
REQUIRED_RECEIPT = ("MaDichVu", "MaDonVi", "TenDonVi", "MaHoSo", "MaTTHC", "PhiLePhi")


def sign(message: dict, kind: str, secret: str) -> str:
    values = [str(message.get(name, "")) for name in FIELDS[kind].split()]
    return hashlib.sha256("|".join([*values, secret]).encode()).hexdigest()


def _now() -> str:
    return datetime.now(ICT).strftime("%Y%m%d%H%M%S")


class Platform:
    def __init__(self, partners: dict):
        # partner code -> {"secret", "callback_url", "return_url" (with "{MaThamChieu}")}
        self.partners = partners
        self.transactions: dict[str, dict] = {}
        self.callbacks: list[dict] = []  # what each callback sent and the partner answered
        self.lock = threading.Lock()

    # --- WSGI -------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "").strip("/")
        try:
            status, headers, body = self.route(environ, method, path)
        except Exception as error:  # a stand-in answers, it does not crash the server
            status, headers, body = self._json(500, {"MaLoi": "99", "MoTaLoi": str(error)})
        start_response(status, headers)
        return [body]

    def route(self, environ, method, path):
        parts = path.split("/")
        if method == "POST" and path == "inittransaction":
            return self.init(environ, self._body(environ))
        if method == "POST" and path == "querytransaction":
            return self.query(self._body(environ))
        if len(parts) == 2 and parts[0] == "thanhtoan":
            if method == "GET":
                return self.page(parts[1])
            if method == "POST":
                return self.pay(parts[1], self._form(environ))
        if method == "POST" and len(parts) == 3 and parts[:2] == ["_standin", "settle"]:
            return self._json(200, self.settle(parts[2]) or {"MaLoi": "01"})
        if method == "GET" and path == "_standin/transactions":
            return self._json(200, {"transactions": self.transactions, "callbacks": self.callbacks})
        return self._json(404, {"MaLoi": "99", "MoTaLoi": "Không có dịch vụ này"})

    # --- services ---------------------------------------------------------------------------
    def init(self, environ, message):
        if not isinstance(message, dict):
            return self._json(400, {"MaLoi": "99", "MoTaLoi": "Bản tin không phải JSON"})
        missing = [name for name in REQUIRED_INIT if name not in message]
        receipt = message.get("ThongTinBienLai")
        if isinstance(receipt, dict):
            missing += [f"ThongTinBienLai.{n}" for n in REQUIRED_RECEIPT if not receipt.get(n)]
        if missing:
            return self._error(message, "02", "Thiếu trường: " + ", ".join(missing))
        partner = self.partners.get(message["MaDoiTac"])
        if partner is None:
            return self._error(message, "03", "Đối tác không tồn tại")
        if not hmac.compare_digest(
            sign(message, "init", partner["secret"]), str(message["MaXacThuc"])
        ):
            return self._error(message, "04", "Sai mã xác thực")
        amount, when = str(message["SoTien"]), str(message["ThoiGianGD"])
        lines = receipt.get("PhiLePhi") if isinstance(receipt, dict) else None
        if not amount.isdigit() or int(amount) <= 0 or not isinstance(lines, list):
            return self._error(message, "05", "Số tiền không hợp lệ")
        if sum(int(line.get("SoTien", "0")) for line in lines) != int(amount):
            return self._error(message, "05", "Tổng các khoản phí, lệ phí khác số tiền")
        if len(when) != 14 or not when.isdigit() or not 0 <= int(when[8:10]) <= 23:
            return self._error(message, "06", "ThoiGianGD phải là yyyyMMddHHmmss")
        reference = str(message["MaThamChieu"])
        with self.lock:
            if reference in self.transactions:
                return self._error(message, "07", "Mã tham chiếu đã tồn tại")
            self.transactions[reference] = {
                "partner": message["MaDoiTac"],
                "amount": amount,
                "state": "3",
                "code": "",
                "message": message,
            }
        reply = {
            "MaLoi": "00",
            "MoTaLoi": "Thành công",
            "MaDoiTac": message["MaDoiTac"],
            "MaThamChieu": reference,
            "UrlThanhToan": application_uri(environ).rstrip("/") + f"/thanhtoan/{reference}",
            "ThoiGianGD": _now(),
        }
        reply["MaXacThuc"] = sign(reply, "init-reply", partner["secret"])
        return self._json(200, reply)

    def page(self, reference):
        item = self.transactions.get(reference)
        if item is None:
            return self._html(404, "<p>Không tìm thấy giao dịch.</p>")
        receipt = item["message"]["ThongTinBienLai"]
        rows = "".join(
            f"<li>{html.escape(line.get('TenPhiLePhi', ''))}: {html.escape(line['SoTien'])}</li>"
            for line in receipt["PhiLePhi"]
        )
        body = (
            f"<h1>Nền tảng thanh toán (bản thử)</h1><p>Hồ sơ {html.escape(receipt['MaHoSo'])}"
            f" — {html.escape(receipt['TenDonVi'])}</p><ul>{rows}</ul>"
            f"<p>Tổng: <b id='amount'>{html.escape(item['amount'])}</b> VND</p>"
        )
        if item["state"] == "3":
            body += (
                f"<form method='post' action='{html.escape(reference)}'>"
                "<button name='action' value='pay'>Thanh toán</button>"
                "<button name='action' value='cancel'>Hủy</button></form>"
            )
        return self._html(200, body)

    def pay(self, reference, form):
        item = self.transactions.get(reference)
        if item is None:
            return self._html(404, "<p>Không tìm thấy giao dịch.</p>")
        action = form.get("action", [""])[0]
        if action not in ("pay", "cancel"):
            return self._html(400, "<p>Thao tác không hợp lệ.</p>")
        settled = self.settle(reference, cancel=action == "cancel")
        if settled is not None:
            self._call_back(item, reference)
        partner = self.partners[item["partner"]]
        return (
            "303 See Other",
            [("Location", partner["return_url"].format(MaThamChieu=reference))],
            b"",
        )

    def settle(self, reference, *, cancel=False):
        """Pay (TrangThaiGD 1) or cancel (4) a pending transaction; None when not pending."""
        with self.lock:
            item = self.transactions.get(reference)
            if item is None or item["state"] != "3":
                return None
            item["state"] = "4" if cancel else "1"
            item["code"] = "PP" + secrets.token_hex(6).upper()
            item["bank"] = "" if cancel else "970436"
            return item

    def _call_back(self, item, reference):
        partner = self.partners[item["partner"]]
        message = {
            "LoaiBanTin": "PAY_NOTIFY",
            "MaLoi": "00" if item["state"] == "1" else "24",  # 24: cancelled by the payer
            "MaDoiTac": item["partner"],
            "MaThamChieu": reference,
            "SoTien": item["amount"],
            "MaTienTe": "VND",
            "MaGiaoDich": item["code"],
            "MaNganHang": item["bank"],
            "ThoiGianGD": _now(),
            "ThongTinGiaoDich": item["message"].get("ThongTinGiaoDich", ""),
        }
        message["MaXacThuc"] = sign(message, "callback", partner["secret"])
        record = {"sent": message, "status": None, "answer": None}
        request = urllib.request.Request(
            partner["callback_url"],
            data=json.dumps(message).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                record["status"], record["answer"] = response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            record["status"], record["answer"] = error.code, error.read().decode(errors="replace")
        except (OSError, ValueError) as error:
            record["answer"] = str(error)
        self.callbacks.append(record)

    def query(self, message):
        if not isinstance(message, dict):
            return self._json(400, {"MaLoi": "99", "MoTaLoi": "Bản tin không phải JSON"})
        partner = self.partners.get(message.get("MaDoiTac"))
        if partner is None or not hmac.compare_digest(
            sign(message, "query", partner["secret"]), str(message.get("MaXacThuc", ""))
        ):
            return self._error(message, "04", "Sai mã xác thực")
        item = self.transactions.get(str(message.get("MaThamChieu", "")))
        if item is None or item["partner"] != message["MaDoiTac"]:
            return self._error(message, "01", "Không tìm thấy giao dịch")
        reply = {
            "MaLoi": "00",
            "MaDoiTac": message["MaDoiTac"],
            "MaThamChieu": message["MaThamChieu"],
            "TrangThaiGD": item["state"],
            "SoTien": item["amount"],
            "MaGiaoDich": item["code"],
            "MaNganHang": item.get("bank", ""),
            "ThoiGianGD": _now(),
        }
        reply["MaXacThuc"] = sign(reply, "query-reply", partner["secret"])
        return self._json(200, reply)

    # --- helpers ----------------------------------------------------------------------------
    def _error(self, message, code, text):
        return self._json(
            400,
            {
                "MaLoi": code,
                "MoTaLoi": text,
                "MaThamChieu": str((message or {}).get("MaThamChieu", "")),
            },
        )

    @staticmethod
    def _body(environ):
        size = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            return json.loads(environ["wsgi.input"].read(size) or b"null")
        except ValueError:
            return None

    @staticmethod
    def _form(environ):
        size = int(environ.get("CONTENT_LENGTH") or 0)
        return parse_qs(environ["wsgi.input"].read(size).decode())

    @staticmethod
    def _json(code, data):
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error"}
        body = json.dumps(data, ensure_ascii=False).encode()
        return f"{code} {reason[code]}", [("Content-Type", "application/json")], body

    @staticmethod
    def _html(code, content):
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}
        page = (
            "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
            f"<title>Nền tảng thanh toán</title></head><body>{content}</body></html>"
        )
        return (
            f"{code} {reason[code]}",
            [("Content-Type", "text/html; charset=utf-8")],
            (page.encode()),
        )


def make_app(partners: dict | None = None) -> Platform:
    """The platform with one partner taken from the environment unless `partners` is given."""
    if partners is None:
        site = os.environ.get("PAYMENT_STANDIN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
        partners = {
            os.environ.get("PAYMENT_PARTNER_CODE") or "CCHC-DEMO": {
                "secret": os.environ.get("PAYMENT_SECRET") or "demo-payment-secret",
                "callback_url": f"{site}/thanh-toan/ket-qua/",
                "return_url": site + "/thanh-toan/tro-ve/{MaThamChieu}/",
            }
        }
    return Platform(partners)


app = make_app()


def serve(app_: Platform, host: str = "127.0.0.1", port: int = 0):
    """Serve `app_` in a daemon thread; returns the server (server.server_port, .shutdown())."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server(host, port, app_, server_class=Server, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Nền tảng thanh toán (bản thử)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    serve(app, args.host, args.port)
    print(f"http://{args.host}:{args.port}/")  # noqa: T201
    threading.Event().wait()
