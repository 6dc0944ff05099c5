"""Queueing the monthly satisfaction summaries (DongBoDanhGia): one agency-level outbox row
(dossier null) per agency and month; the worker builds the body from the ratings when it
sends it, so ratings given after the row was queued count (docs/dvcqg.md, "DongBoDanhGia")."""

import dataclasses
import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.models import Agency
from cchc.core.workcalendar import local_tz
from cchc.dossiers.ratings import parse_month
from cchc.nationalportal.models import OutboxMessage
from cchc.nationalportal.outbox import SATISFACTION_SYNC

State = OutboxMessage.State
EVENT = "satisfaction"


class SummaryError(ValueError):
    """A month or agency the command cannot work with (Vietnamese message)."""


@dataclasses.dataclass
class Queued:
    agency: Agency
    outcome: str  # "queued", "waiting" (one pending/failed/dead), "sent" (needs --resend)
    message: OutboxMessage | None = None


def month_key(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def previous_month(now: dt.datetime) -> dt.date:
    """The first day of the calendar month before `now`'s, in Asia/Ho_Chi_Minh."""
    first = timezone.localtime(now, local_tz()).date().replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def resolve_month(text: str | None, *, now: dt.datetime) -> dt.date:
    """--month "YYYY-MM" (default: the previous month); a month not yet begun is refused."""
    if not text:
        return previous_month(now)
    today = timezone.localtime(now, local_tz()).date()
    try:
        month = parse_month(text, today=today)
    except ValueError as error:
        raise SummaryError(str(error)) from None
    if month > today.replace(day=1):
        raise SummaryError(_("Tháng %(m)s chưa đến: chưa có gì để tổng hợp.") % {"m": text})
    return month


def agencies_for(code: str | None):
    """The agencies with a national code, or the one named by its code or national code."""
    agencies = Agency.objects.exclude(national_code="").order_by("code")
    if not code:
        return list(agencies)
    named = Agency.objects.filter(code=code).first() or (
        Agency.objects.filter(national_code=code).first()
    )
    if named is None:
        raise SummaryError(_("Không có cơ quan mã %(c)s.") % {"c": code})
    if not named.national_code:
        raise SummaryError(
            _("Cơ quan %(c)s chưa có mã định danh đơn vị trên Cổng DVCQG.") % {"c": named.code}
        )
    return [named]


def summary_queue(*, agency: Agency, month: dt.date, resend: bool = False, now=None) -> Queued:
    """One DongBoDanhGia row for the agency's month unless one waits already (pending, failed
    or dead) or, without `resend`, one was sent."""
    now = now or timezone.now()
    key = month_key(month)
    with transaction.atomic():
        # Two runs at once for the same agency: the agency row lock lets one queue, once.
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        rows = OutboxMessage.objects.filter(
            agency=agency, dossier__isnull=True, service=SATISFACTION_SYNC, payload__month=key
        )
        if rows.filter(state__in=(State.PENDING, State.FAILED, State.DEAD)).exists():
            return Queued(agency, "waiting")
        if not resend and rows.filter(state=State.SENT).exists():
            return Queued(agency, "sent")
        message = OutboxMessage.objects.create(
            agency=agency,
            dossier=None,
            service=SATISFACTION_SYNC,
            event=EVENT,
            payload={"month": key},
            state=State.PENDING,
            next_attempt_at=now,
            created_at=now,
        )
    return Queued(agency, "queued", message)


def summaries_queue(
    *, month: dt.date, agency_code: str | None = None, resend: bool = False, now=None
) -> list[Queued]:
    return [
        summary_queue(agency=agency, month=month, resend=resend, now=now)
        for agency in agencies_for(agency_code)
    ]
