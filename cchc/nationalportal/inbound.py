"""Dossiers filed on the National Public Service Portal and pushed to us (docs/dvcqg.md, §10).

The push is `POST /api/v1/dvcqg/ho-so` with the JSON body of `schemas/inbound-dossier.json`,
signed: `X-DVCQG-Timestamp` (yyyyMMddHHmmss, ICT, within 300 s of our clock) and
`X-DVCQG-Signature: sha256=<hex>` = HMAC-SHA256(secret, timestamp + "." + raw body). A
signature is accepted once. Here: check the signature (`authenticate`), read and validate the
body (`parse`), resolve the agency, the procedure and the components, fetch the files, then
`dossiers.services.dossier_receive_from_national` writes it, once per MaHoSo.
"""

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from functools import cache as memoise
from pathlib import Path

import jsonschema
import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from cchc.core.files import check_upload, safe_name
from cchc.core.models import Agency
from cchc.core.text import normalise
from cchc.dossiers import services
from cchc.dossiers.models import Dossier
from cchc.nationalportal.codes import parse_national_time, signature_matches
from cchc.nationalportal.models import InboundReceipt, SyncLog
from cchc.procedures.models import Component, Procedure, ProcedureMapping

WINDOW_SECONDS = 300  # a timestamp further than this from our clock is refused
MAX_FILE_BYTES = 10 * 1024 * 1024  # as for a file uploaded on our own filing form
FETCH_TIMEOUT = (5, 30)  # seconds: connecting, then between two reads
FETCH_DEADLINE = 120  # seconds for one whole file
MAX_TOTAL_BYTES = 50 * 1024 * 1024  # all the files of one dossier
FILE_KINDS = ("pdf", "image", "office")
SIGNATURE = re.compile(r"^(sha256=)?[0-9a-fA-F]{64}\Z")
SCHEMA_PATH = Path(__file__).with_name("schemas") / "inbound-dossier.json"


@dataclass
class InboundError(Exception):
    """A refused push: the HTTP status and the [{field, message}] to answer."""

    status: int
    errors: list = field(default_factory=list)

    @classmethod
    def one(cls, status: int, field_name, message: str) -> "InboundError":
        return cls(status, [{"field": field_name, "message": message}])


@memoise
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# --- authentication -----------------------------------------------------------------------


def authenticate(*, secret: str, timestamp: str, signature: str, body: bytes, now=None) -> None:
    """Refuse (401) a push that is unsigned, signed with another secret or over another body,
    outside the time window, or whose signature was already used."""
    now = now or timezone.now()
    try:
        moment = parse_national_time(timestamp or "")
    except ValueError:
        raise InboundError.one(
            401,
            "X-DVCQG-Timestamp",
            _("Thiếu hoặc sai thời điểm ký: cần dạng yyyyMMddHHmmss theo giờ Việt Nam."),
        ) from None
    if abs((now - moment).total_seconds()) > WINDOW_SECONDS:
        raise InboundError.one(
            401,
            "X-DVCQG-Timestamp",
            _("Thời điểm ký lệch quá %(seconds)d giây so với đồng hồ của hệ thống.")
            % {"seconds": WINDOW_SECONDS},
        )
    if not SIGNATURE.match(signature or "") or not signature_matches(
        secret, timestamp, body, signature
    ):
        raise InboundError.one(
            401,
            "X-DVCQG-Signature",
            _(
                "Thiếu hoặc sai chữ ký: cần sha256=<HMAC-SHA256 của thời điểm, dấu chấm và nội dung>."
            ),
        )
    # Replays: a valid signature is remembered for twice the window (after it the timestamp
    # is refused anyway). cache.add is atomic (locmem, Redis): one of two copies wins.
    key = "dvcqg-inbound-signature:" + signature.removeprefix("sha256=").lower()
    if not cache.add(key, 1, timeout=2 * WINDOW_SECONDS):
        raise InboundError.one(
            401, "X-DVCQG-Signature", _("Chữ ký này đã được dùng: mỗi lần gửi cần ký lại.")
        )


# --- the lookup secret ----------------------------------------------------------------------


def lookup_secret(national_code: str) -> str:
    """The lookup secret (MaTraCuu) of the dossier pushed with `national_code`: derived from it
    with the site's SECRET_KEY, so a repeated push (the national side lost our first reply) gets
    the same secret back, while nobody without the key can compute it. Only its hash is stored."""
    alphabet = services.SECRET_ALPHABET
    digest = salted_hmac("cchc.nationalportal.lookup-secret", national_code).digest()
    return "".join(alphabet[byte % len(alphabet)] for byte in digest[:8])


