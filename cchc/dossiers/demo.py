"""A year of realistic demo dossiers for the agency SKHCN, generated with bulk_create."""

import datetime as dt
import hashlib
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from cchc.core.models import Agency, Unit, User
from cchc.core.workcalendar import WorkingCalendar, local_tz
from cchc.dossiers import clock
from cchc.dossiers.models import (
    Channel,
    DayCounter,
    Dossier,
    DossierFile,
    FeeLine,
    HandOver,
    PaidOnline,
    Rating,
    Status,
    SupplementRequest,
)
from cchc.dossiers.services import rebuild_monthly_figures
from cchc.nationalportal.models import OutboxMessage
from cchc.procedures.models import Procedure

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
GIVEN = [
    "Văn An",
    "Thị Bình",
    "Minh Châu",
    "Quốc Dũng",
    "Thu Hà",
    "Đức Hải",
    "Thị Lan",
    "Văn Nam",
    "Hồng Nhung",
    "Anh Tuấn",
]
COMPANIES = [
    "Công ty TNHH Công nghệ Việt Trì",
    "Công ty CP Thiết bị Y tế Hùng Vương",
    "Bệnh viện Đa khoa tỉnh",
    "Công ty CP Chè Phú Thọ",
    "Công ty TNHH Cơ khí Lâm Thao",
]
SECRET_HASH = Dossier.hash_secret("DEMO2026")


def load(stdout=None) -> dict:
    agency = Agency.objects.filter(code="SKHCN").first()
    if agency is None or Dossier.objects.filter(agency=agency).exists():
        return {"dossiers": Dossier.objects.filter(agency=agency).count() if agency else 0}
    rng = random.Random(2026)
    cal = WorkingCalendar()
    tz = local_tz()
    now = timezone.now()
    procedures = [
        p for p in Procedure.objects.current().prefetch_related("steps__unit") if p.accepts_dossiers
    ]
    weights = [8 if p.steps.all() else 1 for p in procedures]
    units = {u.code: u for u in Unit.objects.filter(agency=agency)}
    desk = User.objects.filter(username="motcua").first()
    specialist = User.objects.filter(username="chuyenvien").first()
    dossiers, counters = [], {}
    day = (now.astimezone(tz) - dt.timedelta(days=365)).date()
    while day <= now.astimezone(tz).date():
        if cal.is_working_day(day):
            for _ in range(rng.randint(2, 7)):
                received = dt.datetime.combine(day, dt.time(7, 30), tz) + dt.timedelta(
                    minutes=rng.randint(0, 560)
                )
                if received > now:
                    continue
                dossiers.append(
                    _dossier(
                        rng,
                        cal,
                        agency,
                        rng.choices(procedures, weights)[0],
                        received,
                        now,
                        units,
                        counters,
                    )
                )
        day += dt.timedelta(days=1)
    Dossier.objects.bulk_create(dossiers, batch_size=500)
    DayCounter.objects.bulk_create(
        [DayCounter(agency=agency, day=d, last=n) for d, n in counters.items()],
        ignore_conflicts=True,
    )
    handovers, supplements = [], []
    for d in Dossier.objects.filter(agency=agency).only(
        "id",
        "received_at",
        "due_at",
        "decided_at",
        "returned_at",
        "status",
        "paused_at",
        "channel",
        "late_supplement",
    ):
        handovers.append(
            HandOver(
                dossier_id=d.id,
                at=d.received_at,
                action="receive",
                from_user=desk,
                from_status=None,
                to_status=Status.RECEIVED,
                step_due_at=d.due_at,
            )
        )
        if d.status == Status.REFUSED:
            continue
        handovers.append(
            HandOver(
                dossier_id=d.id,
                # Two hours after reception, but never after the decision or now.
                at=min(d.received_at + dt.timedelta(hours=2), d.decided_at or now, now),
                action="hand_over",
                step_name="Thẩm định hồ sơ",
                from_user=desk,
                to_user=specialist,
                to_unit=units.get("QLCN"),
                from_status=Status.RECEIVED,
                to_status=Status.PROCESSING,
            )
        )
        if d.paused_at:
            supplements.append(
                SupplementRequest(
                    dossier_id=d.id,
                    requested_at=d.paused_at,
                    requested_by=specialist,
                    items="Bổ sung bản sao hợp đồng có chứng thực",
                    late=d.late_supplement,
                    late_reason="Phát hiện khi thẩm định" if d.late_supplement else "",
                )
            )
        if d.decided_at:
            handovers.append(
                HandOver(
                    dossier_id=d.id,
                    at=d.decided_at,
                    action="decide",
                    from_user=specialist,
                    from_status=Status.PROCESSING,
                    to_status=Status.DECIDED,
                )
            )
        if d.returned_at:
            handovers.append(
                HandOver(
                    dossier_id=d.id,
                    at=d.returned_at,
                    action="return",
                    from_user=desk,
                    from_status=Status.DECIDED,
                    to_status=Status.RETURNED,
                )
            )
    HandOver.objects.bulk_create(handovers, batch_size=1000)
    SupplementRequest.objects.bulk_create(supplements, batch_size=500)
    ratings = Rating.objects.bulk_create(_ratings(agency, now), batch_size=500)
    rebuild_monthly_figures(agency=agency)
    national = load_national_figures(agency, now=now, rng=rng)
    # Ours first: load_national_figures adds no ratings when some exist.
    counts = {"dossiers": len(dossiers), "handovers": len(handovers), **national}
    return counts | {"ratings": len(ratings)}


