"""Writes of the feedback (PAKN) app: receive, triage, assign, answer, publish."""

import re
import secrets
import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.files import check_upload, store_upload
from cchc.core.models import Agency, Unit
from cchc.core.roles import Role
from cchc.core.services import audit_record
from cchc.core.text import normalise
from cchc.core.workcalendar import add_working_days, fmt_local
from cchc.feedback.models import FeedbackSettings, Petition, PetitionAttachment

MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
HANDLER_ROLES = (Role.PETITION_HANDLER, Role.AGENCY_LEADER, Role.SYSTEM_ADMIN)
_ALPHABET = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"
S = Petition.Status


def settings_for(agency: Agency) -> FeedbackSettings:
    return FeedbackSettings.objects.filter(agency=agency).first() or FeedbackSettings(agency=agency)


def is_handler(user, agency: Agency) -> bool:
    if user.is_superuser:
        return True
    return user.is_staff_member and user.agency == agency and user.has_role(*HANDLER_ROLES)


def _new_code(agency: Agency, now) -> str:
    day = timezone.localtime(now).date()
    seq = Petition.objects.filter(agency=agency, code__startswith=f"PAKN-{day:%y%m%d}-").count() + 1
    tail = "".join(secrets.choice(_ALPHABET) for _ in range(4))
    return f"PAKN-{day:%y%m%d}-{seq:04d}-{tail}"


_NON_WORD = re.compile(r"[^\w]+")


def search_text(*parts: str) -> str:
    """Normalised words with a space at each end, for whole-word LIKE '% word %' matching."""
    words = _NON_WORD.sub(" ", normalise(" ".join(p or "" for p in parts))).split()
    return f" {' '.join(words)} " if words else ""


def _index(petition: Petition) -> None:
    petition.search_title = search_text(petition.subject)[:255]
    petition.search_body = search_text(petition.content, petition.answer)


def petition_submit(
    *,
    agency: Agency,
    sender_name: str,
    subject: str,
    content: str,
    sender_phone: str = "",
    sender_email: str = "",
    sender_address: str = "",
    procedure_code: str = "",
    procedure_name: str = "",
    consent_to_publish: bool = False,
    attachments=(),
    channel: str = Petition.Channel.WEB,
) -> Petition:
    """Receive a petition; returns it with the code the sender uses to follow it."""
    if not (sender_phone.strip() or sender_email.strip()):
        raise ValidationError(
            {"sender_email": _("Cần ít nhất số điện thoại hoặc thư điện tử để trả lời bạn.")}
        )
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("Chỉ được đính kèm tối đa %(n)s tệp.") % {"n": MAX_ATTACHMENTS}}
        )
    checked = [
        check_upload(f, kinds=("pdf", "image", "office"), max_bytes=MAX_ATTACHMENT_BYTES)
        for f in attachments
    ]
    now = timezone.now()
    rules = settings_for(agency)
    stored = []
    try:
        with transaction.atomic():
            # Two petitions on the same day: the agency row lock keeps their numbers distinct.
            Agency.objects.select_for_update(no_key=True, of=("self",)).filter(pk=agency.pk).first()
            petition = Petition(
                agency=agency,
                code=_new_code(agency, now),
                sender_name=sender_name.strip(),
                sender_phone=sender_phone.strip(),
                sender_email=sender_email.strip(),
                sender_address=sender_address.strip(),
                subject=subject.strip(),
                content=content.strip(),
                procedure_code=procedure_code.strip(),
                procedure_name=procedure_name.strip(),
                consent_to_publish=consent_to_publish,
                channel=channel,
                received_at=now,
                triage_due_at=add_working_days(now, rules.triage_working_days).due,
                due_at=add_working_days(now, rules.answer_working_days).due,
            )
            _index(petition)
            petition.full_clean()
            petition.save()
            for item in checked:
                path = store_upload(item, folder="pakn")
                stored.append(path)
                PetitionAttachment.objects.create(
                    petition=petition,
                    original_name=item.original_name,
                    path=path,
                    mime=item.mime,
                    size=item.size,
                    sha256=item.sha256,
                )
            audit_record(actor=None, obj=petition, action="receive", to_state=petition.status)
    except Exception:
        from django.core.files.storage import default_storage

        for path in stored:
            default_storage.delete(path)
        raise
    return petition


def _mail(petition: Petition, subject: str, body: str) -> None:
    if not petition.sender_email:
        return
    transaction.on_commit(
        lambda: send_mail(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [petition.sender_email],
            fail_silently=True,
        )
    )


def _move(*, actor, petition: Petition, allowed: set, to: str, action: str, reason="", **fields):
    if not is_handler(actor, petition.agency) and action != "answer":
        raise PermissionError(_("Bạn không có quyền xử lý phản ánh, kiến nghị này."))
    with transaction.atomic():
        # Two handlers acting on one petition at once: the second sees the first's status.
        locked = Petition.objects.select_for_update(no_key=True, of=("self",)).get(pk=petition.pk)
        if locked.status not in allowed:
            raise ValidationError(
                _("PAKN đang ở trạng thái “%(status)s”, không thể thực hiện thao tác này.")
                % {"status": locked.get_status_display()}
            )
        previous = locked.status
        locked.status = to
        for name, value in fields.items():
            setattr(locked, name, value)
        _index(locked)
        locked.full_clean()
        locked.save(update_fields=["status", "search_title", "search_body", *fields])
        audit_record(
            actor=actor, obj=locked, action=action, from_state=previous, to_state=to, reason=reason
        )
    return locked


