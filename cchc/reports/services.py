"""Writes of the reports app: take a snapshot, edit its narrative, generate its files."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.models import Agency
from cchc.core.services import audit_record
from cchc.plans.selectors import plan_of_year
from cchc.reports import documents
from cchc.reports.models import NARRATIVE_SECTIONS, ReportSnapshot
from cchc.reports.selectors import collect_figures

NARRATIVE_MAX = 20_000


def report_create(
    *,
    actor,
    agency: Agency,
    year: int,
    as_of: dt.date,
    number: int,
    issued_on: dt.date,
    signer_title: str = "GIÁM ĐỐC",
    signer_name: str = "",
    recipients: str = "",
) -> ReportSnapshot:
    """Freeze every figure of `year` as it stands at `as_of` (JSON stored on the row)."""
    if as_of < dt.date(year, 1, 1):
        raise ValidationError(
            {"as_of": _("Ngày chốt số liệu phải từ ngày 01/01/%(y)d.") % {"y": year}}
        )
    if as_of > issued_on:
        raise ValidationError(
            {"as_of": _("Ngày chốt số liệu không thể sau ngày ban hành báo cáo.")}
        )
    if ReportSnapshot.objects.filter(agency=agency, year=year, number=number).exists():
        raise ValidationError({"number": _("Số báo cáo này đã dùng.")})
    end = min(as_of, dt.date(year, 12, 31))
    data = collect_figures(agency, dt.date(year, 1, 1), end)
    data["as_of"] = as_of.isoformat()
    plan = plan_of_year(agency, year)
    data["plan_id"] = plan.pk if plan else None
    try:
        with transaction.atomic():
            report = ReportSnapshot.objects.create(
                agency=agency,
                year=year,
                as_of=as_of,
                number=number,
                issued_on=issued_on,
                signer_title=signer_title,
                signer_name=signer_name,
                recipients=recipients,
                data=data,
                created_by=actor,
            )
            audit_record(actor=actor, obj=report, action="report_snapshot", to_state="draft")
    except IntegrityError:  # the same number taken by someone else meanwhile
        if not ReportSnapshot.objects.filter(agency=agency, year=year, number=number).exists():
            raise
        raise ValidationError({"number": _("Số báo cáo này đã dùng.")}) from None
    return report


def report_narrative_update(*, actor, report: ReportSnapshot, narrative: dict) -> ReportSnapshot:
    """Store the editors' text as plain text; templates and documents escape it when shown."""
    allowed = {code for code, _label in NARRATIVE_SECTIONS}
    clean = {k: str(v)[:NARRATIVE_MAX] for k, v in narrative.items() if k in allowed}
    with transaction.atomic():
        locked = ReportSnapshot.objects.select_for_update(no_key=True, of=("self",)).get(
            pk=report.pk
        )
        if locked.status in (ReportSnapshot.Status.QUEUED, ReportSnapshot.Status.GENERATING):
            raise ValidationError(_("Báo cáo đang được tạo tệp; chờ xong rồi sửa."))
        locked.narrative = {**locked.narrative, **clean}
        locked.save(update_fields=["narrative"])
    return locked


def report_generation_request(*, actor, report: ReportSnapshot) -> ReportSnapshot:
    from cchc.reports.tasks import generate_report

    with transaction.atomic():
        # Two clicks on "generate": only one task is queued.
        locked = ReportSnapshot.objects.select_for_update(no_key=True, of=("self",)).get(
            pk=report.pk
        )
        if locked.status in (ReportSnapshot.Status.QUEUED, ReportSnapshot.Status.GENERATING):
            return locked
        old = locked.status
        locked.status = ReportSnapshot.Status.QUEUED
        locked.progress = 0
        locked.progress_text = _("Đang chờ")
        locked.error = ""
        locked.save(update_fields=["status", "progress", "progress_text", "error"])
        audit_record(
            actor=actor, obj=locked, action="report_generate", from_state=old, to_state="queued"
        )
        transaction.on_commit(lambda: generate_report.enqueue(locked.pk))
    return locked


def _progress(report_id: int, percent: int, text: str) -> None:
    # Written outside any long transaction so that the page polling it sees each step.
    ReportSnapshot.objects.filter(pk=report_id).update(progress=percent, progress_text=text)


def report_generate(*, report_id: int) -> ReportSnapshot:
    """Build Word, PDF and Excel from the frozen figures and store them."""
    report = ReportSnapshot.objects.select_related("agency").get(pk=report_id)
    ReportSnapshot.objects.filter(pk=report_id).update(status=ReportSnapshot.Status.GENERATING)
    try:
        _progress(report_id, 10, _("Đang dựng Word"))
        docx = documents.build_docx(report, progress=lambda p, t: _progress(report_id, p, t))
        _progress(report_id, 60, _("Đang dựng PDF"))
        pdf = documents.build_pdf(report)
        _progress(report_id, 85, _("Đang dựng phụ lục Excel"))
        xlsx = documents.build_xlsx(report)
        folder = f"reports/{report.agency_id}/{report.pk}"
        paths = {}
        for ext, content in (("docx", docx), ("pdf", pdf), ("xlsx", xlsx)):
            old = getattr(report, f"{ext}_path")
            paths[f"{ext}_path"] = default_storage.save(
                f"{folder}/{documents.file_name(report, ext)}", ContentFile(content)
            )
            if old and old != paths[f"{ext}_path"]:
                default_storage.delete(old)
    except Exception as exc:
        ReportSnapshot.objects.filter(pk=report_id).update(
            status=ReportSnapshot.Status.FAILED, error=str(exc)[:2000], progress_text=_("Lỗi")
        )
        raise
    ReportSnapshot.objects.filter(pk=report_id).update(
        status=ReportSnapshot.Status.READY,
        progress=100,
        progress_text=_("Xong"),
        generated_at=timezone.now(),
        **paths,
    )
    report.refresh_from_db()
    return report
