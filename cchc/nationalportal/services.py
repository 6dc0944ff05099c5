"""Sending the outbox to the national side (docs/dvcqg.md, "Worker").

One pass takes the dossiers whose oldest unsent message is due, claims each dossier's messages
(a lease in `locked_until`, taken with `select_for_update(skip_locked=True)` on PostgreSQL and a
conditional UPDATE on both databases), and sends them IN ORDER: TraCuuHoSo → DongBoHoSoMC
(isUpdating from the look-up) → CapNhatTienDoHoSoMC for every step not yet acknowledged, in
chunks; then DongBoTrangThaiHoSo for dossiers filed on DVCQG. The payload is built from the
dossier as it is now, so several waiting messages of one service are covered by one send.
A failure marks that message failed with exponential backoff and stops that dossier's later
messages (never the other dossiers'); after DVCQG_MAX_ATTEMPTS it is dead until an
administrator retries it. No transaction is held across an HTTP call. Agency-level messages
(dossier null: the monthly DongBoDanhGia) follow, each on its own with the same lease, backoff
and log.
"""

import dataclasses
import datetime as dt
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.permissions import acts_for
from cchc.core.roles import Role
from cchc.core.services import audit_record
from cchc.core.transitions import TransitionError
from cchc.dossiers.models import Dossier, HandOver
from cchc.nationalportal import adapter, payload
from cchc.nationalportal.adapter import AdapterError
from cchc.nationalportal.models import OutboxMessage, SyncLog
from cchc.nationalportal.outbox import DOSSIER_SYNC, SATISFACTION_SYNC, STATUS_SYNC

State = OutboxMessage.State
UNSENT = (State.PENDING, State.FAILED, State.DEAD)
MAX_BACKOFF = dt.timedelta(days=1)


class SimulatedCrash(BaseException):
    """Raised at a configured failure point (setting DVCQG_FAILPOINT, tests only): the worker
    "dies" there, after the national reply and before our commit; nothing of ours is caught."""


def _failpoint(name: str) -> None:
    if getattr(settings, "DVCQG_FAILPOINT", "") == name:
        raise SimulatedCrash(name)


