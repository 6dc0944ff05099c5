"""Writes of the one-stop desk. Every transition checks status and role, locks the dossier row,
records a hand-over line and an audit entry, and queues the notification after commit."""

import datetime as dt
import secrets
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.files import check_upload, store_upload
from cchc.core.models import Agency
from cchc.core.roles import Role
from cchc.core.services import audit_record
from cchc.core.workcalendar import DueDate, Step, WorkingCalendar, fmt_local, local_tz
from cchc.dossiers import clock
from cchc.dossiers.models import (
    Channel,
    DayCounter,
    Dossier,
    DossierFile,
    HandOver,
    MonthlyFigure,
    Status,
    SupplementRequest,
)
from cchc.dossiers.selectors import lookup_cache_key
from cchc.procedures.models import Procedure

SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DESK_ROLES = (Role.ONE_STOP_OFFICER, Role.SYSTEM_ADMIN)
PROCESS_ROLES = (Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.SYSTEM_ADMIN)
LEADER_ROLES = (Role.ONE_STOP_OFFICER, Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.SYSTEM_ADMIN)


class TransitionError(ValidationError):
    """A transition not allowed from the dossier's current status (409 in the API)."""


@dataclass(frozen=True)
class Applicant:
    kind: str
    name: str
    id_number: str
    phone: str
    address: str
    email: str = ""
    representative_name: str = ""
    representative_phone: str = ""


def next_code(*, agency: Agency, day: dt.date) -> str:
    """The next gapless code `<agency>-YYMMDD-NNNN`; call inside the transaction that saves it."""
    # Two desks receiving at once would read the same "last": the counter row is locked.
    DayCounter.objects.bulk_create([DayCounter(agency=agency, day=day)], ignore_conflicts=True)
    counter = DayCounter.objects.select_for_update(no_key=True, of=("self",)).get(
        agency=agency, day=day
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{agency.code}-{day:%y%m%d}-{counter.last:04d}"


def _count_month(dossier: Dossier, moment: dt.datetime, **increments) -> None:
    """Add to the monthly figures in the caller's transaction (the UPDATE locks the row)."""
    month = moment.astimezone(local_tz()).date().replace(day=1)
    key = {"agency_id": dossier.agency_id, "procedure_id": dossier.procedure_id, "month": month}
    MonthlyFigure.objects.bulk_create([MonthlyFigure(**key)], ignore_conflicts=True)
    MonthlyFigure.objects.filter(**key).update(**{k: F(k) + v for k, v in increments.items()})


def rebuild_monthly_figures(*, agency: Agency) -> int:
    """Recompute the monthly figures of an agency from its dossiers (after bulk loads)."""
    from django.db.models import Count, Q
    from django.db.models.functions import TruncMonth

    tz = local_tz()
    rows: dict = {}
    base = Dossier.objects.filter(agency=agency)
    for field, counts in (
        ("received_at", {"received": Count("id")}),
        (
            "decided_at",
            {
                "decided": Count("id"),
                "early": Count("id", filter=Q(outcome="early")),
                "on_time": Count("id", filter=Q(outcome="on_time")),
                "late": Count("id", filter=Q(outcome="late")),
            },
        ),
    ):
        grouped = (
            base.filter(**{f"{field}__isnull": False})
            .annotate(month=TruncMonth(field, tzinfo=tz))
            .values("procedure_id", "month")
            .annotate(**counts)
        )
        for row in grouped:
            month = row.pop("month")
            month = month.date() if hasattr(month, "date") else month
            key = (row.pop("procedure_id"), month)
            rows.setdefault(key, {}).update(row)
    with transaction.atomic():
        MonthlyFigure.objects.filter(agency=agency).delete()
        MonthlyFigure.objects.bulk_create(
            [
                MonthlyFigure(agency=agency, procedure_id=p, month=m, **v)
                for (p, m), v in rows.items()
            ],
            batch_size=1000,
        )
    return len(rows)


def new_secret() -> str:
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(8))


def _require_role(actor, roles, agency: Agency) -> None:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Bạn cần đăng nhập."))
    if actor.is_superuser:
        return
    if not actor.has_role(*roles) or actor.agency != agency:
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."))


