"""The national contract's formats and code lists (docs/dvcqg.md, sections 4 and 6)."""

import datetime as dt
import hashlib
import hmac
from zoneinfo import ZoneInfo

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%Y%m%d%H%M%S"  # yyyyMMddHHmmss, in ICT, always a string


def national_time(moment: dt.datetime | None) -> str:
    """A moment as the contract writes it: `yyyyMMddHHmmss` in ICT, "" for none."""
    if moment is None:
        return ""
    return moment.astimezone(ICT).strftime(DATE_FORMAT)


def parse_national_time(text: str) -> dt.datetime:
    """The reverse of `national_time`; raises ValueError on anything else."""
    if not isinstance(text, str) or len(text) != 14 or not text.isdigit():
        raise ValueError(text)
    return dt.datetime.strptime(text, DATE_FORMAT).replace(tzinfo=ICT)


# LoaiDoiTuong: 1 citizen, 2 business, 3 state body, 4 other organisation.
APPLICANT_KIND = {"person": "1", "organisation": "2"}

# Dossiers that originated on the national portal report only 2 (accepted, in process or
# done) or 5 (returned / refused / withdrawn / stopped) through DongBoTrangThaiHoSo.
ORIGIN_STATUS = {1: "2", 2: "2", 4: "2", 5: "2", 6: "2", 9: "2", 10: "2", 3: "5", 7: "5", 8: "5"}


def body_signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp + "." + body`, hex: the signature of an inbound push."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_matches(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return bool(secret) and hmac.compare_digest(
        body_signature(secret, timestamp, body), (signature or "").removeprefix("sha256=")
    )
