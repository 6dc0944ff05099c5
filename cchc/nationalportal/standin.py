"""A local stand-in of the national side (the DVCQG adapter), for the demo and the tests.

Plain WSGI on the standard library (no Django inside): it logs in, answers TraCuuHoSo,
DongBoHoSoMC, CapNhatTienDoHoSoMC, DongBoTrangThaiHoSo, DongBoDanhGia, LayDanhSachTTHC and
LayThuTuc, validates every payload against the JSON Schemas of `schemas/`, keeps what it
accepted per dossier, and can be told to fail. Other stand-ins mount under a path prefix
(the payment platform's at /pp/). docs/dvcqg.md, "The stand-in".

    GET  /_standin/dossiers/<MaHoSo>   what was accepted for the dossier
    GET  /_standin/calls               every call, in order
    POST /_standin/faults              {"service": "...", "times": 2, "mode": "error|timeout|http500",
                                        "seconds": 8, "skip": 0}  (timeout: accepted, answered
                                        after `seconds`; skip: let that many calls through first)
    POST /_standin/expire-sessions     forget every session (the next call is refused once)
    POST /_standin/reset               forget everything
    POST /_standin/push                {"url": ..., "secret": ...}: push the demo dossier filed
                                       on the national portal to our inbound endpoint
"""

import copy
import json
import threading
import time
import uuid
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import jsonschema

from cchc.nationalportal.codes import parse_national_time

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
CATALOGUE = (
    Path(__file__).resolve().parent.parent
    / "procedures"
    / "data"
    / ("national-catalogue-demo.json")
)
SESSION_REFUSED = 401  # error_code of a reply to an unknown or expired session
EXISTS, MISSING, INVALID, FAULT = 3, 4, 1, 99

_format_checker = jsonschema.FormatChecker()


@_format_checker.checks("national-time", raises=ValueError)
def _national_time(value) -> bool:
    if value == "":
        return True
    parse_national_time(value)
    return True


