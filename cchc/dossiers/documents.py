"""Official forms BM.01-BM.05 (Circular 01/2018/TT-VPCP, re-issued 2025) as HTML and PDF, and
the tracking book BM.06 as Excel."""

import qrcode
import qrcode.image.svg
from django.utils import timezone
from django.utils.safestring import mark_safe

from cchc.core.documents import render_pdf
from cchc.core.workcalendar import local_tz

FORMS = {
    "bm01": ("Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "A5"),
    "bm02": ("Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "A5"),
    "bm03": ("Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "A5"),
    "bm04": ("Mẫu số 04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "A5"),
    "bm05": ("Mẫu số 05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "A4"),
}


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=6, border=1)
    svg = image.to_string(encoding="unicode")
    return mark_safe(svg[svg.index("<svg") :])


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


def form_context(dossier, form_code: str) -> dict:
    number, title, page = FORMS[form_code]
    today = timezone.localtime(timezone.now(), local_tz())
    return {
        "dossier": dossier,
        "form_code": form_code,
        "form_number": number,
        "form_title": title,
        "page_size": page,
        "agency": dossier.agency,
        "qr": qr_svg(dossier.code),
        "today": today,
        "components": dossier.procedure.components.all(),
        "handovers": dossier.handovers.select_related("from_user", "to_unit", "to_user"),
        "supplement": dossier.supplements.last(),
    }


def form_pdf(dossier, form_code: str) -> bytes:
    return render_pdf("dossiers/forms/form.html", form_context(dossier, form_code))


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
                d.get_status_display(),
            ]
        )
    for column, width in zip(
        "ABCDEFGHIJKLM", (5, 22, 50, 10, 28, 36, 30, 18, 18, 18, 18, 18, 18), strict=True
    ):
        ws.column_dimensions[column].width = width
    return workbook_bytes(wb)
