"""Reads of the one-stop desk: what a person may see, queues, lookup, statistics."""

import datetime as dt
import re

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cchc.core.roles import Role
from cchc.core.workcalendar import local_tz
from cchc.dossiers.models import OPEN_STATUSES, Dossier, Status


def dossiers_for_user(user):
    """Desk officers and agency-wide roles see their agency's dossiers; other staff see those
    at their unit or handed to them; citizens see the ones they filed; anonymous nothing."""
    qs = Dossier.objects.select_related("procedure", "current_unit", "current_handler")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.is_staff_member:
        if user.is_agency_wide or user.has_role(Role.ONE_STOP_OFFICER):
            return qs.filter(agency_id=user.unit.agency_id)
        return qs.filter(
            Q(current_unit_id=user.unit_id) | Q(current_handler=user), agency_id=user.unit.agency_id
        )
    return qs.filter(owner=user)


def get_dossier_for_user(user, code: str) -> Dossier:
    return get_object_or_404(dossiers_for_user(user), code=clean_code(code))


def queue(user, *, which: str = "", today: dt.date | None = None):
    qs = dossiers_for_user(user)
    today = today or timezone.localdate()
    end_of_day = dt.datetime.combine(today, dt.time.max, local_tz())
    now = timezone.now()
    if which == "mine":
        qs = qs.filter(current_handler=user, status__in=OPEN_STATUSES)
    elif which == "unit":
        qs = qs.filter(current_unit_id=user.unit_id, status__in=OPEN_STATUSES)
    elif which == "today":
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__gte=now, due_at__lte=end_of_day)
    elif which == "overdue":
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    elif which == "apology":
        # Will be late unless decided soon: the apology (BM.04) must go out a working day ahead.
        qs = qs.filter(
            status__in=OPEN_STATUSES,
            appointment_at__isnull=True,
            due_at__gte=now,
            due_at__lte=now + dt.timedelta(days=3),
        )
    elif which == "new":
        qs = qs.filter(status=Status.SUBMITTED)
    elif which == "decided":
        qs = qs.filter(status=Status.DECIDED)
    else:
        qs = qs.filter(status__in=(Status.SUBMITTED, *OPEN_STATUSES, Status.DECIDED))
    return qs.order_by("due_at", "submitted_at")


def unit_load(user):
    """A leader's view: open dossiers per handler at the unit, with overdue counts."""
    from django.db.models import Count

    now = timezone.now()
    return (
        dossiers_for_user(user)
        .filter(current_unit_id=user.unit_id, status__in=OPEN_STATUSES)
        .values(
            "current_handler__username", "current_handler__first_name", "current_handler__last_name"
        )
        .annotate(total=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))
        .order_by("-total")
    )


def clean_code(text: str) -> str:
    """A dossier code from a raw parameter (a NUL byte is refused by PostgreSQL)."""
    return text.replace("\x00", "").strip().upper()


def awaiting_supplement(code: str) -> Dossier | None:
    return (
        Dossier.objects.select_related("procedure", "agency")
        .filter(status=Status.SUPPLEMENT, code=clean_code(code))
        .first()
    )


def lookup(code: str):
    return (
        Dossier.objects.select_related("procedure", "agency")
        .only(
            "code",
            "status",
            "submitted_at",
            "received_at",
            "due_at",
            "appointment_at",
            "decided_at",
            "returned_at",
            "secret_hash",
            "applicant_phone",
            "applicant_name",
            "due_explanation",
            "procedure__name",
            "procedure__code",
            "agency__name",
        )
        .filter(code=clean_code(code))
        .first()
    )


LOOKUP_TTL = (
    30  # seconds; transitions delete the entry, so this only bounds cross-process staleness
)


def lookup_cache_key(code: str, *, full: bool = False) -> str:
    # Codes hold letters, digits and dashes only; anything else would be unsafe in a cache key.
    return f"dossiers:lookup{':full' if full else ''}:{re.sub(r'[^A-Z0-9-]', '', clean_code(code))}"


