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
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.files import check_upload, store_upload
from cchc.core.models import Agency
from cchc.core.roles import Role
from cchc.core.services import audit_record
from cchc.core.transitions import StaleError, Transition, TransitionError, Workflow
from cchc.core.workcalendar import DueDate, Step, WorkingCalendar, fmt_local, local_tz
from cchc.dossiers import clock
from cchc.dossiers.models import (
    Channel,
    DayCounter,
    Dossier,
    DossierFile,
    FeeLine,
    HandOver,
    MonthlyFigure,
    PaidOnline,
    Status,
    SupplementRequest,
)
from cchc.dossiers.selectors import lookup_cache_key
from cchc.esign import services as esign_services
from cchc.nationalportal import outbox as national_outbox
from cchc.procedures.models import Procedure, ProcedureStep

SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DESK_ROLES = (Role.ONE_STOP_OFFICER, Role.SYSTEM_ADMIN)
PROCESS_ROLES = (Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.SYSTEM_ADMIN)
LEADER_ROLES = (Role.ONE_STOP_OFFICER, Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.SYSTEM_ADMIN)
# Who acts at a step that names no role: anyone of the step's unit who works dossiers.
STEP_ROLES = (Role.ONE_STOP_OFFICER, Role.SPECIALIST, Role.UNIT_LEADER, Role.AGENCY_LEADER)
__all__ = ["StaleError", "TransitionError"]


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


def _same_agency(actor, dossier) -> str | None:
    if actor.is_superuser:
        return None
    if actor.agency is None or actor.agency.pk != dossier.agency_id:
        return _("Hồ sơ thuộc cơ quan khác.")
    return None


def _having(roles, message):
    """who(): the person holds one of `roles` in the dossier's agency."""

    def who(actor, dossier):
        if refused := _same_agency(actor, dossier):
            return refused
        if actor.is_superuser or actor.has_role(*roles):
            return None
        return str(message)

    return who


_desk = _having(DESK_ROLES, _("Chỉ cán bộ một cửa của cơ quan thực hiện thao tác này."))
_leader = _having(LEADER_ROLES, _("Chỉ lãnh đạo hoặc cán bộ một cửa thực hiện thao tác này."))
_stopper = _having(
    (Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.SYSTEM_ADMIN),
    _("Chỉ lãnh đạo đơn vị hoặc lãnh đạo cơ quan được dừng xử lý hồ sơ."),
)


def steps_of(dossier: Dossier) -> list[ProcedureStep]:
    """The ordered internal steps of the dossier's procedure version (cached on the object)."""
    if not hasattr(dossier, "_steps"):
        dossier._steps = list(dossier.procedure.steps.select_related("unit").order_by("order"))
    return dossier._steps


def decision_step(dossier: Dossier) -> ProcedureStep | None:
    """The step marked "trình ký, phê duyệt", or the last step when none is marked."""
    steps = steps_of(dossier)
    return next((s for s in steps if s.is_decision), steps[-1] if steps else None)


def _current(dossier: Dossier) -> ProcedureStep | None:
    return next((s for s in steps_of(dossier) if s.pk == dossier.current_step_id), None)


def step_text(step: ProcedureStep) -> str:
    return _("%(order)s “%(name)s”") % {"order": step.order, "name": step.name}


def step_people(step: ProcedureStep) -> list:
    """The active people of the step's unit who hold the step's role."""
    from cchc.core.models import User

    people = User.objects.filter(is_active=True, unit__isnull=False)
    people = people.filter(unit=step.unit) if step.unit_id else people
    people = people.filter(groups__name__in=[step.role] if step.role else list(STEP_ROLES))
    return list(people.distinct().order_by("last_name", "first_name"))


