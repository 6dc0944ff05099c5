"""Reads of the PAR Index: who may see what, results, ranking, what-if, what is missing."""

from decimal import Decimal

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from cchc.core.roles import Role
from cchc.parindex import scoring
from cchc.parindex.models import (
    Assessment,
    Assignment,
    Evidence,
    Framework,
    Node,
    Period,
    Score,
    effective_points,
)

PUBLISHED = Assessment.Status.PUBLISHED
MANAGER_ROLES = (Role.REFORM_FOCAL_POINT, Role.SYSTEM_ADMIN)
UNIT_FOCAL_ROLES = (Role.UNIT_LEADER, Role.REFORM_FOCAL_POINT)


# --- permissions -------------------------------------------------------------------------


def _staff(user) -> bool:
    return user.is_authenticated and user.is_active and user.unit_id is not None


def can_manage(user, agency) -> bool:
    """Import frameworks, open periods, import surveys, publish: the agency's reform focal point."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return _staff(user) and user.unit.agency_id == agency.pk and user.has_role(*MANAGER_ROLES)


def can_manage_frameworks(user) -> bool:
    """Import and copy frameworks: a reform focal point of some agency, or a superuser."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or (_staff(user) and can_manage(user, user.unit.agency))


def may_replace_framework(user, framework: Framework) -> bool:
    """Re-import an unused framework: only the agency that imported it (shared ones: admins)."""
    if user is None or user.is_superuser:
        return True
    return (
        can_manage_frameworks(user)
        and framework.agency_id is not None
        and framework.agency_id == user.unit.agency_id
    )


def is_appraiser(user, period: Period) -> bool:
    if not user.is_authenticated:
        return False
    cache = getattr(user, "_par_appraised", None)
    if cache is None:
        cache = user._par_appraised = set(user.par_appraised_periods.values_list("pk", flat=True))
    return period.pk in cache


def is_unit_focal(user, assessment: Assessment) -> bool:
    """The unit's focal point: its leader or reform focal point (they also assign officers)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.unit_id == assessment.unit_id and user.has_role(*UNIT_FOCAL_ROLES)


def assigned_node_ids(user, assessment: Assessment) -> set[int]:
    """Leaves assigned to `user` in this assessment (an assigned criterion covers its leaves)."""
    if not user.is_authenticated:
        return set()
    ids = set(
        Assignment.objects.filter(assessment=assessment, person=user).values_list(
            "node_id", flat=True
        )
    )
    if not ids:
        return ids
    nodes = Node.objects.filter(framework_id=assessment.period.framework_id).values_list(
        "id", "parent_id"
    )
    parent = dict(nodes)
    result = set()
    for node_id in parent:
        walk = node_id
        while walk is not None:
            if walk in ids:
                result.add(node_id)
                break
            walk = parent.get(walk)
    return result


def can_edit_self(user, assessment: Assessment, node: Node) -> bool:
    if assessment.status != Assessment.Status.DRAFT:
        return False
    if is_unit_focal(user, assessment):
        return True
    return node.pk in assigned_node_ids(user, assessment)


def periods_for_user(user):
    qs = Period.objects.select_related("agency", "framework")
    if user.is_authenticated and user.is_superuser:
        return qs
    q = Q(assessments__status=PUBLISHED)
    if _staff(user):
        q |= Q(agency_id=user.unit.agency_id) | Q(appraisers=user)
    return qs.filter(q).distinct()


def get_period_for_user(user, pk) -> Period:
    return get_object_or_404(periods_for_user(user), pk=pk)


def assessments_for_user(user):
    """Assessments whose scores a person may read (published results are read elsewhere)."""
    qs = Assessment.objects.select_related("unit", "period", "period__framework", "period__agency")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if not _staff(user):
        return qs.none()
    q = Q(period__appraisers=user) | Q(assignments__person=user)
    if user.is_agency_wide:
        q |= Q(period__agency_id=user.unit.agency_id)
    else:
        q |= Q(unit_id=user.unit_id)
    return qs.filter(q).distinct()


def get_assessment_for_user(user, pk) -> Assessment:
    return get_object_or_404(assessments_for_user(user), pk=pk)


def get_result_assessment_for_user(user, pk) -> Assessment:
    """For results: anyone may read a published one; otherwise as for scores."""
    published = Assessment.objects.select_related("unit", "period", "period__framework").filter(
        pk=pk, status=PUBLISHED
    )
    found = published.first()
    if found is not None:
        return found
    return get_assessment_for_user(user, pk)


def may_see_all_of_period(user, period: Period) -> bool:
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or is_appraiser(user, period)
        or (_staff(user) and user.is_agency_wide and user.unit.agency_id == period.agency_id)
    )


# --- results -----------------------------------------------------------------------------


def tree_for(framework_id: int, scale: Decimal) -> scoring.Tree:
    rows = Node.objects.filter(framework_id=framework_id).order_by("order")
    nodes = [
        scoring.TreeNode(
            n.id, n.code, n.name, n.parent_id, n.level, n.max_points, n.is_leaf, n.rule_kind
        )
        for n in rows.only(
            "id", "code", "name", "parent_id", "level", "max_points", "is_leaf", "rule_kind"
        )
    ]
    return scoring.Tree(nodes, scale)


def _points_by_assessment(period_id: int, tree: scoring.Tree) -> dict[int, dict[int, Decimal]]:
    rows = Score.objects.filter(assessment__period_id=period_id).values_list(
        "assessment_id",
        "node_id",
        "final_points",
        "round2_points",
        "round1_points",
        "self_points",
        "survey_points",
    )
    points: dict[int, dict[int, Decimal]] = {}
    for assessment_id, node_id, final, r2, r1, own, survey in rows.iterator(chunk_size=5000):
        node = tree.by_id.get(node_id)
        kind = node.rule_kind if node else ""
        points.setdefault(assessment_id, {})[node_id] = effective_points(
            kind, final, r2, r1, own, survey
        )
    return points


def period_results(period: Period, *, with_previous: bool = True, statuses=None) -> dict:
    """{assessment id: Result} for every assessment of the period, ranked, with the previous
    period's index of the same unit. A bounded number of queries, whatever the size."""
    tree = tree_for(period.framework_id, period.framework.scale)
    assessments = list(period.assessments.select_related("unit").order_by("unit__order"))
    if statuses is not None:
        assessments = [a for a in assessments if a.status in statuses]
    points = _points_by_assessment(period.pk, tree)
    results = {}
    for assessment in assessments:
        result = scoring.compute(tree, points.get(assessment.pk, {}))
        result.extra.update(assessment=assessment, points=points.get(assessment.pk, {}), tree=tree)
        results[assessment.pk] = result
    scoring.rank(results)
    if with_previous:
        previous = previous_period(period)
        if previous is not None:
            before = period_results(previous, with_previous=False)
            by_unit = {r.extra["assessment"].unit_id: r for r in before.values()}
            for result in results.values():
                old = by_unit.get(result.extra["assessment"].unit_id)
                if old is not None:
                    result.previous_index = old.index
                    result.extra["previous"] = old
    return results