def public_status(dossier: Dossier) -> dict:
    """What anyone holding the code may see: status and dates with the explanation of the due
    time, no personal data."""
    return {
        "code": dossier.code,
        "procedure": dossier.procedure.name,
        "status": dossier.status,
        "status_label": str(dossier.get_status_display()),
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "due_at": dossier.effective_due,
        "decided_at": dossier.decided_at,
        "returned_at": dossier.returned_at,
        # How the due time was counted (start, days, holidays, pauses): no personal data.
        "due_explanation": dossier.due_explanation,
        "details": False,
    }


def may_see_details(dossier: Dossier, secret_or_phone: str) -> bool:
    return credentials_match(secret_or_phone, dossier.secret_hash, dossier.applicant_phone)


def credentials_match(secret_or_phone: str, secret_hash: str, phone: str) -> bool:
    """The lookup secret (any case) or the applicant's phone number."""
    value = (secret_or_phone or "").strip()
    if not value:
        return False
    digits = value.replace(" ", "").replace(".", "")
    return Dossier.hash_secret(value) == secret_hash or (len(digits) >= 9 and digits == phone)


def timeline(dossier: Dossier) -> list[dict]:
    """The public timeline (with the secret): each step or action in Vietnamese and the status
    it reached; no names of staff, no notes."""
    return [
        {
            "at": h.at,
            "action": h.action,
            "label": h.label,
            "step": h.step_name,
            "status": h.to_status,
            "status_label": str(h.get_to_status_display()) if h.to_status else "",
        }
        for h in dossier.handovers.all()
    ]


# "My dossiers": what a signed-in person filed online or claimed with the code and secret.

# The forms an applicant may download: the receipt, the supplement request, the refusal and the
# apology. BM.05 (process control slip) is the agency's internal record, BM.06 its book.
APPLICANT_FORMS = ("bm01", "bm02", "bm03", "bm04")


def dossiers_owned_by(user):
    """Only the person's own dossiers, whatever their role: staff see their agency's dossiers
    on the desk pages, never someone else's through these."""
    if not user.is_authenticated or not user.is_active:
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(owner=user)
        .select_related("procedure", "agency")
        .prefetch_related("supplements")
        .order_by("-submitted_at", "-id")
    )


def get_owned_dossier(user, code: str) -> Dossier:
    """The person's own dossier, or 404 (also for a dossier that exists but is someone else's)."""
    return get_object_or_404(dossiers_owned_by(user), code=clean_code(code))


def applicant_forms(dossier: Dossier) -> list[dict]:
    """The applicant's forms that exist for this dossier (each once its event happened)."""
    from cchc.dossiers import documents

    return [
        {"code": code, "number": documents.FORMS[code][0], "title": documents.FORMS[code][1]}
        for code in APPLICANT_FORMS
        if documents.applies(dossier, code)
    ]


def asked_of_applicant(dossier: Dossier) -> list[dict]:
    """What the applicant has to do now, in Vietnamese: send the supplement asked for, pay the
    fees, collect the result. Reads the prefetched supplements (no query per dossier)."""
    from django.utils.translation import gettext as _

    from cchc.core.templatetags.cchc import vnd

    asks = []
    if dossier.status == Status.SUPPLEMENT:
        pending = [s for s in dossier.supplements.all() if s.fulfilled_at is None]
        if pending:
            asks.append(
                {
                    "kind": "supplement",
                    "text": _("Bổ sung hồ sơ: %(items)s") % {"items": pending[-1].items},
                }
            )
    elif dossier.status == Status.FEES:
        asks.append(
            {
                "kind": "fees",
                "text": _("Nộp phí, lệ phí: %(amount)s") % {"amount": vnd(dossier.fee_amount)},
            }
        )
    elif dossier.status == Status.DECIDED:
        asks.append({"kind": "result", "text": _("Đã có kết quả: mời nhận kết quả giải quyết.")})
    return asks
