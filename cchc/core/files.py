"""Uploaded files: type sniffed from content (never the extension), size-limited, hashed,
stored under generated names and served back only as downloads.

Every app stores evidence, dossier components and attachments through Django's storage API
with `store_upload`, so S3-compatible storage works unchanged; every view that hands a stored
file back goes through `upload_response`. Spreadsheet imports check the archive first with
`check_zip_archive` (zip bombs). Limits: `settings.UPLOAD_LIMITS`.
"""

import hashlib
import io
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

MB = 1024 * 1024

# The defaults of settings.UPLOAD_LIMITS (a project may override any key).
DEFAULT_LIMITS = {
    "pdf": 20 * MB,  # largest file of each kind
    "image": 10 * MB,
    "office": 20 * MB,
    "import": 5 * MB,  # a framework, survey, procedure or plan import file
    "request": 30 * MB,  # a whole request body (RequestSizeLimitMiddleware)
    "zip_uncompressed": 200 * MB,  # an xlsx/docx: everything inside, uncompressed
    # an imported xlsx, uncompressed: openpyxl parses every sheet whole on opening, even in
    # read-only mode, so this bounds an import's time (2,000 rows of a framework are ~1 MB)
    "import_uncompressed": 20 * MB,
    "zip_ratio": 200,  # an entry expanding more than this many times its compressed size
    "zip_entries": 2000,  # an xlsx/docx with more members than this
}


def limit(key: str) -> int:
    return {**DEFAULT_LIMITS, **getattr(settings, "UPLOAD_LIMITS", {})}[key]


# kind -> allowed MIME types (as sniffed by `filetype`)
KINDS = {
    "pdf": {"application/pdf"},
    "image": {"image/jpeg", "image/png", "image/gif", "image/webp"},
    "office": {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/msword",
        "application/vnd.ms-excel",
        "application/x-ole-storage",
    },
}
ZIP_BASED = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/x-ole-storage": "doc",
}
KIND_LABELS = {
    "pdf": "PDF",
    "image": "ảnh (JPG, PNG, GIF, WebP)",
    "office": "Word, Excel, PowerPoint",
}
MIME_KIND = {mime: kind for kind, mimes in KINDS.items() for mime in mimes}


def accept(kinds=("pdf", "image", "office")) -> str:
    """The HTML `accept` value for an upload of these kinds: a hint to the file picker only,
    the content is still sniffed by check_upload."""
    extensions = {EXTENSIONS[mime] for kind in kinds for mime in KINDS[kind] if mime in EXTENSIONS}
    if "jpg" in extensions:
        extensions.add("jpeg")
    return ",".join(f".{e}" for e in sorted(extensions))


# Markup a browser would run: HTML, XHTML, SVG, XML (which may carry scripts), JavaScript.
_ACTIVE = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|a\s|img\s|meta)"
    rb"|<\s*[a-z]+:svg|javascript:|^\s*(?:function\b|var\s|let\s|const\s|import\s)",
    re.IGNORECASE,
)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]")