def petition_accept(*, actor, petition: Petition, unit: Unit | None = None) -> Petition:
    if unit is not None and unit.agency_id != petition.agency_id:
        raise ValidationError({"unit": _("Đơn vị không thuộc cơ quan này.")})
    locked = _move(
        actor=actor,
        petition=petition,
        allowed={S.RECEIVED},
        to=S.ACCEPTED,
        action="accept",
        triaged_at=timezone.now(),
        unit=unit,
    )
    _mail(
        locked,
        _("PAKN %(code)s đã được tiếp nhận xử lý") % {"code": locked.code},
        _(
            "Phản ánh, kiến nghị “%(subject)s” (mã %(code)s) đã được tiếp nhận xử lý. "
            "Hạn trả lời: %(due)s."
        )
        % {
            "subject": locked.subject,
            "code": locked.code,
            "due": fmt_local(locked.due_at, time=False),
        },
    )
    return locked


def petition_refuse(*, actor, petition: Petition, reason: str) -> Petition:
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi rõ lý do từ chối xử lý.")})
    locked = _move(
        actor=actor,
        petition=petition,
        allowed={S.RECEIVED, S.ACCEPTED},
        to=S.REFUSED,
        action="refuse",
        reason=reason,
        refusal_reason=reason.strip(),
        triaged_at=timezone.now(),
    )
    _mail(
        locked,
        _("PAKN %(code)s không được xử lý") % {"code": locked.code},
        _("Phản ánh, kiến nghị “%(subject)s” (mã %(code)s) không được xử lý. Lý do: %(reason)s")
        % {"subject": locked.subject, "code": locked.code, "reason": locked.refusal_reason},
    )
    return locked


def petition_forward(*, actor, petition: Petition, to: str, late_reason: str = "") -> Petition:
    """Forward outside competence; the law allows 5 working days (Decree 20/2008)."""
    if not to.strip():
        raise ValidationError({"to": _("Cần ghi cơ quan có thẩm quyền nhận PAKN.")})
    late = timezone.now() > petition.triage_due_at
    if late and not late_reason.strip():
        raise ValidationError(
            {
                "late_reason": _(
                    "Đã quá hạn chuyển PAKN ngoài thẩm quyền (5 ngày làm việc, hạn %(due)s). "
                    "Cần ghi lý do chậm."
                )
                % {"due": fmt_local(petition.triage_due_at)}
            }
        )
    locked = _move(
        actor=actor,
        petition=petition,
        allowed={S.RECEIVED},
        to=S.FORWARDED,
        action="forward",
        reason=late_reason,
        forwarded_to=to.strip(),
        triaged_at=timezone.now(),
    )
    _mail(
        locked,
        _("PAKN %(code)s đã được chuyển cơ quan có thẩm quyền") % {"code": locked.code},
        _("Phản ánh, kiến nghị “%(subject)s” (mã %(code)s) đã được chuyển đến: %(to)s.")
        % {"subject": locked.subject, "code": locked.code, "to": locked.forwarded_to},
    )
    return locked


def petition_assign(*, actor, petition: Petition, unit: Unit) -> Petition:
    if not is_handler(actor, petition.agency):
        raise PermissionError(_("Bạn không có quyền phân công xử lý PAKN."))
    if unit.agency_id != petition.agency_id:
        raise ValidationError({"unit": _("Đơn vị không thuộc cơ quan này.")})
    with transaction.atomic():
        locked = Petition.objects.select_for_update(no_key=True, of=("self",)).get(pk=petition.pk)
        if locked.status != S.ACCEPTED:
            raise ValidationError(_("Chỉ phân công PAKN đang xử lý."))
        previous = locked.unit.name if locked.unit_id else ""
        locked.unit = unit
        locked.save(update_fields=["unit"])
        audit_record(
            actor=actor, obj=locked, action="assign", from_state=previous, to_state=unit.name
        )
    return locked


def can_answer(user, petition: Petition) -> bool:
    return is_handler(user, petition.agency) or (
        user.is_staff_member and petition.unit_id is not None and user.unit_id == petition.unit_id
    )


def petition_answer(*, actor, petition: Petition, answer: str) -> Petition:
    petition = Petition.objects.select_related("agency").get(pk=petition.pk)  # current unit
    if not can_answer(actor, petition):
        raise PermissionError(_("Bạn không có quyền trả lời PAKN này."))
    if not answer.strip():
        raise ValidationError({"answer": _("Nội dung trả lời không được để trống.")})
    locked = _move(
        actor=actor,
        petition=petition,
        allowed={S.ACCEPTED},
        to=S.ANSWERED,
        action="answer",
        answer=answer.strip(),
        answered_at=timezone.now(),
        answered_by=actor,
    )
    _mail(
        locked,
        _("Trả lời PAKN %(code)s") % {"code": locked.code},
        _("Trả lời phản ánh, kiến nghị “%(subject)s” (mã %(code)s):\n\n%(answer)s")
        % {"subject": locked.subject, "code": locked.code, "answer": locked.answer},
    )
    return locked


def petition_publish(*, actor, petition: Petition) -> Petition:
    if not petition.consent_to_publish:
        raise ValidationError(
            _("Người gửi không đồng ý công khai: không thể công khai câu trả lời.")
        )
    return _move(
        actor=actor,
        petition=petition,
        allowed={S.ANSWERED},
        to=S.PUBLISHED,
        action="publish",
        published_at=timezone.now(),
    )