def _require_status(dossier: Dossier, *allowed) -> None:
    if dossier.status not in allowed:
        raise TransitionError(
            _("Không thể thực hiện: hồ sơ %(code)s đang ở trạng thái “%(status)s”.")
            % {"code": dossier.code, "status": dossier.get_status_display()},
            code="conflict",
        )


def _lock(dossier: Dossier) -> Dossier:
    return (
        Dossier.objects.select_for_update(no_key=True, of=("self",))
        .select_related("procedure", "agency")
        .get(pk=dossier.pk)
    )


def _now(at=None) -> dt.datetime:
    return at or timezone.now()


def _explain(due: DueDate) -> list[dict]:
    return [s.as_dict() for s in due.explanation]


def _record(
    dossier,
    *,
    actor,
    action,
    from_status,
    note="",
    to_unit=None,
    to_user=None,
    step_due_at=None,
    outcome="",
    step_name="",
    at=None,
):
    HandOver.objects.create(
        dossier=dossier,
        at=_now(at),
        action=action,
        step_name=step_name,
        from_user=actor if actor is not None and actor.is_authenticated else None,
        from_unit=getattr(actor, "unit", None)
        if actor is not None and actor.is_authenticated
        else None,
        to_unit=to_unit,
        to_user=to_user,
        step_due_at=step_due_at,
        outcome=outcome,
        from_status=from_status,
        to_status=dossier.status,
        note=note,
    )
    keys = [lookup_cache_key(dossier.code), lookup_cache_key(dossier.code, full=True)]
    transaction.on_commit(lambda: cache.delete_many(keys))
    audit_record(
        actor=actor,
        obj=dossier,
        action=f"dossier.{action}",
        from_state=str(from_status or ""),
        to_state=str(dossier.status),
        reason=note,
        agency=dossier.agency,
    )


def _notify(dossier: Dossier, kind: str) -> None:
    from cchc.dossiers.tasks import send_dossier_mail

    if dossier.applicant_email:
        transaction.on_commit(lambda: send_dossier_mail.enqueue(dossier.pk, kind))


def _save_uploads(agency: Agency, files, *, is_result: bool = False) -> list[DossierFile]:
    """Write the uploads to storage before any row is locked; rows are added by `_attach`."""
    folder = f"dossiers/{agency.code}/{uuid.uuid4().hex}"
    saved = []
    for component, upload in files:
        checked = check_upload(upload, kinds=("pdf", "image", "office"), max_bytes=10 * 1024 * 1024)
        saved.append(
            DossierFile(
                component=component,
                name=component.name if component else checked.original_name,
                path=store_upload(checked, folder=folder),
                original_name=checked.original_name,
                mime=checked.mime,
                size=checked.size,
                sha256=checked.sha256,
                is_result=is_result,
            )
        )
    return saved


def _attach(dossier: Dossier, saved: list[DossierFile]) -> None:
    for row in saved:
        row.dossier = dossier
    DossierFile.objects.bulk_create(saved)


@contextmanager
def _cleanup_on_failure(saved: list[DossierFile]):
    """Delete stored files when the transaction that should reference them fails."""
    try:
        yield
    except BaseException:
        for row in saved:
            default_storage.delete(row.path)
        raise


def check_component_files(procedure: Procedure, files: dict) -> list[tuple]:
    """Validate uploads keyed by component id: every required component present, type and size
    sniffed. Returns [(component, upload)]; raises ValidationError keyed by field name."""
    errors, pairs = {}, []
    for component in procedure.components.all():
        upload = files.get(f"component_{component.pk}")
        if upload is None:
            if component.required:
                errors[f"component_{component.pk}"] = _("Thiếu “%(name)s”.") % {
                    "name": component.name
                }
            continue
        try:
            check_upload(upload, kinds=("pdf", "image", "office"), max_bytes=10 * 1024 * 1024)
        except ValidationError as error:
            errors[f"component_{component.pk}"] = error.messages[0]
            continue
        pairs.append((component, upload))
    if errors:
        raise ValidationError(errors)
    return pairs


def _check_procedure(procedure: Procedure) -> None:
    if not procedure.accepts_dossiers:
        raise ValidationError(
            _("Thủ tục “%(name)s” chưa nhận hồ sơ: thời hạn giải quyết chưa được xác định.")
            % {"name": procedure.name}
        )