@dataclasses.dataclass
class PassResult:
    dossiers: int = 0
    agency_messages: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0

    def count(self, sent: int, failed: int) -> None:
        """Add one dossier's or agency message's outcome (neither sent nor failed: skipped)."""
        self.sent += sent
        self.failed += failed
        if not (sent or failed):
            self.skipped += 1


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failure: base × 2^(attempts-1), at most a day."""
    delay = dt.timedelta(seconds=settings.DVCQG_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))
    return min(delay, MAX_BACKOFF)


# --- selecting and claiming -------------------------------------------------------------------


def due_dossier_ids(now: dt.datetime, limit: int = 100) -> list[int]:
    """Dossiers with a message to send whose oldest unsent message is due and not dead and
    that no worker holds."""
    heads = (
        OutboxMessage.objects.filter(state__in=UNSENT, dossier__isnull=False)
        .values("dossier_id")
        .annotate(first=Min("created_at"))
        .order_by("first")
    )
    ids = []
    for row in heads.iterator():
        head = (
            OutboxMessage.objects.filter(dossier_id=row["dossier_id"], state__in=UNSENT)
            .order_by("created_at", "id")
            .first()
        )
        if head is None or head.state == State.DEAD:
            continue
        if head.next_attempt_at and head.next_attempt_at > now:
            continue
        if head.locked_until and head.locked_until > now:
            continue
        ids.append(row["dossier_id"])
        if len(ids) >= limit:
            break
    return ids


def claim(dossier_id: int, now: dt.datetime) -> list[OutboxMessage]:
    """The dossier's unsent messages, leased to this worker, oldest first; [] when another
    worker holds any of them."""
    lease = now + dt.timedelta(seconds=settings.DVCQG_LEASE_SECONDS)
    with transaction.atomic():
        unsent = OutboxMessage.objects.filter(dossier_id=dossier_id, state__in=UNSENT)
        total = unsent.count()
        rows = list(unsent.select_for_update(skip_locked=True).order_by("created_at", "id"))
        if not rows or len(rows) != total:
            return []
        free = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
        taken = OutboxMessage.objects.filter(pk__in=[m.pk for m in rows]).filter(free)
        if taken.update(locked_until=lease) != len(rows):
            transaction.set_rollback(True)
            return []
    for message in rows:
        message.locked_until = lease
    return rows


# --- one call, logged -------------------------------------------------------------------------


def _logged_call(message: OutboxMessage, dossier: Dossier, service: str, fields: dict) -> dict:
    return _agency_call(message, dossier.agency, service, fields, dossier=dossier)


def _agency_call(message, agency, service: str, fields: dict, *, dossier=None) -> dict:
    madonvi = agency.national_code
    started = time.monotonic()
    log = SyncLog(
        agency_id=agency.pk,
        dossier=dossier,
        message=message,
        direction=SyncLog.Direction.OUT,
        service=service,
        at=timezone.now(),
        payload=adapter.request_body(service, fields, madonvi),
    )
    try:
        reply = adapter.call(service, fields, madonvi=madonvi)
    except AdapterError as error:
        log.state, log.error, log.reply = SyncLog.State.ERROR, error.message, error.reply
        log.duration_ms = int((time.monotonic() - started) * 1000)
        log.save()
        raise
    _failpoint(f"after-reply:{service}")
    log.state, log.reply = SyncLog.State.OK, reply
    log.duration_ms = int((time.monotonic() - started) * 1000)
    log.save()
    return reply


def _acknowledged(reply: dict, chunk: list[HandOver]) -> list[int]:
    """The steps the reply acknowledged: by IdBuocXuLy when it lists them, else the whole
    chunk (error_code 0 with no per-step result; assumption 6 of docs/dvcqg.md)."""
    result = reply.get("result")
    ids = {h.pk for h in chunk}
    if isinstance(result, list) and result and all(isinstance(r, dict) for r in result):
        listed = {
            int(r["IdBuocXuLy"])
            for r in result
            if str(r.get("IdBuocXuLy", "")).isdigit() and str(r.get("KetQua", "1")) != "0"
        }
        if listed:
            return sorted(ids & listed)
    return sorted(ids)


def send_dossier(message: OutboxMessage, dossier: Dossier) -> None:
    """TraCuuHoSo → DongBoHoSoMC → CapNhatTienDoHoSoMC for every unacknowledged step."""
    code = payload.national_dossier_code(dossier)
    found = _logged_call(message, dossier, "TraCuuHoSo", {"mahoso": code})
    exists = bool(found.get("result"))
    item = payload.dossier_item(dossier)
    _logged_call(
        message,
        dossier,
        "DongBoHoSoMC",
        {"isUpdating": "True" if exists else "False", "data": [item]},
    )
    steps = list(
        dossier.handovers.filter(synced_at__isnull=True)
        .select_related("from_user", "from_unit")
        .order_by("at", "id")
    )
    size = max(settings.DVCQG_STEP_CHUNK, 1)
    for start in range(0, len(steps), size):
        chunk = steps[start : start + size]
        reply = _logged_call(
            message,
            dossier,
            "CapNhatTienDoHoSoMC",
            {"data": [payload.step_item(dossier, h) for h in chunk]},
        )
        acked = _acknowledged(reply, chunk)
        HandOver.objects.filter(pk__in=acked, synced_at__isnull=True).update(
            synced_at=timezone.now()
        )
        if len(acked) < len(chunk):
            raise AdapterError(
                _("Cổng DVCQG chỉ xác nhận %(n)s trên %(m)s bước xử lý.")
                % {"n": len(acked), "m": len(chunk)}
            )


def send_status(message: OutboxMessage, dossier: Dossier) -> None:
    _logged_call(
        message,
        dossier,
        "DongBoTrangThaiHoSo",
        {"type": "2", "data": [payload.status_item(dossier)]},
    )


SENDERS = {DOSSIER_SYNC: send_dossier, STATUS_SYNC: send_status}


# --- the pass ---------------------------------------------------------------------------------


def _mark_sent(message: OutboxMessage, now) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=State.SENT, sent_at=now, locked_until=None, last_error=""
    )


def _mark_failed(message: OutboxMessage, error: str, now) -> None:
    attempts = message.attempts + 1
    dead = attempts >= settings.DVCQG_MAX_ATTEMPTS
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=State.DEAD if dead else State.FAILED,
        attempts=attempts,
        last_error=error[:2000],
        next_attempt_at=None if dead else now + backoff(attempts),
        locked_until=None,
    )


def sync_dossier(dossier_id: int, *, now=None) -> tuple[int, int]:
    """Send one dossier's messages in order; (sent, failed). Stops at the first failure."""
    now = now or timezone.now()
    messages = claim(dossier_id, now)
    if not messages:
        return 0, 0
    sent = 0
    dossier = Dossier.objects.select_related("agency", "procedure").get(pk=dossier_id)
    done: set[str] = set()
    for message in messages:
        if message.state == State.DEAD:
            break
        if message.service not in done:
            sender = SENDERS.get(message.service)
            try:
                if sender is None:
                    raise AdapterError(_("Không rõ dịch vụ %(s)s.") % {"s": message.service})
                sender(message, dossier)
            except AdapterError as error:
                _mark_failed(message, error.message, now)
                _release([m.pk for m in messages])
                return sent, 1
            done.add(message.service)
        _mark_sent(message, now)
        sent += 1
    _release([m.pk for m in messages])  # a dead one and those behind it wait, unclaimed
    return sent, 0


