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
from django.utils.translation import gettext_lazy

from cchc.core.files import check_upload, store_upload
from cchc.core.models import Agency, Unit
from cchc.core.permissions import acts_for
from cchc.core.roles import Role
from cchc.core.services import audit_record
from cchc.core.text import normalise
from cchc.core.transitions import Transition, Workflow
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
    """A petition handler of `agency` (the shared agency scope, then the role)."""
    return acts_for(user, agency.pk) and (user.is_superuser or user.has_role(*HANDLER_ROLES))


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


# The mails to the sender, by the transition's `notice` (sent after commit).
NOTICES = {
    "accepted": (
        gettext_lazy("PAKN %(code)s đã được tiếp nhận xử lý"),
        gettext_lazy(
            "Phản ánh, kiến nghị “%(subject)s” (mã %(code)s) đã được tiếp nhận xử lý. "
            "Hạn trả lời: %(due)s."
        ),
    ),
    "refused": (
        gettext_lazy("PAKN %(code)s không được xử lý"),
        gettext_lazy(
            "Phản ánh, kiến nghị “%(subject)s” (mã %(code)s) không được xử lý. Lý do: %(reason)s"
        ),
    ),
    "forwarded": (
        gettext_lazy("PAKN %(code)s đã được chuyển cơ quan có thẩm quyền"),
        gettext_lazy("Phản ánh, kiến nghị “%(subject)s” (mã %(code)s) đã được chuyển đến: %(to)s."),
    ),
    "answered": (
        gettext_lazy("Trả lời PAKN %(code)s"),
        gettext_lazy("Trả lời phản ánh, kiến nghị “%(subject)s” (mã %(code)s):\n\n%(answer)s"),
    ),
}


def _notify(petition: Petition, kind: str) -> None:
    if not kind or not petition.sender_email:
        return
    values = {
        "code": petition.code,
        "subject": petition.subject,
        "due": fmt_local(petition.due_at, time=False) if petition.due_at else "",
        "reason": petition.refusal_reason,
        "to": petition.forwarded_to,
        "answer": petition.answer,
    }
    subject, body = (str(text) % values for text in NOTICES[kind])
    transaction.on_commit(
        lambda: send_mail(
            subject, body, settings.DEFAULT_FROM_EMAIL, [petition.sender_email], fail_silently=True
        )
    )


def _lock(petition: Petition) -> Petition:
    # Two handlers acting on one petition at once: the second sees the first's status.
    return (
        Petition.objects.select_for_update(no_key=True, of=("self",))
        .select_related("agency", "unit")
        .get(pk=petition.pk)
    )


def _move(slug: str, *, actor, petition: Petition, reason="", **fields) -> Petition:
    """Check FLOW[slug] under the row lock, then write, audit and notify (after commit)."""
    with transaction.atomic():
        locked = _lock(petition)
        transition = FLOW.check(slug, actor, locked)
        previous = locked.status
        locked.status = transition.target
        for name, value in fields.items():
            setattr(locked, name, value)
        _index(locked)
        locked.full_clean()
        locked.save(update_fields=["status", "search_title", "search_body", *fields])
        audit_record(
            actor=actor,
            obj=locked,
            action=transition.audit,
            from_state=previous,
            to_state=locked.status,
            reason=reason,
        )
        _notify(locked, transition.notice)
    return locked


def _check_unit(petition: Petition, unit: Unit | None) -> None:
    if unit is not None and unit.agency_id != petition.agency_id:
        raise ValidationError({"unit": _("Đơn vị không thuộc cơ quan này.")})


def petition_accept(*, actor, petition: Petition, unit: Unit | None = None) -> Petition:
    _check_unit(petition, unit)
    return _move("accept", actor=actor, petition=petition, triaged_at=timezone.now(), unit=unit)


def petition_refuse(*, actor, petition: Petition, reason: str) -> Petition:
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi rõ lý do từ chối xử lý.")})
    return _move(
        "refuse",
        actor=actor,
        petition=petition,
        reason=reason,
        refusal_reason=reason.strip(),
        triaged_at=timezone.now(),
    )


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
    return _move(
        "forward",
        actor=actor,
        petition=petition,
        reason=late_reason,
        forwarded_to=to.strip(),
        triaged_at=timezone.now(),
    )


