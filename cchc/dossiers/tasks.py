"""Notifications to the applicant, run through django-tasks (immediate in dev, db worker in prod)."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django_tasks import task

from cchc.core.workcalendar import fmt_local

# Subjects hold fixed text, the dossier code and the catalogue's procedure name only: never
# text the filer typed (the address may be anyone's).
SUBJECTS = {
    "submitted": "Hồ sơ %(code)s đã được nộp trực tuyến",
    "received": "Hồ sơ %(code)s đã được tiếp nhận",
    "refused": "Hồ sơ %(code)s bị từ chối tiếp nhận",
    "supplement": "Hồ sơ %(code)s cần bổ sung",
    "reappointed": "Xin lỗi và hẹn lại ngày trả kết quả hồ sơ %(code)s",
    "decided": "Hồ sơ %(code)s đã có kết quả",
    "returned": "Hồ sơ %(code)s đã trả kết quả",
}
# The moment each notice reports, and how it is named.
MOMENTS = {
    "submitted": ("submitted_at", "Nộp lúc: %(t)s"),
    "received": ("received_at", "Tiếp nhận lúc: %(t)s"),
    "decided": ("decided_at", "Có kết quả lúc: %(t)s"),
    "returned": ("returned_at", "Trả kết quả lúc: %(t)s"),
}


def subject(dossier, kind: str) -> str:
    procedure = Truncator(dossier.procedure.name).chars(80)
    return f"{_(SUBJECTS[kind]) % {'code': dossier.code}} — {procedure}"


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
    if kind in MOMENTS and getattr(dossier, MOMENTS[kind][0]):
        field, text = MOMENTS[kind]
        lines.append(_(text) % {"t": fmt_local(getattr(dossier, field))})
    if due:
        lines.append(_("Hẹn trả kết quả: %(d)s") % {"d": fmt_local(due)})
    if kind == "supplement":
        request = dossier.supplements.last()
        lines.append(_("Nội dung cần bổ sung: %(i)s") % {"i": request.items if request else ""})
    if kind == "reappointed":
        lines.append(_("Lý do: %(r)s") % {"r": dossier.apology_reason})
    if kind == "refused":
        lines.append(_("Lý do: %(r)s") % {"r": dossier.refusal_reason})
    if kind == "returned":
        from cchc.dossiers.ratings import LINK_DAYS, rating_link

        lines += [
            "",
            _("Mời ông/bà đánh giá mức độ hài lòng với việc giải quyết hồ sơ (trong %(n)s ngày):")
            % {"n": LINK_DAYS},
            rating_link(dossier),
        ]
    lines += ["", dossier.agency.name]
    return send_mail(
        subject(dossier, kind),
        "\n".join(lines),
        settings.DEFAULT_FROM_EMAIL,
        [dossier.applicant_email],
    )