def _fail_head(dossier_id: int, error: str, now) -> None:
    head = (
        OutboxMessage.objects.filter(dossier_id=dossier_id, state__in=UNSENT)
        .order_by("created_at", "id")
        .first()
    )
    if head is not None:
        _mark_failed(head, error, now)
        _release(
            list(OutboxMessage.objects.filter(dossier_id=dossier_id).values_list("pk", flat=True))
        )


def _release(ids: list[int]) -> None:
    if ids:
        OutboxMessage.objects.filter(pk__in=ids, state__in=UNSENT).update(locked_until=None)


# --- agency-level messages (dossier null) ----------------------------------------------------


def send_satisfaction(message: OutboxMessage) -> None:
    """The agency's month as rated now (late ratings count). A month without ratings is not
    sent: the national schema wants at least one item (assumption 37 of docs/dvcqg.md)."""
    from cchc.dossiers.ratings import parse_month, satisfaction_payload

    month_text = str((message.payload or {}).get("month") or "")
    try:
        if not month_text:
            raise ValueError(month_text)
        month = parse_month(month_text, today=timezone.now().date())
    except ValueError:
        raise AdapterError(
            _("Tin không ghi tháng tổng hợp hợp lệ: “%(m)s”.") % {"m": month_text}
        ) from None
    if not message.agency.national_code:
        raise AdapterError(_("Cơ quan chưa có mã định danh đơn vị trên Cổng DVCQG."))
    body = satisfaction_payload(agency=message.agency, month=month)
    if body["data"]:
        _agency_call(message, message.agency, SATISFACTION_SYNC, body)


AGENCY_SENDERS = {SATISFACTION_SYNC: send_satisfaction}


