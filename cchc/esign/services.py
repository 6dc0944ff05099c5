"""Sign PDFs as PAdES baseline B-B with the agency's certificate and verify them.

Level: PAdES-B-B (ETSI.CAdES.detached, SHA-256, signing time as a signed attribute, the
certificate chain embedded). No timestamp (B-T) and no revocation data (B-LT): the product
has no TSA or OCSP responder to ask; a deployment that has one can add a pyHanko TimeStamper.
The signature field is FIELD_NAME (FIELD_NAME-2, -3 ... when the PDF already has one)."""

import asyncio
import datetime as dt
import hashlib
import io
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from cchc.esign import certificates
from cchc.esign.models import SignedDocument

FIELD_NAME = "CCHC-ChuKySoCoQuan"
PDF_MIME = "application/pdf"


class NotConfigured(Exception):
    """No signing certificate is configured (ESIGN_PKCS12_PATH)."""


def _field_name(reader) -> str:
    taken = {name for name, *_ in enumerate_sig_fields(reader)}
    name, n = FIELD_NAME, 1
    while name in taken:
        n += 1
        name = f"{FIELD_NAME}-{n}"
    return name


def _outside_event_loop(function, *args, **kwargs):
    """pyHanko's synchronous API calls asyncio.run(), which fails in a thread that already
    runs an event loop (an async server, Playwright's sync API): run it in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def sign_pdf(*, pdf: bytes, agency, reason: str, location: str) -> bytes:
    """The PDF with the agency's PAdES-B-B signature appended as an incremental update (the
    original bytes stay the first part of the file). Raises NotConfigured without a
    certificate and ValidationError for a PDF that cannot be read."""
    signer = certificates.load_signer(agency)
    if signer is None:
        raise NotConfigured
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        meta = signers.PdfSignatureMetadata(
            field_name=_field_name(writer.prev),
            reason=reason,
            location=location,
            name=agency.name,
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
        )
        return _outside_event_loop(signers.sign_pdf, writer, meta, signer=signer).getvalue()
    except Exception as error:  # pyHanko raises many kinds for a broken or encrypted PDF
        raise ValidationError(
            _("Tệp PDF không đọc được (hỏng hoặc bị mã hóa) nên không ký số được."),
            code="unreadable_pdf",
        ) from error


@dataclass(frozen=True)
class SignatureCheck:
    field: str
    signer: str
    signed_at: dt.datetime | None
    intact: bool  # the signed bytes hash to what was signed
    valid: bool  # the signature over them is cryptographically valid
    trusted: bool  # the signer's certificate chains to a configured trust root
    demo: bool  # the certificate is the demo one (no legal value)
    modified: bool  # content changed after signing (tampering or a later revision)
    later_revisions: bool  # something was appended after this signature (another signature)

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.modified


@dataclass(frozen=True)
class VerificationResult:
    is_pdf: bool
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def valid(self) -> bool:
        return self.signed and all(s.ok for s in self.signatures)

    @property
    def intact(self) -> bool:
        return self.signed and all(s.intact for s in self.signatures)

    @property
    def signer(self) -> str:
        """Of the last signature (the agency's, on a result a leader had signed before)."""
        return self.signatures[-1].signer if self.signatures else ""

    @property
    def signed_at(self) -> dt.datetime | None:
        return self.signatures[-1].signed_at if self.signatures else None

    @property
    def modified(self) -> bool:
        return any(s.modified or not s.intact for s in self.signatures)

    @property
    def trusted(self) -> bool:
        return self.signed and all(s.trusted for s in self.signatures)

    @property
    def demo(self) -> bool:
        return any(s.demo for s in self.signatures)

    @property
    def summary(self) -> str:
        if not self.is_pdf:
            return _("Tệp không phải là tệp PDF đọc được.")
        if not self.signed:
            return _("Tệp PDF không có chữ ký số.")
        if self.modified:
            return _("Chữ ký số KHÔNG hợp lệ: tài liệu đã bị thay đổi sau khi ký.")
        if not all(s.valid for s in self.signatures):
            return _("Chữ ký số KHÔNG hợp lệ: chữ ký không khớp với chứng thư số.")
        if not self.trusted:
            return _(
                "Chữ ký còn nguyên vẹn nhưng chứng thư số của người ký không thuộc tổ chức "
                "cung cấp dịch vụ chứng thực mà hệ thống tin cậy."
            )
        if self.demo:
            return _(
                "Chữ ký số hợp lệ, tài liệu không bị thay đổi sau khi ký; đây là chứng thư số "
                "minh họa, không có giá trị pháp lý."
            )
        return _("Chữ ký số hợp lệ, tài liệu không bị thay đổi sau khi ký.")


def _check(embedded, context) -> SignatureCheck:
    status = _outside_event_loop(validate_pdf_signature, embedded, context)
    coverage = status.coverage
    modified = not status.intact or coverage not in (
        SignatureCoverageLevel.ENTIRE_FILE,
        SignatureCoverageLevel.ENTIRE_REVISION,
    )
    if coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        level = status.modification_level
        modified = modified or level is None or level == ModificationLevel.OTHER
    chain = status.validation_path
    root = getattr(chain.trust_anchor, "certificate", None) if chain is not None else None
    return SignatureCheck(
        field=embedded.field_name,
        signer=certificates.common_name(status.signing_cert),
        signed_at=status.signer_reported_dt,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        demo=certificates.is_demo(status.signing_cert)
        or (root is not None and certificates.is_demo(root)),
        modified=modified,
        later_revisions=coverage != SignatureCoverageLevel.ENTIRE_FILE,
    )


def verify_pdf(pdf: bytes) -> VerificationResult:
    """Every signature of the PDF checked against ESIGN_TRUST_ROOTS (no network fetching)."""
    if not pdf.startswith(b"%PDF-"):
        return VerificationResult(is_pdf=False)
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # a broken file: not a PDF we can read
        return VerificationResult(is_pdf=False)
    context = ValidationContext(trust_roots=certificates.trust_roots(), allow_fetching=False)
    checks = []
    for signature in embedded:
        try:
            checks.append(_check(signature, context))
        except Exception:  # a signature too broken to parse counts as invalid and modified
            checks.append(
                SignatureCheck(
                    field=getattr(signature, "field_name", ""),
                    signer="",
                    signed_at=None,
                    intact=False,
                    valid=False,
                    trusted=False,
                    demo=False,
                    modified=True,
                    later_revisions=False,
                )
            )
    return VerificationResult(is_pdf=True, signatures=checks)


@dataclass(frozen=True)
class Signing:
    signer: str
    signed_at: dt.datetime
    sha256: str


def _signing(pdf: bytes, agency) -> Signing:
    signer = certificates.load_signer(agency)
    return Signing(
        signer=certificates.common_name(signer.signing_cert),
        signed_at=timezone.now(),
        sha256=hashlib.sha256(pdf).hexdigest(),
    )


def receipt_pdf(dossier, *, request=None) -> bytes:
    """BM.01 as issued: signed once, at the first download, stored, and the same bytes served
    afterwards; unsigned (rendered each time) when no certificate is configured."""
    from cchc.core.documents import render_pdf
    from cchc.dossiers import documents
    from cchc.dossiers.models import Dossier

    def render() -> bytes:
        return render_pdf(
            "dossiers/forms/form.html", documents.form_context(dossier, "bm01", request=request)
        )

    if not certificates.configured(dossier.agency):
        return render()
    stored = _stored_receipt(dossier)
    if stored is not None:
        return stored
    signed = sign_pdf(
        pdf=render(),
        agency=dossier.agency,
        reason=_("Giấy tiếp nhận hồ sơ và hẹn trả kết quả, hồ sơ %(code)s")
        % {"code": dossier.code},
        location=dossier.agency.place_name or dossier.agency.name,
    )
    signing = _signing(signed, dossier.agency)
    path = default_storage.save(
        f"esign/{dossier.agency.code}/{uuid.uuid4().hex}.pdf", ContentFile(signed)
    )
    try:
        with transaction.atomic():
            # two first downloads at once: one receipt is kept, the other's file deleted
            Dossier.objects.select_for_update().only("id").get(pk=dossier.pk)
            stored = _stored_receipt(dossier)
            if stored is not None:
                default_storage.delete(path)
                return stored
            SignedDocument.objects.create(
                dossier=dossier,
                kind=SignedDocument.Kind.RECEIPT,
                path=path,
                signer=signing.signer,
                signed_at=signing.signed_at,
                sha256=signing.sha256,
            )
    except BaseException:
        default_storage.delete(path)
        raise
    return signed


def _stored_receipt(dossier) -> bytes | None:
    row = SignedDocument.objects.filter(dossier=dossier, kind=SignedDocument.Kind.RECEIPT).first()
    if row is None:
        return None
    try:
        with default_storage.open(row.path, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError):  # removed from storage by hand: issue it again
        row.delete()
        return None


def sign_result_upload(upload, *, dossier, mime: str):
    """(the upload to store, Signing or None): a PDF result is replaced by its signed copy
    before it is stored (the unsigned upload is not kept: its bytes are the first revision of
    the signed file); other kinds and installations without a certificate are left as is."""
    if mime != PDF_MIME or not certificates.configured(dossier.agency):
        return upload, None
    upload.seek(0)
    signed = sign_pdf(
        pdf=upload.read(),
        agency=dossier.agency,
        reason=_("Kết quả giải quyết hồ sơ %(code)s") % {"code": dossier.code},
        location=dossier.agency.place_name or dossier.agency.name,
    )
    return SimpleUploadedFile(upload.name, signed, content_type=PDF_MIME), _signing(
        signed, dossier.agency
    )


def result_signature_record(*, dossier, file, signing: Signing) -> SignedDocument:
    """In the decision's transaction, beside the result file row."""
    return SignedDocument.objects.create(
        dossier=dossier,
        file=file,
        kind=SignedDocument.Kind.RESULT,
        path=file.path,
        signer=signing.signer,
        signed_at=signing.signed_at,
        sha256=signing.sha256,
    )