def dossier_file_online(
    *,
    procedure: Procedure,
    applicant: Applicant,
    files: dict,
    agency: Agency,
    owner=None,
    at=None,
    notify: bool = True,
) -> tuple[Dossier, str]:
    """Online filing (status 1). Returns the dossier and the lookup secret (shown once).

    ``notify=False`` files it without the e-mail notice (the caller's limit on notices to one
    recipient or from one sender is reached)."""
    _check_procedure(procedure)
    if procedure.online_form == Procedure.OnlineForm.NONE:
        raise ValidationError(_("Thủ tục này không nhận hồ sơ trực tuyến."))
    pairs = check_component_files(procedure, files)
    moment = _now(at)
    secret = new_secret()
    saved = _save_uploads(agency, pairs)
    with _cleanup_on_failure(saved), transaction.atomic():
        dossier = _create(
            procedure,
            applicant,
            agency,
            Channel.ONLINE,
            Status.SUBMITTED,
            moment,
            secret,
            owner,
            digitised=True,
        )
        _attach(dossier, saved)
        _record(dossier, actor=owner, action="file_online", from_status=None, at=moment)
        if notify:
            _notify(dossier, "submitted")
    return dossier, secret


def _create(
    procedure, applicant, agency, channel, status, moment, secret, owner, **extra
) -> Dossier:
    day = moment.astimezone(local_tz()).date()
    # Everything else is ready before the counter row is locked, so the lock is held briefly.
    return Dossier.objects.create(
        **extra,
        code=next_code(agency=agency, day=day),
        agency=agency,
        procedure=procedure,
        channel=channel,
        status=status,
        owner=owner if owner is not None and owner.is_authenticated else None,
        secret_hash=Dossier.hash_secret(secret),
        applicant_kind=applicant.kind,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        representative_name=applicant.representative_name,
        representative_phone=applicant.representative_phone,
        full_online=channel == Channel.ONLINE
        and procedure.online_form == Procedure.OnlineForm.FULL,
        submitted_at=moment,
    )


def _start_clock(dossier: Dossier, moment: dt.datetime, *, extra: list[dict] = ()) -> None:
    due = clock.legal_due(
        procedure=dossier.procedure,
        start=moment,
        channel=dossier.channel,
        full_online=dossier.full_online,
    )
    dossier.clock_start = moment
    dossier.due_at = due.due
    dossier.due_explanation = [*extra, *_explain(due)]


def dossier_receive_paper(
    *,
    actor,
    procedure: Procedure,
    applicant: Applicant,
    channel: int = Channel.IN_PERSON,
    files: dict | None = None,
    digitised: bool = False,
    at=None,
) -> tuple[Dossier, str]:
    """A paper dossier at the desk (in person or by post): received at once (status 2), BM.01."""
    agency = actor.agency if actor and actor.is_authenticated else None
    _require_role(actor, DESK_ROLES, agency)
    _check_procedure(procedure)
    if channel not in (Channel.IN_PERSON, Channel.POST):
        raise ValidationError(_("Hồ sơ giấy chỉ nhận trực tiếp hoặc qua bưu chính."))
    pairs = check_component_files(procedure, files) if files else []
    moment = _now(at)
    secret = new_secret()
    due = clock.legal_due(procedure=procedure, start=moment, channel=channel)
    saved = _save_uploads(agency, pairs)
    with _cleanup_on_failure(saved), transaction.atomic():
        dossier = _create(
            procedure,
            applicant,
            agency,
            channel,
            Status.RECEIVED,
            moment,
            secret,
            None,
            received_at=moment,
            clock_start=moment,
            due_at=due.due,
            due_explanation=_explain(due),
            digitised=digitised or bool(pairs),
        )
        _attach(dossier, saved)
        _count_month(dossier, moment, received=1)
        _record(
            dossier,
            actor=actor,
            action="receive",
            from_status=None,
            at=moment,
            step_due_at=dossier.due_at,
        )
        _notify(dossier, "received")
    return dossier, secret