def step_refusal(actor, dossier: Dossier) -> str | None:
    """Why `actor` may not act at the dossier's current step (which step, which unit, who can);
    None when they may: the step's unit with the step's role, or the person it was assigned to."""
    if refused := _same_agency(actor, dossier):
        return refused
    step = _current(dossier)
    if step is None:
        # A procedure without internal steps: the desk and the processing staff at the unit.
        if not actor.is_superuser and not actor.has_role(*DESK_ROLES, *PROCESS_ROLES):
            return _("Bạn không có quyền xử lý hồ sơ.")
        if not _in_charge(actor, dossier):
            return _("Hồ sơ đang ở đơn vị khác.")
        return None
    unit_name = step.unit.name if step.unit_id else _("cơ quan")
    if dossier.current_handler_id:
        if dossier.current_handler_id == actor.pk:
            return None
        return _(
            "Hồ sơ đang ở bước %(step)s tại %(unit)s và đã được giao cho %(person)s; "
            "chỉ người được giao xử lý bước này (lãnh đạo đơn vị có thể giao lại)."
        ) % {
            "step": step_text(step),
            "unit": unit_name,
            "person": dossier.current_handler.display_name,
        }
    unit_ok = step.unit_id is None or actor.unit_id == step.unit_id
    role_ok = actor.has_role(step.role) if step.role else actor.has_role(*STEP_ROLES)
    if unit_ok and role_ok:
        return None
    people = ", ".join(p.display_name for p in step_people(step)) or _("chưa có ai")
    return _(
        "Hồ sơ đang ở bước %(step)s tại %(unit)s; người xử lý bước này: %(role)s của %(unit)s "
        "(%(people)s)."
    ) % {
        "step": step_text(step),
        "unit": unit_name,
        "role": step.get_role_display() if step.role else _("cán bộ"),
        "people": people,
    }


def _at_step(actor, dossier):
    return step_refusal(actor, dossier)


def _at_step_or_desk(actor, dossier):
    if _desk(actor, dossier) is None:
        return None
    return step_refusal(actor, dossier)


# The national payment platform confirms an online payment through cchc.payments as this
# system account: inactive, without a password (it cannot sign in), and allowed only once the
# dossier is recorded as paid on the platform.
PAYMENT_PLATFORM_USERNAME = "nen-tang-thanh-toan"


def _payment_platform_or(who):
    def check(actor, dossier):
        if (
            actor.username == PAYMENT_PLATFORM_USERNAME
            and not actor.is_active
            and not actor.has_usable_password()
            and dossier.paid_online == PaidOnline.NATIONAL
        ):
            return None
        return who(actor, dossier)

    return check


def _unit_leader_of_step(actor, dossier):
    if refused := _same_agency(actor, dossier):
        return refused
    step = _current(dossier)
    if step is None:
        return _("Hồ sơ chưa ở bước xử lý nào.")
    if actor.has_role(Role.UNIT_LEADER) and (step.unit_id is None or actor.unit_id == step.unit_id):
        return None
    return _("Chỉ lãnh đạo %(unit)s giao người xử lý bước %(step)s.") % {
        "unit": step.unit.name if step.unit_id else _("đơn vị"),
        "step": step_text(step),
    }


def _returner(actor, dossier):
    """The result goes out from the step after the decision when there is one; else the desk."""
    step, decision = _current(dossier), decision_step(dossier)
    if step is not None and decision is not None and step.order > decision.order:
        return step_refusal(actor, dossier)
    return _desk(actor, dossier)


def _next_steps(dossier: Dossier) -> list[ProcedureStep]:
    """The steps a hand-over may reach: the next one, or past it only over optional steps;
    never beyond the decision step."""
    current, decision = _current(dossier), decision_step(dossier)
    reachable = []
    for step in steps_of(dossier):
        if current is not None and step.order <= current.order:
            continue
        if decision is not None and step.order > decision.order:
            break
        reachable.append(step)
        if not step.optional:
            break
    return reachable


def _can_hand_over(dossier):
    if not steps_of(dossier):
        return _("Thủ tục chưa có quy trình nội bộ: hãy cập nhật kết quả giải quyết.")
    if not _next_steps(dossier):
        return _("Đây là bước trình ký, phê duyệt %(step)s: hãy cập nhật kết quả giải quyết.") % {
            "step": step_text(_current(dossier))
        }
    return None


def _can_send_back(dossier):
    current = _current(dossier)
    if current is None or not any(s.order < current.order for s in steps_of(dossier)):
        return _("Hồ sơ đang ở bước đầu của quy trình.")
    return None


def _not_yet_reappointed(dossier):
    """A late dossier gets a new appointment once only (Decree 61/2018, art. 19)."""
    if dossier.appointment_at is not None:
        return _("Hồ sơ đã được hẹn lại một lần; không được hẹn lại lần thứ hai.")
    return None


def _at_decision_step(dossier):
    decision = decision_step(dossier)
    if decision is None or dossier.current_step_id == decision.pk:
        return None
    current = _current(dossier)
    return _(
        "Chỉ cập nhật kết quả ở bước trình ký, phê duyệt %(decision)s; hồ sơ đang ở bước %(step)s."
    ) % {
        "decision": step_text(decision),
        "step": step_text(current) if current else _("tiếp nhận"),
    }


