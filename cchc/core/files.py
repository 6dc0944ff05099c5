"""Uploaded files: type sniffed from content (never the extension), size-limited, hashed.

Every app stores evidence, dossier components and attachments through Django's storage API
with `store_upload`, so S3-compatible storage works unchanged.
"""

import hashlib
import uuid
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

MB = 1024 * 1024

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


@dataclass(frozen=True)
class CheckedUpload:
    file: object
    original_name: str
    mime: str
    extension: str
    size: int
    sha256: str


def check_upload(
    upload, *, kinds=("pdf", "image", "office"), max_bytes: int = 20 * MB
) -> CheckedUpload:
    """Validate an uploaded file by its content; raise ValidationError with a Vietnamese message."""
    size = upload.size or 0
    name = (getattr(upload, "name", "") or "tep").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    if size == 0:
        raise ValidationError(_("Tệp “%(name)s” rỗng.") % {"name": name}, code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("Tệp “%(name)s” quá lớn (%(size).1f MB); tối đa %(max).0f MB.")
            % {"name": name, "size": size / MB, "max": max_bytes / MB},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    guessed = filetype.guess(head)
    mime = guessed.mime if guessed else ""
    allowed = set().union(*(KINDS[k] for k in kinds))
    if mime not in allowed:
        raise ValidationError(
            _("Tệp “%(name)s” không đúng loại cho phép (%(kinds)s).")
            % {"name": name, "kinds": ", ".join(KIND_LABELS[k] for k in kinds)},
            code="bad_type",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(upload, name, mime, EXTENSIONS.get(mime, "bin"), size, digest.hexdigest())


def store_upload(checked: CheckedUpload, *, folder: str) -> str:
    """Save under a generated name (never the uploader's) and return the storage path."""
    path = f"{folder.strip('/')}/{uuid.uuid4().hex}.{checked.extension}"
    return default_storage.save(path, checked.file)
