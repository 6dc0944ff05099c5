"""Reads of the feedback app: the staff queue, public answers, counters and PAR metrics."""

import datetime as dt

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core.workcalendar import fmt_local, local_tz
from cchc.feedback.models import Petition
from cchc.feedback.services import _NON_WORD, HANDLER_ROLES

S = Petition.Status
ANSWERED = (S.ANSWERED, S.PUBLISHED)
IN_PROCESS = (S.RECEIVED, S.ACCEPTED)


def petitions_for_user(user):
    """Handlers and agency-wide roles see their agency's petitions; other staff their unit's."""
    if not user.is_authenticated or not user.is_active:
        return Petition.objects.none()
    if user.is_superuser:
        return Petition.objects.all()
    if not user.is_staff_member:
        return Petition.objects.none()
    if user.is_agency_wide or user.has_role(*HANDLER_ROLES):
        return Petition.objects.filter(agency_id=user.unit.agency_id)
    return Petition.objects.filter(unit_id=user.unit_id)


def staff_queue(user):
    """The petitions the person may handle, the soonest due first (StaffQueueFilter filters)."""
    qs = petitions_for_user(user).select_related("unit")
    return qs.order_by(F("due_at").asc(nulls_last=True), "received_at")


# What the period's figures (summary) count, as staff-queue filters: each number of the report's
# feedback table opens the queue listing exactly the petitions it counted.
GROUP_CHOICES = (
    ("answered", _("đã trả lời")),
    ("answered_on_time", _("đã trả lời đúng hạn")),
    ("in_process", _("đang xử lý")),
    ("refused", _("từ chối tiếp nhận")),
    ("forwarded", _("chuyển cơ quan có thẩm quyền")),
    ("overdue", _("quá hạn")),
)


def period_q(values: dict, now: dt.datetime | None = None) -> Q | None:
    """The petitions received in the period (`received_from`..`received_to`, dates) in the
    `group` summary counts them in (same conditions); None without these filters."""
    start, end, group = values.get("received_from"), values.get("received_to"), values.get("group")
    if not (start or end or group):
        return None
    now = now or timezone.now()
    by_group = {
        "": Q(),
        "answered": Q(status__in=ANSWERED),
        "answered_on_time": Q(status__in=ANSWERED, answered_at__lte=F("due_at")),
        "in_process": Q(status__in=IN_PROCESS),
        "refused": Q(status=S.REFUSED),
        "forwarded": Q(status=S.FORWARDED),
        "overdue": Q(status__in=IN_PROCESS, due_at__lt=now),
    }
    return _range(start, end) & by_group[group or ""]


def period_description(values: dict) -> str:
    """The active report filters in words: "PAKN tiếp nhận từ 01/01/2026 đến 02/12/2026, đã
    trả lời"; "" without them."""
    start, end, group = values.get("received_from"), values.get("received_to"), values.get("group")
    if not (start or end or group):
        return ""
    text = str(_("PAKN tiếp nhận"))
    if start:
        text += " " + str(_("từ %(day)s") % {"day": f"{start:%d/%m/%Y}"})
    if end:
        text += " " + str(_("đến %(day)s") % {"day": f"{end:%d/%m/%Y}"})
    if group:
        text += ", " + str(dict(GROUP_CHOICES)[group])
    return text


def published_answers(query: str = ""):
    from cchc.core.text import normalise

    qs = Petition.objects.filter(status=S.PUBLISHED)
    for term in _NON_WORD.sub(" ", normalise(query)).split()[:10]:
        qs = qs.filter(Q(search_title__contains=f" {term} ") | Q(search_body__contains=f" {term} "))
    return qs.order_by("-published_at")


def _range(start, end) -> Q:
    """Q over received_at for [start, end] (dates, inclusive) or everything when None."""
    q = Q()
    tz = local_tz()
    if start is not None:
        q &= Q(received_at__gte=dt.datetime.combine(_day(start), dt.time.min, tz))
    if end is not None:
        q &= Q(
            received_at__lt=dt.datetime.combine(_day(end) + dt.timedelta(days=1), dt.time.min, tz)
        )
    return q