def ranking_for(user, period: Period, results: dict) -> list[dict]:
    """The period's results the viewer may see, best first: every unit for the agency-wide and
    the appraisers, else the published ones and those the viewer may read."""
    all_visible = may_see_all_of_period(user, period)
    readable = set(assessments_for_user(user).filter(period=period).values_list("pk", flat=True))
    rows = []
    for pk, result in sorted(results.items(), key=lambda item: item[1].rank):
        assessment = result.extra["assessment"]
        if all_visible or assessment.status == PUBLISHED or pk in readable:
            rows.append({"assessment": assessment, "result": result, "can_open": pk in readable})
    return rows


def hide_unreadable_previous(user, results) -> None:
    """Drop the comparison with last year where the viewer may not read last year's result
    (the public sees a published result, but last year's may never have been published)."""
    previous = {
        r.extra["previous"].extra["assessment"].pk: r.extra["previous"].extra["assessment"]
        for r in results
        if r.extra.get("previous") is not None
    }
    unpublished = [pk for pk, a in previous.items() if a.status != PUBLISHED]
    readable = set(
        assessments_for_user(user).filter(pk__in=unpublished).values_list("pk", flat=True)
        if unpublished
        else ()
    )
    for result in results:
        old = result.extra.get("previous")
        if old is None:
            continue
        old_assessment = old.extra["assessment"]
        if old_assessment.status != PUBLISHED and old_assessment.pk not in readable:
            result.previous_index = None
            del result.extra["previous"]


NO_PREVIOUS = "Không có năm trước cùng bộ tiêu chí để so sánh"


def previous_period(period: Period) -> Period | None:
    """The agency's latest earlier period of the same framework lineage: the framework this
    period's was copied from, or one with the same code. Another framework's period is never
    compared with (its criteria are not the same); without one there is no comparable year."""
    framework = period.framework
    lineage = Q(framework__code=framework.code)
    if framework.copied_from_id:
        lineage |= Q(framework_id=framework.copied_from_id)
    return (
        Period.objects.select_related("framework")
        .filter(lineage, agency_id=period.agency_id, year__lt=period.year)
        .order_by("-year", "-pk")
        .first()
    )