def dossier_accept(*, actor, dossier: Dossier, at=None) -> Dossier:
    """Accept an online dossier at the desk: status 2, the legal clock starts now (BM.01)."""
    _require_role(actor, DESK_ROLES, dossier.agency)
    moment = _now(at)
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_status(dossier, Status.SUBMITTED)
        _check_procedure_version(dossier)
        previous = dossier.status
        dossier.status = Status.RECEIVED
        dossier.received_at = moment
        _start_clock(dossier, moment)
        dossier.save()
        _count_month(dossier, moment, received=1)
        _record(
            dossier,
            actor=actor,
            action="accept",
            from_status=previous,
            at=moment,
            step_due_at=dossier.due_at,
        )
        _notify(dossier, "received")
    return dossier


def _check_procedure_version(dossier: Dossier) -> None:
    if dossier.procedure.time is None:
        raise ValidationError(_("Thủ tục của hồ sơ chưa có thời hạn giải quyết."))


def dossier_refuse(*, actor, dossier: Dossier, reason: str, at=None) -> Dossier:
    """Refuse at reception (status 3) with the reason printed on BM.03."""
    _require_role(actor, DESK_ROLES, dossier.agency)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Cần ghi rõ lý do từ chối tiếp nhận.")})
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_status(dossier, Status.SUBMITTED)
        previous = dossier.status
        dossier.status = Status.REFUSED
        dossier.refusal_reason = reason.strip()
        dossier.closed_at = _now(at)
        dossier.save(update_fields=["status", "refusal_reason", "closed_at"])
        _record(
            dossier,
            actor=actor,
            action="refuse",
            from_status=previous,
            note=dossier.refusal_reason,
            at=at,
        )
        _notify(dossier, "refused")
    return dossier


def dossier_request_supplement(
    *, actor, dossier: Dossier, items: str, late_reason: str = "", at=None
) -> SupplementRequest:
    """Ask for a supplement (BM.02). At reception the clock has not started; during processing it
    stops, and the full legal time restarts when the supplement arrives. Later than 3 working days
    after reception the request needs a written reason and counts as a violation."""
    moment = _now(at)
    if not (items or "").strip():
        raise ValidationError({"items": _("Cần ghi rõ giấy tờ, nội dung cần bổ sung.")})
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_status(dossier, Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING)
        at_reception = dossier.status == Status.SUBMITTED
        _require_role(
            actor, DESK_ROLES if at_reception else (*DESK_ROLES, *PROCESS_ROLES), dossier.agency
        )
        late = False
        if not at_reception:
            _require_in_charge(actor, dossier)
            # Counted like the legal time: a paper dossier received after 15:00 from the next
            # working day.
            cal = WorkingCalendar()
            start, _notes = clock.counting_start(dossier.received_at, dossier.channel, cal)
            elapsed = cal.working_days_between(start, moment).days
            late = elapsed > clock.SUPPLEMENT_LIMIT_DAYS
            if late and not (late_reason or "").strip():
                raise ValidationError(
                    {
                        "late_reason": _(
                            "Đã quá 3 ngày làm việc kể từ khi tiếp nhận (%(days)s ngày): cần ghi rõ lý do "
                            "yêu cầu bổ sung muộn; trường hợp này được tính là vi phạm."
                        )
                        % {"days": str(elapsed).replace(".", ",")}
                    }
                )
        request = SupplementRequest.objects.create(
            dossier=dossier,
            requested_at=moment,
            requested_by=actor,
            at_reception=at_reception,
            items=items.strip(),
            late=late,
            late_reason=(late_reason or "").strip() if late else "",
        )
        previous = dossier.status
        dossier.status = Status.SUPPLEMENT
        dossier.paused_at = None if at_reception else moment
        dossier.late_supplement = dossier.late_supplement or late
        dossier.save(update_fields=["status", "paused_at", "late_supplement"])
        _record(
            dossier,
            actor=actor,
            action="request_supplement",
            from_status=previous,
            note=items.strip(),
            at=moment,
        )
        _notify(dossier, "supplement")
    return request