def _day(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def summary(agency, start=None, end=None) -> dict | None:
    """Counts of petitions received in the period, by what happened to them (one query).

    Counting rule (shown on the portal): answered = answered or answered and published;
    in process = received and not yet triaged, or accepted and not yet answered;
    refused = refused with a reason; forwarded ones are counted apart.
    """
    qs = Petition.objects.filter(_range(start, end))
    if agency is not None:
        qs = qs.filter(agency=agency)
    now = timezone.now()
    row = qs.aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=Q(status__in=ANSWERED)),
        in_process=Count("pk", filter=Q(status__in=IN_PROCESS)),
        refused=Count("pk", filter=Q(status=S.REFUSED)),
        forwarded=Count("pk", filter=Q(status=S.FORWARDED)),
        overdue=Count("pk", filter=Q(status__in=IN_PROCESS, due_at__lt=now)),
        on_time=Count("pk", filter=Q(status__in=ANSWERED, answered_at__lte=F("due_at"))),
    )
    if not row["received"]:
        return None if start is not None else {**row, "on_time_rate": None}
    on_time = row.pop("on_time")
    row["on_time_rate"] = on_time / row["answered"] if row["answered"] else None
    return row


def on_time_rate(scope) -> float | None:
    """Share of petitions answered in the period whose answer came by the due date."""
    agency, start, end = scope.agency, scope.start, scope.end
    qs = Petition.objects.filter(agency=agency, status__in=ANSWERED)
    if scope.unit is not None:  # the petitions that unit handled
        qs = qs.filter(unit=scope.unit)
    tz = local_tz()
    qs = qs.filter(
        answered_at__gte=dt.datetime.combine(_day(start), dt.time.min, tz),
        answered_at__lt=dt.datetime.combine(_day(end) + dt.timedelta(days=1), dt.time.min, tz),
    )
    row = qs.aggregate(
        total=Count("pk"), on_time=Count("pk", filter=Q(answered_at__lte=F("due_at")))
    )
    return row["on_time"] / row["total"] if row["total"] else None


def answered_rate(scope) -> float | None:
    """Share of petitions received in the period within competence that have been answered."""
    start, end = scope.start, scope.end
    qs = Petition.objects.filter(_range(start, end), agency=scope.agency).exclude(
        status__in=[S.REFUSED, S.FORWARDED]
    )
    if scope.unit is not None:
        qs = qs.filter(unit=scope.unit)
    row = qs.aggregate(total=Count("pk"), answered=Count("pk", filter=Q(status__in=ANSWERED)))
    return row["answered"] / row["total"] if row["total"] else None


def _score(title_hit: bool, moment, today: dt.date) -> float:
    """Same scale as the portal's: 2..3 for a title match, 1..2 for the body; newer higher."""
    if moment is None:
        return 2.0 if title_hit else 1.0
    age = max((today - timezone.localtime(moment).date()).days, 0)
    return (2.0 if title_hit else 1.0) + 0.99 / (1 + age / 365)


