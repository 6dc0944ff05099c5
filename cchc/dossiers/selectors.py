"""Reads of the one-stop desk: what a person may see, queues, lookup, statistics."""

import datetime as dt
import re
from functools import reduce
from operator import and_

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core.roles import Role
from cchc.core.workcalendar import fmt_local, local_tz
from cchc.dossiers.models import OPEN_STATUSES, Channel, Dossier, Status


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


# The queue without a status filter: what waits for the agency (not refused, withdrawn, ...).
QUEUE_STATUSES = (Status.SUBMITTED, *OPEN_STATUSES, Status.DECIDED)
LOC_CHOICES = (
    ("new", _("Mới nộp trực tuyến")),
    ("mine", _("Của tôi")),
    ("unit", _("Của đơn vị")),
    ("apology", _("Sắp đến hạn, chưa hẹn lại")),
    ("decided", _("Chờ trả kết quả")),
)
DUE_CHOICES = (
    ("overdue", _("Quá hạn")),
    ("today", _("Đến hạn hôm nay")),
    ("week", _("Đến hạn trong tuần này")),
)
QUEUE_FACETS = ("procedure", "status", "step", "unit", "due")


def queue_scope(user):
    """The dossiers a person may see, with the due time that binds (a new appointment given
    with an apology, BM.04, or else the legal due time) as `queue_due`."""
    return dossiers_for_user(user).annotate(queue_due=Coalesce("appointment_at", "due_at"))


def due_q(which: str, now: dt.datetime) -> Q:
    """Open dossiers overdue, due today or due this week: "today" is the agency's local date
    and "this week" runs to the end of its local Sunday (a due time always falls within office
    hours on a working day, make-up Saturdays included)."""
    zone = local_tz()
    today = timezone.localtime(now, zone).date()
    end_of_day = dt.datetime.combine(today, dt.time.max, zone)
    bounds = {
        "overdue": Q(queue_due__lt=now),
        "today": Q(queue_due__gte=now, queue_due__lte=end_of_day),
        "week": Q(
            queue_due__gte=now,
            queue_due__lte=end_of_day + dt.timedelta(days=6 - today.weekday()),
        ),
    }
    return Q(status__in=OPEN_STATUSES) & bounds[which]


def loc_q(which: str, user, now: dt.datetime) -> Q:
    if which == "mine":
        return Q(current_handler=user, status__in=OPEN_STATUSES)
    if which == "unit":
        return Q(current_unit_id=user.unit_id, status__in=OPEN_STATUSES)
    if which == "apology":
        # Will be late unless decided soon: the apology (BM.04) must go out a working day ahead.
        return Q(
            status__in=OPEN_STATUSES,
            appointment_at__isnull=True,
            due_at__gte=now,
            due_at__lte=now + dt.timedelta(days=3),
        )
    if which == "new":
        return Q(status=Status.SUBMITTED)
    return Q(status=Status.DECIDED)  # "decided"


# What the statistics count (statistics.summary) for a period, as queue filters: each number of
# the report's dossier table opens the queue showing exactly the dossiers it counted.
OUTCOME_CHOICES = (
    ("carried_over", _("kỳ trước chuyển sang")),
    ("early", _("giải quyết trước hạn")),
    ("on_time", _("giải quyết đúng hạn")),
    ("late", _("giải quyết quá hạn")),
    ("early_or_on_time", _("giải quyết trước hạn hoặc đúng hạn")),
    ("in_process_on_time", _("đang giải quyết trong hạn")),
    ("in_process_overdue", _("đang giải quyết quá hạn")),
)
REPORT_FILTERS = ("received_from", "received_to", "outcome", "channel", "full_online", "digitised")
CHANNEL_CHOICES = (("online", _("nộp trực tuyến")),)
PERIOD_EARLIEST, PERIOD_LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def period_bounds(start: dt.date | None, end: dt.date | None):
    """The period's first and last instant at the agency (the statistics' own bounds)."""
    zone = local_tz()
    return (
        dt.datetime.combine(start or PERIOD_EARLIEST, dt.time.min, zone),
        dt.datetime.combine(end or PERIOD_LATEST, dt.time.max, zone),
    )