def due_agency_message_ids(now: dt.datetime, limit: int = 100) -> list[int]:
    """Agency-level messages (no dossier) that are due, not dead and held by no worker; each
    stands alone (one month's failure does not hold back another's)."""
    free = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return list(
        OutboxMessage.objects.filter(dossier__isnull=True, state__in=(State.PENDING, State.FAILED))
        .filter(free, due)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def claim_message(pk: int, now: dt.datetime) -> OutboxMessage | None:
    """One agency-level message leased to this worker, or None when another holds it."""
    lease = now + dt.timedelta(seconds=settings.DVCQG_LEASE_SECONDS)
    free = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    with transaction.atomic():
        row = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, dossier__isnull=True, state__in=(State.PENDING, State.FAILED))
            .first()
        )
        if row is None:
            return None
        if not OutboxMessage.objects.filter(pk=pk).filter(free).update(locked_until=lease):
            return None
    row.locked_until = lease
    return row


def sync_agency_message(pk: int, *, now=None) -> tuple[int, int]:
    """Send one agency-level message; (sent, failed), (0, 0) when another worker holds it."""
    now = now or timezone.now()
    message = claim_message(pk, now)
    if message is None:
        return 0, 0
    sender = AGENCY_SENDERS.get(message.service)
    try:
        if sender is None:
            raise AdapterError(_("Không rõ dịch vụ %(s)s.") % {"s": message.service})
        sender(message)
    except AdapterError as error:
        _mark_failed(message, error.message, now)
        return 0, 1
    _mark_sent(message, now)
    return 1, 0


def _sync_agency_messages(now, limit: int, result: PassResult) -> None:
    for pk in due_agency_message_ids(now, limit):
        try:
            sent, failed = sync_agency_message(pk, now=now)
        except Exception as error:  # noqa: BLE001 - one agency's bug must not stop the others
            message = OutboxMessage.objects.get(pk=pk)
            _mark_failed(message, f"{type(error).__name__}: {error}", now)
            sent, failed = 0, 1
        result.agency_messages += 1
        result.count(sent, failed)


def sync_pass(*, now=None, limit: int = 100) -> PassResult:
    """One pass of the worker over the due dossiers, then the due agency-level messages."""
    now = now or timezone.now()
    result = PassResult()
    for dossier_id in due_dossier_ids(now, limit):
        try:
            sent, failed = sync_dossier(dossier_id, now=now)
        except Exception as error:  # noqa: BLE001 - one dossier's bug must not stop the others
            _fail_head(dossier_id, f"{type(error).__name__}: {error}", now)
            sent, failed = 0, 1
        result.dossiers += 1
        result.count(sent, failed)
    _sync_agency_messages(now, limit, result)
    return result


# --- administrators ---------------------------------------------------------------------------


def may_administer(user, agency_id: int) -> bool:
    """The agency's system administrators (and superusers) see failures and retry them."""
    if not user.is_authenticated or not acts_for(user, agency_id):
        return False
    return user.is_superuser or user.has_role(Role.SYSTEM_ADMIN)


def retry_message(*, actor, message: OutboxMessage, now=None) -> OutboxMessage:
    """ "Gửi lại": the failed or dead message is due again now, counted afresh; so are the
    dossier's later dead messages (they waited behind it)."""
    if not may_administer(actor, message.agency_id):
        raise PermissionDenied(_("Chỉ quản trị hệ thống của cơ quan được gửi lại."))
    now = now or timezone.now()
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if message.state not in (State.FAILED, State.DEAD):
            raise TransitionError(
                _("Tin này không ở trạng thái lỗi (hiện: %(s)s).")
                % {"s": message.get_state_display()},
                code="conflict",
            )
        previous = message.state
        revived = Q(pk=message.pk)
        if message.dossier_id is not None:  # an agency-level message stands alone
            revived |= Q(dossier_id=message.dossier_id, state=State.DEAD)
        OutboxMessage.objects.filter(revived).update(
            state=State.PENDING, attempts=0, next_attempt_at=now, locked_until=None
        )
        message.refresh_from_db()
        audit_record(
            actor=actor,
            obj=message,
            action="nationalportal.retry",
            from_state=previous,
            to_state=message.state,
            agency=message.agency,
        )
        from cchc.nationalportal.tasks import sync_national_portal

        transaction.on_commit(lambda: sync_national_portal.enqueue())
    return message