def dossier_supplement(*, dossier: Dossier, files: dict, actor=None, at=None) -> Dossier:
    """The applicant's supplement arrives: back to the desk when asked at reception; otherwise
    processing resumes and the full legal time restarts from this moment."""
    moment = _now(at)
    pairs = []
    for key, upload in (files or {}).items():
        check_upload(upload, kinds=("pdf", "image", "office"), max_bytes=10 * 1024 * 1024)
        number = str(key).removeprefix("component_")
        component = (
            dossier.procedure.components.filter(pk=int(number)).first()
            if number.isascii() and number.isdigit()  # "²".isdigit() is True, int("²") fails
            else None
        )
        pairs.append((component, upload))
    if not pairs:
        raise ValidationError({"files": _("Cần đính kèm ít nhất một tệp bổ sung.")})
    saved = _save_uploads(dossier.agency, pairs)
    with _cleanup_on_failure(saved), transaction.atomic():
        dossier = _lock(dossier)
        _require_status(dossier, Status.SUPPLEMENT)
        request = dossier.supplements.filter(fulfilled_at__isnull=True).last()
        _attach(dossier, saved)
        previous = dossier.status
        if request is not None:
            request.fulfilled_at = moment
            request.save(update_fields=["fulfilled_at"])
        if request is None or request.at_reception:
            dossier.status = Status.SUBMITTED
            dossier.save(update_fields=["status"])
            _record(dossier, actor=actor, action="supplement", from_status=previous, at=moment)
        else:
            pause = {
                "date": None,
                "kind": "pause",
                "text": _(
                    "Tạm dừng chờ bổ sung từ %(a)s đến %(b)s; tính lại toàn bộ thời hạn từ khi nhận bổ sung"
                )
                % {
                    "a": fmt_local(dossier.paused_at),
                    "b": fmt_local(moment),
                },
            }
            earlier = [e for e in dossier.due_explanation if e.get("kind") == "pause"]
            _start_clock_online(dossier, moment, extra=[*earlier, pause])
            dossier.status = Status.PROCESSING if dossier.current_step_id else Status.RECEIVED
            dossier.paused_at = None
            if dossier.current_step_id:
                dossier.step_due_at = (
                    WorkingCalendar()
                    .add_working_days(moment, dossier.current_step.working_days)
                    .due
                )
            dossier.save()
            _record(
                dossier,
                actor=actor,
                action="supplement",
                from_status=previous,
                at=moment,
                step_due_at=dossier.due_at,
            )
    return dossier


def _start_clock_online(dossier, moment, *, extra):
    # The restart counts from the arrival itself, whatever the channel (no 15:00 shift).
    due = WorkingCalendar().add(
        moment,
        dossier.procedure.legal_time_for(full_online=dossier.full_online),
        dossier.procedure.time_unit,
    )
    dossier.clock_start = moment
    dossier.due_at = due.due
    dossier.due_explanation = [*extra, *_explain(due)]


def dossier_hand_over(*, actor, dossier: Dossier, note: str = "", to_user=None, at=None) -> Dossier:
    """Finish the current step (classified early / on time / late) and pass to the next one."""
    moment = _now(at)
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_status(dossier, Status.RECEIVED, Status.PROCESSING)
        _require_role(
            actor,
            (*DESK_ROLES, *PROCESS_ROLES) if dossier.status == Status.RECEIVED else PROCESS_ROLES,
            dossier.agency,
        )
        _require_in_charge(actor, dossier)
        if to_user is not None and (
            to_user.agency is None or to_user.agency.pk != dossier.agency_id
        ):
            raise ValidationError({"to_user": _("Người nhận phải là cán bộ của cơ quan.")})
        steps = list(dossier.procedure.steps.select_related("unit"))
        current = dossier.current_step
        outcome = clock.classify(moment, dossier.step_due_at) if current else ""
        following = [s for s in steps if current is None or s.order > current.order]
        if not following:
            raise TransitionError(
                _("Đây là bước cuối của quy trình: hãy cập nhật kết quả giải quyết."),
                code="conflict",
            )
        step = following[0]
        previous = dossier.status
        dossier.status = Status.PROCESSING
        dossier.current_step = step
        dossier.current_unit = step.unit or (to_user.unit if to_user else dossier.current_unit)
        dossier.current_handler = to_user
        dossier.step_due_at = WorkingCalendar().add_working_days(moment, step.working_days).due
        dossier.save(
            update_fields=[
                "status",
                "current_step",
                "current_unit",
                "current_handler",
                "step_due_at",
            ]
        )
        _record(
            dossier,
            actor=actor,
            action="hand_over",
            from_status=previous,
            note=note,
            to_unit=dossier.current_unit,
            to_user=to_user,
            step_due_at=dossier.step_due_at,
            outcome=outcome,
            step_name=f"{current.name} → {step.name}" if current else step.name,
            at=moment,
        )
    return dossier


