"""Reads of the procedure catalogue."""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse

from cchc.core.text import normalise
from cchc.procedures.models import LegalBasis, Procedure


def catalogue(*, field: str = "", query: str = "", online: str = ""):
    # Raw query parameters: a NUL byte is refused by PostgreSQL, and no text contains one.
    field, query = field.replace("\x00", ""), query.replace("\x00", "")
    procedures = Procedure.objects.current()
    if field:
        procedures = procedures.filter(field=field)
    if online:
        procedures = procedures.filter(online_form=online)
    for word in normalise(query).split():
        procedures = procedures.filter(search_text__contains=word)
    return procedures


def fields() -> list[str]:
    return list(
        Procedure.objects.current().order_by("field").values_list("field", flat=True).distinct()
    )


def procedure_detail(pk) -> Procedure:
    """A procedure version with everything its public page shows (any version, for dossiers)."""
    return get_object_or_404(
        Procedure.objects.prefetch_related(
            Prefetch("legal_bases", queryset=LegalBasis.objects.order_by("order", "id")),
            "components",
            "steps__unit",
        ),
        pk=pk,
    )


def search(normalised_query: str, limit: int) -> list[dict]:
    """The catalogue as a search source for the portal (registered in AppConfig.ready)."""
    words = normalised_query.split()
    if not words:
        return []
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
    results = []
    for p in Procedure.objects.current().filter(condition)[:limit]:
        name = normalise(p.name)
        score = 1.0 + (1.0 if normalised_query in name else 0) + (1.0 if p.code in words else 0)
        results.append(
            {
                "title": str(p),
                "url": reverse("procedures:procedure-detail", args=[p.pk]),
                "snippet": f"{p.field} · {p.time_text}",
                "date": None,
                "score": score,
            }
        )
    return sorted(results, key=lambda r: -r["score"])
