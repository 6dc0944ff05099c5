"""Demo PAR Index data: the sample framework over three years for the demo agency's units."""

import datetime as dt
import importlib
import random
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import Group
from django.utils import timezone

from cchc.core import registry
from cchc.core.models import Agency, Unit, User
from cchc.parindex.importer import parse_framework
from cchc.parindex.models import Assessment, Assignment, Framework, Node, Period, Score
from cchc.parindex.rules import to_decimal
from cchc.parindex.services import (
    framework_copy,
    framework_import,
    metrics_refresh,
    period_create,
)

SAMPLE = Path(__file__).resolve().parent / "data" / "sample-framework-876.yaml"
# Not loaded: the official counts and scale split of Decision 876/QĐ-BNV and the import format
# (the importer refuses it, having no criteria list).
MINISTRY_FRAMEWORK = SAMPLE.with_name("par-framework-ministry-876.yaml")
UNIT_CODES = ["VP", "KHTC", "QLKH", "QLCN", "TDC", "TTRA", "TTUD"]
# How well each unit does (share of max points it tends to get), so the ranking is readable.
QUALITY = {
    "VP": 0.9,
    "KHTC": 0.82,
    "QLKH": 0.86,
    "QLCN": 0.78,
    "TDC": 0.82,
    "TTRA": 0.7,
    "TTUD": 0.74,
}
Q = Decimal("0.25")


def sample_framework(year: int) -> Framework:
    base = Framework.objects.filter(code="BNV-876-BO-MAU").order_by("year").first()
    if base is None:
        base = framework_import(spec=parse_framework(SAMPLE.name, SAMPLE.read_bytes()))
    found = Framework.objects.filter(code=base.code, year=year).first()
    return found or framework_copy(framework=base, year=year)


def _points(rng, node, quality) -> Decimal:
    if node.rule_kind == "choice":
        levels = sorted(to_decimal(level["points"]) for level in node.rule_params["levels"])
        return levels[-1] if rng.random() < quality else levels[len(levels) // 2]
    share = Decimal(str(min(1.0, max(0.0, rng.gauss(quality + 0.05, 0.15)))))
    value = (node.max_points * share / Q).to_integral_value() * Q
    return min(node.max_points, value)


def _fill(period, rng, *, final: bool):
    scores = list(
        Score.objects.filter(assessment__period=period).select_related("node", "assessment__unit")
    )
    for score in scores:
        quality = QUALITY.get(score.assessment.unit.code, 0.8) + (
            0.03 if period.year >= 2025 else 0
        )
        node = score.node
        if node.rule_kind == "survey":
            score.survey_points = _points(rng, node, quality)
            if final:
                score.final_points = score.survey_points
            continue
        own = _points(rng, node, min(1.0, quality + 0.08))
        score.self_points = own
        score.self_note = (
            "" if own == node.max_points else "Một số nội dung chưa hoàn thành đúng hạn."
        )
        if node.rule_kind == "ratio":
            score.self_measured = (own / node.max_points * 100).quantize(Decimal("0.1"))
        if final:
            appraised = own if rng.random() < 0.8 else max(Decimal(0), own - Q)
            score.round1_points = appraised
            score.round1_reason = "" if appraised == own else "Tài liệu kiểm chứng chưa đầy đủ."
            score.final_points = appraised
    # Rewriting the fresh rows is much faster than a bulk UPDATE of many columns.
    Score.objects.filter(assessment__period=period).delete()
    for score in scores:
        score.pk = None
    Score.objects.bulk_create(scores, batch_size=500)


def load(stdout=None) -> dict:
    agency = Agency.objects.filter(code="SKHCN").first()
    if agency is None:
        return {"periods": 0}
    units = list(Unit.objects.filter(agency=agency, code__in=UNIT_CODES).order_by("order"))
    appraiser = User.objects.filter(username="thamdinh").first()
    created = 0
    rng = random.Random(876)
    for year, status in (
        (2024, Assessment.Status.PUBLISHED),
        (2025, Assessment.Status.PUBLISHED),
        (2026, Assessment.Status.DRAFT),
    ):
        if Period.objects.filter(agency=agency, year=year).exists():
            continue
        framework = sample_framework(year)
        period = period_create(
            agency=agency,
            framework=framework,
            year=year,
            name=f"Chỉ số CCHC năm {year}",
            units=units,
            appraisers=[appraiser] if appraiser else [],
            self_deadline=dt.date(year + 1, 1, 15) if year == 2026 else dt.date(year, 12, 15),
            appraisal_deadline=dt.date(year + 1, 2, 15),
            explanation_deadline=dt.date(year + 1, 2, 28),
            publication_deadline=dt.date(year + 1, 3, 31),
        )
        created += 1
        if status == Assessment.Status.DRAFT:
            _demo_draft(period, rng)
            _demo_metrics(period)
            continue
        _fill(period, rng, final=True)
        now = timezone.now()
        period.assessments.update(
            status=status, submitted_at=now, finalised_at=now, published_at=now
        )
    return {"periods": created, "framework": "BNV-876-BO-MAU (mẫu)"}


def _demo_draft(period, rng):
    """2026: self-assessment in progress; the QLCN specialist is assigned field 3."""
    qlcn = period.assessments.filter(unit__code="QLCN").first()
    specialist = User.objects.filter(username="chuyenvien").first()
    if qlcn and specialist:
        field = period.framework.nodes.get(code="3")
        Assignment.objects.get_or_create(
            assessment=qlcn,
            node=field,
            defaults={"person": specialist, "responsible_unit": qlcn.unit},
        )
    scores = list(
        Score.objects.filter(assessment__period=period, node__code__startswith="1.").select_related(
            "node", "assessment__unit"
        )
    )
    for score in scores:
        if score.node.rule_kind != "survey":
            score.self_points = _points(rng, score.node, 0.85)
    Score.objects.bulk_update(scores, ["self_points"], batch_size=500)
    Group.objects.get_or_create(name="appraiser")


def _demo_metrics(period):
    """The metric leaves of the draft year, counted once from the other apps' demo records
    (later the hourly `refresh_par_metrics` keeps them current). `load_demo` runs this app
    before some of those apps: their loaders (safe to run twice) run first."""
    names = set(
        period.framework.nodes.filter(rule_kind=Node.Rule.METRIC).values_list("metric", flat=True)
    )
    if not names:
        return
    apps_used = {
        metric.compute.__module__.rsplit(".", 1)[0]
        for name, metric in registry.metrics.items()
        if name in names
    }
    for app in sorted(apps_used - {"cchc.parindex"}):
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError:
            continue
        module.load()
    for assessment in period.assessments.all():
        metrics_refresh(assessment=assessment)