def _require_in_charge(actor, dossier: Dossier) -> None:
    """Processing staff act on dossiers at their own unit; desk and agency-wide roles on all."""
    if actor.is_superuser or actor.is_agency_wide or actor.has_role(Role.ONE_STOP_OFFICER):
        return
    if dossier.current_unit_id and dossier.current_unit_id != actor.unit_id:
        raise PermissionDenied(_("Hồ sơ đang ở đơn vị khác."))


def dossier_apologise(
    *, actor, dossier: Dossier, reason: str, new_due_at: dt.datetime, at=None
) -> Dossier:
    """Apology and one new appointment (BM.04), no later than 1 working day before the due time."""
    moment = _now(at)
    _require_role(actor, LEADER_ROLES, dossier.agency)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Cần ghi rõ lý do quá hạn.")})
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_status(dossier, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FEES)
        if dossier.appointment_at is not None:
            raise TransitionError(
                _("Hồ sơ đã được hẹn lại một lần; không được hẹn lại lần thứ hai."), code="conflict"
            )
        cal = WorkingCalendar()
        if cal.working_days_between(moment, dossier.due_at).days < 1:
            raise ValidationError(
                {
                    "reason": _(
                        "Văn bản xin lỗi phải gửi chậm nhất 1 ngày làm việc trước hạn (%(due)s)."
                    )
                    % {"due": fmt_local(dossier.due_at)}
                }
            )
        if new_due_at <= dossier.due_at:
            raise ValidationError(
                {"new_due_at": _("Ngày hẹn mới phải sau hạn giải quyết hiện tại.")}
            )
        previous = dossier.status
        dossier.appointment_at = new_due_at
        dossier.apology_reason = reason.strip()
        dossier.apologised_at = moment
        dossier.due_explanation = [
            *dossier.due_explanation,
            Step(
                new_due_at.date(),
                "reappointment",
                _("Xin lỗi và hẹn lại: %(m)s") % {"m": fmt_local(new_due_at)},
            ).as_dict(),
        ]
        dossier.save(
            update_fields=["appointment_at", "apology_reason", "apologised_at", "due_explanation"]
        )
        _record(
            dossier,
            actor=actor,
            action="apologise",
            from_status=previous,
            note=reason.strip(),
            at=moment,
        )
        _notify(dossier, "reappointed")
    return dossier


def dossier_require_fees(*, actor, dossier: Dossier, amount: Decimal, at=None) -> Dossier:
    _require_role(actor, PROCESS_ROLES, dossier.agency)
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_status(dossier, Status.PROCESSING)
        previous = dossier.status
        dossier.status, dossier.fee_amount = Status.FEES, amount
        dossier.save(update_fields=["status", "fee_amount"])
        _record(
            dossier,
            actor=actor,
            action="require_fees",
            from_status=previous,
            note=str(amount),
            at=at,
        )
    return dossier


def dossier_fees_paid(*, actor, dossier: Dossier, at=None) -> Dossier:
    _require_role(actor, (*DESK_ROLES, *PROCESS_ROLES), dossier.agency)
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_status(dossier, Status.FEES)
        previous = dossier.status
        dossier.status = Status.PROCESSING
        dossier.save(update_fields=["status"])
        _record(dossier, actor=actor, action="fees_paid", from_status=previous, at=at)
    return dossier


def dossier_decide(
    *, actor, dossier: Dossier, result_text: str, result_file=None, at=None
) -> Dossier:
    """The result is ready (status 9): the dossier is classified early / on time / late."""
    moment = _now(at)
    _require_role(actor, PROCESS_ROLES, dossier.agency)
    if not (result_text or "").strip():
        raise ValidationError({"result_text": _("Cần ghi kết quả giải quyết.")})
    saved = []
    if result_file is not None:
        check_upload(result_file, kinds=("pdf", "image"), max_bytes=10 * 1024 * 1024)
        saved = _save_uploads(dossier.agency, [(None, result_file)], is_result=True)
    with _cleanup_on_failure(saved), transaction.atomic():
        dossier = _lock(dossier)
        _require_status(dossier, Status.RECEIVED, Status.PROCESSING)
        _require_in_charge(actor, dossier)
        previous = dossier.status
        step_outcome = (
            clock.classify(moment, dossier.step_due_at) if dossier.current_step_id else ""
        )
        dossier.status = Status.DECIDED
        dossier.decided_at = moment
        dossier.outcome = clock.classify(moment, dossier.due_at)
        dossier.result_text = result_text.strip()
        if saved:
            _attach(dossier, saved)
            dossier.result_digitised = True
        dossier.save(
            update_fields=["status", "decided_at", "outcome", "result_text", "result_digitised"]
        )
        _count_month(
            dossier, moment, decided=1, **({dossier.outcome: 1} if dossier.outcome else {})
        )
        _record(
            dossier,
            actor=actor,
            action="decide",
            from_status=previous,
            note=dossier.result_text,
            outcome=step_outcome,
            step_due_at=dossier.step_due_at,
            at=moment,
        )
        _notify(dossier, "decided")
    return dossier


