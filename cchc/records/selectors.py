"""Reads of the records app: what a person may see, and the lists of the pages and the API."""

from cchc.core.permissions import scoped_to_agency
from cchc.records.kinds import KINDS, Kind


def records_for_user(kind: Kind, user):
    """Every record of this kind of the person's agency (none for citizens and anonymous)."""
    queryset = kind.model.objects.select_related("agency")
    if kind.has_unit:
        queryset = queryset.select_related("unit")
    return scoped_to_agency(queryset, user)


def records_listed(kind: Kind, user, *, year=None, unit=None, ids=None):
    """The list page and the API list: filtered by year (of the record's period), unit and ids
    (the exact records a report table counted)."""
    queryset = records_for_user(kind, user)
    if year:
        queryset = queryset.filter(**{kind.year_lookup: year})
    if unit and kind.has_unit:
        queryset = queryset.filter(unit_id=unit)
    if ids:
        queryset = queryset.filter(pk__in=ids)
    return queryset


def overview(user) -> list[dict]:
    """The four PAR fields with their kinds and how many records of each the agency keeps."""
    from cchc.records.kinds import FIELDS

    fields = []
    for code, title in FIELDS.items():
        kinds = [
            {"kind": kind, "count": records_for_user(kind, user).count()}
            for kind in KINDS
            if kind.field == code
        ]
        fields.append({"code": code, "title": title, "kinds": kinds})
    return fields