# --- the body -----------------------------------------------------------------------------


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _message(error: jsonschema.ValidationError) -> tuple[str | None, str]:
    where = _path(error.absolute_path)
    name = where or _("nội dung")
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return _path([*error.absolute_path, missing]), _("Thiếu trường %(field)s.") % {
            "field": missing
        }
    if error.validator == "type":
        kinds = {"string": _("chuỗi"), "object": _("đối tượng JSON"), "array": _("danh sách")}
        expected = error.validator_value
        return where or None, _("%(field)s phải là %(kind)s.") % {
            "field": name,
            "kind": kinds.get(expected, expected),
        }
    if error.validator == "enum":
        return where, _("%(field)s phải là một trong các giá trị: %(values)s.") % {
            "field": name,
            "values": ", ".join(str(v) for v in error.validator_value),
        }
    if error.validator == "maxLength":
        return where, _("%(field)s dài quá %(max)d ký tự.") % {
            "field": name,
            "max": error.validator_value,
        }
    if error.validator == "minLength" or error.validator_value == "\\S":
        return where, _("%(field)s không được để trống.") % {"field": name}
    if error.validator == "maxItems":
        return where, _("%(field)s có quá %(max)d mục.") % {
            "field": name,
            "max": error.validator_value,
        }
    if error.validator == "oneOf":
        return where, _("Mỗi tệp cần đúng một trong hai trường Base64 hoặc DuongDanTaiTepTin.")
    if error.validator == "pattern":
        patterns = {
            "NgayNopHoSo": _("NgayNopHoSo phải có dạng yyyyMMddHHmmss (giờ Việt Nam)."),
            "MaHoSo": _("MaHoSo chỉ gồm chữ, số và các dấu . _ -"),
        }
        last = error.absolute_path[-1] if error.absolute_path else ""
        default = _("%(field)s không đúng định dạng.") % {"field": name}
        if last == "DuongDanTaiTepTin":
            default = _("%(field)s phải là một địa chỉ http:// hoặc https://.") % {"field": name}
        return where, patterns.get(last, default)
    return where or None, _("%(field)s không hợp lệ.") % {"field": name}