def _check(slug: str, actor, dossier: Dossier) -> Transition:
    return FLOW.check(slug, actor, dossier)


def _require_fresh(dossier: Dossier, step, version) -> None:
    """The request names the step and version the person saw; refuse it when the dossier has
    moved on since (checked under the row lock)."""
    if version is None:
        return
    if dossier.version == version and dossier.current_step_id == step:
        return
    current = _current(dossier)
    if current is not None and current.pk != step:
        message = _("Hồ sơ đã được chuyển sang bước %(step)s, hãy tải lại.") % {
            "step": step_text(current)
        }
    else:
        message = _("Hồ sơ đã được cập nhật (trạng thái “%(status)s”), hãy tải lại.") % {
            "status": dossier.get_status_display()
        }
    raise StaleError(message, code="stale")


def _enter(dossier: Dossier, step: ProcedureStep | None, moment, to_user=None) -> None:
    dossier.current_step = step
    if step is not None:
        dossier.current_unit = step.unit or (to_user.unit if to_user else dossier.current_unit)
        dossier.step_due_at = WorkingCalendar().add_working_days(moment, step.working_days).due
    dossier.current_handler = to_user


# The fields `_enter` sets.
STEP_FIELDS = ["current_step", "current_unit", "current_handler", "step_due_at"]


def _move_to_step(dossier, *, actor, transition, current, target, moment, note, to_user=None):
    """Hand the dossier from its current step to `target` (on or back), with its slip line:
    the step's result is measured against the due of the step it leaves."""
    outcome = clock.classify(moment, dossier.step_due_at) if current else ""
    previous = dossier.status
    dossier.status = transition.target
    _enter(dossier, target, moment, to_user)
    dossier.save(update_fields=["status", *STEP_FIELDS])
    _record(
        dossier,
        actor=actor,
        action=transition.audit,
        from_status=previous,
        note=note,
        to_unit=dossier.current_unit,
        to_user=to_user,
        step_due_at=dossier.step_due_at,
        outcome=outcome,
        step_name=f"{current.name} → {target.name}" if current else target.name,
        at=moment,
    )


def _row_due(dossier: Dossier):
    """The due a reception or supplement row records: that of the step the dossier is now at
    (as a hand-over row records the due of the step it enters; BM.05 measures the step's
    result against it), or the legal due when the procedure has no internal steps."""
    return dossier.step_due_at if dossier.current_step_id else dossier.due_at


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
    dossier.version += 1
    Dossier.objects.filter(pk=dossier.pk).update(version=dossier.version)
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
    national_outbox.record_change(dossier, action, at=_now(at))


def _notify(dossier: Dossier, kind: str) -> None:
    from cchc.dossiers.tasks import send_dossier_mail

    if dossier.applicant_email:
        transaction.on_commit(lambda: send_dossier_mail.enqueue(dossier.pk, kind))


def _save_uploads(
    agency: Agency, files, *, is_result: bool = False, digitised: bool = False
) -> list[DossierFile]:
    """Write the uploads to storage before any row is locked; rows are added by `_attach`.
    ``digitised`` marks component files as DuocSoHoa: a desk scan or an electronic filing."""
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
                digitised=digitised,
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


def check_component_files(
    procedure: Procedure, files: dict, *, require_all: bool = True
) -> list[tuple]:
    """Validate uploads keyed by component id: every required component present (unless
    ``require_all`` is off: scans at the paper desk are optional), type and size sniffed.
    Returns [(component, upload)]; raises ValidationError keyed by field name."""
    errors, pairs = {}, []
    for component in procedure.components.all():
        upload = files.get(f"component_{component.pk}")
        if upload is None:
            if component.required and require_all:
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
    # Files filed online are electronic: they count as digitised components (DuocSoHoa 1).
    saved = _save_uploads(agency, pairs, digitised=True)
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
            digitised=bool(saved),
        )
        _attach(dossier, saved)
        _record(dossier, actor=owner, action="file_online", from_status=None, at=moment)
        if notify:
            _notify(dossier, "submitted")
    return dossier, secret


class _AlreadyReceived(Exception):
    """Raised inside the transaction to roll back (and delete the stored files) a repeat."""