def petition_assign(*, actor, petition: Petition, unit: Unit) -> Petition:
    _check_unit(petition, unit)
    with transaction.atomic():
        locked = _lock(petition)
        transition = FLOW.check("assign", actor, locked)
        previous = locked.unit.name if locked.unit_id else ""
        locked.unit = unit
        locked.save(update_fields=["unit"])
        audit_record(
            actor=actor,
            obj=locked,
            action=transition.audit,
            from_state=previous,
            to_state=unit.name,
        )
    return locked


def petition_answer(*, actor, petition: Petition, answer: str) -> Petition:
    if not answer.strip():
        raise ValidationError({"answer": _("Nội dung trả lời không được để trống.")})
    return _move(
        "answer",
        actor=actor,
        petition=petition,
        answer=answer.strip(),
        answered_at=timezone.now(),
        answered_by=actor,
    )


def petition_publish(*, actor, petition: Petition) -> Petition:
    return _move("publish", actor=actor, petition=petition, published_at=timezone.now())


# Who may act (the reason in Vietnamese when not) and the conditions of the transitions.
def _other_agency(actor, petition: Petition) -> str | None:
    if actor.is_superuser or (actor.agency is not None and actor.agency.pk == petition.agency_id):
        return None
    return _("PAKN thuộc cơ quan khác.")


def _handler(actor, petition: Petition) -> str | None:
    if refused := _other_agency(actor, petition):
        return refused
    if is_handler(actor, petition.agency):
        return None
    return _("Chỉ cán bộ xử lý PAKN hoặc lãnh đạo cơ quan thực hiện thao tác này.")


def _answerer(actor, petition: Petition) -> str | None:
    """A handler of the agency, or the staff of the unit the petition is assigned to."""
    if refused := _other_agency(actor, petition):
        return refused
    if is_handler(actor, petition.agency) or (
        actor.is_staff_member and petition.unit_id is not None and actor.unit_id == petition.unit_id
    ):
        return None
    return _("Chỉ cán bộ xử lý PAKN hoặc cán bộ của đơn vị được phân công trả lời PAKN này.")


def _consented(petition: Petition) -> str | None:
    if petition.consent_to_publish:
        return None
    return _("Người gửi không đồng ý công khai: không thể công khai câu trả lời.")


_F = "cchc.feedback.forms."
_S = "cchc.feedback.services."

# The petition's transitions: one slug each, used by the services, the buttons of the staff
# page, the API's list of available actions and the one dispatch of pages and API.
FLOW = Workflow(
    [
        Transition(
            "accept",
            gettext_lazy("Nhận xử lý"),
            frozenset({S.RECEIVED}),
            S.ACCEPTED,
            who=_handler,
            audit="accept",
            notice="accepted",
            service=_S + "petition_accept",
            form=_F + "AcceptForm",
        ),
        Transition(
            "refuse",
            gettext_lazy("Từ chối xử lý"),
            frozenset({S.RECEIVED, S.ACCEPTED}),
            S.REFUSED,
            who=_handler,
            audit="refuse",
            notice="refused",
            service=_S + "petition_refuse",
            form=_F + "RefuseForm",
        ),
        Transition(
            "forward",
            gettext_lazy("Chuyển cơ quan có thẩm quyền"),
            frozenset({S.RECEIVED}),
            S.FORWARDED,
            who=_handler,
            audit="forward",
            notice="forwarded",
            service=_S + "petition_forward",
            form=_F + "ForwardForm",
        ),
        Transition(
            "assign",
            gettext_lazy("Phân công đơn vị"),
            frozenset({S.ACCEPTED}),
            S.ACCEPTED,
            who=_handler,
            audit="assign",
            service=_S + "petition_assign",
            form=_F + "AssignForm",
        ),
        Transition(
            "answer",
            gettext_lazy("Trả lời"),
            frozenset({S.ACCEPTED}),
            S.ANSWERED,
            who=_answerer,
            audit="answer",
            notice="answered",
            service=_S + "petition_answer",
            form=_F + "AnswerForm",
        ),
        Transition(
            "publish",
            gettext_lazy("Công khai câu trả lời"),
            frozenset({S.ANSWERED}),
            S.PUBLISHED,
            who=_handler,
            condition=_consented,
            audit="publish",
            service=_S + "petition_publish",
        ),
    ],
    record="petition",
)
