"""Writing the outbox: one row per dossier change, in the transaction of the change.

Called from `dossiers.services._record` (every dossier action passes there). The row says only
what to send; the payload is built when it is sent, from the dossier as it is then, so a resend
is an idempotent upsert (docs/dvcqg.md, "Outbox").
"""

from django.conf import settings
from django.utils import timezone

from cchc.nationalportal.codes import national_time
from cchc.nationalportal.models import OutboxMessage

DOSSIER_SYNC = "DongBoHoSoMC"
STATUS_SYNC = "DongBoTrangThaiHoSo"
SATISFACTION_SYNC = "DongBoDanhGia"  # an agency's month, not a dossier's (dossier is null)
# Online filing itself happens on the national portal; nothing to report before reception.
SILENT_ACTIONS = frozenset({"file_online"})


def enabled() -> bool:
    return bool(getattr(settings, "DVCQG_ENABLED", False))


def record_change(dossier, action: str, *, at=None) -> list[OutboxMessage]:
    """The outbox rows for one action on `dossier` (none when the link is off)."""
    if not enabled() or action in SILENT_ACTIONS:
        return []
    moment = at or timezone.now()
    services = [DOSSIER_SYNC]
    # What only this moment knows: the due date in force (NgayHenTraTruoc / NgayHenTraMoi of
    # DanhSachHoSoBoSung are read back from these snapshots) and the supplement concerned.
    snapshot = {"due": national_time(dossier.effective_due)}
    if action in ("request_supplement", "supplement"):
        latest = dossier.supplements.order_by("-requested_at", "-id").first()
        snapshot["supplement"] = latest.pk if latest else None
    if dossier.national_code:  # filed on DVCQG: its status goes back too
        services.append(STATUS_SYNC)
    return [
        OutboxMessage.objects.create(
            agency_id=dossier.agency_id,
            dossier=dossier,
            service=service,
            event=action,
            payload=snapshot,
            state=OutboxMessage.State.PENDING,
            next_attempt_at=moment,
            created_at=moment,
        )
        for service in services
    ]


def backfill(*, at=None) -> int:
    """One DongBoHoSoMC row for every received dossier with steps not yet acknowledged and
    nothing waiting: what changed before the link was switched on (or was lost) goes too."""
    from cchc.dossiers.models import Dossier

    moment = at or timezone.now()
    waiting = OutboxMessage.objects.filter(
        service=DOSSIER_SYNC,
        state__in=(
            OutboxMessage.State.PENDING,
            OutboxMessage.State.FAILED,
            OutboxMessage.State.DEAD,
        ),
    ).values("dossier_id")
    dossiers = (
        Dossier.objects.filter(handovers__synced_at__isnull=True)
        .exclude(status=1)  # not yet received: nothing to report (assumption 9)
        .exclude(pk__in=waiting)
        .distinct()
        .only("pk", "agency_id", "national_code", "due_at", "appointment_at")
    )
    rows = [
        OutboxMessage(
            agency_id=d.agency_id,
            dossier=d,
            service=DOSSIER_SYNC,
            event="backfill",
            payload={"due": national_time(d.effective_due)},
            state=OutboxMessage.State.PENDING,
            next_attempt_at=moment,
            created_at=moment,
        )
        for d in dossiers
    ]
    OutboxMessage.objects.bulk_create(rows)
    return len(rows)