def dossier_receive_from_national(
    *,
    procedure: Procedure,
    applicant: Applicant,
    agency: Agency,
    national_code: str,
    files: list[tuple],
    file_flags: list[dict] = (),
    national_account: str = "",
    vneid_verified: bool = False,
    filed_at: dt.datetime | None = None,
    summary: str = "",
    body_sha256: str = "",
    secret: str = "",
    at=None,
) -> tuple[Dossier, bool]:
    """A dossier filed on the National Public Service Portal and pushed here: status 1 in
    channel 2, waiting for the desk to accept it, once per national code. Returns the dossier
    and whether it was created now (False: the code was received before, nothing written).

    `files` are [(component or None, upload)], `file_flags` their TaiLieuNop flags as
    DossierFile fields ({"reuse": 1}), in the same order. `secret` is the lookup secret the
    national portal hands to the applicant (MaTraCuu of the reply; a new one when empty): with
    it and the code the applicant follows, pays and rates the dossier on our lookup page too.
    No reception notice is mailed (the national portal told the applicant)."""
    from cchc.nationalportal.models import InboundReceipt

    def received():
        receipt = InboundReceipt.objects.filter(national_code=national_code).first()
        return receipt.dossier if receipt else None

    if (earlier := received()) is not None:
        return earlier, False
    _check_procedure(procedure)
    moment = _now(at)
    # Filed online on the national portal: electronic files, digitised as online filings are.
    saved = _save_uploads(agency, files, digitised=True)
    for row, flags in zip(saved, file_flags, strict=False):
        for name, value in flags.items():
            setattr(row, name, value)
    try:
        with _cleanup_on_failure(saved), transaction.atomic():
            # Two pushes of one dossier at once: the second waits on the code counter row, then
            # finds the receipt (or fails on the unique national code) and rolls back.
            dossier = _create(
                procedure,
                applicant,
                agency,
                Channel.ONLINE,
                Status.SUBMITTED,
                moment,
                secret or new_secret(),
                None,
                digitised=bool(saved),
                national_code=national_code,
                national_account=national_account,
                vneid_verified=vneid_verified,
            )
            if received() is not None:
                raise _AlreadyReceived
            if filed_at is not None:
                dossier.submitted_at = filed_at
                dossier.save(update_fields=["submitted_at"])
            _attach(dossier, saved)
            InboundReceipt.objects.create(
                national_code=national_code,
                dossier=dossier,
                received_at=moment,
                body_sha256=body_sha256,
            )
            _record(
                dossier,
                actor=None,
                action="file_online",
                from_status=None,
                note=summary,
                at=moment,
            )
    except (_AlreadyReceived, IntegrityError):
        if (earlier := received()) is None:
            raise
        return earlier, False
    return dossier, True


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
    at=None,
) -> tuple[Dossier, str]:
    """A paper dossier at the desk (in person or by post): received at once (status 2), BM.01.
    ``files`` are the optional scans per component ("component_<id>"): each stored scan is a
    digitised component, and the dossier is digitised when it has one."""
    agency = actor.agency if actor and actor.is_authenticated else None
    _require_role(actor, DESK_ROLES, agency)
    _check_procedure(procedure)
    if channel not in (Channel.IN_PERSON, Channel.POST):
        raise ValidationError(_("Hồ sơ giấy chỉ nhận trực tiếp hoặc qua bưu chính."))
    pairs = check_component_files(procedure, files, require_all=False) if files else []
    moment = _now(at)
    secret = new_secret()
    due = clock.legal_due(procedure=procedure, start=moment, channel=channel)
    saved = _save_uploads(agency, pairs, digitised=True)
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
            digitised=bool(saved),
        )
        _attach(dossier, saved)
        _enter_first_step(dossier, moment)
        _count_month(dossier, moment, received=1)
        _record(
            dossier,
            actor=actor,
            action="receive",
            from_status=None,
            at=moment,
            step_due_at=_row_due(dossier),
        )
        _notify(dossier, "received")
    return dossier, secret


def dossier_accept(*, actor, dossier: Dossier, at=None) -> Dossier:
    """Accept an online dossier at the desk: status 2, the legal clock starts now (BM.01)."""
    moment = _now(at)
    with transaction.atomic():
        dossier = _lock(dossier)
        transition = _check("accept", actor, dossier)
        _check_procedure_version(dossier)
        previous = dossier.status
        dossier.status = transition.target
        dossier.received_at = moment
        _start_clock(dossier, moment)
        _enter(dossier, (steps_of(dossier) or [None])[0], moment)
        dossier.save()
        _count_month(dossier, moment, received=1)
        _record(
            dossier,
            actor=actor,
            action=transition.audit,
            from_status=previous,
            at=moment,
            step_due_at=_row_due(dossier),
        )
        _notify(dossier, transition.notice)
    return dossier