RATING_COMMENTS = {
    Rating.Level.VERY_SATISFIED: [
        "Cán bộ hướng dẫn tận tình, trả kết quả đúng hẹn.",
        "Thủ tục nhanh gọn.",
    ],
    Rating.Level.SATISFIED: ["Hài lòng với cách phục vụ.", "Nên có thêm chỗ ngồi chờ."],
    Rating.Level.NOT_SATISFIED: [
        "Phải chờ lâu ở bộ phận một cửa.",
        "Nên thông báo sớm hơn khi cần bổ sung hồ sơ.",
    ],
}


def _ratings(agency, now) -> list[Rating]:
    """About half the returned dossiers rated, mostly satisfied, never after now."""
    rng = random.Random(766)
    levels = [Rating.Level.VERY_SATISFIED, Rating.Level.SATISFIED, Rating.Level.NOT_SATISFIED]
    rows = []
    returned = Dossier.objects.filter(agency=agency, status=Status.RETURNED).order_by("pk")
    for d in returned.only("id", "returned_at"):
        if rng.random() >= 0.45:
            continue
        level = rng.choices(levels, [55, 35, 10])[0]
        rows.append(
            Rating(
                dossier_id=d.id,
                level=level,
                comment=rng.choice(RATING_COMMENTS[level]) if rng.random() < 0.3 else "",
                rated_at=min(d.returned_at + dt.timedelta(hours=rng.randint(1, 240)), now),
            )
        )
    return rows


def _dossier(rng, cal, agency, procedure, received, now, units, counters) -> Dossier:
    d = _dossier_state(rng, cal, agency, procedure, received, now, units, counters)
    # An open dossier is at one of its procedure's steps: the appraisal, or after the decision
    # the desk's step returning the result.
    steps = list(procedure.steps.all())
    if steps and d.status in (Status.PROCESSING, Status.SUPPLEMENT, Status.DECIDED):
        decision = next((s for s in steps if s.is_decision), steps[-1])
        after = [s for s in steps if s.order > decision.order]
        step = (
            (after or [decision])[0]
            if d.status == Status.DECIDED
            else steps[min(1, len(steps) - 1)]
        )
        d.current_step, d.current_unit = step, step.unit
    return d