def period_q(values: dict, now: dt.datetime) -> Q | None:
    """The dossiers one number of the period's statistics counted (statistics.summary, same
    conditions): without `outcome`, those received in the period; with it, those of the period
    with that outcome; `channel`, `full_online` and `digitised` narrow further. None when no
    report filter is active."""
    if not any(values.get(name) for name in REPORT_FILTERS):
        return None
    begin, finish = period_bounds(values.get("received_from"), values.get("received_to"))
    received = Q(received_at__isnull=False, received_at__lte=finish)
    new = Q(received_at__gte=begin)
    carried = (
        Q(received_at__lt=begin)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=begin))
        & (Q(decided_at__isnull=True) | Q(decided_at__gte=begin))
    )
    decided_in = Q(decided_at__gte=begin, decided_at__lte=finish)
    cutoff = min(finish, now)
    open_at_end = ~Q(status__in=[Status.REFUSED, Status.WITHDRAWN, Status.STOPPED]) & (
        Q(decided_at__isnull=True) | Q(decided_at__gt=finish)
    )
    outcome = values.get("outcome") or ""
    by_outcome = {
        "": new,
        "carried_over": carried,
        "early": decided_in & Q(outcome="early"),
        "on_time": decided_in & Q(outcome="on_time"),
        "late": decided_in & Q(outcome="late"),
        "early_or_on_time": decided_in & Q(outcome__in=["early", "on_time"]),
        "in_process_on_time": open_at_end & (new | carried) & Q(due_at__gte=cutoff),
        "in_process_overdue": open_at_end & (new | carried) & Q(due_at__lt=cutoff),
    }
    q = received & by_outcome[outcome]
    if values.get("channel") == "online":
        q &= Q(channel=Channel.ONLINE)
    if values.get("full_online"):
        q &= Q(full_online=True)
    if values.get("digitised"):
        q &= Q(digitised=True)
    return q


def period_description(values: dict) -> str:
    """The active report filters in words: "Hồ sơ tiếp nhận từ 01/01/2026 đến 02/12/2026, nộp
    trực tuyến"; "" without them."""
    if not any(values.get(name) for name in REPORT_FILTERS):
        return ""
    start, end = values.get("received_from"), values.get("received_to")
    if start and end:
        period = _("từ %(start)s đến %(end)s") % {
            "start": f"{start:%d/%m/%Y}",
            "end": f"{end:%d/%m/%Y}",
        }
    elif start:
        period = _("từ %(start)s") % {"start": f"{start:%d/%m/%Y}"}
    elif end:
        period = _("đến %(end)s") % {"end": f"{end:%d/%m/%Y}"}
    else:
        period = ""
    outcome = values.get("outcome") or ""
    if outcome:
        text = _("Hồ sơ của kỳ %(period)s") % {"period": period} if period else _("Hồ sơ")
        parts = [text, str(dict(OUTCOME_CHOICES)[outcome])]
    else:
        text = _("Hồ sơ tiếp nhận %(period)s") % {"period": period} if period else _("Hồ sơ")
        parts = [text]
    if values.get("channel"):
        parts.append(str(dict(CHANNEL_CHOICES)[values["channel"]]))
    if values.get("full_online"):
        parts.append(str(_("trực tuyến toàn trình")))
    if values.get("digitised"):
        parts.append(str(_("được số hóa")))
    return ", ".join(str(p) for p in parts)


def queue_conditions(user, values: dict, now: dt.datetime) -> dict[str, Q]:
    """One condition per active filter (validated values: model objects, a status number, a
    choice key); without a status filter, the statuses of QUEUE_STATUSES, unless a report
    filter (period, outcome...) is active: then every dossier it counts, whatever its status."""
    conditions = {}
    if values.get("loc"):
        conditions["loc"] = loc_q(values["loc"], user, now)
    status = values.get("status")
    period = period_q(values, now)
    if status:
        conditions["status"] = Q(status=status)
    elif period is None:
        conditions["status"] = Q(status__in=QUEUE_STATUSES)
    if period is not None:
        conditions["period"] = period
    for name, field in (
        ("procedure", "procedure"),
        ("step", "current_step"),
        ("unit", "current_unit"),
    ):
        if values.get(name):
            conditions[name] = Q(**{field: values[name]})
    if values.get("due"):
        conditions["due"] = due_q(values["due"], now)
    return conditions


def queue_filter(qs, user, values: dict, *, now: dt.datetime | None = None):
    """`qs` (from queue_scope) narrowed by the filters, soonest due first, stable for paging."""
    conditions = queue_conditions(user, values, now or timezone.now())
    return qs.filter(*conditions.values()).order_by(
        F("queue_due").asc(nulls_last=True), "submitted_at", "id"
    )


def queue(user, values: dict | None = None, *, now: dt.datetime | None = None):
    return queue_filter(queue_scope(user), user, values or {}, now=now)