def _enter_first_step(dossier: Dossier, moment) -> None:
    """A received dossier is at the first internal step (the desk's), when there are steps."""
    first = (steps_of(dossier) or [None])[0]
    if first is not None:
        _enter(dossier, first, moment)
        dossier.save(update_fields=STEP_FIELDS)


def _check_procedure_version(dossier: Dossier) -> None:
    if dossier.procedure.time is None:
        raise ValidationError(_("Thủ tục của hồ sơ chưa có thời hạn giải quyết."))


def dossier_refuse(*, actor, dossier: Dossier, reason: str, at=None) -> Dossier:
    """Refuse at reception (status 3) with the reason printed on BM.03."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Cần ghi rõ lý do từ chối tiếp nhận.")})
    with transaction.atomic():
        dossier = _lock(dossier)
        transition = _check("refuse", actor, dossier)
        previous = dossier.status
        dossier.status = transition.target
        dossier.refusal_reason = reason.strip()
        dossier.closed_at = _now(at)
        dossier.save(update_fields=["status", "refusal_reason", "closed_at"])
        _record(
            dossier,
            actor=actor,
            action=transition.audit,
            from_status=previous,
            note=dossier.refusal_reason,
            at=at,
        )
        _notify(dossier, transition.notice)
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
        transition = _check("request-supplement", actor, dossier)
        at_reception = dossier.status == Status.SUBMITTED
        late = False
        if not at_reception:
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
            action=transition.audit,
            from_status=previous,
            note=items.strip(),
            at=moment,
        )
        _notify(dossier, transition.notice)
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
        if dossier.status != Status.SUPPLEMENT:
            raise TransitionError(
                _("Hồ sơ %(code)s không ở trạng thái chờ bổ sung.") % {"code": dossier.code},
                code="conflict",
            )
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
            moved = dossier.handovers.filter(action=HandOver.Action.HAND_OVER).exists()
            dossier.status = Status.PROCESSING if moved else Status.RECEIVED
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
                step_due_at=_row_due(dossier),
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


def _colleague_check(dossier: Dossier, to_user, step: ProcedureStep | None) -> None:
    if to_user is None:
        return
    if to_user.agency is None or to_user.agency.pk != dossier.agency_id:
        raise ValidationError({"to_user": _("Người nhận phải là cán bộ của cơ quan.")})
    if step is not None and step.unit_id and to_user.unit_id != step.unit_id:
        raise ValidationError(
            {
                "to_user": _("Bước %(step)s do %(unit)s thực hiện: hãy giao cho cán bộ của đơn vị.")
                % {"step": step_text(step), "unit": step.unit.name}
            }
        )


def dossier_hand_over(
    *,
    actor,
    dossier: Dossier,
    note: str = "",
    to_user=None,
    to_step: ProcedureStep | None = None,
    step: int | None = None,
    version: int | None = None,
    at=None,
) -> Dossier:
    """Finish the current step (classified early / on time / late) and pass to the next one
    (or, over optional steps only, to `to_step`). `step` and `version` are what the person saw:
    a hand-over of a dossier that has moved on since is refused (StaleError)."""
    moment = _now(at)
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_fresh(dossier, step, version)
        transition = _check("hand-over", actor, dossier)
        current = _current(dossier)
        reachable = _next_steps(dossier)
        if current is None and not dossier.current_step_id:
            reachable = reachable[:1]
        target = reachable[0]
        if to_step is not None:
            if to_step.pk not in {s.pk for s in reachable}:
                raise ValidationError(
                    {
                        "to_step": _(
                            "Không được bỏ qua bước %(step)s: chỉ bỏ qua được bước không bắt buộc."
                        )
                        % {"step": step_text(reachable[0])}
                    }
                )
            target = next(s for s in reachable if s.pk == to_step.pk)
        _colleague_check(dossier, to_user, target)
        _move_to_step(
            dossier,
            actor=actor,
            transition=transition,
            current=current,
            target=target,
            moment=moment,
            note=note,
            to_user=to_user,
        )
    return dossier


def dossier_send_back(
    *,
    actor,
    dossier: Dossier,
    to_step: ProcedureStep,
    reason: str,
    step: int | None = None,
    version: int | None = None,
    at=None,
) -> Dossier:
    """Return the dossier to an earlier step, with the reason (printed on the control slip)."""
    moment = _now(at)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Cần ghi rõ lý do trả lại bước trước.")})
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_fresh(dossier, step, version)
        transition = _check("send-back", actor, dossier)
        current = _current(dossier)
        earlier = next((s for s in steps_of(dossier) if s.pk == getattr(to_step, "pk", None)), None)
        if earlier is None or earlier.order >= current.order:
            raise ValidationError({"to_step": _("Hãy chọn một bước trước bước hiện tại.")})
        _move_to_step(
            dossier,
            actor=actor,
            transition=transition,
            current=current,
            target=earlier,
            moment=moment,
            note=reason.strip(),
        )
    return dossier


def dossier_assign(
    *,
    actor,
    dossier: Dossier,
    to_user,
    note: str = "",
    step: int | None = None,
    version: int | None = None,
    at=None,
) -> Dossier:
    """The unit leader names who of the unit handles the current step."""
    moment = _now(at)
    if to_user is None:
        raise ValidationError({"to_user": _("Hãy chọn người xử lý.")})
    with transaction.atomic():
        dossier = _lock(dossier)
        _require_fresh(dossier, step, version)
        transition = _check("assign", actor, dossier)
        current = _current(dossier)
        _colleague_check(dossier, to_user, current)
        dossier.current_handler = to_user
        dossier.save(update_fields=["current_handler"])
        _record(
            dossier,
            actor=actor,
            action=transition.audit,
            from_status=dossier.status,
            note=note,
            to_unit=dossier.current_unit,
            to_user=to_user,
            step_due_at=dossier.step_due_at,
            step_name=current.name,
            at=moment,
        )
    return dossier


def _in_charge(actor, dossier: Dossier) -> bool:
    """Processing staff act on dossiers at their own unit; desk and agency-wide roles on all."""
    if actor.is_superuser or actor.is_agency_wide or actor.has_role(Role.ONE_STOP_OFFICER):
        return True
    return not dossier.current_unit_id or dossier.current_unit_id == actor.unit_id


def dossier_apologise(
    *, actor, dossier: Dossier, reason: str, new_due_at: dt.datetime, at=None
) -> Dossier:
    """Apology and one new appointment (BM.04), no later than 1 working day before the due time."""
    moment = _now(at)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Cần ghi rõ lý do quá hạn.")})
    with transaction.atomic():
        dossier = _lock(dossier)
        transition = _check("apologise", actor, dossier)
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
            action=transition.audit,
            from_status=previous,
            note=reason.strip(),
            at=moment,
        )
        _notify(dossier, transition.notice)
    return dossier


def _fee_line(dossier: Dossier, amount: Decimal) -> FeeLine:
    """The line of a fee request: one "lệ phí" named by the procedure's fee rule, coded by the
    procedure's code (the national fee code list is not public; docs/dvcqg.md)."""
    procedure = dossier.procedure
    return FeeLine(
        dossier=dossier,
        kind=FeeLine.Kind.CHARGE,
        code=procedure.code,
        name=(procedure.fee_text or _("Lệ phí giải quyết thủ tục hành chính"))[:300],
        amount=amount,
    )


