"""Statistics of the one-stop desk for a period: received, processed early / on time / late,
in process within / past time, shares, the PAR metrics and the Decision 766 index."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.workcalendar import local_tz
from cchc.dossiers.models import (
    FINISHED_STATUSES,
    Channel,
    Dossier,
    DossierFile,
    FeeLine,
    HandOver,
    MonthlyFigure,
    Outcome,
    PaidOnline,
    Rating,
    Status,
)
from cchc.nationalportal.models import OutboxMessage
from cchc.procedures.models import Component, LegalBasis, Procedure, ProcedureStep

EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


class PeriodError(ValueError):
    """A period that cannot be counted; ``field`` is "start" or "end"."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def parse_period(start_text: str, end_text: str, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """A period from ISO dates (blank: from 1 January to today), in order and within
    2000-2099; raises PeriodError (which field, a Vietnamese message) otherwise."""
    dates = {}
    for name, text, default in (
        ("start", start_text, today.replace(month=1, day=1)),
        ("end", end_text, today),
    ):
        try:
            dates[name] = dt.date.fromisoformat(text) if text else default
        except ValueError:
            raise PeriodError(name, _("Ngày không đúng định dạng YYYY-MM-DD.")) from None
    start, end = dates["start"], dates["end"]
    for name, day in (("start", start), ("end", end)):
        if not EARLIEST <= day <= LATEST:
            raise PeriodError(name, _("Kỳ thống kê phải nằm trong các năm 2000-2099."))
    if end < start:
        raise PeriodError("end", _("Ngày kết thúc không được trước ngày bắt đầu."))
    return start, end


def _bounds(start: dt.date, end: dt.date):
    tz = local_tz()
    return dt.datetime.combine(start, dt.time.min, tz), dt.datetime.combine(end, dt.time.max, tz)


def summary(
    agency,
    start: dt.date,
    end: dt.date,
    *,
    procedure=None,
    field: str = "",
    unit=None,
    handled_by=None,
) -> dict | None:
    """One aggregate query over the dossiers received before the period ends (`unit`: those
    now at that unit; `handled_by`: those whose steps that unit acted on, or now holds)."""
    begin, finish = _bounds(start, end)
    qs = Dossier.objects.filter(agency=agency, received_at__isnull=False, received_at__lte=finish)
    if procedure is not None:
        qs = qs.filter(procedure__series=procedure.series)
    if field:
        qs = qs.filter(procedure__field=field)
    if unit is not None:
        qs = qs.filter(current_unit=unit)
    if handled_by is not None:
        acted = HandOver.objects.filter(from_unit=handled_by).values("dossier_id")
        qs = qs.filter(Q(current_unit=handled_by) | Q(pk__in=acted))
    new = Q(received_at__gte=begin)
    carried = (
        Q(received_at__lt=begin)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=begin))
        & (Q(decided_at__isnull=True) | Q(decided_at__gte=begin))
    )
    decided_in = Q(decided_at__gte=begin, decided_at__lte=finish)
    # "Past time" is counted against now when the period has not ended yet.
    cutoff = min(finish, timezone.now())
    open_at_end = ~Q(status__in=[Status.REFUSED, Status.WITHDRAWN, Status.STOPPED]) & (
        Q(decided_at__isnull=True) | Q(decided_at__gt=finish)
    )
    figures = qs.aggregate(
        received=Count("id", filter=new),
        carried_over=Count("id", filter=carried),
        processed_early=Count("id", filter=decided_in & Q(outcome="early")),
        processed_on_time=Count("id", filter=decided_in & Q(outcome="on_time")),
        processed_late=Count("id", filter=decided_in & Q(outcome="late")),
        in_process_on_time=Count(
            "id", filter=open_at_end & (new | carried) & Q(due_at__gte=cutoff)
        ),
        in_process_overdue=Count("id", filter=open_at_end & (new | carried) & Q(due_at__lt=cutoff)),
        online=Count("id", filter=new & Q(channel=Channel.ONLINE)),
        full_online=Count("id", filter=new & Q(full_online=True)),
        digitised=Count("id", filter=new & Q(digitised=True)),
        late_supplements=Count("id", filter=new & Q(late_supplement=True)),
        results_digitised=Count("id", filter=decided_in & Q(result_digitised=True)),
    )
    average = qs.filter(decided_in).aggregate(
        average=Avg(
            ExpressionWrapper(F("decided_at") - F("clock_start"), output_field=DurationField())
        )
    )["average"]
    figures["average_days"] = (
        round(average.total_seconds() / 86400, 1) if average is not None else None
    )
    if not figures["received"] and not figures["carried_over"]:
        return None
    processed = (
        figures["processed_early"] + figures["processed_on_time"] + figures["processed_late"]
    )
    received = figures["received"]
    figures["processed"] = processed
    figures["online_share"] = _share(figures["online"], received)
    figures["full_online_share"] = _share(figures["full_online"], received)
    figures["digitised_share"] = _share(figures["digitised"], received)
    figures["results_digitised_share"] = _share(figures["results_digitised"], processed)
    figures["on_time_rate"] = _share(
        figures["processed_early"] + figures["processed_on_time"], processed
    )
    return figures


def _share(part, whole):
    return round(part / whole, 4) if whole else None


def by_month(agency, start: dt.date, end: dt.date) -> list[dict]:
    begin, finish = _bounds(start, end)
    received = {
        row["month"].date() if hasattr(row["month"], "date") else row["month"]: row["n"]
        for row in Dossier.objects.filter(agency=agency, received_at__range=(begin, finish))
        .annotate(month=TruncMonth("received_at", tzinfo=local_tz()))
        .values("month")
        .annotate(n=Count("id"))
    }
    decided = {}
    for row in (
        Dossier.objects.filter(agency=agency, decided_at__range=(begin, finish))
        .annotate(month=TruncMonth("decided_at", tzinfo=local_tz()))
        .values("month")
        .annotate(total=Count("id"), ok=Count("id", filter=Q(outcome__in=["early", "on_time"])))
    ):
        key = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        decided[key] = row
    months, cursor = [], start.replace(day=1)
    while cursor <= end:
        d = decided.get(cursor)
        months.append(
            {
                "month": f"{cursor:%Y-%m}",
                "received": received.get(cursor, 0),
                "processed": d["total"] if d else 0,
                "on_time_rate": _share(d["ok"], d["total"]) if d else None,
            }
        )
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    return months


def by_procedure(agency, start: dt.date, end: dt.date) -> list[dict]:
    """Received and processed per procedure for the period (one grouped query)."""
    begin, finish = _bounds(start, end)
    rows = (
        Dossier.objects.filter(agency=agency)
        .filter(Q(received_at__range=(begin, finish)) | Q(decided_at__range=(begin, finish)))
        .values("procedure__series", "procedure__code", "procedure__name")
        .annotate(
            received=Count("id", filter=Q(received_at__range=(begin, finish))),
            processed=Count("id", filter=Q(decided_at__range=(begin, finish))),
            on_time=Count(
                "id", filter=Q(decided_at__range=(begin, finish), outcome__in=["early", "on_time"])
            ),
            late=Count("id", filter=Q(decided_at__range=(begin, finish), outcome="late")),
        )
        .order_by("-received")
    )
    merged: dict = {}
    for r in rows:
        key = r["procedure__series"]
        if key in merged:
            for k in ("received", "processed", "on_time", "late"):
                merged[key][k] += r[k]
        else:
            merged[key] = dict(r)
    out = list(merged.values())
    for r in out:
        r["on_time_rate"] = _share(r["on_time"], r["processed"])
    return out


def by_procedure_and_month(agency, start: dt.date, end: dt.date) -> list[dict]:
    """Received, decided, early, on time and late per procedure version and month (received
    counted in the month of reception, the others in the month of decision), read from the
    monthly figures kept by the services: the benchmarked yearly statistic."""
    return list(
        MonthlyFigure.objects.filter(agency=agency, month__gte=start.replace(day=1), month__lte=end)
        .values(
            "procedure_id",
            "procedure__name",
            "month",
            "received",
            "decided",
            "early",
            "on_time",
            "late",
        )
        .order_by("procedure__name", "procedure_id", "month")
    )


def figure(agency, start, end) -> dict | None:
    data = summary(agency, start, end)
    if data is None:
        return None
    keys = (
        "received",
        "carried_over",
        "processed_early",
        "processed_on_time",
        "processed_late",
        "in_process_on_time",
        "in_process_overdue",
        "online_share",
        "full_online_share",
        "digitised_share",
        "on_time_rate",
    )
    out = {k: data[k] for k in keys}
    out["by_month"] = [
        {k: m[k] for k in ("month", "received", "on_time_rate")}
        for m in by_month(agency, start, end)
    ]
    return out


def metric(key: str):
    def compute(scope):
        data = summary(scope.agency, scope.start, scope.end, handled_by=scope.unit)
        return None if data is None else data[key]

    return compute


INDEX_766_FILE = Path(__file__).resolve().parent / "data" / "index-766.yaml"


class IndexVersionMissing(ValueError):
    """No version of the 766 index is valid on the last day of the period."""


@dataclass
class _Period:
    agency: object
    start: dt.date
    end: dt.date
    params: dict

    @cached_property
    def bounds(self):
        return _bounds(self.start, self.end)

    @cached_property
    def received(self):
        begin, finish = self.bounds
        return Dossier.objects.filter(agency=self.agency, received_at__range=(begin, finish))

    @cached_property
    def decided(self):
        begin, finish = self.bounds
        return Dossier.objects.filter(agency=self.agency, decided_at__range=(begin, finish))

    @cached_property
    def satisfaction(self) -> dict:
        try:
            from cchc.dossiers.ratings import satisfaction_counts
        except ModuleNotFoundError as missing:  # until the satisfaction part is merged
            if missing.name != "cchc.dossiers.ratings":
                raise
            satisfaction_counts = _rating_counts
        return satisfaction_counts(agency=self.agency, start=self.start, end=self.end)


def _fully_published():
    return (
        Procedure.objects.current()
        .filter(time__isnull=False)
        .exclude(time_unit="")
        .exclude(fee_kind=Procedure.FeeKind.UNKNOWN)
        .filter(Exists(Component.objects.filter(procedure=OuterRef("pk"))))
        .filter(Exists(ProcedureStep.objects.filter(procedure=OuterRef("pk"))))
        .filter(
            Exists(LegalBasis.objects.filter(procedure=OuterRef("pk"))) | ~Q(legal_basis_text="")
        )
    )


def _synced_on_time(p: _Period) -> int:
    within = dt.timedelta(hours=p.params.get("sync_hours", 24))
    sent = OutboxMessage.objects.filter(
        dossier=OuterRef("pk"),
        state=OutboxMessage.State.SENT,
        sent_at__lte=OuterRef("received_at") + within,
    )
    return p.received.filter(Exists(sent)).count()


def _with_fees(p: _Period):
    return p.received.filter(Exists(FeeLine.objects.filter(dossier=OuterRef("pk"), amount__gt=0)))


def _paid_online(p: _Period) -> int:
    online = [PaidOnline.NATIONAL, PaidOnline.GATEWAY]
    line = FeeLine.objects.filter(dossier=OuterRef("pk"), amount__gt=0, paid_online__in=online)
    return _with_fees(p).filter(Exists(line) | Q(paid_online__in=online)).count()


def _rating_counts(*, agency, start, end) -> dict:
    """Ratings given in the period on the agency's dossiers, by level (until ratings.py)."""
    begin, finish = _bounds(start, end)
    level = Rating.Level
    return Rating.objects.filter(dossier__agency=agency, rated_at__range=(begin, finish)).aggregate(
        very_satisfied=Count("id", filter=Q(level=level.VERY_SATISFIED)),
        satisfied=Count("id", filter=Q(level=level.SATISFIED)),
        not_satisfied=Count("id", filter=Q(level=level.NOT_SATISFIED)),
        total=Count("id"),
    )


