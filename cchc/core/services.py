"""Writes of the core app, called by views, the API, commands and the other apps."""

import csv
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from cchc.core.middleware import current_request_id
from cchc.core.models import Abbreviation, Agency, AuditEntry


def audit_record(
    *,
    actor,
    obj,
    action: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    agency: Agency | None = None,
) -> AuditEntry:
    """Record one state change of `obj`. Call it inside the transaction that makes the change."""
    if agency is None:
        agency = (
            getattr(obj, "agency", None)
            if isinstance(getattr(obj, "agency", None), Agency)
            else None
        )
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        agency=agency,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        action=action,
        from_state=str(from_state),
        to_state=str(to_state),
        reason=reason,
        request_id=current_request_id(),
    )


@transaction.atomic
def abbreviations_load_csv(*, path: Path) -> int:
    """Create or update the glossary from a CSV with columns abbreviation,expansion."""
    count = 0
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            abbr = (row.get("abbreviation") or "").strip()
            expansion = (row.get("expansion") or "").strip()
            if abbr and expansion:
                Abbreviation.objects.update_or_create(
                    abbreviation=abbr, defaults={"expansion": expansion}
                )
                count += 1
    return count