def _dossier_state(rng, cal, agency, procedure, received, now, units, counters) -> Dossier:
    day = received.date()
    counters[day] = counters.get(day, 0) + 1
    channel = rng.choices([Channel.ONLINE, Channel.IN_PERSON, Channel.POST], [55, 38, 7])[0]
    full_online = channel == Channel.ONLINE and procedure.online_form == Procedure.OnlineForm.FULL
    due = clock.legal_due(
        procedure=procedure, start=received, channel=channel, full_online=full_online, cal=cal
    )
    organisation = rng.random() < 0.4
    d = Dossier(
        code=f"{agency.code}-{day:%y%m%d}-{counters[day]:04d}",
        agency=agency,
        procedure=procedure,
        channel=channel,
        status=Status.PROCESSING,
        secret_hash=SECRET_HASH,
        applicant_kind="organisation" if organisation else "person",
        applicant_name=rng.choice(COMPANIES)
        if organisation
        else f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
        applicant_id_number=f"26{rng.randint(0, 99999999):08d}"
        if organisation
        else f"025{rng.randint(0, 999999999):09d}",
        applicant_phone=f"09{rng.randint(0, 99999999):08d}",
        applicant_address="Tỉnh Phú Thọ (dữ liệu minh họa)",
        full_online=full_online,
        digitised=channel == Channel.ONLINE or rng.random() < 0.6,
        submitted_at=received - dt.timedelta(minutes=rng.randint(0, 600))
        if channel == Channel.ONLINE
        else received,
        received_at=received,
        clock_start=received,
        due_at=due.due,
        due_explanation=[s.as_dict() for s in due.explanation],
        current_unit=units.get("QLCN"),
    )
    roll = rng.random()
    if roll < 0.02:
        d.status, d.refusal_reason, d.closed_at = (
            Status.REFUSED,
            "Hồ sơ không thuộc thẩm quyền giải quyết",
            received,
        )
        return d
    if roll < 0.04:
        d.status, d.closed_at = Status.WITHDRAWN, min(received + dt.timedelta(days=1), now)
        return d
    span = (d.due_at - received).total_seconds()
    # Paused for a supplement (when that moment has come): the full time restarts afterwards.
    if rng.random() < 0.08 and received + dt.timedelta(seconds=span * 0.2) <= now:
        d.paused_at = received + dt.timedelta(seconds=span * 0.2)
        d.late_supplement = rng.random() < 0.2
        restart = d.paused_at + dt.timedelta(days=rng.randint(2, 10))
        if restart > now:
            d.status = Status.SUPPLEMENT
            return d
        again = cal.add(
            restart, procedure.legal_time_for(full_online=full_online), procedure.time_unit
        )
        d.due_at, d.clock_start = again.due, restart
        d.due_explanation = [
            {
                "date": None,
                "kind": "pause",
                "text": "Tạm dừng chờ bổ sung; tính lại toàn bộ thời hạn",
            }
        ] + [s.as_dict() for s in again.explanation]
        d.paused_at, received, span = None, restart, (again.due - restart).total_seconds()
    fraction = rng.choices(
        [rng.uniform(0.3, 0.8), rng.uniform(0.8, 1.0), rng.uniform(1.02, 1.6)], [70, 22, 8]
    )[0]
    decided = received + dt.timedelta(seconds=span * fraction)
    if decided > now:
        if d.due_at < now and rng.random() < 0.5:
            d.appointment_at, d.apology_reason = (
                d.due_at + dt.timedelta(days=5),
                "Cần lấy thêm ý kiến của cơ quan liên quan",
            )
        return d
    d.status, d.decided_at, d.outcome = Status.DECIDED, decided, clock.classify(decided, d.due_at)
    d.result_text, d.result_digitised = "Đã cấp kết quả giải quyết", rng.random() < 0.7
    returned = decided + dt.timedelta(hours=rng.randint(2, 48))
    if returned <= now:  # else the result waits at the desk (decided, not yet returned)
        d.status, d.returned_at, d.closed_at = Status.RETURNED, returned, returned
    if procedure.fee_kind == Procedure.FeeKind.PERCENTAGE:
        d.fee_amount = procedure.fee_for(Decimal(rng.randint(1, 20)) * 1_000_000_000)
    return d


# One stored PDF stands for every demo scan, one for every demo e-result: the rows point to a
# file that exists, so that they count as digitised exactly as a real scan does.
DEMO_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DEMO_SCAN, DEMO_RESULT = "dossiers/demo/ban-scan.pdf", "dossiers/demo/ket-qua.pdf"


