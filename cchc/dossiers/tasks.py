"""Notifications to the applicant, run through django-tasks (immediate in dev, db worker in prod)."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django_tasks import task

SUBJECTS = {
    "submitted": "Hồ sơ %(code)s đã được nộp trực tuyến",
    "received": "Hồ sơ %(code)s đã được tiếp nhận",
    "refused": "Hồ sơ %(code)s bị từ chối tiếp nhận",
    "supplement": "Hồ sơ %(code)s cần bổ sung",
    "reappointed": "Xin lỗi và hẹn lại ngày trả kết quả hồ sơ %(code)s",
    "decided": "Hồ sơ %(code)s đã có kết quả",
    "returned": "Hồ sơ %(code)s đã trả kết quả",
}


@task()
def send_dossier_mail(dossier_id: int, kind: str) -> int:
    from cchc.dossiers.models import Dossier

    dossier = Dossier.objects.select_related("procedure", "agency").get(pk=dossier_id)
    if not dossier.applicant_email:
        return 0
    due = dossier.effective_due
    lines = [
        _("Kính gửi %(name)s,") % {"name": dossier.applicant_name},
        "",
        _("Thủ tục: %(p)s") % {"p": dossier.procedure.name},
        _("Mã hồ sơ: %(c)s") % {"c": dossier.code},
        _("Trạng thái: %(s)s") % {"s": dossier.get_status_display()},
    ]
    if due:
        lines.append(_("Hẹn trả kết quả: %(d)s") % {"d": due.strftime("%H:%M %d/%m/%Y")})
    if kind == "supplement":
        request = dossier.supplements.last()
        lines.append(_("Nội dung cần bổ sung: %(i)s") % {"i": request.items if request else ""})
    if kind == "reappointed":
        lines.append(_("Lý do: %(r)s") % {"r": dossier.apology_reason})
    if kind == "refused":
        lines.append(_("Lý do: %(r)s") % {"r": dossier.refusal_reason})
    lines += ["", dossier.agency.name]
    return send_mail(
        SUBJECTS[kind] % {"code": dossier.code},
        "\n".join(lines),
        settings.DEFAULT_FROM_EMAIL,
        [dossier.applicant_email],
    )
