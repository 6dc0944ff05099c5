"""The working calendar and the legal clock built on it.

A day is classified by the agency's CalendarOverride rows first, then by the working-day rules
of `holidays` for Vietnam: public holidays (lunar ones included), swapped days off, the weekend,
and the weekend days announced as make-up working days (the explanation names the day off each
one was swapped with). `next_working_day` is the one "this day or the next working day" rule.

Clock convention (docs/design.md): a period in working days is counted in office hours
(07:30-11:30, 13:00-17:00; half a day is half of a day's hours). A start outside office hours
counts from the next opening. A period in calendar days ends at the end of its last day, or at
the end of the next working day when that day is a weekend or holiday (Civil Code, arts. 147-148).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

OFFICE_HOURS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(7, 30), dt.time(11, 30)),
    (dt.time(13, 0), dt.time(17, 0)),
)
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
MAX_DAYS = Decimal(3650)
# More days off in a row than any real calendar has: the calendar is broken (overrides).
MAX_DAYS_OFF_IN_A_ROW = 366


class CalendarError(ValueError):
    """A period the calendar cannot count (negative, absurd, not in half days)."""


@dataclass
class Step:
    date: dt.date | None
    kind: str  # start, skip, working_override, working_makeup, last_day, due, total
    text: str

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat() if self.date else None,
            "kind": self.kind,
            "text": self.text,
        }


@dataclass
class DueDate:
    due: dt.datetime
    explanation: list[Step] = field(default_factory=list)

    @property
    def skipped(self) -> list[Step]:
        return [s for s in self.explanation if s.kind == "skip"]


@dataclass
class Span:
    days: Decimal
    explanation: list[Step] = field(default_factory=list)


@lru_cache(maxsize=1)
def _legal_holidays():
    return holidays.country_holidays("VN", language="vi")


@lru_cache(maxsize=64)
def _makeup_reason(day: dt.date) -> str:
    """Why the package counts this weekend day as worked: the day off it was swapped with."""
    legal = _legal_holidays()
    # A swap can cross the new year (05/01/2019 worked for 31/12/2018): load both sides
    # (looking a date up makes `holidays` compute its year).
    legal.get(dt.date(day.year - 1, 1, 1))
    legal.get(dt.date(day.year + 1, 1, 1))
    label = legal.tr(legal.substituted_label) % day.strftime(
        legal.tr(legal.substituted_date_format)
    )
    swapped = sorted(legal.get_named(label, lookup="exact"))
    if not swapped:
        return _("ngày làm việc bù theo lịch nghỉ lễ do Nhà nước công bố")
    return _("làm bù, ngày nghỉ chuyển sang %(day)s") % {"day": fmt_day(swapped[0])}


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def fmt_day(d: dt.date) -> str:
    return f"{WEEKDAYS[d.weekday()]} {d:%d/%m/%Y}"


def fmt_moment(moment: dt.datetime) -> str:
    return f"{moment:%H:%M} {fmt_day(moment.date())}"


class WorkingCalendar:
    """Answers "is this a working day, and if not why" for a range of dates."""

    def __init__(
        self, overrides: dict[dt.date, tuple[bool, str]] | None = None, office_hours=OFFICE_HOURS
    ):
        self._overrides = overrides
        self.office_hours = office_hours
        self.day_minutes = sum(_minutes(b) - _minutes(a) for a, b in office_hours)

    @property
    def overrides(self) -> dict[dt.date, tuple[bool, str]]:
        if self._overrides is None:
            from cchc.core.models import CalendarOverride

            self._overrides = {
                o.date: (o.is_working_day, o.reason) for o in CalendarOverride.objects.all()
            }
        return self._overrides

    def day_status(self, day: dt.date) -> tuple[bool, str, str]:
        """(is working day, kind of reason, reason text).

        The agency's overrides first, then the working-day rules of `holidays`: its public
        holidays and swapped days off, its weekend, and the weekend days it lists as make-up
        working days (kind "makeup").
        """
        if day in self.overrides:
            working, reason = self.overrides[day]
            return working, "override", reason
        legal = _legal_holidays()
        name = legal.get(day)
        if name:
            return False, "holiday", name
        if not legal.is_working_day(day):
            return False, "weekend", _("ngày nghỉ cuối tuần")
        if legal.is_weekend(day):
            return True, "makeup", _makeup_reason(day)
        return True, "", ""

    def is_working_day(self, day: dt.date) -> bool:
        return self.day_status(day)[0]

    def _note_day(self, day: dt.date, steps: list[Step]) -> bool:
        """Record why `day` is skipped or worked exceptionally; return whether it is worked."""
        working, kind, reason = self.day_status(day)
        if not working:
            steps.append(
                Step(
                    day,
                    "skip",
                    _("Không tính %(day)s: %(reason)s") % {"day": fmt_day(day), "reason": reason},
                )
            )
        elif kind in ("override", "makeup"):
            steps.append(
                Step(
                    day,
                    "working_override" if kind == "override" else "working_makeup",
                    _("Tính %(day)s là ngày làm việc: %(reason)s")
                    % {"day": fmt_day(day), "reason": reason},
                )
            )
        return working

    def next_working_day(self, day: dt.date, steps: list[Step] | None = None) -> dt.date:
        """`day` when it is a working day, else the first working day after it (Civil Code
        art. 148); each day looked at is noted in `steps` when given."""
        notes = steps if steps is not None else []
        for _attempt in range(MAX_DAYS_OFF_IN_A_ROW):
            if self._note_day(day, notes):
                return day
            day += dt.timedelta(days=1)
        raise CalendarError(
            _("Không có ngày làm việc nào trong %(n)s ngày kể từ %(day)s: kiểm tra lịch làm việc.")
            % {"n": MAX_DAYS_OFF_IN_A_ROW, "day": fmt_day(day)}
        )

    def _intervals(self, day: dt.date, tz) -> list[tuple[dt.datetime, dt.datetime]]:
        return [
            (dt.datetime.combine(day, a, tz), dt.datetime.combine(day, b, tz))
            for a, b in self.office_hours
        ]

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """The moment itself when inside office hours, else the next opening of a working day."""
        moment = moment.astimezone(local_tz())
        day = self.next_working_day(moment.date())
        for opening, closing in self._intervals(day, moment.tzinfo):
            if moment < closing:
                return max(moment, opening)
        day = self.next_working_day(day + dt.timedelta(days=1))
        return self._intervals(day, moment.tzinfo)[0][0]

    def add_working_days(self, start: dt.datetime, days) -> DueDate:
        days = _check_days(days, half_days=True)
        tz = local_tz()
        start = _aware(start).astimezone(tz)
        steps: list[Step] = []
        counted_from = self.next_opening(start) if days else start
        steps.append(
            Step(start.date(), "start", _("Bắt đầu: %(moment)s") % {"moment": fmt_moment(start)})
        )
        if counted_from != start:
            steps.append(
                Step(
                    counted_from.date(),
                    "start",
                    _("Ngoài giờ làm việc: tính từ %(moment)s")
                    % {"moment": fmt_moment(counted_from)},
                )
            )
        remaining = int(days * self.day_minutes)
        cursor, day = counted_from, start.date()
        while remaining > 0:
            if self._note_day(day, steps):
                intervals = self._intervals(day, tz)
                for index, (opening, closing) in enumerate(intervals):
                    begin = max(cursor, opening)
                    if begin >= closing:
                        continue
                    available = int((closing - begin).total_seconds() // 60)
                    last_of_day = index == len(intervals) - 1
                    if remaining < available or (remaining == available and last_of_day):
                        cursor = begin + dt.timedelta(minutes=remaining)
                        remaining = 0
                        break
                    remaining -= available
                    # A period running out at the lunch break ends when the afternoon opens.
                    cursor = closing if remaining else intervals[index + 1][0]
                    if not remaining:
                        break
            if remaining:
                day += dt.timedelta(days=1)
        steps.append(
            Step(
                cursor.date(),
                "due",
                _("Hạn: %(moment)s (%(days)s ngày làm việc)")
                % {"moment": fmt_moment(cursor), "days": _fmt_number(days)},
            )
        )
        return DueDate(cursor, _dedupe(steps))

    def add_calendar_days(self, start: dt.datetime, days) -> DueDate:
        days = _check_days(days, half_days=False)
        tz = local_tz()
        start = _aware(start).astimezone(tz)
        steps = [
            Step(start.date(), "start", _("Bắt đầu: %(moment)s") % {"moment": fmt_moment(start)})
        ]
        last = start.date() + dt.timedelta(days=int(days))
        steps.append(
            Step(
                last,
                "last_day",
                _("Ngày cuối của thời hạn %(days)s ngày: %(day)s")
                % {"days": int(days), "day": fmt_day(last)},
            )
        )
        last = self.next_working_day(last, steps)
        due = dt.datetime.combine(last, dt.time(23, 59, 59), tz)
        steps.append(Step(last, "due", _("Hạn: hết ngày %(day)s") % {"day": fmt_day(last)}))
        return DueDate(due, steps)

    def add(self, start: dt.datetime, days, unit: str) -> DueDate:
        if unit == "working_days":
            return self.add_working_days(start, days)
        if unit == "days":
            return self.add_calendar_days(start, days)
        raise CalendarError(_("Đơn vị thời gian không hợp lệ: %(unit)s") % {"unit": unit})

    def working_days_between(self, a: dt.datetime, b: dt.datetime) -> Span:
        """Office time from a to b, in working days (negative when b is before a)."""
        tz = local_tz()
        a, b = _aware(a).astimezone(tz), _aware(b).astimezone(tz)
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        steps: list[Step] = []
        minutes = 0
        day = a.date()
        while day <= b.date():
            if self._note_day(day, steps):
                for opening, closing in self._intervals(day, tz):
                    begin, end = max(a, opening), min(b, closing)
                    if end > begin:
                        minutes += int((end - begin).total_seconds() // 60)
            day += dt.timedelta(days=1)
        value = (Decimal(minutes) / Decimal(self.day_minutes)).quantize(Decimal("0.01")) * sign
        steps.append(
            Step(None, "total", _("Tổng: %(days)s ngày làm việc") % {"days": _fmt_number(value)})
        )
        return Span(value, steps)


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _aware(moment: dt.datetime) -> dt.datetime:
    if isinstance(moment, dt.date) and not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(0, 0))
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=local_tz())
    return moment


def _check_days(days, *, half_days: bool) -> Decimal:
    try:
        value = Decimal(str(days))
    except Exception:
        raise CalendarError(_("Số ngày phải là một số.")) from None
    if not value.is_finite():
        raise CalendarError(_("Số ngày phải là một số."))
    if value < 0:
        raise CalendarError(_("Số ngày không được âm."))
    if value > MAX_DAYS:
        raise CalendarError(_("Số ngày không được vượt quá %(max)s.") % {"max": MAX_DAYS})
    step = Decimal("0.5") if half_days else Decimal(1)
    if value % step:
        if half_days:
            raise CalendarError(_("Số ngày làm việc chỉ được lẻ nửa ngày (ví dụ 2,5)."))
        raise CalendarError(_("Số ngày theo lịch phải là số nguyên."))
    return value


def _fmt_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _dedupe(steps: list[Step]) -> list[Step]:
    seen, out = set(), []
    for s in steps:
        key = (s.date, s.kind, s.text)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def calendar() -> WorkingCalendar:
    """A calendar with the current overrides, read once for this computation."""
    return WorkingCalendar()


def add_working_days(start, days) -> DueDate:
    return calendar().add_working_days(start, days)


def add_calendar_days(start, days) -> DueDate:
    return calendar().add_calendar_days(start, days)


def working_days_between(a, b) -> Span:
    return calendar().working_days_between(a, b)


def fmt_local(moment: dt.datetime | None, *, time: bool = True) -> str:
    """A stored moment (UTC in the database) as the agency reads it, in ``settings.TIME_ZONE``:
    "08:30 Thứ Hai 02/03/2026", or the day alone. Every e-mail formats its times with it."""
    if moment is None:
        return ""
    local = timezone.localtime(moment, local_tz())
    return fmt_moment(local) if time else fmt_day(local.date())


# Display of a stored explanation. The stored steps are the record (one line per day looked
# at); pages group the days skipped or worked exceptionally into one line each.
DAY_KINDS = ("skip", "working_override", "working_makeup")
WEEKEND_REASON = "ngày nghỉ cuối tuần"


def day_ranges(days) -> str:
    """Dates as runs of consecutive days: "14-15/11, 21-22/11, 24/11"; a run across a month or
    a year names both ends ("31/10-01/11", "31/12-01/01")."""
    ordered = sorted(set(days))
    runs: list[list[dt.date]] = []
    for day in ordered:
        if runs and day - runs[-1][-1] == dt.timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        first, last = run[0], run[-1]
        if first == last:
            parts.append(f"{first:%d/%m}")
        elif (first.year, first.month) == (last.year, last.month):
            parts.append(f"{first:%d}-{last:%d/%m}")
        else:
            parts.append(f"{first:%d/%m}-{last:%d/%m}")
    return ", ".join(parts)


def _reason(entry: dict) -> str:
    # Stored texts read "Không tính <day>: <reason>" / "Tính <day> là ngày làm việc: <reason>".
    text = entry.get("text") or ""
    return text.split(": ", 1)[1] if ": " in text else text


def _grouped_days(run: list[dict]) -> list[dict]:
    weekend: list[dt.date] = []
    named: dict[str, list[dt.date]] = {}  # holidays and the agency's days off, first seen first
    worked: dict[str, list[dt.date]] = {}
    for entry in run:
        day = dt.date.fromisoformat(entry["date"])
        reason = _reason(entry)
        if entry["kind"] != "skip":
            worked.setdefault(reason, []).append(day)
        elif reason in (WEEKEND_REASON, _(WEEKEND_REASON)):
            weekend.append(day)
        else:
            named.setdefault(reason, []).append(day)
    lines = []
    if weekend or named:
        parts = []
        if weekend:
            parts.append(
                _("%(n)s ngày cuối tuần: %(days)s")
                % {"n": len(set(weekend)), "days": day_ranges(weekend)}
            )
        parts += [f"{reason} {day_ranges(days)}" for reason, days in named.items()]
        lines.append({"kind": "skipped", "text": _("Bỏ qua %(days)s") % {"days": "; ".join(parts)}})
    if worked:
        parts = [f"{day_ranges(days)} ({reason})" for reason, days in worked.items()]
        lines.append(
            {
                "kind": "worked",
                "text": _("Tính là ngày làm việc: %(days)s") % {"days": "; ".join(parts)},
            }
        )
    return lines


def group_explanation(entries: list[dict]) -> list[dict]:
    """A stored explanation for display ({kind, text} each): every run of day-by-day entries
    becomes one line of days skipped ("Bỏ qua 4 ngày cuối tuần: 14-15/11, 21-22/11; Ngày Văn
    hóa Việt Nam 24/11") and one of days worked exceptionally; other steps stay as they are."""
    lines: list[dict] = []
    run: list[dict] = []
    for entry in entries or []:
        if entry.get("kind") in DAY_KINDS and entry.get("date"):
            run.append(entry)
            continue
        if run:
            lines += _grouped_days(run)
            run = []
        lines.append({"kind": entry.get("kind", ""), "text": entry.get("text", "")})
    if run:
        lines += _grouped_days(run)
    return lines