def _with_file(qs, *conditions, **file_filter):
    files = DossierFile.objects.filter(*conditions, dossier=OuterRef("pk"), **file_filter)
    return qs.filter(Exists(files))


def _days(p: _Period, until: str) -> float:
    """Calendar days from the start of the legal clock to `until`, summed over the dossiers
    decided in the period (both ends known)."""
    span = ExpressionWrapper(F(until) - F("clock_start"), output_field=DurationField())
    total = p.decided.filter(clock_start__isnull=False, due_at__isnull=False).aggregate(
        total=Sum(span)
    )["total"]
    return round(total.total_seconds() / 86400, 1) if total else 0


def _reused(p: _Period) -> int:
    files = DossierFile.objects.filter(dossier=OuterRef("pk"), is_result=False).filter(
        Q(reuse__gt=0) | Q(from_national_store=True)
    )
    return p.received.filter(Exists(files)).count()


# The counting rules named in index-766.yaml; each gives one number for a period.
COUNTERS: dict[str, Callable[[_Period], int]] = {
    "procedures_current": lambda p: Procedure.objects.current().count(),
    "procedures_fully_published": lambda p: _fully_published().count(),
    "dossiers_received": lambda p: p.received.count(),
    "dossiers_synced_on_time": _synced_on_time,
    "dossiers_decided": lambda p: p.decided.count(),
    "dossiers_decided_on_time": lambda p: p.decided.filter(
        outcome__in=[Outcome.EARLY, Outcome.ON_TIME]
    ).count(),
    "days_allowed": lambda p: _days(p, "due_at"),
    "days_taken": lambda p: _days(p, "decided_at"),
    "dossiers_online": lambda p: p.received.filter(channel=Channel.ONLINE).count(),
    "dossiers_full_online": lambda p: p.received.filter(full_online=True).count(),
    "dossiers_with_fees": lambda p: _with_fees(p).count(),
    "dossiers_paid_online": _paid_online,
    "ratings_satisfied": lambda p: p.satisfaction["very_satisfied"] + p.satisfaction["satisfied"],
    "ratings_total": lambda p: p.satisfaction["total"],
    "dossiers_digitised": lambda p: _with_file(
        p.received, ~Q(path=""), is_result=False, digitised=True
    ).count(),
    "dossiers_e_result": lambda p: _with_file(p.decided, ~Q(path=""), is_result=True).count(),
    "dossiers_reused": _reused,
}