def dossier_require_fees(
    *, actor, dossier: Dossier, amount: Decimal | None = None, at=None
) -> Dossier:
    """Status 6 with the fee lines due: the amount the officer gives, else the procedure's fee
    rule (`Procedure.fee_for`); earlier unpaid lines are replaced."""
    with transaction.atomic():
        dossier = _lock(dossier)
        transition = _check("require-fees", actor, dossier)
        if amount is None:
            amount = dossier.procedure.fee_for()
        if amount is None:
            raise ValidationError({"amount": _("Cần ghi số tiền phí, lệ phí phải nộp.")})
        previous = dossier.status
        dossier.status, dossier.fee_amount = transition.target, amount
        dossier.fees.filter(paid_at__isnull=True).delete()
        if amount > 0:
            _fee_line(dossier, amount).save()
            dossier.paid_online = PaidOnline.NOT_ONLINE  # until paid on the platform
        dossier.save(update_fields=["status", "fee_amount", "paid_online"])
        _record(
            dossier,
            actor=actor,
            action=transition.audit,
            from_status=previous,
            note=str(amount),
            at=at,
        )
    return dossier


def dossier_fees_paid(*, actor, dossier: Dossier, at=None) -> Dossier:
    with transaction.atomic():
        dossier = _lock(dossier)
        transition = _check("fees-paid", actor, dossier)
        previous = dossier.status
        dossier.status = transition.target
        dossier.save(update_fields=["status"])
        # Paid at the desk (lines paid online are already marked by cchc.payments).
        dossier.fees.filter(paid_at__isnull=True).update(
            paid_at=_now(at), paid_online=PaidOnline.NOT_ONLINE
        )
        _record(dossier, actor=actor, action=transition.audit, from_status=previous, at=at)
    return dossier


