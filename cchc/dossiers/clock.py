"""The legal clock of a dossier: due times with their explanation (Decree 61/2018, art. 17-21)."""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from cchc.core.workcalendar import DueDate, Step, WorkingCalendar, fmt_moment, local_tz
from cchc.dossiers.models import Channel
from cchc.procedures.models import Procedure

PAPER_CUTOFF = dt.time(15, 0)
SUPPLEMENT_LIMIT_DAYS = Decimal(3)


def counting_start(
    received_at: dt.datetime, channel: int, cal: WorkingCalendar
) -> tuple[dt.datetime, list[Step]]:
    """A paper dossier received after 15:00 (or on a day off) counts from the next working day."""
    local = received_at.astimezone(local_tz())
    if channel == Channel.ONLINE:
        return received_at, []
    late = local.time() >= PAPER_CUTOFF or not cal.is_working_day(local.date())
    if not late:
        return received_at, []
    next_day = cal.next_working_day(local.date() + dt.timedelta(days=1))
    start = cal.next_opening(dt.datetime.combine(next_day, dt.time(0, 0), local.tzinfo))
    note = _("Hồ sơ giấy nhận sau 15:00 hoặc ngoài ngày làm việc: tính từ %(moment)s") % {
        "moment": fmt_moment(start)
    }
    return start, [Step(start.date(), "start", note)]


def legal_due(
    *, procedure: Procedure, start: dt.datetime, channel: int, full_online: bool = False, cal=None
) -> DueDate:
    cal = cal or WorkingCalendar()
    begin, notes = counting_start(start, channel, cal)
    days = procedure.legal_time_for(full_online=full_online)
    result = cal.add(begin, days, procedure.time_unit)
    return DueDate(result.due, notes + result.explanation)


def classify(done_at: dt.datetime, due_at: dt.datetime | None) -> str:
    """Early when finished on an earlier day than due, on time up to the due moment, else late."""
    if due_at is None:
        return ""
    local_done, local_due = done_at.astimezone(local_tz()), due_at.astimezone(local_tz())
    if done_at > due_at:
        return "late"
    return "early" if local_done.date() < local_due.date() else "on_time"