def assessment_result(assessment: Assessment, user=None) -> scoring.Result:
    """The assessment's result; with `user`, compared with last year only if they may read it."""
    result = period_results(assessment.period)[assessment.pk]
    if user is not None:
        hide_unreadable_previous(user, [result])
    return result


def node_changes(result: scoring.Result) -> dict[str, Decimal]:
    """Change of each node's points against the previous period, matched by node code."""
    previous = result.extra.get("previous")
    if previous is None:
        return {}
    return {
        code: points - previous.node_points[code]
        for code, points in result.node_points.items()
        if code in previous.node_points
    }


def whatif(assessment: Assessment, *, codes=(), fields=(), user=None) -> scoring.Result:
    """The result if the chosen leaves (or all lost points in chosen fields) were at maximum.
    Nothing is saved."""
    results = period_results(assessment.period)
    current = results[assessment.pk]
    if user is not None:
        hide_unreadable_previous(user, [current])
    tree, points = current.extra["tree"], dict(current.extra["points"])
    chosen = set()
    for code in codes:
        node = tree.by_code.get(str(code))
        if node is None:
            raise Http404
        chosen.update(leaf.id for leaf in tree.leaves_under(node))
    for code in fields:
        node = tree.by_code.get(str(code))
        if node is None or node.level != 1:
            raise Http404
        chosen.update(leaf.id for leaf in tree.leaves_under(node))
    for leaf_id in chosen:
        leaf = tree.by_id[leaf_id]
        if leaf.rule_kind != "penalty":
            points[leaf_id] = leaf.max_points
        else:
            points[leaf_id] = Decimal(0)
    result = scoring.compute(tree, points)
    others = [r.total for pk, r in results.items() if pk != assessment.pk]
    result.rank = scoring.rank_of(result.total, others)
    result.units_ranked = len(results)
    result.previous_index = current.previous_index
    result.extra["current"] = current
    result.extra["raised"] = sorted(tree.by_id[i].code for i in chosen)
    return result


def score_rows(assessment: Assessment, field_code: str | None = None):
    qs = (
        Score.objects.filter(assessment=assessment)
        .select_related("node")
        .prefetch_related("evidence")
        .order_by("node__order")
    )
    if field_code:
        qs = qs.filter(Q(node__code=field_code) | Q(node__code__startswith=field_code + "."))
    return qs


def flags(score: Score) -> list[str]:
    """What the guidance asks to explain: below max without a note, points without evidence."""
    out = []
    node = score.node
    if node.rule_kind in ("survey", "metric"):
        return out
    evidence = list(score.evidence.all())
    if score.self_points is None:
        out.append("Chưa chấm điểm")
        return out
    if score.self_points < node.max_points and not score.self_note.strip():
        out.append("Dưới điểm tối đa nhưng chưa có thuyết minh")
    if score.self_points > 0 and not any(e.stage == Evidence.Stage.SELF for e in evidence):
        out.append("Có điểm nhưng chưa có tài liệu kiểm chứng")
    return out


def missing(assessment: Assessment) -> list[dict]:
    """Leaves with no score, no evidence or no explanation, grouped by responsible person."""
    assignments = {
        a.node_id: a
        for a in Assignment.objects.filter(assessment=assessment).select_related(
            "person", "responsible_unit"
        )
    }
    groups: dict[str, dict] = {}
    for score in score_rows(assessment):
        problems = flags(score)
        if not problems:
            continue
        assignment = None
        node_id = score.node_id
        parents = _parents(assessment)
        while node_id is not None and assignment is None:
            assignment = assignments.get(node_id)
            node_id = parents.get(node_id)
        key = assignment.person.display_name if assignment and assignment.person else ""
        group = groups.setdefault(
            key,
            {
                "person": key or "Chưa giao cho ai",
                "unit": assignment.responsible_unit.name
                if assignment and assignment.responsible_unit
                else "",
                "items": [],
            },
        )
        group["items"].append({"score": score, "problems": problems})
    return sorted(groups.values(), key=lambda g: (g["person"] == "Chưa giao cho ai", g["person"]))


def _parents(assessment):
    cache = getattr(assessment, "_parents", None)
    if cache is None:
        cache = assessment._parents = dict(
            Node.objects.filter(framework_id=assessment.period.framework_id).values_list(
                "id", "parent_id"
            )
        )
    return cache