def queue_counts(user, values: dict, *, now: dt.datetime | None = None) -> dict[str, list]:
    """For each filter, its options with the number of dossiers each would list, the other
    active filters applied: two queries (the options seen, then one aggregate of
    Count(filter=...)), however many options there are."""
    now = now or timezone.now()
    conditions = queue_conditions(user, values, now)
    scope = queue_scope(user)

    def others(name: str) -> Q:
        return reduce(and_, (q for k, q in conditions.items() if k != name), Q())

    seen = (
        scope.order_by()
        .values(
            "procedure_id",
            "procedure__name",
            "current_step_id",
            "current_step__order",
            "current_step__name",
            "current_step__procedure__code",
            "current_unit_id",
            "current_unit__name",
        )
        .distinct()
    )
    labels = {"procedure": {}, "step": {}, "unit": {}}
    for row in seen:
        labels["procedure"][row["procedure_id"]] = row["procedure__name"]
        if row["current_step_id"]:
            code = row["current_step__procedure__code"]
            labels["step"][row["current_step_id"]] = (
                f"{row['current_step__order']}. {row['current_step__name']}"
                + (f" ({code})" if code else "")
            )
        if row["current_unit_id"]:
            labels["unit"][row["current_unit_id"]] = row["current_unit__name"]
    # A chosen option stays listed even when no dossier in scope has it.
    for name in labels:
        chosen = values.get(name)
        if chosen and chosen.pk not in labels[name]:
            labels[name][chosen.pk] = str(chosen)
    options = {
        "procedure": sorted(labels["procedure"].items(), key=lambda o: o[1]),
        "status": [(s.value, s.label) for s in Status],
        "step": sorted(labels["step"].items(), key=lambda o: o[1]),
        "unit": sorted(labels["unit"].items(), key=lambda o: o[1]),
        "due": list(DUE_CHOICES),
    }
    option_q = {
        "procedure": lambda v: Q(procedure_id=v),
        "status": lambda v: Q(status=v),
        "step": lambda v: Q(current_step_id=v),
        "unit": lambda v: Q(current_unit_id=v),
        "due": lambda v: due_q(v, now),
    }
    aggregates = {
        f"{name}_{i}": Count("pk", filter=option_q[name](value) & others(name))
        for name in QUEUE_FACETS
        for i, (value, _label) in enumerate(options[name])
    }
    counted = scope.order_by().aggregate(**aggregates) if aggregates else {}
    return {
        name: [
            {"value": str(value), "label": str(label), "count": counted[f"{name}_{i}"]}
            for i, (value, label) in enumerate(options[name])
        ]
        for name in QUEUE_FACETS
    }


def unit_load(user):
    """A leader's view: open dossiers per handler at the unit, with overdue counts."""
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


# Actions the applicant takes; recorded without a unit when they act online.
APPLICANT_ACTIONS = ("file_online", "supplement", "withdraw")


def _actor(handover, agency_name: str) -> str:
    """Who acted, as the public may read it: the unit (never the officer), or the applicant."""
    if handover.from_unit_id:
        return handover.from_unit.name
    if handover.action in APPLICANT_ACTIONS:
        return str(_("Người nộp hồ sơ"))
    return agency_name


def timeline(dossier: Dossier) -> list[dict]:
    """The public timeline (with the secret), oldest first: each step or action in Vietnamese,
    the unit that acted and the status it reached; no names of staff, no notes."""
    agency_name = dossier.agency.name if dossier.agency_id else ""
    return [
        {
            "at": h.at,
            "action": h.action,
            "label": h.label,
            "step": h.step_name,
            "unit": _actor(h, agency_name),
            "status": h.to_status,
            "status_label": str(h.get_to_status_display()) if h.to_status else "",
        }
        for h in dossier.handovers.select_related("from_unit").only(
            "at", "action", "step_name", "to_status", "from_unit__name", "dossier_id"
        )
    ]