def safe_name(name: str | None, *, default: str = "tep") -> str:
    """The uploader's file name as plain metadata: no folders, no control characters or NUL,
    no leading dots, at most 200 characters (NFC, Vietnamese letters kept)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:200]
    return name or default


@dataclass(frozen=True)
class CheckedUpload:
    file: object
    original_name: str
    mime: str
    extension: str
    size: int
    sha256: str


def is_active_content(head: bytes) -> bool:
    """Whether the start of a file looks like HTML, SVG, XML or script (refused everywhere)."""
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    return bool(_ACTIVE.search(text[:4096].replace(b"\x00", b"")))


def check_upload(upload, *, kinds=("pdf", "image", "office"), max_bytes: int | None = None):
    """Validate an uploaded file by its content; raise ValidationError with a Vietnamese message.

    The size limit is the smaller of `max_bytes` (the caller's) and the kind's in
    settings.UPLOAD_LIMITS."""
    size = upload.size or 0
    name = safe_name(getattr(upload, "name", ""))
    cap = max(limit(k) for k in kinds)
    if max_bytes:
        cap = min(cap, max_bytes)
    if size == 0:
        raise ValidationError(_("Tệp “%(name)s” rỗng.") % {"name": name}, code="empty")
    if size > cap:
        raise _too_large(name, size, cap)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    guessed = filetype.guess(head)
    mime = guessed.mime if guessed else ""
    if mime not in MIME_KIND and is_active_content(head):
        raise ValidationError(
            _(
                "Tệp “%(name)s” không đúng loại cho phép: tệp HTML, SVG, XML hoặc mã script "
                "không được tải lên (chỉ nhận %(kinds)s)."
            )
            % {"name": name, "kinds": ", ".join(KIND_LABELS[k] for k in kinds)},
            code="active_content",
        )
    allowed = set().union(*(KINDS[k] for k in kinds))
    if mime not in allowed:
        raise ValidationError(
            _("Tệp “%(name)s” không đúng loại cho phép (%(kinds)s).")
            % {"name": name, "kinds": ", ".join(KIND_LABELS[k] for k in kinds)},
            code="bad_type",
        )
    kind_cap = limit(MIME_KIND[mime])
    if max_bytes:
        kind_cap = min(kind_cap, max_bytes)
    if size > kind_cap:
        raise _too_large(name, size, kind_cap)
    if mime in ZIP_BASED:
        check_zip_archive(upload, name=name)
        upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(upload, name, mime, EXTENSIONS.get(mime, "bin"), size, digest.hexdigest())


def _too_large(name: str, size: int, cap: int) -> ValidationError:
    return ValidationError(
        _("Tệp “%(name)s” quá lớn (%(size).1f MB); tối đa %(max).0f MB.")
        % {"name": name, "size": size / MB, "max": cap / MB},
        code="too_large",
    )


def check_zip_archive(source, *, name: str = "", max_total: int | None = None) -> None:
    """Refuse a zip-based file (xlsx, docx) whose central directory promises too much: too
    many members, too large once uncompressed, or a member compressed too well (a zip bomb).
    Reads only the directory, never the members. A file that is not a zip passes (the reader
    that follows reports it)."""
    label = safe_name(name) if name else _("tệp")
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return
    finally:
        stream.seek(0)
    if len(members) > limit("zip_entries"):
        raise ValidationError(
            _("Tệp “%(name)s” có quá nhiều thành phần (%(count)d); tối đa %(max)d.")
            % {"name": label, "count": len(members), "max": limit("zip_entries")},
            code="zip_entries",
        )
    total = sum(m.file_size for m in members)
    ratio = max(
        (m.file_size / max(m.compress_size, 1) for m in members if m.file_size > MB), default=0
    )
    if total > (max_total or limit("zip_uncompressed")) or ratio > limit("zip_ratio"):
        raise ValidationError(
            _(
                "Tệp “%(name)s” khi giải nén quá lớn (%(size).0f MB, nén %(ratio).0f lần): "
                "có thể là tệp độc hại (zip bomb), không được nhận."
            )
            % {"name": label, "size": total / MB, "ratio": ratio},
            code="zip_bomb",
        )


def check_import_file(data: bytes, *, name: str = "") -> None:
    """The size and archive checks every import (YAML, CSV, Excel) makes before parsing."""
    label = safe_name(name) if name else _("tệp")
    if len(data) > limit("import"):
        raise _too_large(label, len(data), limit("import"))
    if data[:4] == b"PK\x03\x04":
        check_zip_archive(data, name=name, max_total=limit("import_uncompressed"))


def store_upload(checked: CheckedUpload, *, folder: str) -> str:
    """Save under a generated name (never the uploader's) and return the storage path."""
    if not isinstance(checked, CheckedUpload):
        raise TypeError("store_upload needs the result of check_upload")
    path = f"{folder.strip('/')}/{uuid.uuid4().hex}.{checked.extension}"
    return default_storage.save(path, checked.file)


def upload_response(path: str, *, filename: str, mime: str = "") -> FileResponse:
    """A stored upload as a download: `Content-Disposition: attachment` with a safe name
    (RFC 5987 for Vietnamese), `X-Content-Type-Options: nosniff`, and a content type from the
    sniffed kind only (anything else is application/octet-stream). 404 when missing."""
    if not path or ".." in path.split("/") or path.startswith("/"):
        raise Http404
    try:
        handle = default_storage.open(path, "rb")
    except (FileNotFoundError, OSError):  # removed from storage by hand: a missing page
        raise Http404 from None
    if not mime:  # the generated name's extension is ours, set from the sniffed type
        extension = path.rsplit(".", 1)[-1].lower()
        mime = next((m for m, e in EXTENSIONS.items() if e == extension), "")
    content_type = mime if mime in MIME_KIND else "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=True, filename=safe_name(filename), content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
