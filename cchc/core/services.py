"""Writes of the core app, called by views, the API, commands and the other apps."""

import csv
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from cchc.core.auditchain import GENESIS, entry_hash
from cchc.core.middleware import current_request_id
from cchc.core.models import Abbreviation, Agency, AuditChainHead, AuditEntry


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
    entry = AuditEntry(
        at=timezone.now(),
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
    # Two concurrent appenders must not chain to the same previous entry: the head row is
    # locked until commit (PostgreSQL; SQLite's IMMEDIATE transactions serialise writers).
    # It is the last lock a transaction takes: the row locks taken before it are FOR NO KEY
    # UPDATE OF the row itself, so the foreign-key checks at commit (FOR KEY SHARE of an agency,
    # a dossier...) never wait on another transaction that is waiting for this head: no deadlock.
    with transaction.atomic(savepoint=False):
        head = _audit_head_locked()
        entry.seq, entry.prev_hash = head.seq + 1, head.hash
        entry.hash = entry_hash(
            seq=entry.seq,
            at=entry.at,
            actor_id=entry.actor_id,
            agency_id=entry.agency_id,
            content_type=f"{entry.content_type.app_label}.{entry.content_type.model}",
            object_id=entry.object_id,
            object_repr=entry.object_repr,
            action=entry.action,
            from_state=entry.from_state,
            to_state=entry.to_state,
            reason=entry.reason,
            request_id=entry.request_id,
            prev_hash=entry.prev_hash,
        )
        entry.save(force_insert=True)
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def _audit_head_locked() -> AuditChainHead:
    try:
        return AuditChainHead.objects.select_for_update().get(pk=1)
    except AuditChainHead.DoesNotExist:
        # First entry ever, or the tables were flushed: start from the last entry, if any.
        last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, last_hash = last or (0, GENESIS)
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=1, seq=seq, hash=last_hash)], ignore_conflicts=True
        )
        return AuditChainHead.objects.select_for_update().get(pk=1)


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