def parse(raw: bytes) -> dict:
    """The push's JSON, valid against the schema and for the fields the schema cannot check;
    otherwise InboundError(400) naming every wrong field."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InboundError.one(400, None, _("Nội dung không phải JSON UTF-8 hợp lệ.")) from None
    validator = jsonschema.Draft202012Validator(schema())
    errors = [
        dict(zip(("field", "message"), _message(e), strict=True))
        for e in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path)))
    ]
    if isinstance(data, dict) and not errors:
        if data.get("Email"):
            try:
                validate_email(data["Email"])
            except ValidationError:
                errors.append({"field": "Email", "message": _("Email không hợp lệ.")})
        try:
            filed = parse_national_time(data["NgayNopHoSo"])
        except ValueError:
            filed = None
            errors.append(
                {
                    "field": "NgayNopHoSo",
                    "message": _("NgayNopHoSo không phải một thời điểm có thật."),
                }
            )
        if filed and filed > timezone.now() + dt.timedelta(seconds=WINDOW_SECONDS):
            errors.append(
                {"field": "NgayNopHoSo", "message": _("NgayNopHoSo là một thời điểm chưa tới.")}
            )
    if errors:
        raise InboundError(400, errors)
    return data


def agency_named(code) -> Agency | None:
    """Our agency whose national unit code (MaDonVi) is `code`, if any."""
    if not isinstance(code, str) or not code:
        return None
    return Agency.objects.filter(national_code=code).first()


def _agency(data) -> Agency:
    agency = agency_named(data["MaDonVi"])
    if agency is None:
        raise InboundError.one(
            422,
            "MaDonVi",
            _("Không có cơ quan nào mang mã đơn vị %(code)s trên Cổng DVCQG.")
            % {"code": data["MaDonVi"]},
        )
    return agency


def _procedure(data) -> Procedure:
    code = data["MaTTHC"]
    mapping = ProcedureMapping.objects.filter(national__code=code).first()
    procedure = (
        Procedure.objects.current().filter(series=mapping.series).first() if mapping else None
    )
    if procedure is None:
        raise InboundError.one(
            422,
            "MaTTHC",
            _("Thủ tục %(code)s chưa được ánh xạ với thủ tục nào của hệ thống.") % {"code": code},
        )
    if not procedure.accepts_dossiers:
        raise InboundError.one(
            422,
            "MaTTHC",
            _("Thủ tục “%(name)s” (%(code)s) chưa nhận hồ sơ: chưa có thời hạn giải quyết.")
            % {"name": procedure.name, "code": code},
        )
    return procedure


def _component(item, components: list[Component]) -> Component | None:
    """MaThanhPhanHoSo is the component's order number in the procedure ("1", "2", ...), or
    TenThanhPhanHoSo its name (compared without diacritics or case); else None (a file the
    desk sees without a component)."""
    name = normalise(item.get("TenThanhPhanHoSo", ""))
    by_name = [c for c in components if name and normalise(c.name) == name]
    if by_name:
        return by_name[0]
    code = item.get("MaThanhPhanHoSo", "").strip()
    return next((c for c in components if code.isdigit() and c.order == int(code)), None)


def _decode(item, where: str) -> bytes:
    text = "".join(item["Base64"].split())
    if len(text) > (MAX_FILE_BYTES * 4) // 3 + 4:
        raise InboundError.one(422, where, _too_large(item))
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InboundError.one(
            422,
            where,
            _("Tệp “%(name)s”: nội dung Base64 không hợp lệ.") % {"name": _name(item)},
        ) from None


def _too_large(item) -> str:
    return _("Tệp “%(name)s” quá lớn; tối đa %(max)d MB.") % {
        "name": _name(item),
        "max": MAX_FILE_BYTES // (1024 * 1024),
    }


def _name(item) -> str:
    return safe_name(item["TenTepDinhKem"])


def _fetch(item, where: str) -> bytes:
    """GET the file's URL: connect and read timeouts and a deadline for the whole file, at
    most MAX_FILE_BYTES read, no redirect followed, an HTML/text answer refused."""
    url = item["DuongDanTaiTepTin"]
    fail = lambda text: InboundError.one(422, where, text)  # noqa: E731
    try:
        host = urllib.parse.urlsplit(url).hostname or ""
    except ValueError:
        raise fail(
            _("Tệp “%(name)s”: địa chỉ tải tệp không hợp lệ.") % {"name": _name(item)}
        ) from None
    allowed = getattr(settings, "DVCQG_INBOUND_FILE_HOSTS", [])
    if allowed and host not in allowed:
        raise fail(
            _("Tệp “%(name)s”: máy chủ %(host)s không nằm trong danh sách được tải tệp.")
            % {"name": _name(item), "host": host}
        )
    deadline = time.monotonic() + FETCH_DEADLINE
    try:
        with requests.get(url, timeout=FETCH_TIMEOUT, stream=True, allow_redirects=False) as reply:
            if reply.status_code != 200:
                raise fail(
                    _("Tệp “%(name)s”: tải về không được (mã trả lời %(status)d).")
                    % {"name": _name(item), "status": reply.status_code}
                )
            kind = reply.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if kind.startswith("text/"):
                raise fail(
                    _("Tệp “%(name)s”: máy chủ trả về %(kind)s, không phải một tệp.")
                    % {"name": _name(item), "kind": kind}
                )
            content, size = [], 0
            for chunk in reply.iter_content(64 * 1024):
                content.append(chunk)
                size += len(chunk)
                if size > MAX_FILE_BYTES:
                    raise fail(_too_large(item))
                if time.monotonic() > deadline:
                    raise requests.Timeout
            return b"".join(content)
    except (requests.RequestException, ValueError) as error:
        raise fail(
            _("Tệp “%(name)s”: tải về không được (%(error)s).")
            % {"name": _name(item), "error": type(error).__name__}
        ) from None


def _files(data, procedure: Procedure) -> list[tuple]:
    """[(component or None, upload)], each checked by content as our own uploads are."""
    components = list(procedure.components.all())
    pairs, total = [], 0
    for index, item in enumerate(data.get("TaiLieuNop", [])):
        source = "Base64" if "Base64" in item else "DuongDanTaiTepTin"
        where = f"TaiLieuNop[{index}].{source}"
        content = _decode(item, where) if source == "Base64" else _fetch(item, where)
        total += len(content)
        if total > MAX_TOTAL_BYTES:
            raise InboundError.one(
                422,
                "TaiLieuNop",
                _("Các tệp của hồ sơ quá lớn; tổng cộng tối đa %(max)d MB.")
                % {"max": MAX_TOTAL_BYTES // (1024 * 1024)},
            )
        upload = SimpleUploadedFile(_name(item), content)
        try:
            check_upload(upload, kinds=FILE_KINDS, max_bytes=MAX_FILE_BYTES)
        except ValidationError as error:
            raise InboundError.one(422, where, error.messages[0]) from None
        pairs.append((_component(item, components), upload))
    return pairs


def _flags(data) -> list[dict]:
    """The TaiLieuNop flags kept per file: DuocTaiSuDung (0/1/2), DuocLayTuKhoDMQG (0/1)."""
    return [
        {
            "reuse": int(item.get("DuocTaiSuDung", "0")),
            "from_national_store": item.get("DuocLayTuKhoDMQG") == "1",
        }
        for item in data.get("TaiLieuNop", [])
    ]


def _applicant(data) -> services.Applicant:
    person = data["LoaiDoiTuong"] == "1"
    return services.Applicant(
        kind=Dossier.ApplicantKind.PERSON if person else Dossier.ApplicantKind.ORGANISATION,
        name=data["ChuHoSo"].strip(),
        id_number=data["SoGiayToChuHoSo"].strip(),
        phone=data.get("SoDienThoai", "").strip(),
        address=data.get("DiaChi", "").strip(),
        email=data.get("Email", "").strip(),
    )


def receive(raw: bytes, *, at=None) -> tuple[Dossier, bool]:
    """Create the dossier a (signature-checked) push carries, or find the one created before
    from the same MaHoSo. Returns (dossier, created); raises InboundError, writing nothing."""
    data = parse(raw)
    earlier = InboundReceipt.objects.filter(national_code=data["MaHoSo"]).first()
    if earlier is not None:  # a repeat: nothing fetched, nothing written
        return earlier.dossier, False
    agency = _agency(data)
    procedure = _procedure(data)
    files = _files(data, procedure)
    try:
        return services.dossier_receive_from_national(
            procedure=procedure,
            applicant=_applicant(data),
            agency=agency,
            national_code=data["MaHoSo"],
            files=files,
            file_flags=_flags(data),
            national_account=data.get("MaDoiTuong", ""),
            vneid_verified=data.get("TaiKhoanDuocXacThucVoiVNeID") == "1",
            filed_at=parse_national_time(data["NgayNopHoSo"]),
            summary=data.get("TrichYeuHoSo", ""),
            body_sha256=hashlib.sha256(raw).hexdigest(),
            secret=lookup_secret(data["MaHoSo"]),
            at=at,
        )
    except ValidationError as error:
        raise InboundError.one(422, "MaTTHC", error.messages[0]) from None


# --- the sync log -------------------------------------------------------------------------

SERVICE = "NhanHoSoDVCQG"  # the name the sync log gives an inbound push


def _logged_body(raw: bytes):
    """The push as the sync log keeps it: the JSON with each file's Base64 replaced by its
    size (the files are stored with the dossier); None when the body is not JSON."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if isinstance(data, dict) and isinstance(data.get("TaiLieuNop"), list):
        for item in data["TaiLieuNop"]:
            if isinstance(item, dict) and isinstance(item.get("Base64"), str):
                item["Base64"] = f"<{len(item['Base64'])} ký tự Base64>"
    return data


def log_push(raw: bytes, reply: dict, *, dossier=None, error: str = "", duration_ms: int = 0):
    """One "in" row of the sync log for an authenticated push: the agency is the dossier's or
    the one MaDonVi names. A push whose agency is unknown (or whose signature failed: nothing
    from an unauthenticated caller is written) is only in the application log."""
    body = _logged_body(raw)
    agency_id = dossier.agency_id if dossier is not None else None
    if agency_id is None and isinstance(body, dict):
        agency_id = getattr(agency_named(body.get("MaDonVi")), "pk", None)
    if agency_id is None:
        return None
    return SyncLog.objects.create(
        agency_id=agency_id,
        dossier=dossier,
        direction=SyncLog.Direction.IN,
        service=SERVICE,
        at=timezone.now(),
        payload=body,
        reply=reply,
        state=SyncLog.State.ERROR if error else SyncLog.State.OK,
        error=error,
        duration_ms=duration_ms,
    )