def progress_by_field(assessment: Assessment) -> dict[str, tuple[int, int]]:
    """{field code: (leaves with points, leaves)} for the self-assessment overview."""
    rows = Score.objects.filter(assessment=assessment).values_list(
        "node__code",
        "node__rule_kind",
        "final_points",
        "round2_points",
        "round1_points",
        "self_points",
        "survey_points",
    )
    progress: dict[str, list[int]] = {}
    for code, kind, *values in rows:
        counts = progress.setdefault(code.split(".")[0], [0, 0])
        counts[1] += 1
        if effective_points(kind, *values) is not None:
            counts[0] += 1
    return {code: (done, total) for code, (done, total) in progress.items()}


def frameworks_for_user(user):
    if not _staff(user) and not (user.is_authenticated and user.is_superuser):
        return Framework.objects.none()
    return Framework.objects.all()


def published_assessments():
    return Assessment.objects.filter(status=PUBLISHED).select_related("unit", "period")


FINAL_STATUSES = (Assessment.Status.FINALISED, Assessment.Status.PUBLISHED)


def figure_period(agency, end=None) -> tuple[Period, bool] | None:
    """The one period the agency's figure is taken from, and whether it is an estimate.

    The latest period (up to `end`'s year) whose every assessment is finalised or published;
    without one, the latest period as an estimate. A newer period where only some units are
    finalised never replaces a complete one, so the figure is never a mix of two periods."""
    periods = Period.objects.select_related("framework").filter(agency=agency)
    if end is not None:
        periods = periods.filter(year__lte=end.year)
    periods = periods.annotate(
        units_total=Count("assessments"),
        units_final=Count("assessments", filter=Q(assessments__status__in=FINAL_STATUSES)),
    ).order_by("-year", "-pk")
    latest = None
    for period in periods:
        if not period.units_total:
            continue
        if period.units_final == period.units_total:
            return period, False
        latest = latest or period
    return (latest, True) if latest is not None else None


SUBMITTED_STATUSES = tuple(s for s in Assessment.Status.values if s != Assessment.Status.DRAFT)


def _counted_periods(agency, end=None):
    periods = Period.objects.select_related("framework").filter(agency=agency)
    if end is not None:
        periods = periods.filter(year__lte=end.year)
    return periods.annotate(
        units_total=Count("assessments"),
        units_final=Count("assessments", filter=Q(assessments__status__in=FINAL_STATUSES)),
        units_submitted=Count("assessments", filter=Q(assessments__status__in=SUBMITTED_STATUSES)),
    )


def _coverage(period, estimate: bool) -> dict:
    """What a period's figure covers, in words, and which assessments it is made of.

    A closed period counts its finalised (or published) units: "6/6 đơn vị đã chốt". An open
    one is an estimate from the units that have submitted (their best points so far: appraised
    where appraised, else their own): "ước tính từ 3/6 đơn vị đã nộp"; when none has, from
    every unit's live scores."""
    total = period.units_total
    if not estimate:
        counted, statuses = period.units_final, FINAL_STATUSES
        note = _("%(counted)s/%(total)s đơn vị đã chốt") % {"counted": counted, "total": total}
    elif getattr(period, "units_submitted", 0):
        counted, statuses = period.units_submitted, SUBMITTED_STATUSES
        note = _("ước tính từ %(counted)s/%(total)s đơn vị đã nộp") % {
            "counted": counted,
            "total": total,
        }
    else:
        counted, statuses = 0, None
        note = _("ước tính theo điểm đang chấm, 0/%(total)s đơn vị đã nộp") % {"total": total}
    title = _("Chỉ số CCHC năm %(year)s") % {"year": period.year}
    if period.name and period.name.strip() != title:
        title += f" ({period.name})"
    return {
        "year": period.year,
        "period_name": period.name,
        "status": "estimate" if estimate else "final",
        "estimate": estimate,
        "units_total": total,
        "units_counted": counted,
        "note": note,
        "coverage": f"{title} — {note}",
        "statuses": statuses,
    }


def _mean_result(period, statuses):
    """The agency's result for one period: the mean of its units' leaf points (DESIGN: one
    assessment per unit), with the units' own results; None without any assessment."""
    results = period_results(period, with_previous=False, statuses=statuses)
    if not results:
        return None, results
    tree = next(iter(results.values())).extra["tree"]
    points_by = {pk: r.extra["points"] for pk, r in results.items()}
    mean = {}
    for leaf in tree.leaves:
        values = [points_by.get(pk, {}).get(leaf.id) or Decimal(0) for pk in results]
        mean[leaf.id] = sum(values, Decimal(0)) / len(values)
    return scoring.compute(tree, mean), results


def _plain_fields(result) -> list[dict]:
    return [
        {k: (round(float(v), 3) if isinstance(v, Decimal) else v) for k, v in f.items()}
        for f in result.fields
    ]