def dossier_decide(
    *,
    actor,
    dossier: Dossier,
    result_text: str,
    result_file=None,
    step: int | None = None,
    version: int | None = None,
    at=None,
) -> Dossier:
    """The result is ready (status 9), at the decision step only: the dossier is classified
    early / on time / late and goes to the step after the decision (returning the result),
    when the procedure has one."""
    moment = _now(at)
    if result_file is not None:  # before storing the upload; again under the lock
        _check("decide", actor, Dossier.objects.select_related("procedure").get(pk=dossier.pk))
    if not (result_text or "").strip():
        raise ValidationError({"result_text": _("Cần ghi kết quả giải quyết.")})
    saved, signing = [], None
    if result_file is not None:
        checked = check_upload(result_file, kinds=("pdf", "image"), max_bytes=10 * 1024 * 1024)
        # a PDF result is stored signed with the agency's certificate (images are not signed)
        result_file, signing = esign_services.sign_result_upload(
            result_file, dossier=dossier, mime=checked.mime
        )
        saved = _save_uploads(dossier.agency, [(None, result_file)], is_result=True)
    with _cleanup_on_failure(saved), transaction.atomic():
        dossier = _lock(dossier)
        _require_fresh(dossier, step, version)
        transition = _check("decide", actor, dossier)
        previous = dossier.status
        step_outcome = (
            clock.classify(moment, dossier.step_due_at) if dossier.current_step_id else ""
        )
        step_due_at = dossier.step_due_at
        decided_at_step = _current(dossier)
        after = [
            s for s in steps_of(dossier) if decided_at_step and s.order > decided_at_step.order
        ]
        if after:
            _enter(dossier, after[0], moment)
        dossier.status = transition.target
        dossier.decided_at = moment
        dossier.outcome = clock.classify(moment, dossier.due_at)
        dossier.result_text = result_text.strip()
        if saved:
            _attach(dossier, saved)
            dossier.result_digitised = True
            if signing is not None:
                esign_services.result_signature_record(
                    dossier=dossier, file=saved[0], signing=signing
                )
        dossier.save(
            update_fields=[
                "status",
                "decided_at",
                "outcome",
                "result_text",
                "result_digitised",
                "current_step",
                "current_unit",
                "current_handler",
                "step_due_at",
            ]
        )
        _count_month(
            dossier, moment, decided=1, **({dossier.outcome: 1} if dossier.outcome else {})
        )
        _record(
            dossier,
            actor=actor,
            action=transition.audit,
            from_status=previous,
            note=dossier.result_text,
            outcome=step_outcome,
            step_due_at=step_due_at,
            step_name=decided_at_step.name if decided_at_step else "",
            at=moment,
        )
        _notify(dossier, transition.notice)
    return dossier


def dossier_return(*, actor, dossier: Dossier, at=None) -> Dossier:
    """Hand the result to the applicant (status 10)."""
    moment = _now(at)
    with transaction.atomic():
        dossier = _lock(dossier)
        transition = _check("return", actor, dossier)
        previous = dossier.status
        dossier.status = transition.target
        dossier.returned_at = dossier.closed_at = moment
        dossier.save(update_fields=["status", "returned_at", "closed_at"])
        _record(dossier, actor=actor, action=transition.audit, from_status=previous, at=moment)
        _notify(dossier, transition.notice)
    return dossier


def dossier_withdraw(*, actor, dossier: Dossier, reason: str, at=None) -> Dossier:
    with transaction.atomic():
        dossier = _lock(dossier)
        transition = _check("withdraw", actor, dossier)
        previous = dossier.status
        dossier.status = transition.target
        dossier.closed_at = _now(at)
        dossier.save(update_fields=["status", "closed_at"])
        _record(
            dossier, actor=actor, action=transition.audit, from_status=previous, note=reason, at=at
        )
    return dossier


def dossier_stop(*, actor, dossier: Dossier, reason: str, at=None) -> Dossier:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Cần ghi rõ lý do dừng xử lý.")})
    with transaction.atomic():
        dossier = _lock(dossier)
        transition = _check("stop", actor, dossier)
        previous = dossier.status
        dossier.status = transition.target
        dossier.closed_at = _now(at)
        dossier.save(update_fields=["status", "closed_at"])
        _record(
            dossier, actor=actor, action=transition.audit, from_status=previous, note=reason, at=at
        )
    return dossier