def index_766_versions(source: Path | None = None) -> list[dict]:
    """The versions of the index in the data file, each checked: dates, known rules, numbers;
    ImproperlyConfigured (naming the file) for a file that does not fit."""
    path = Path(source or getattr(settings, "INDEX_766_FILE", None) or INDEX_766_FILE)
    try:
        versions = yaml.safe_load(path.read_text(encoding="utf-8"))["versions"]
        for version in versions:
            _check_version(version)
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as error:
        raise ImproperlyConfigured(f"{path}: {error!r}") from error
    return versions


def _check_version(version: dict) -> None:
    if not isinstance(version["valid_from"], dt.date):
        raise ValueError(f"{version['version']}: valid_from is not a date")
    if version["valid_to"] is not None and not isinstance(version["valid_to"], dt.date):
        raise ValueError(f"{version['version']}: valid_to is not a date")
    for group in version["groups"]:
        float(group["max"]), str(group["name"])
        for component in group["components"]:
            float(component["max"]), float(component.get("target", 1.0))
            str(component["formula"]), str(component["name"])
            for rule in (component["numerator"], component["denominator"]):
                if rule not in COUNTERS:
                    raise ValueError(f"unknown 766 counting rule {rule!r}")


def index_766_version(end: dt.date, *, source: Path | None = None) -> dict:
    """The version valid on the last day of the period; IndexVersionMissing otherwise."""
    for version in index_766_versions(source):
        if version["valid_from"] <= end and (version["valid_to"] or LATEST) >= end:
            return version
    raise IndexVersionMissing(
        _("Chưa có bộ chỉ số Quyết định 766 có hiệu lực vào ngày %(day)s.")
        % {"day": f"{end:%d/%m/%Y}"}
    )


