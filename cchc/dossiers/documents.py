"""Official forms BM.01-BM.05 as HTML and PDF and the tracking book BM.06 as a print layout
(PDF, A4 landscape) and as Excel. Layout: Circular 01/2018/TT-VPCP, Annex, as re-issued with
Circular 03/2025/TT-VPCP (Decree 118/2025/ND-CP); see docs/onestop.md."""

import datetime as dt

import qrcode
import qrcode.image.svg
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from cchc.core.documents import MOTTO, NATIONAL_TITLE, header_names, render_pdf
from cchc.core.workcalendar import local_tz

FORMS = {
    "bm01": ("Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "A5"),
    "bm02": ("Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "A5"),
    "bm03": ("Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "A5"),
    "bm04": ("Mẫu số 04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "A5"),
    "bm05": ("Mẫu số 05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "A4"),
}
DESK_NAME = (
    "BỘ PHẬN MỘT CỬA"  # Decree 118/2025: "Bộ phận Một cửa" (formerly "tiếp nhận và trả kết quả")
)
# BM.04 is the agency's own letter; the others are issued at the one-stop desk.
AGENCY_FORMS = {"bm04"}


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=6, border=1)
    svg = image.to_string(encoding="unicode")
    return mark_safe(svg[svg.index("<svg") :])


def lookup_url(dossier, request=None) -> str:
    """The public lookup page of the dossier, absolute when a request gives the host."""
    path = f"{reverse('dossiers:dossier-lookup')}?{urlencode({'code': dossier.code})}"
    return request.build_absolute_uri(path) if request is not None else path


def applies(dossier, form_code: str) -> bool:
    """A form exists only once its event happened: receipt, supplement request, refusal,
    re-appointment; the process control slip always."""
    from cchc.dossiers.models import Status

    return {
        "bm01": dossier.received_at is not None,
        "bm02": dossier.supplements.exists(),
        "bm03": dossier.status == Status.REFUSED,
        "bm04": dossier.appointment_at is not None,
        "bm05": True,
    }.get(form_code, False)


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = local_tz()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def book_numbers(agency, dossiers) -> dict[int, tuple[int, int]]:
    """{dossier id: (book, entry)}: the agency keeps one tracking book a year ("Quyển số" is the
    year) and enters dossiers in the order they were received ("Số thứ tự")."""
    from cchc.dossiers.models import Dossier

    years = {timezone.localtime(d.received_at, local_tz()).year for d in dossiers if d.received_at}
    numbers = {}
    for year in years:
        ids = Dossier.objects.filter(
            agency=agency,
            received_at__gte=_year_bounds(year)[0],
            received_at__lt=_year_bounds(year)[1],
        ).order_by("received_at", "id")
        numbers.update(
            {pk: (year, n) for n, pk in enumerate(ids.values_list("id", flat=True), start=1)}
        )
    return numbers


def _receiver(dossier, handovers):
    """The one-stop officer who received the dossier (BM.01) or refused it (BM.03)."""
    for h in handovers:
        if h.action in ("receive", "accept", "refuse"):
            return h.from_user
    return None


# The rows that put the dossier at a step record that step's due: the reception (the desk's
# first step), a hand-over or a sending back (the step entered), a supplement (the step's due
# counted again).
_ENTERS_STEP = ("receive", "accept", "supplement", "hand_over", "send_back")


def _slip_rows(dossier, handovers) -> list[dict]:
    """BM.05: one row per hand-over; the step's due time is the one its result was measured
    against (the due of the step handed on, or of the step decided)."""
    rows, step_due = [], None
    for h in handovers:
        due = h.step_due_at if h.action == "decide" else step_due if h.outcome else None
        rows.append(
            {
                "label": h.label,
                "giver": h.from_user.display_name
                if h.from_user
                else dossier.applicant_name
                if h.action == "file_online"
                else "",
                "giver_unit": h.from_unit.name if h.from_unit else "",
                "receiver": h.to_user.display_name if h.to_user else "",
                "receiver_unit": h.to_unit.name if h.to_unit else "",
                "at": h.at,
                "step_due": due,
                "outcome": h.get_outcome_display() if h.outcome else "",
                "note": h.note,
            }
        )
        if h.action in _ENTERS_STEP and h.step_due_at is not None:
            step_due = h.step_due_at
    return rows


def header_context(agency, *, desk: bool) -> dict:
    superior, name = header_names(agency.superior_body, agency.name)
    return {
        "header_superior": superior,
        "header_agency": name,
        "header_desk": DESK_NAME if desk else "",
        "national_title": NATIONAL_TITLE,
        "motto": MOTTO,
    }


def form_context(dossier, form_code: str, *, request=None) -> dict:
    number, title, page = FORMS[form_code]
    today = timezone.localtime(timezone.now(), local_tz())
    handovers = list(
        dossier.handovers.select_related("from_user", "from_unit", "to_unit", "to_user")
    )
    supplement = dossier.supplements.select_related("requested_by").last()
    receiver = _receiver(dossier, handovers)
    if (
        form_code == "bm02"
        and supplement is not None
        and (supplement.at_reception or receiver is None)
    ):
        receiver = supplement.requested_by
    url = lookup_url(dossier, request)
    book = book_numbers(dossier.agency, [dossier]).get(dossier.pk) if dossier.received_at else None
    return {
        "dossier": dossier,
        "form_code": form_code,
        "form_number": number,
        "form_title": title,
        "page_size": page,
        "agency": dossier.agency,
        **header_context(dossier.agency, desk=form_code not in AGENCY_FORMS),
        "lookup_url": url,
        "qr": qr_svg(url),
        "today": today,
        "received": timezone.localtime(dossier.received_at, local_tz())
        if dossier.received_at
        else None,
        "due": timezone.localtime(dossier.effective_due, local_tz())
        if dossier.effective_due
        else None,
        "book": book,
        "receiver": receiver,
        "components": dossier.procedure.components.all(),
        "rows": _slip_rows(dossier, handovers),
        "supplement": supplement,
    }


def form_pdf(dossier, form_code: str, *, request=None) -> bytes:
    if form_code == "bm01":  # the receipt is signed by the agency when a certificate is set
        from cchc.esign.services import receipt_pdf

        return receipt_pdf(dossier, request=request)
    return render_pdf("dossiers/forms/form.html", form_context(dossier, form_code, request=request))


def book_rows(dossiers) -> list[dict]:
    """BM.06 rows: the official columns, the dates in the agency's zone."""
    dossiers = list(dossiers)
    numbers = book_numbers(dossiers[0].agency, dossiers) if dossiers else {}

    def fmt(moment):
        return timezone.localtime(moment, local_tz()).strftime("%d/%m/%Y %H:%M") if moment else ""

    return [
        {
            "number": numbers.get(d.pk, (None, ""))[1],
            "code": d.code,
            "procedure": d.procedure.name,
            "sets": 1,
            "applicant": d.applicant_name,
            "contact": f"{d.applicant_address}, {d.applicant_phone}",
            "agency": d.agency.name,
            "received": fmt(d.received_at),
            "due": fmt(d.effective_due),
            "handed": fmt(d.received_at),
            "decided": fmt(d.decided_at),
            "returned": fmt(d.returned_at),
            "note": d.get_status_display(),
        }
        for d in dossiers
    ]


def tracking_book_pdf(agency, dossiers, *, title: str, period: str) -> bytes:
    """BM.06 for printing: A4 landscape, the official columns with "Ký nhận"."""
    return render_pdf(
        "dossiers/forms/book.html",
        {
            "agency": agency,
            **header_context(agency, desk=True),
            "form_title": title,
            "period": period,
            "rows": book_rows(dossiers),
        },
    )


def tracking_book(dossiers, *, title: str) -> bytes:
    """BM.06: the tracking book of dossiers for a field and period, as Excel."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from cchc.core.excel import workbook_bytes

    wb = Workbook()
    ws = wb.active
    ws.title = "So theo doi"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    header = [
        "STT",
        "Mã hồ sơ",
        "Tên TTHC",
        "Số lượng hồ sơ (bộ)",
        "Tên cá nhân, tổ chức",
        "Địa chỉ, số điện thoại",
        "Cơ quan chủ trì giải quyết",
        "Ngày, tháng, năm nhận hồ sơ",
        "Ngày, tháng, năm hẹn trả kết quả",
        "Ngày, tháng, năm chuyển hồ sơ đến cơ quan giải quyết",
        "Ngày, tháng, năm nhận kết quả",
        "Ngày, tháng, năm trả kết quả",
        "Ký nhận",
        "Ghi chú",
    ]
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    def fmt(moment):
        return timezone.localtime(moment, local_tz()).strftime("%d/%m/%Y %H:%M") if moment else ""

    for i, d in enumerate(dossiers, start=1):
        ws.append(
            [
                i,
                d.code,
                d.procedure.name,
                1,
                d.applicant_name,
                f"{d.applicant_address}, {d.applicant_phone}",
                d.agency.name,
                fmt(d.received_at),
                fmt(d.effective_due),
                fmt(d.received_at),
                fmt(d.decided_at),
                fmt(d.returned_at),
                "",
                d.get_status_display(),
            ]
        )
    for column, width in zip(
        "ABCDEFGHIJKLMN", (5, 22, 50, 10, 28, 36, 30, 18, 18, 18, 18, 18, 14, 18), strict=True
    ):
        ws.column_dimensions[column].width = width
    return workbook_bytes(wb)
