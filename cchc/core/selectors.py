"""Reads of the core app."""

from django.conf import settings
from django.core.cache import cache

from cchc.core.models import Abbreviation, Agency, Unit

SITE_AGENCY_KEY = "core:site-agency:v1"


def site_agency() -> Agency | None:
    """The agency that owns this portal (settings.SITE_AGENCY_CODE), cached briefly."""
    cached = cache.get(SITE_AGENCY_KEY)
    if cached is not None:
        return cached or None
    agency = (
        Agency.objects.filter(code=settings.SITE_AGENCY_CODE).first()
        or Agency.objects.order_by("pk").first()  # the first one set up, not the first by name
    )
    cache.set(SITE_AGENCY_KEY, agency or False, 300)
    return agency


def abbreviation_list(query: str = ""):
    qs = Abbreviation.objects.all()
    if query:
        from django.db.models import Q

        qs = qs.filter(Q(abbreviation__icontains=query) | Q(expansion__icontains=query))
    return qs


def unit_tree(agency: Agency) -> list[tuple[Unit, int]]:
    """The agency's units in tree order with their depth, in one query."""
    units = list(Unit.objects.filter(agency=agency).order_by("order", "name"))
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    out: list[tuple[Unit, int]] = []

    def walk(parent_id, depth):
        for unit in children.get(parent_id, []):
            out.append((unit, depth))
            walk(unit.pk, depth + 1)

    walk(None, 0)
    return out