def index_766(agency, start, end, *, source: Path | None = None) -> list[dict]:
    """The six groups of Decision 766/QĐ-TTg, each component with its formula and figures, by
    the version of the index valid at the end of the period (raises IndexVersionMissing)."""
    version = index_766_version(end, source=source)
    period = _Period(agency, start, end, version.get("params") or {})
    counted: dict[str, int] = {}

    def count(rule):
        if rule not in counted:
            counted[rule] = COUNTERS[rule](period)
        return counted[rule]

    return [
        {
            "key": group["key"],
            "name": group["name"],
            "max": group["max"],
            "version": version["version"],
            "version_title": version.get("title", version["version"]),
            "components": [_component(c, count) for c in group["components"]],
        }
        for group in version["groups"]
    ]


def _component(spec: dict, count) -> dict:
    numerator, denominator = count(spec["numerator"]), count(spec["denominator"])
    rate = numerator / denominator if denominator else None
    target = spec.get("target", 1.0)
    return {
        "key": spec["key"],
        "name": spec["name"],
        "formula": spec["formula"],
        "numerator": numerator,
        "denominator": denominator,
        "rate": rate,
        "points": None if rate is None else round(spec["max"] * min(1, rate / target), 2),
        "max": spec["max"],
        "target": target,
    }


def tracking_rows(agency, start, end, *, field: str = ""):
    begin, finish = _bounds(start, end)
    qs = Dossier.objects.filter(agency=agency, received_at__range=(begin, finish)).select_related(
        "procedure", "agency"
    )
    if field:
        qs = qs.filter(procedure__field=field)
    return qs.order_by("received_at")


__all__ = [
    "summary",
    "by_month",
    "by_procedure",
    "figure",
    "metric",
    "index_766",
    "FINISHED_STATUSES",
]
