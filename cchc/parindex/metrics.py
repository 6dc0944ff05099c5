"""Metrics this app offers to the registry (read by metric leaves of any framework)."""

from django.db.models import Count, Q

from cchc.parindex.models import Score


def evidence_coverage(scope) -> float | None:
    """Share of the agency's (or the unit's) self-scored leaves (above 0) that carry evidence,
    in [0, 1]."""
    scored = Score.objects.filter(
        assessment__period__agency=scope.agency,
        assessment__period__year__gte=scope.start.year,
        assessment__period__year__lte=scope.end.year,
        self_points__gt=0,
    )
    if scope.unit is not None:  # that unit's own assessment only
        scored = scored.filter(assessment__unit=scope.unit)
    scored = scored.aggregate(
        total=Count("pk", distinct=True),
        with_evidence=Count("pk", filter=Q(evidence__isnull=False), distinct=True),
    )
    if not scored["total"]:
        return None
    return scored["with_evidence"] / scored["total"]