def agency_figure(agency, start, end) -> dict | None:
    """For the dashboard, the annual report and their API: the agency's PAR result.

    The agency's index is the mean of its assessed units' leaf points (DESIGN: one assessment per
    unit) in the period `figure_period` chooses. It says which period and how many units it
    covers (`coverage`: "Chỉ số CCHC năm 2025 — 6/6 đơn vị đã chốt"); an estimate says so in
    `note` too: "ước tính từ 3/6 đơn vị đã nộp". Older snapshots lack period_name, status,
    units_counted and coverage; readers fall back on year, estimate and note."""
    chosen = figure_period(agency, end)
    if chosen is None:
        return None
    chosen, estimate = chosen
    chosen = _counted_periods(agency).get(pk=chosen.pk)
    covers = _coverage(chosen, estimate)
    overall, results = _mean_result(chosen, covers.pop("statuses"))
    if overall is None:
        return None
    best = min(results.values(), key=lambda r: r.rank)
    return {
        "period": chosen.name,
        "period_id": chosen.pk,  # the report's link opens the period's results
        "index": float(overall.index),
        "total": float(overall.total.quantize(scoring.MILLI)),
        "scale": float(overall.scale),
        "rank": None,
        "units_ranked": len(results),
        "fields": _plain_fields(overall),
        "criteria_at_max": overall.criteria_at_max,
        "criteria_total": overall.criteria_total,
        "components_at_max": overall.components_at_max,
        "components_total": overall.components_total,
        "units": [
            {
                "unit": r.extra["assessment"].unit.name,
                "index": float(r.index),
                "rank": r.rank,
            }
            for r in sorted(results.values(), key=lambda r: r.rank)
        ],
        "best_unit": best.extra["assessment"].unit.name,
        "sample": chosen.framework.sample,
        "units_covered": covers["units_counted"],
        **covers,
        # what the headline shows after the index: only an estimate needs saying so
        "note": covers["note"] if estimate else "",
    }


def _comparable(before: Period, after: Period) -> bool:
    """The same criteria: the same framework lineage (`previous_period`'s rule)."""
    return (
        before.framework_id == after.framework_id
        or before.framework.code == after.framework.code
        or after.framework.copied_from_id == before.framework_id
    )


def _change(now, before) -> float | None:
    return None if now is None or before is None else round(now - before, 3)


def agency_trend(agency, start, end) -> dict | None:
    """For the dashboard and the annual report: the agency's index and each field's percent,
    year by year, with the change against the year before (None when that year is missing or
    was scored on other criteria).

    A year counts when its period is closed (every unit finalised or published); the latest
    open period after the last closed one is shown too, as an estimate (`_coverage`), once a
    unit has submitted; before that it is only listed in `pending` with what it lacks. One
    period per year: a closed one over an open one, then the latest."""
    chosen: dict[int, tuple[Period, bool]] = {}
    for period in _counted_periods(agency, end).order_by("year", "pk"):
        if not period.units_total:
            continue
        closed = period.units_final == period.units_total
        held = chosen.get(period.year)
        if held is None or closed or not held[1]:  # the later of equals, a closed over an open
            chosen[period.year] = (period, closed)
    last_closed = max((y for y, (_p, closed) in chosen.items() if closed), default=None)
    years, pending, previous = [], [], None
    for year in sorted(chosen):
        period, closed = chosen[year]
        if not closed and last_closed is not None and year < last_closed:
            continue  # an old period never finished: not a year of the trend
        covers = _coverage(period, not closed)
        if not closed and not covers["units_counted"] and last_closed is not None:
            # no unit has submitted yet: half-entered draft scores are no point of a trend
            covers.pop("statuses")
            pending.append(covers)
            continue
        overall, _results = _mean_result(period, covers.pop("statuses"))
        if overall is None:
            continue
        comparable = previous is not None and previous["_period"].year == year - 1
        comparable = comparable and _comparable(previous["_period"], period)
        before = {f["code"]: f["percent"] for f in previous["fields"]} if comparable else {}
        fields = [
            {
                "code": f["code"],
                "name": f["name"],
                "percent": f["percent"],
                "change": _change(f["percent"], before.get(f["code"])),
            }
            for f in _plain_fields(overall)
        ]
        row = {
            **covers,
            "index": float(overall.index),
            "change": _change(float(overall.index), previous["index"]) if comparable else None,
            "fields": fields,
            "sample": period.framework.sample,
            "_period": period,
        }
        years.append(row)
        previous = row
    for row in years:
        del row["_period"]
    return {"years": years, "pending": pending} if years else None
