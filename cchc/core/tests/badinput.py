"""Hostile inputs shared by the bad-input sweep, and the 'database unchanged' check."""

import contextlib
import struct
import unicodedata
import zlib

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

MB = 1024 * 1024

EMPTY = ""
HUGE_TEXT = "Ạ" * (MB // 3)  # 1 MB of UTF-8 in a one-line field
HUGER_TEXT = "Ạ" * MB  # 3 MB: more than Django reads into memory for form fields
SCRIPT = "<script>alert(1)</script>"
SQL = "Robert'); DROP TABLE core_user;--"
NUL_TEXT = "Nguyễn\x00Văn An"
TRAVERSAL_NAMES = (
    "../../etc/passwd",
    "..\\..\\windows\\x.pdf",
    "/etc/passwd.pdf",
    "C:\\boot.pdf",
    "a\x00b.pdf",
    "....//....//x.pdf",
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
ACTIVE_FILES = {  # name -> content: markup a browser would run, whatever the extension says
    "don.pdf": b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
    "anh.svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "anh.png": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "trang.xhtml": b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"></html>',
    "ma.pdf": b"  <SCRIPT>document.location='http://x'</SCRIPT>",
}


def cp1258(text: str) -> bytes:
    """Vietnamese text as an old Windows tool saves it (CP1258, decomposed tones): not UTF-8."""
    return unicodedata.normalize("NFD", text).encode("cp1258", errors="replace")


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf(name="don.pdf"):
    return upload(name, PDF, "application/pdf")


# --- zip bomb: a tiny xlsx/docx whose one member expands to more than 1 GB ---------------------


def _deflated_zeros(megabytes: int) -> tuple[bytes, int]:
    """Raw deflate of `megabytes` MB of zero bytes, built from one compressed megabyte (a full
    flush resets the compressor, so every further megabyte compresses to the same bytes)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(MB)
    first = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush()
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    return first + again * (megabytes - 1) + tail, crc


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip archive from already deflated members: (name, data, crc, uncompressed size)."""
    body, directory = b"", b""
    for name, data, crc, size in members:
        encoded = name.encode()
        offset = len(body)
        header = (0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0)
        body += struct.pack("<IHHHHHIIIHH", *header) + encoded + data
        entry = (0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0, 0, 0, 0)
        directory += struct.pack("<IHHHHHHIIIHHHHHII", *entry, 0, offset) + encoded
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0
    )
    return body + directory + end


def _small(name: str, text: bytes):
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, compressor.compress(text) + compressor.flush(), zlib.crc32(text), len(text)


_BOMBS: dict[str, bytes] = {}


def zip_bomb(kind: str = "xlsx", megabytes: int = 1100) -> bytes:
    """An xlsx (or docx) of about 1 MB whose sheet (document) is `megabytes` MB uncompressed."""
    key = f"{kind}-{megabytes}"
    if key not in _BOMBS:
        data, crc = _deflated_zeros(megabytes)
        folder = "xl" if kind == "xlsx" else "word"
        member = "xl/worksheets/sheet1.xml" if kind == "xlsx" else "word/document.xml"
        types = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
        _BOMBS[key] = _zip(
            [
                _small("[Content_Types].xml", types),
                _small(f"{folder}/_rels/.rels", b"<Relationships/>"),
                (member, data, crc, megabytes * MB),
            ]
        )
    return _BOMBS[key]


# --- the database (and storage) unchanged ----------------------------------------------------

# A sign-in writes its session row and its django-axes access-log row.
# Sign-in artefacts: sessions, and the TOTP device a verified test login uses (core.testing).
IGNORED_MODELS = {"sessions.session", "axes.accesslog", "otp_totp.totpdevice"}


def storage_files(folder: str = "") -> int:
    try:
        folders, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    return len(files) + sum(storage_files(f"{folder}/{d}".strip("/")) for d in folders)


def snapshot() -> dict[str, int]:
    """Row counts of every model, and the number of stored files."""
    counts = {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in IGNORED_MODELS and model._meta.managed
    }
    counts["<storage files>"] = storage_files()
    return counts


class UnchangedMixin:
    """`with self.unchanged():` fails the test if any row count or the file count moved."""

    @contextlib.contextmanager
    def unchanged(self, label=""):
        before = snapshot()
        yield
        after = snapshot()
        moved = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
        self.assertEqual(moved, {}, f"{label}: rows or files changed")


# --- where a page may send the person next (?next=) ---------------------------------------------

HOSTILE_NEXT = (
    "foo",  # a bare word: redirect() took it for a URL name and failed with 500
    "core:home",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "http://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/dang-nhap/",  # the login page itself: Django's LoginView raised ValueError (500)
    "/dang-nhap/xac-thuc/",
    "",
    "\x00",
    "Ạ" * 3000,
)