def search_answers(normalised_query: str, limit: int) -> list[dict]:
    """Search source: published answers (subject above content and answer, newer first)."""
    from django.db.models import Case, IntegerField, Value, When

    terms = _NON_WORD.sub(" ", normalised_query).split()[:10]
    if not terms:
        return []
    title_all = Q()
    for term in terms:
        title_all &= Q(search_title__contains=f" {term} ")
    rows = (
        published_answers(normalised_query)
        .annotate(
            title_hit=Case(
                When(title_all, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-title_hit", "-published_at")
        .values("code", "subject", "answer", "published_at", "title_hit")[:limit]
    )
    today = timezone.localdate()
    return [
        {
            "title": row["subject"],
            "url": f"/pakn/tra-loi/{row['code']}/",
            "snippet": row["answer"],
            "date": timezone.localtime(row["published_at"]).date() if row["published_at"] else None,
            "score": _score(row["title_hit"], row["published_at"], today),
        }
        for row in rows
    ]


# The lookup page's first panel, per status: (tone, headline, what it means, what to do).
LOOKUP_GUIDE = {
    S.RECEIVED: (
        "progress",
        _("Đã tiếp nhận, đang phân loại"),
        _("Cơ quan đang phân loại phản ánh, kiến nghị và sẽ giao đơn vị xử lý."),
        _("Bạn chưa cần làm gì."),
    ),
    S.ACCEPTED: (
        "progress",
        _("Đang xem xét, xử lý"),
        _("Phản ánh, kiến nghị đã được giao cho đơn vị xem xét và trả lời."),
        _("Bạn chưa cần làm gì; câu trả lời sẽ hiện ở trang này."),
    ),
    S.REFUSED: (
        "ended",
        _("Không được xem xét, xử lý"),
        _("Phản ánh, kiến nghị không thuộc diện xem xét, xử lý; lý do được nêu bên dưới."),
        _("Bạn có thể gửi phản ánh, kiến nghị mới khi đã khắc phục điều được nêu."),
    ),
    S.FORWARDED: (
        "ended",
        _("Đã chuyển đến cơ quan có thẩm quyền"),
        _("Nội dung không thuộc thẩm quyền của cơ quan nên đã được chuyển đi."),
        _("Theo dõi việc trả lời với cơ quan được nêu bên dưới."),
    ),
    S.ANSWERED: (
        "done",
        _("Đã có trả lời"),
        _("Cơ quan đã trả lời phản ánh, kiến nghị."),
        _("Đọc nội dung trả lời bên dưới."),
    ),
    S.PUBLISHED: (
        "done",
        _("Đã có trả lời, được công khai"),
        _("Cơ quan đã trả lời và công khai nội dung trả lời trên Cổng thông tin."),
        _("Đọc nội dung trả lời bên dưới."),
    ),
}


def lookup_panel(petition: Petition, *, now: dt.datetime) -> dict:
    """What the lookup page says first: the status in plain words, what to do, the answer's
    due date and whether it is kept."""
    tone, headline, meaning, action = LOOKUP_GUIDE[S(petition.status)]
    timeliness, text = "", ""
    if petition.due_at and petition.answered_at:
        late = petition.answered_at > petition.due_at
        timeliness = "late" if late else "ok"
        text = _("Trả lời muộn hơn hạn.") if late else _("Trả lời trong hạn.")
    elif petition.due_at and petition.is_open:
        late = now > petition.due_at
        timeliness = "late" if late else "ok"
        text = _("Đã quá hạn trả lời.") if late else _("Đang trong hạn trả lời.")
    return {
        "tone": tone,
        "headline": headline,
        "label": petition.get_status_display(),
        "meaning": meaning,
        "action": action,
        "due": petition.due_at if petition.is_open or petition.answered_at else None,
        "due_text": fmt_local(petition.due_at, time=False),
        "timeliness": timeliness,
        "timeliness_text": text,
    }


def lookup_timeline(petition: Petition) -> list[dict]:
    """The public steps of a petition, oldest first, each with the unit that acted (never the
    officer) and what happened."""
    agency = petition.agency.name
    unit = petition.unit.name if petition.unit_id else agency
    steps = [
        {"at": petition.received_at, "unit": agency, "label": _("Tiếp nhận phản ánh, kiến nghị")}
    ]
    if petition.triaged_at:
        if petition.refusal_reason:
            label = _("Từ chối xem xét, xử lý")
        elif petition.forwarded_to:
            label = _("Chuyển đến %(to)s") % {"to": petition.forwarded_to}
        else:
            label = _("Phân loại, giao %(unit)s xem xét, xử lý") % {"unit": unit}
        steps.append({"at": petition.triaged_at, "unit": agency, "label": label})
    if petition.answered_at:
        steps.append({"at": petition.answered_at, "unit": unit, "label": _("Trả lời")})
    if petition.published_at:
        steps.append(
            {"at": petition.published_at, "unit": agency, "label": _("Công khai nội dung trả lời")}
        )
    return steps
