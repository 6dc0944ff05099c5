from django.core.files.storage import default_storage

from cchc.esign.models import SignedDocument
from cchc.esign.services import verify_pdf


def checked_documents(dossier) -> list[dict]:
    """The dossier's signed documents, each re-verified from the bytes in storage (None when
    the stored file is gone)."""
    rows = []
    for document in SignedDocument.objects.filter(dossier=dossier):
        try:
            with default_storage.open(document.path, "rb") as handle:
                result = verify_pdf(handle.read())
        except (FileNotFoundError, OSError):
            result = None
        rows.append({"document": document, "result": result})
    return rows


def issued_by_us(sha256: str) -> bool:
    """Whether these exact bytes are a copy the product signed and issued."""
    return SignedDocument.objects.filter(sha256=sha256).exists()