def _stored(path: str) -> str:
    if not default_storage.exists(path):
        path = default_storage.save(path, ContentFile(DEMO_PDF))
    return path


def load_national_figures(agency, *, now, rng) -> dict:
    """What the Decision 766 groups count beside the dossiers: component scans (every online
    filing, the paper dossiers marked digitised), e-result files, reuse flags, fee lines with
    part paid online, the outbox rows already sent to the national portal, and ratings."""
    scan, result = _stored(DEMO_SCAN), _stored(DEMO_RESULT)
    sha = hashlib.sha256(DEMO_PDF).hexdigest()
    files, fees, outbox, ratings, unscanned = [], [], [], [], []
    paid = {PaidOnline.NATIONAL: [], PaidOnline.GATEWAY: [], PaidOnline.NOT_ONLINE: []}
    rated = Rating.objects.filter(dossier__agency=agency).exists()  # ratings from elsewhere

    def file(d, component, path, **flags):
        return DossierFile(
            dossier_id=d.id,
            component=component,
            name=component.name if component else "Kết quả giải quyết",
            path=path,
            original_name="ban-scan.pdf" if component else "ket-qua.pdf",
            mime="application/pdf",
            size=len(DEMO_PDF),
            sha256=sha,
            **flags,
        )

    dossiers = Dossier.objects.filter(agency=agency).select_related("procedure")
    for d in dossiers.prefetch_related("procedure__components"):
        components = list(d.procedure.components.all())[:2]
        if d.digitised and components:
            for component in components:
                roll = rng.random()
                files.append(
                    file(
                        d,
                        component,
                        scan,
                        digitised=True,
                        reuse=1 if roll < 0.25 else 0,
                        from_national_store=roll < 0.05,
                    )
                )
        elif d.digitised:
            unscanned.append(d.id)  # no component to scan: not digitised
        if d.decided_at and d.result_digitised:
            files.append(file(d, None, result, is_result=True))
        amount = d.fee_amount or d.procedure.fee_amount
        if amount and d.status != Status.REFUSED:
            way = rng.choices(list(paid), [50, 15, 35])[0]
            paid[way].append(d.id)
            paid_at = min(d.received_at + dt.timedelta(hours=rng.randint(1, 48)), now)
            fees.append(
                FeeLine(
                    dossier_id=d.id, name="Lệ phí", amount=amount, paid_at=paid_at, paid_online=way
                )
            )
        late = rng.random() < 0.08
        sent_at = d.received_at + (
            dt.timedelta(hours=rng.randint(26, 48))
            if late
            else dt.timedelta(minutes=rng.randint(1, 90))
        )
        if sent_at <= now:
            outbox.append(
                OutboxMessage(
                    agency=agency,
                    dossier_id=d.id,
                    service="DongBoHoSoMC",
                    event="receive",
                    state=OutboxMessage.State.SENT,
                    attempts=1,
                    created_at=d.received_at,
                    sent_at=sent_at,
                )
            )
        rated_at = d.returned_at and d.returned_at + dt.timedelta(hours=rng.randint(1, 72))
        if not rated and rated_at and rated_at <= now and rng.random() < 0.45:
            level = rng.choices(list(Rating.Level), [6, 30, 64])[0]
            ratings.append(Rating(dossier_id=d.id, level=level, rated_at=rated_at))
    Dossier.objects.filter(id__in=unscanned).update(digitised=False)
    for way, ids in paid.items():
        Dossier.objects.filter(id__in=ids).update(paid_online=way)
    DossierFile.objects.bulk_create(files, batch_size=1000)
    FeeLine.objects.bulk_create(fees, batch_size=1000)
    OutboxMessage.objects.bulk_create(outbox, batch_size=1000)
    Rating.objects.bulk_create(ratings, batch_size=1000)
    return {
        "files": len(files),
        "fee_lines": len(fees),
        "outbox": len(outbox),
        "ratings": len(ratings),
    }