def dossier_return(*, actor, dossier: Dossier, at=None) -> Dossier:
    """Hand the result to the applicant (status 10)."""
    moment = _now(at)
    _require_role(actor, DESK_ROLES, dossier.agency)
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_status(dossier, Status.DECIDED)
        previous = dossier.status
        dossier.status = Status.RETURNED
        dossier.returned_at = dossier.closed_at = moment
        dossier.save(update_fields=["status", "returned_at", "closed_at"])
        _record(dossier, actor=actor, action="return", from_status=previous, at=moment)
        _notify(dossier, "returned")
    return dossier


def dossier_withdraw(*, actor, dossier: Dossier, reason: str, at=None) -> Dossier:
    _require_role(actor, DESK_ROLES, dossier.agency)
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_status(
            dossier,
            Status.SUBMITTED,
            Status.RECEIVED,
            Status.PROCESSING,
            Status.SUPPLEMENT,
            Status.FEES,
        )
        previous = dossier.status
        dossier.status = Status.WITHDRAWN
        dossier.closed_at = _now(at)
        dossier.save(update_fields=["status", "closed_at"])
        _record(dossier, actor=actor, action="withdraw", from_status=previous, note=reason, at=at)
    return dossier


def dossier_stop(*, actor, dossier: Dossier, reason: str, at=None) -> Dossier:
    _require_role(actor, (Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.SYSTEM_ADMIN), dossier.agency)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Cần ghi rõ lý do dừng xử lý.")})
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_status(dossier, Status.PROCESSING, Status.SUPPLEMENT, Status.FEES)
        previous = dossier.status
        dossier.status = Status.STOPPED
        dossier.closed_at = _now(at)
        dossier.save(update_fields=["status", "closed_at"])
        _record(dossier, actor=actor, action="stop", from_status=previous, note=reason, at=at)
    return dossier


class AlreadyClaimed(TransitionError):
    """The dossier is already in another account's list (409 in the API)."""


def dossier_claim(*, user, code: str, secret: str) -> tuple[Dossier, bool]:
    """Add a dossier to the signed-in person's "my dossiers" with its code and lookup secret
    (the phone number is not enough). Returns the dossier and whether it was added now.

    An unknown code and a wrong secret both raise PermissionDenied, with nothing to tell them
    apart. Claiming one's own dossier again changes nothing. A dossier in another account's
    list raises AlreadyClaimed: only a holder of the secret learns that, so it reveals nothing
    to someone guessing codes."""
    from cchc.dossiers.selectors import clean_code

    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Bạn cần đăng nhập."))
    found = Dossier.objects.select_related("agency").filter(code=clean_code(code)).first()
    if found is None or not found.secret_matches(secret):
        raise PermissionDenied
    if found.owner_id == user.pk:
        return found, False
    with transaction.atomic():
        # One conditional UPDATE: of two accounts claiming at once, exactly one gets it.
        if not Dossier.objects.filter(pk=found.pk, owner__isnull=True).update(owner=user):
            if Dossier.objects.filter(pk=found.pk, owner=user).exists():
                return found, False  # the same person, twice at once
            raise AlreadyClaimed(
                _(
                    "Hồ sơ này đã gắn với một tài khoản khác. Nếu bạn là người nộp, vui lòng "
                    "liên hệ Bộ phận tiếp nhận và trả kết quả."
                ),
                code="conflict",
            )
        found.owner = user
        audit_record(actor=user, obj=found, action="dossier.claim", agency=found.agency)
    return found, True