# The lookup page's first panel: per status, a headline in plain words, what it means and what
# the applicant has to do. The tone picks the panel's colour (action asked, in progress, ended).
STATUS_GUIDE = {
    Status.SUBMITTED: (
        "progress",
        _("Đã nộp, chờ cơ quan tiếp nhận"),
        _("Cơ quan sẽ kiểm tra hồ sơ trong giờ làm việc và tiếp nhận hoặc báo điều cần bổ sung."),
        _("Bạn chưa cần làm gì."),
    ),
    Status.RECEIVED: (
        "progress",
        _("Đã tiếp nhận, đang chờ giải quyết"),
        _("Hồ sơ đã đủ và đã được tiếp nhận; thời hạn giải quyết đang được tính."),
        _("Bạn chưa cần làm gì cho đến ngày hẹn trả kết quả."),
    ),
    Status.REFUSED: (
        "ended",
        _("Hồ sơ không được tiếp nhận"),
        _("Cơ quan đã từ chối tiếp nhận hồ sơ và gửi văn bản nêu rõ lý do."),
        _("Bạn có thể nộp hồ sơ mới khi đã khắc phục những điều nêu trong văn bản từ chối."),
    ),
    Status.PROCESSING: (
        "progress",
        _("Đang giải quyết"),
        _("Hồ sơ đang được thẩm định, xử lý tại các đơn vị của cơ quan."),
        _("Bạn chưa cần làm gì cho đến ngày hẹn trả kết quả."),
    ),
    Status.SUPPLEMENT: (
        "action",
        _("Cần bổ sung hồ sơ"),
        _("Cơ quan cần thêm giấy tờ; thời hạn giải quyết tạm dừng cho đến khi nhận đủ."),
        _("Nộp bổ sung những giấy tờ được yêu cầu."),
    ),
    Status.FEES: (
        "action",
        _("Cần nộp phí, lệ phí"),
        _("Hồ sơ sẽ được giải quyết tiếp khi cơ quan nhận được phí, lệ phí."),
        _("Nộp phí, lệ phí trực tuyến hoặc tại Bộ phận tiếp nhận và trả kết quả."),
    ),
    Status.WITHDRAWN: (
        "ended",
        _("Hồ sơ đã được rút"),
        _("Theo đề nghị của người nộp, cơ quan không giải quyết tiếp hồ sơ này."),
        _("Bạn không cần làm gì thêm."),
    ),
    Status.STOPPED: (
        "ended",
        _("Hồ sơ đã dừng xử lý"),
        _("Cơ quan đã dừng giải quyết hồ sơ và thông báo lý do cho người nộp."),
        _("Liên hệ Bộ phận tiếp nhận và trả kết quả nếu bạn cần biết thêm."),
    ),
    Status.DECIDED: (
        "action",
        _("Đã có kết quả, mời nhận kết quả"),
        _("Hồ sơ đã được giải quyết xong."),
        _("Nhận kết quả tại Bộ phận tiếp nhận và trả kết quả hoặc theo cách bạn đã đăng ký."),
    ),
    Status.RETURNED: (
        "done",
        _("Đã trả kết quả"),
        _("Hồ sơ đã hoàn thành và kết quả đã được trả cho người nộp."),
        _("Bạn có thể đánh giá mức độ hài lòng với việc giải quyết hồ sơ."),
    ),
}
ENDED_STATUSES = (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED)


def timeliness(dossier: Dossier, now: dt.datetime) -> tuple[str, str]:
    """(kind, sentence) on the due time: early/on_time/late for a dossier with its result,
    ok/late/paused while it is being processed; ("", "") when no due time applies."""
    from cchc.dossiers.clock import classify

    due = dossier.effective_due
    if due is None or dossier.status in ENDED_STATUSES:
        return "", ""
    if dossier.decided_at:
        kind = classify(dossier.decided_at, due)
        text = {
            "early": _("Có kết quả trước hạn."),
            "on_time": _("Có kết quả đúng hạn."),
            "late": _("Có kết quả muộn hơn ngày hẹn trả."),
        }[kind]
        return kind, text
    if dossier.status == Status.SUPPLEMENT:
        return "paused", _("Thời hạn tạm dừng; ngày hẹn trả được tính lại khi nhận đủ bổ sung.")
    if now > due:
        return "late", _(
            "Đã quá ngày hẹn trả: cơ quan phải gửi văn bản xin lỗi và hẹn lại ngày trả kết quả."
        )
    if dossier.appointment_at:
        return "ok", _("Cơ quan đã xin lỗi và hẹn lại ngày trả kết quả; hồ sơ đang trong hạn mới.")
    return "ok", _("Hồ sơ đang trong hạn giải quyết.")


def status_panel(dossier: Dossier, *, now: dt.datetime) -> dict:
    """What the lookup page says first: the status in plain words, what the applicant has to
    do, the due time and whether it is kept."""
    tone, headline, meaning, action = STATUS_GUIDE[Status(dossier.status)]
    kind, sentence = timeliness(dossier, now)
    return {
        "tone": tone,
        "headline": headline,
        "label": dossier.get_status_display(),
        "meaning": meaning,
        "action": action,
        "due": dossier.effective_due,
        "due_text": fmt_local(dossier.effective_due),
        "reappointed": bool(dossier.appointment_at),
        "timeliness": kind,
        "timeliness_text": sentence,
    }


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


def filing_next_steps(code: str) -> dict | None:
    """What the confirmation page of an online filing says happens next, from the dossier's own
    data: the desk checks it, asks for any supplement within SUPPLEMENT_LIMIT_DAYS working days
    (the latest day given), and the legal time counts from reception."""
    from cchc.core.workcalendar import add_working_days
    from cchc.dossiers.clock import SUPPLEMENT_LIMIT_DAYS

    dossier = (
        Dossier.objects.select_related("procedure", "agency").filter(code=clean_code(code)).first()
    )
    if dossier is None:
        return None
    return {
        "dossier": dossier,
        "check_by": add_working_days(dossier.submitted_at, SUPPLEMENT_LIMIT_DAYS).due,
        "check_days": SUPPLEMENT_LIMIT_DAYS,
        "time_text": dossier.procedure.time_text,
    }