def load_schema(service: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{service}.json").read_text(encoding="utf-8"))


def validation_errors(service: str, body) -> list[str]:
    """What is wrong with `body` as a `service` request, as "path: message" lines."""
    validator = jsonschema.Draft202012Validator(
        load_schema(service), format_checker=_format_checker
    )
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(body)'}: {e.message}" for e in errors]


def _catalogue() -> list[dict]:
    try:
        data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if isinstance(data, dict):
        data = data.get("result") or data.get("data") or data.get("procedures") or []
    return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []


class StandIn:
    """The national side's state and its WSGI app (`self.app`)."""

    def __init__(
        self,
        *,
        auth_endpoint="/login",
        integration_endpoint="/integration",
        share_endpoint="/share",
        username="",
        password="",
        mounts=None,
    ):
        self.auth_endpoint = auth_endpoint
        self.integration_endpoint = integration_endpoint
        self.share_endpoint = share_endpoint
        self.username, self.password = username, password
        self.mounts = dict(mounts or {})
        self.lock = threading.Lock()
        self.reset()

    # --- state -------------------------------------------------------------------------------

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.sessions: set[str] = set()
            self.dossiers: dict[str, dict] = {}
            self.faults: list[dict] = []
            self.calls: list[dict] = []
            self.ratings: list[dict] = []
            self.rating_resends = 0  # DongBoDanhGia bodies that replaced a month already kept
            self.logins = 0
            self.open_access = False  # True: no session needed (the "plain" envelope)
            self._dstcode = ""

    def dossier(self, code: str) -> dict | None:
        """What was accepted for dossier `code` (MaHoSo): the latest item, every version, the
        steps in arrival order, the duplicates refused, the status syncs."""
        with self.lock:
            record = self.dossiers.get(code)
            return copy.deepcopy(record) if record else None

    def add_fault(
        self, service: str, times: int = 1, mode: str = "error", seconds: float = 8.0, skip: int = 0
    ):
        """Fail the next `times` calls of `service` ("*" = any), after letting `skip` through."""
        with self.lock:
            self.faults.append(
                {
                    "service": service,
                    "times": int(times),
                    "mode": mode,
                    "seconds": float(seconds),
                    "skip": int(skip),
                }
            )

    def _take_fault(self, service: str) -> dict | None:
        with self.lock:
            for fault in self.faults:
                if fault["service"] in (service, "*") and fault["times"] > 0:
                    if fault["skip"] > 0:
                        fault["skip"] -= 1
                        continue
                    fault["times"] -= 1
                    return dict(fault)
        return None

    # --- WSGI --------------------------------------------------------------------------------

    def app(self, environ, start_response):
        path = environ.get("PATH_INFO") or "/"
        for prefix, mounted in self.mounts.items():
            if path.startswith(prefix):
                inner = dict(environ)
                inner["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix.rstrip("/")
                inner["PATH_INFO"] = "/" + path[len(prefix) :]
                return mounted(inner, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            status, reply = self.handle(method, path, raw, environ.get("HTTP_DSTCODE", ""))
        except Exception as error:  # noqa: BLE001 - the stand-in answers, never hangs up
            status, reply = (
                "200 OK",
                {"error_code": -1, "message": f"{type(error).__name__}: {error}"},
            )
        body = json.dumps(reply, ensure_ascii=False).encode()
        start_response(
            status,
            [
                ("Content-Type", "application/json; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]

    def handle(self, method: str, path: str, raw: bytes, dstcode: str = "") -> tuple[str, dict]:
        if method == "GET" and path.startswith("/_standin/dossiers/"):
            record = self.dossier(path.removeprefix("/_standin/dossiers/"))
            return ("200 OK", record) if record else ("404 Not Found", {"message": "not found"})
        if method == "GET" and path == "/_standin/calls":
            with self.lock:
                return "200 OK", {"calls": copy.deepcopy(self.calls)}
        if method != "POST":
            return "405 Method Not Allowed", {"message": "POST only"}
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return "400 Bad Request", {"error_code": INVALID, "message": "body: not JSON"}
        if path == "/_standin/faults":
            self.add_fault(
                body.get("service", "*"),
                body.get("times", 1),
                body.get("mode", "error"),
                body.get("seconds", 8),
                body.get("skip", 0),
            )
            return "200 OK", {"error_code": 0, "faults": self.faults}
        if path == "/_standin/reset":
            self.reset()
            return "200 OK", {"error_code": 0}
        if path == "/_standin/expire-sessions":
            with self.lock:
                self.sessions.clear()
            return "200 OK", {"error_code": 0}
        if path == "/_standin/push":
            return "200 OK", push_demo(body.get("url", ""), body.get("secret", ""))
        if path == self.auth_endpoint:
            return "200 OK", self.login(body)
        if path in (self.integration_endpoint, self.share_endpoint):
            return self.business(body, dstcode)
        return "404 Not Found", {"error_code": INVALID, "message": f"{path}: no such endpoint"}

    def login(self, body) -> dict:
        problems = validation_errors("login", body)
        if problems or (self.username and body.get("username") != self.username):
            return {"error_code": INVALID, "message": "; ".join(problems) or "sai tên đăng nhập"}
        if self.password and body.get("password") != self.password:
            return {"error_code": INVALID, "message": "sai mật khẩu"}
        session = uuid.uuid4().hex
        with self.lock:
            self.sessions.add(session)
            self.logins += 1
        return {"error_code": 0, "session": session}

    def business(self, body, dstcode: str = "") -> tuple[str, dict]:
        service = body.get("service", "") if isinstance(body, dict) else ""
        self._dstcode = dstcode
        with self.lock:
            known = isinstance(body, dict) and (
                self.open_access or body.get("session") in self.sessions
            )
        if not known:
            return "200 OK", {"error_code": SESSION_REFUSED, "message": "phiên không hợp lệ"}
        fault = self._take_fault(service)
        if fault and fault["mode"] == "http500":
            self._log(service, body, "http500")
            return "500 Internal Server Error", {"message": "lỗi máy chủ (giả lập)"}
        if fault and fault["mode"] == "error":
            self._log(service, body, "fault")
            return "200 OK", {"error_code": FAULT, "message": "lỗi giả lập của trạm thử"}
        handler = getattr(self, f"do_{service}", None)
        if handler is None:
            return "200 OK", {
                "error_code": INVALID,
                "message": f"service: {service!r} không hỗ trợ",
            }
        if service in ("DongBoHoSoMC", "CapNhatTienDoHoSoMC", "TraCuuHoSo") or service.startswith(
            "DongBo"
        ):
            problems = validation_errors(service, body)
            if problems:
                self._log(service, body, "invalid", problems)
                return "200 OK", {"error_code": INVALID, "message": "; ".join(problems[:10])}
        with self.lock:
            reply = handler(body)
        self._log(service, body, "ok" if reply.get("error_code") == 0 else "refused")
        if fault and fault["mode"] == "timeout":
            time.sleep(fault["seconds"])  # accepted, but the answer comes too late
        return "200 OK", reply

    def _log(self, service, body, outcome, problems=()):
        with self.lock:
            self.calls.append(
                {
                    "service": service,
                    "outcome": outcome,
                    "problems": list(problems),
                    "body": body,
                    "dstcode": self._dstcode,
                }
            )

    # --- services (called with the lock held) ------------------------------------------------

    def do_TraCuuHoSo(self, body):
        record = self.dossiers.get(body["mahoso"])
        if not (record and record["dossier"]):
            return {"error_code": 0, "result": []}
        found = {"MaHoSo": body["mahoso"], "TrangThaiHoSo": record["dossier"]["TrangThaiHoSo"]}
        return {"error_code": 0, "result": [found]}

    def do_DongBoHoSoMC(self, body):
        updating = body["isUpdating"] == "True"
        for item in body["data"]:
            record = self.dossiers.get(item["MaHoSo"])
            exists = bool(record and record["dossier"])
            if exists and not updating:
                return {"error_code": EXISTS, "message": f"{item['MaHoSo']}: hồ sơ đã tồn tại"}
            if updating and not exists:
                return {"error_code": MISSING, "message": f"{item['MaHoSo']}: hồ sơ chưa tồn tại"}
        for item in body["data"]:
            record = self._record(item["MaHoSo"])
            record["dossier"] = item
            record["versions"].append(item)
        return {"error_code": 0, "message": "Đồng bộ thành công", "result": []}

    def do_CapNhatTienDoHoSoMC(self, body):
        for step in body["data"]:
            record = self.dossiers.get(step["MaHoSo"])
            if not (record and record["dossier"]):
                return {"error_code": MISSING, "message": f"{step['MaHoSo']}: hồ sơ chưa tồn tại"}
        acknowledged = []
        for step in body["data"]:
            record = self.dossiers[step["MaHoSo"]]
            key = step.get("IdBuocXuLy") or f"{step['ThoiDiemXuLy']}|{step['NoiDungXuLy']}"
            if key in record["step_keys"]:
                record["duplicates"] += 1
            else:
                record["step_keys"].append(key)
                record["steps"].append(step)
            acknowledged.append({"IdBuocXuLy": step.get("IdBuocXuLy", ""), "KetQua": "1"})
        return {"error_code": 0, "message": "Cập nhật thành công", "result": acknowledged}

    def do_DongBoTrangThaiHoSo(self, body):
        for item in body["data"]:
            record = self._record(item["MaHoSo"])
            key = (item["TrangThai"], item["NgayXuLy"], item["NoiDung"])
            if (
                not record["statuses"]
                or tuple(record["statuses"][-1][k] for k in ("TrangThai", "NgayXuLy", "NoiDung"))
                != key
            ):
                record["statuses"].append(item)
        return {"error_code": 0, "message": "Đồng bộ thành công", "result": []}

    def do_DongBoDanhGia(self, body):
        # The body is the whole month of a unit: a resend replaces that unit's month (keyed by
        # Madonvi, else the envelope's madonvi, + NgayTongHop) instead of adding to it.
        items = [
            {**item, "Madonvi": item.get("Madonvi") or body.get("madonvi", "")}
            for item in body["data"]
        ]
        months = {(item["Madonvi"], item["NgayTongHop"]) for item in items}
        kept = [r for r in self.ratings if (r["Madonvi"], r["NgayTongHop"]) not in months]
        self.rating_resends += len(kept) < len(self.ratings)
        self.ratings = kept + items
        return {"error_code": 0, "message": "Đồng bộ thành công", "result": []}

    def satisfaction(self, madonvi: str, month: str) -> list[dict]:
        """The items kept for unit `madonvi` and month `month` ("M-YYYY", as NgayTongHop)."""
        with self.lock:
            return copy.deepcopy(
                [
                    r
                    for r in self.ratings
                    if r.get("Madonvi") == madonvi and r["NgayTongHop"] == month
                ]
            )

    def do_LayDanhSachTTHC(self, body):
        rows = [
            {"MATTHC": p.get("MATTHC", ""), "TENTTHC": p.get("TENTTHC", "")} for p in _catalogue()
        ]
        return {"error_code": 0, "result": rows}

    def do_LayThuTuc(self, body):
        code = body.get("maTTHC") or body.get("MaTTHC") or ""
        found = [p for p in _catalogue() if p.get("MATTHC") == code]
        return {"error_code": 0, "result": found[:1]}

    def _record(self, code):
        return self.dossiers.setdefault(
            code,
            {
                "dossier": None,
                "versions": [],
                "steps": [],
                "step_keys": [],
                "duplicates": 0,
                "statuses": [],
            },
        )


def push_demo(url: str, secret: str) -> dict:
    """Push the demo dossier filed on the national portal (`push.demo_payload`) to our inbound
    endpoint `url`, signed with `secret`; what our endpoint answered, as JSON."""
    if not url:
        return {"error_code": INVALID, "message": "url: địa chỉ nhận hồ sơ là bắt buộc"}
    from cchc.nationalportal import push  # Django's settings are configured by then

    try:
        reply = push.push_dossier(url, secret, push.demo_payload())
    except Exception as error:  # noqa: BLE001 - the stand-in answers, never hangs up
        return {"error_code": FAULT, "message": f"{type(error).__name__}: {error}"}
    try:
        answer = reply.json()
    except ValueError:
        answer = {"text": reply.text[:500]}
    return {"error_code": 0 if reply.ok else FAULT, "status": reply.status_code, "reply": answer}


def default_mounts() -> dict:
    """Other stand-ins shipped with the product, mounted when importable."""
    mounts = {}
    try:
        from cchc.payments.standin import app as payment_app

        mounts["/pp/"] = payment_app
    except Exception:  # noqa: BLE001 - absent or not importable: nothing to mount
        pass
    return mounts


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # the sync log is on our side
        pass


class Running:
    """A stand-in served on 127.0.0.1 in a thread; `url`, `standin`, `stop()`."""

    def __init__(self, standin: StandIn, port: int = 0, quiet: bool = True):
        self.standin = standin
        self.server = make_server(
            "127.0.0.1",
            port,
            standin.app,
            server_class=_ThreadingServer,
            handler_class=_QuietHandler if quiet else WSGIRequestHandler,
        )
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def serve(port: int = 0, **options) -> Running:
    mounts = options.pop("mounts", None)
    quiet = options.pop("quiet", True)
    return Running(
        StandIn(mounts=default_mounts() if mounts is None else mounts, **options), port, quiet
    )
