"""Statistics of the one-stop desk for a period: received, processed early / on time / late,
in process within / past time, shares, the PAR metrics and the Decision 766 index."""

import datetime as dt

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.workcalendar import local_tz
from cchc.dossiers.models import FINISHED_STATUSES, Channel, Dossier, MonthlyFigure, Status

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
    agency, start: dt.date, end: dt.date, *, procedure=None, field: str = "", unit=None
) -> dict | None:
    """One aggregate query over the dossiers received before the period ends."""
    begin, finish = _bounds(start, end)
    qs = Dossier.objects.filter(agency=agency, received_at__isnull=False, received_at__lte=finish)
    if procedure is not None:
        qs = qs.filter(procedure__series=procedure.series)
    if field:
        qs = qs.filter(procedure__field=field)
    if unit is not None:
        qs = qs.filter(current_unit=unit)
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
    def compute(agency, start, end):
        data = summary(agency, start, end)
        return None if data is None else data[key]

    return compute


def index_766(agency, start, end) -> list[dict]:
    """The six groups of Decision 766/QĐ-TTg with each component CCHC can compute."""
    data = summary(agency, start, end) or {}

    def comp(name, formula, numerator, denominator, max_points, target=1.0):
        if not denominator:
            return {
                "name": name,
                "formula": formula,
                "numerator": numerator,
                "denominator": denominator,
                "rate": None,
                "points": None,
                "max": max_points,
            }
        rate = numerator / denominator
        return {
            "name": name,
            "formula": formula,
            "numerator": numerator,
            "denominator": denominator,
            "rate": rate,
            "points": round(max_points * min(1, rate / target), 2),
            "max": max_points,
        }

    received = data.get("received", 0)
    processed = data.get("processed", 0)
    ok = data.get("processed_early", 0) + data.get("processed_on_time", 0)
    groups = [
        ("Công khai, minh bạch", 18, []),
        (
            "Tiến độ giải quyết",
            20,
            [
                comp(
                    "Hồ sơ giải quyết đúng hạn",
                    "Số hồ sơ xử lý trước và đúng hạn / tổng số hồ sơ đã xử lý",
                    ok,
                    processed,
                    20,
                ),
            ],
        ),
        (
            "Dịch vụ công trực tuyến",
            12,
            [
                comp(
                    "Hồ sơ nộp trực tuyến",
                    "Số hồ sơ nộp trực tuyến / tổng số hồ sơ tiếp nhận",
                    data.get("online", 0),
                    received,
                    6,
                ),
                comp(
                    "Hồ sơ nộp toàn trình",
                    "Số hồ sơ nộp trực tuyến toàn trình / tổng số hồ sơ tiếp nhận",
                    data.get("full_online", 0),
                    received,
                    6,
                ),
            ],
        ),
        ("Thanh toán trực tuyến", 10, []),
        ("Mức độ hài lòng", 18, []),
        (
            "Số hóa hồ sơ",
            22,
            [
                comp(
                    "Số hóa thành phần hồ sơ",
                    "Số hồ sơ có thành phần được số hóa / tổng số hồ sơ tiếp nhận",
                    data.get("digitised", 0),
                    received,
                    11,
                ),
                comp(
                    "Số hóa kết quả",
                    "Số kết quả giải quyết được số hóa / tổng số hồ sơ đã có kết quả",
                    data.get("results_digitised", 0),
                    processed,
                    11,
                ),
            ],
        ),
    ]
    return [{"name": n, "max": m, "components": c} for n, m, c in groups]


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