OPEN = frozenset({Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FEES})
_F = "cchc.dossiers.forms."
_S = "cchc.dossiers.services."

# The dossier's transitions: one slug each, used by the services, the buttons of the detail
# page, the API's list of available actions and the one dispatch of pages and API.
FLOW = Workflow(
    [
        Transition(
            "accept",
            _("Tiếp nhận"),
            frozenset({Status.SUBMITTED}),
            Status.RECEIVED,
            who=_desk,
            audit="accept",
            notice="received",
            service=_S + "dossier_accept",
        ),
        Transition(
            "refuse",
            _("Từ chối tiếp nhận"),
            frozenset({Status.SUBMITTED}),
            Status.REFUSED,
            who=_desk,
            audit="refuse",
            notice="refused",
            service=_S + "dossier_refuse",
            form=_F + "ReasonForm",
        ),
        Transition(
            "request-supplement",
            _("Yêu cầu bổ sung"),
            frozenset({Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING}),
            Status.SUPPLEMENT,
            who=lambda actor, d: (
                _desk(actor, d) if d.status == Status.SUBMITTED else _at_step_or_desk(actor, d)
            ),
            audit="request_supplement",
            notice="supplement",
            service=_S + "dossier_request_supplement",
            form=_F + "SupplementRequestForm",
        ),
        Transition(
            "hand-over",
            _("Chuyển bước tiếp theo"),
            frozenset({Status.RECEIVED, Status.PROCESSING}),
            Status.PROCESSING,
            who=_at_step,
            condition=_can_hand_over,
            audit="hand_over",
            service=_S + "dossier_hand_over",
            form=_F + "HandOverForm",
        ),
        Transition(
            "assign",
            _("Giao người xử lý"),
            frozenset({Status.RECEIVED, Status.PROCESSING}),
            None,
            who=_unit_leader_of_step,
            audit="assign",
            service=_S + "dossier_assign",
            form=_F + "AssignForm",
        ),
        Transition(
            "send-back",
            _("Trả lại bước trước"),
            frozenset({Status.PROCESSING}),
            Status.PROCESSING,
            who=_at_step,
            condition=_can_send_back,
            audit="send_back",
            service=_S + "dossier_send_back",
            form=_F + "SendBackForm",
        ),
        Transition(
            "apologise",
            _("Xin lỗi và hẹn lại"),
            OPEN,
            None,
            who=_leader,
            condition=_not_yet_reappointed,
            audit="apologise",
            notice="reappointed",
            service=_S + "dossier_apologise",
            form=_F + "ApologyForm",
        ),
        Transition(
            "require-fees",
            _("Yêu cầu nộp phí, lệ phí"),
            frozenset({Status.PROCESSING}),
            Status.FEES,
            who=_at_step,
            audit="require_fees",
            service=_S + "dossier_require_fees",
            form=_F + "FeesForm",
        ),
        Transition(
            "fees-paid",
            _("Đã nộp phí, lệ phí"),
            frozenset({Status.FEES}),
            Status.PROCESSING,
            who=_payment_platform_or(_at_step_or_desk),
            audit="fees_paid",
            service=_S + "dossier_fees_paid",
        ),
        Transition(
            "decide",
            _("Cập nhật kết quả (trình ký, phê duyệt)"),
            frozenset({Status.RECEIVED, Status.PROCESSING}),
            Status.DECIDED,
            who=_at_step,
            condition=_at_decision_step,
            audit="decide",
            notice="decided",
            service=_S + "dossier_decide",
            form=_F + "DecideForm",
        ),
        Transition(
            "return",
            _("Trả kết quả"),
            frozenset({Status.DECIDED}),
            Status.RETURNED,
            who=_returner,
            audit="return",
            notice="returned",
            service=_S + "dossier_return",
        ),
        Transition(
            "withdraw",
            _("Rút hồ sơ theo đề nghị của người nộp"),
            frozenset({Status.SUBMITTED, *OPEN}),
            Status.WITHDRAWN,
            who=_desk,
            audit="withdraw",
            service=_S + "dossier_withdraw",
            form=_F + "ReasonForm",
        ),
        Transition(
            "stop",
            _("Dừng xử lý"),
            frozenset({Status.PROCESSING, Status.SUPPLEMENT, Status.FEES}),
            Status.STOPPED,
            who=_stopper,
            audit="stop",
            service=_S + "dossier_stop",
            form=_F + "ReasonForm",
        ),
    ],
    record="dossier",
)


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
