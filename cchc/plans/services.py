"""Writes of the plans app. Views, the API and commands all call these."""

import dataclasses
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.core.files import check_upload, store_upload
from cchc.core.models import Agency, Unit, User
from cchc.core.permissions import acts_for
from cchc.core.services import audit_record
from cchc.core.transitions import Transition, TransitionError, Workflow
from cchc.plans import excel
from cchc.plans.models import (
    LegalReview,
    Plan,
    PlanTask,
    ProcedureReview,
    QualityRecord,
    Regulation,
    TaskEvidence,
    TaskNote,
)
from cchc.plans.selectors import may_update_task, overdue_tasks, plan_tasks


class ImportRefused(ValidationError):
    """An Excel import with problems: `rows` lists (row number or None, message)."""

    def __init__(self, rows):
        self.rows = rows
        super().__init__(_("Tệp có %(n)d lỗi; chưa nhập nhiệm vụ nào.") % {"n": len(rows)})


def plan_create(*, actor, agency: Agency, year: int, title: str, decision: str = "") -> Plan:
    if Plan.objects.filter(agency=agency, year=year).exists():
        raise ValidationError({"year": _("Cơ quan đã có kế hoạch CCHC năm %(y)d.") % {"y": year}})
    try:
        with transaction.atomic():
            plan = Plan.objects.create(agency=agency, year=year, title=title, decision=decision)
            audit_record(
                actor=actor, obj=plan, action="plan_create", to_state="created", agency=agency
            )
    except IntegrityError:  # created by someone else between the check and the insert
        if not Plan.objects.filter(agency=agency, year=year).exists():
            raise
        raise ValidationError(
            {"year": _("Cơ quan đã có kế hoạch CCHC năm %(y)d.") % {"y": year}}
        ) from None
    return plan


def plan_update(*, actor, plan: Plan, title: str | None = None, decision: str | None = None):
    fields = []
    for name, value in (("title", title), ("decision", decision)):
        if value is not None and getattr(plan, name) != value:
            setattr(plan, name, value)
            fields.append(name)
    if fields:
        with transaction.atomic():
            plan.save(update_fields=fields)
            audit_record(
                actor=actor,
                obj=plan,
                action="plan_update",
                reason=", ".join(fields),
                agency=plan.agency,
            )
    return plan


def plan_delete(*, actor, plan: Plan) -> None:
    """Only an empty plan may be deleted: tasks carry the year's history."""
    if plan.tasks.exists():
        raise ValidationError(_("Kế hoạch đã có nhiệm vụ; xóa các nhiệm vụ trước."))
    with transaction.atomic():
        audit_record(
            actor=actor, obj=plan, action="plan_delete", to_state="deleted", agency=plan.agency
        )
        plan.delete()


def _check_units(agency: Agency, lead_unit: Unit, co_units) -> None:
    if lead_unit.agency_id != agency.pk or any(u.agency_id != agency.pk for u in co_units):
        raise ValidationError({"lead_unit": _("Đơn vị phải thuộc cơ quan của kế hoạch.")})


def _check_deadline(plan: Plan, deadline: dt.date) -> None:
    if not excel.deadline_in_range(deadline, plan.year):
        raise ValidationError(
            {
                "deadline": _("Thời hạn phải trong các năm %(a)d-%(b)d của kế hoạch.")
                % {"a": plan.year - 1, "b": plan.year + 1}
            }
        )


def _check_done(status: str, completed_on) -> None:
    if status == PlanTask.Status.DONE and completed_on is None:
        raise ValidationError({"completed_on": _("Nhiệm vụ hoàn thành cần ngày hoàn thành.")})
    _check_completed_on(completed_on)


def _check_completed_on(completed_on) -> None:
    # A completion date ahead of today would count a task as done on time before it is done.
    if completed_on is not None and completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("Ngày hoàn thành không thể sau hôm nay.")})


def task_create(
    *,
    actor,
    plan: Plan,
    field: str,
    content: str,
    lead_unit: Unit,
    deadline: dt.date,
    co_units=(),
    expected_output: str = "",
    status: str = PlanTask.Status.NOT_STARTED,
    progress: int = 0,
    completed_on: dt.date | None = None,
) -> PlanTask:
    _check_units(plan.agency, lead_unit, co_units)
    _check_deadline(plan, deadline)
    _check_done(status, completed_on)
    with transaction.atomic():
        order = plan.tasks.count() + 1
        task = PlanTask.objects.create(
            plan=plan,
            order=order,
            field=field,
            content=content,
            lead_unit=lead_unit,
            deadline=deadline,
            expected_output=expected_output,
            status=status,
            progress=100 if status == PlanTask.Status.DONE else progress,
            completed_on=completed_on if status == PlanTask.Status.DONE else None,
        )
        task.co_units.set(co_units)
        audit_record(
            actor=actor, obj=task, action="task_create", to_state=status, agency=plan.agency
        )
    return task


EDITABLE = ("field", "content", "lead_unit", "deadline", "expected_output")


def task_update(
    *, actor, task: PlanTask, co_units=None, reason: str = "", transition: str = "", **changes
) -> PlanTask:
    """Change a task's content, status or progress. A status change is one of the declared
    transitions of FLOW (`transition`, else the one from the current status to the new one),
    checked under the row lock and audited."""
    with transaction.atomic():
        # Two people reporting progress at once: the second sees the first's status.
        locked = (
            PlanTask.objects.select_for_update(no_key=True, of=("self",))
            .select_related("plan__agency", "lead_unit")
            .get(pk=task.pk)
        )
        if transition or changes.get("status", locked.status) != locked.status:
            transition = transition or _transition_to(locked, changes["status"])
            FLOW.check(transition, actor, locked)
        if "deadline" in changes:
            _check_deadline(locked.plan, changes["deadline"])
        old_status = locked.status
        fields = []
        for name, value in changes.items():
            if name not in (*EDITABLE, "status", "progress", "completed_on"):
                raise TypeError(name)
            if getattr(locked, name) != value:
                setattr(locked, name, value)
                fields.append(name)
        _check_units(locked.plan.agency, locked.lead_unit, co_units or [])
        if locked.status == PlanTask.Status.DONE:
            if locked.completed_on is None:
                locked.completed_on = timezone.localdate()
                fields.append("completed_on")
            if locked.progress != 100:
                locked.progress = 100
                fields.append("progress")
        elif locked.completed_on is not None:
            locked.completed_on = None
            fields.append("completed_on")
        _check_completed_on(locked.completed_on)
        if fields:
            locked.save(update_fields=[*set(fields), "updated_at"])
        if co_units is not None:
            locked.co_units.set(co_units)
        content_changed = sorted(set(fields) & set(EDITABLE)) + (
            ["co_units"] if co_units is not None else []
        )
        if content_changed:
            audit_record(
                actor=actor,
                obj=locked,
                action="task_update",
                reason=", ".join(content_changed),
                agency=locked.plan.agency,
            )
        if locked.status != old_status:
            audit_record(
                actor=actor,
                obj=locked,
                action=FLOW[transition].audit,
                from_state=old_status,
                to_state=locked.status,
                reason=reason,
                agency=locked.plan.agency,
            )
    return locked


def task_progress_report(
    *,
    actor,
    task: PlanTask,
    status: str,
    progress: int,
    completed_on: dt.date | None = None,
    note: str = "",
) -> PlanTask:
    """The lead unit's progress report: status and progress, with a dated note when written."""
    with transaction.atomic():
        task = task_update(
            actor=actor, task=task, status=status, progress=progress, completed_on=completed_on
        )
        if note:
            TaskNote.objects.create(
                task=task, on=timezone.localdate(), text=note, progress=task.progress, author=actor
            )
    return task


def _transition_to(task: PlanTask, status: str) -> str:
    for transition in FLOW:
        if task.status in transition.sources and transition.target == status:
            return transition.slug
    raise TransitionError(
        _("Không thể chuyển nhiệm vụ từ “%(from)s” sang “%(to)s”.")
        % {"from": task.get_status_display(), "to": PlanTask.Status(status).label},
        code="conflict",
    )


def _task_move(slug: str, *, actor, task: PlanTask, note: str = "", **changes) -> PlanTask:
    return task_update(
        actor=actor, task=task, transition=slug, status=FLOW[slug].target, reason=note, **changes
    )


def task_start(*, actor, task: PlanTask, note: str = "") -> PlanTask:
    return _task_move("start", actor=actor, task=task, note=note)


def task_complete(
    *, actor, task: PlanTask, completed_on: dt.date | None = None, note: str = ""
) -> PlanTask:
    """Done on `completed_on` (today when not given): the progress becomes 100%."""
    return _task_move("complete", actor=actor, task=task, note=note, completed_on=completed_on)


def task_reopen(*, actor, task: PlanTask, note: str = "") -> PlanTask:
    return _task_move("reopen", actor=actor, task=task, note=note)


def task_reset(*, actor, task: PlanTask, note: str = "") -> PlanTask:
    return _task_move("reset", actor=actor, task=task, note=note)


def _updater(actor, task: PlanTask) -> str | None:
    """The lead unit, or the agency-wide roles of the task's agency."""
    if may_update_task(actor, task):
        return None
    if not acts_for(actor, task.plan.agency_id):
        return _("Nhiệm vụ thuộc kế hoạch của cơ quan khác.")
    return _(
        "Chỉ đơn vị chủ trì (%(unit)s), lãnh đạo cơ quan hoặc đầu mối CCHC cập nhật trạng thái"
        " nhiệm vụ này."
    ) % {"unit": task.lead_unit.name}


_S = "cchc.plans.services."
_F = "cchc.plans.forms."
Status = PlanTask.Status

# The task's transitions: one slug each, used by the services (and by task_update for a status
# set by the progress report, the API's PATCH or an Excel import), the buttons of the task page,
# the API's list of available actions and the one dispatch of pages and API. No notices.
FLOW = Workflow(
    [
        Transition(
            "start",
            gettext_lazy("Bắt đầu thực hiện"),
            frozenset({Status.NOT_STARTED}),
            Status.IN_PROGRESS,
            who=_updater,
            audit="task_status",
            service=_S + "task_start",
            form=_F + "TaskStatusForm",
        ),
        Transition(
            "complete",
            gettext_lazy("Hoàn thành"),
            frozenset({Status.NOT_STARTED, Status.IN_PROGRESS}),
            Status.DONE,
            who=_updater,
            audit="task_status",
            service=_S + "task_complete",
            form=_F + "TaskCompleteForm",
        ),
        Transition(
            "reopen",
            gettext_lazy("Mở lại (đang thực hiện)"),
            frozenset({Status.DONE}),
            Status.IN_PROGRESS,
            who=_updater,
            audit="task_status",
            service=_S + "task_reopen",
            form=_F + "TaskStatusForm",
        ),
        Transition(
            "reset",
            gettext_lazy("Chuyển về chưa thực hiện"),
            frozenset({Status.IN_PROGRESS, Status.DONE}),
            Status.NOT_STARTED,
            who=_updater,
            audit="task_status",
            service=_S + "task_reset",
            form=_F + "TaskStatusForm",
        ),
    ],
    record="task",
)


def task_delete(*, actor, task: PlanTask) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            obj=task,
            action="task_delete",
            from_state=task.status,
            to_state="deleted",
            agency=task.plan.agency,
        )
        task.delete()


def task_evidence_add(*, actor, task: PlanTask, upload) -> TaskEvidence:
    checked = check_upload(upload)
    path = store_upload(checked, folder=f"plans/{task.plan_id}/evidence")
    try:
        with transaction.atomic():
            evidence = TaskEvidence.objects.create(
                task=task,
                path=path,
                original_name=checked.original_name,
                mime=checked.mime,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=actor,
            )
            audit_record(
                actor=actor,
                obj=task,
                action="task_evidence_add",
                reason=checked.original_name,
                agency=task.plan.agency,
            )
        return evidence
    except Exception:
        default_storage.delete(path)
        raise


@dataclasses.dataclass
class ImportReport:
    added: list[PlanTask] = dataclasses.field(default_factory=list)
    updated: list[PlanTask] = dataclasses.field(default_factory=list)
    unchanged: list[PlanTask] = dataclasses.field(default_factory=list)


IMPORTED = ("field", "content", "lead_unit", "deadline", "expected_output", "status", "progress")


def tasks_import(*, actor, plan: Plan, data: bytes) -> ImportReport:
    """Import every row or none: any problem refuses the whole file with a row-by-row report.

    A row with a task id (the "Mã nhiệm vụ" column of the export) updates that task of this plan
    when something differs; a row without one adds a task."""
    units = list(Unit.objects.filter(agency=plan.agency))
    parsed = excel.parse_workbook(data, units=units, year=plan.year)
    errors = list(parsed.errors)
    ids = [row.task_id for row in parsed.rows if row.task_id is not None]
    own = {task.pk: task for task in plan_tasks(plan).filter(pk__in=ids)}
    for row in parsed.rows:
        if row.task_id is not None and row.task_id not in own:
            errors.append(
                (
                    row.row,
                    _(
                        "Mã nhiệm vụ “%(id)d” không thuộc kế hoạch này (để trống cột “Mã nhiệm"
                        " vụ” để thêm nhiệm vụ mới)."
                    )
                    % {"id": row.task_id},
                )
            )
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: (e[0] is not None, e[0] or 0)))
    report = ImportReport()
    with transaction.atomic():
        for row in parsed.rows:
            try:
                if row.task_id is None:
                    report.added.append(
                        task_create(
                            actor=actor,
                            plan=plan,
                            co_units=row.co_units,
                            completed_on=row.completed_on,
                            **{name: getattr(row, name) for name in IMPORTED},
                        )
                    )
                    continue
                task = own[row.task_id]
                changes = {
                    name: getattr(row, name)
                    for name in (*IMPORTED, "completed_on")
                    if getattr(task, name) != getattr(row, name)
                }
                co_units = None
                if {u.pk for u in row.co_units} != {u.pk for u in task.co_units.all()}:
                    co_units = row.co_units
                if not changes and co_units is None:
                    report.unchanged.append(task)
                    continue
                report.updated.append(
                    task_update(actor=actor, task=task, co_units=co_units, **changes)
                )
            except ValidationError as exc:
                # Leaving the atomic block undoes the rows already written.
                raise ImportRefused([(row.row, " ".join(exc.messages))]) from exc
    return report


def overdue_reminders_send(*, today: dt.date | None = None) -> int:
    """E-mail each lead unit the list of its overdue tasks, at most once a week per task."""
    today = today or timezone.localdate()
    week_ago = today - dt.timedelta(days=6)
    by_unit: dict[int, list[PlanTask]] = {}
    for task in overdue_tasks(today):
        if task.reminded_on is None or task.reminded_on < week_ago:
            by_unit.setdefault(task.lead_unit_id, []).append(task)
    sent = 0
    for tasks in by_unit.values():
        unit = tasks[0].lead_unit
        recipients = list(
            User.objects.filter(unit=unit, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if not recipients:
            continue
        lines = [
            f"- {t.content} (thời hạn {t.deadline:%d/%m/%Y}, tiến độ {t.progress}%)" for t in tasks
        ]
        body = (
            _("Các nhiệm vụ CCHC do %(unit)s chủ trì đã quá hạn:") % {"unit": unit.name}
            + "\n\n"
            + "\n".join(lines)
            + "\n\n"
            + _("Đề nghị cập nhật tiến độ trên hệ thống CCHC.")
        )
        subject = _("[CCHC] %(n)d nhiệm vụ quá hạn của %(unit)s") % {
            "n": len(tasks),
            "unit": unit.name,
        }
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        PlanTask.objects.filter(pk__in=[t.pk for t in tasks]).update(reminded_on=today)
        sent += 1
    return sent


# --- reviews, regulations, quality systems: plain records ---------------------------------


def _record_state(record) -> str:
    """What an audit entry of a record calls its state: its follow-up or status; for standing
    records (regulations, ISO systems), what it is today (in force, certificate valid...)."""
    today = timezone.localdate()
    if isinstance(record, LegalReview):
        return record.follow_up
    if isinstance(record, ProcedureReview):
        return record.status
    if isinstance(record, Regulation):
        return record.validity_on(today)
    return record.status_on(today)


def _record_save(
    *, actor, record, action: str, from_state: str = "", stored_file: str = "", reason: str = ""
):
    """Validate, save and audit in one transaction; a file stored for it goes if that fails."""
    try:
        record.full_clean()
        with transaction.atomic():
            record.save()
            audit_record(
                actor=actor,
                obj=record,
                action=action,
                from_state=from_state,
                to_state=_record_state(record),
                reason=reason,
                agency=record.agency,
            )
    except Exception:
        if stored_file:
            default_storage.delete(stored_file)
        raise
    return record


def _regulation_file(regulation: Regulation, upload) -> str:
    if upload is None:
        return ""
    try:
        checked = check_upload(upload, kinds=("pdf", "office"))
    except ValidationError as exc:  # shown next to the file field of the form
        raise ValidationError({"file": exc.messages}) from None
    regulation.file_path = store_upload(checked, folder=f"regulations/{regulation.agency_id}")
    regulation.file_name = checked.original_name
    return regulation.file_path


def regulation_create(*, actor, agency: Agency, upload=None, **data) -> Regulation:
    regulation = Regulation(agency=agency, **data)
    regulation.full_clean()  # before the file is stored
    stored = _regulation_file(regulation, upload)
    return _record_save(
        actor=actor, record=regulation, action="regulation_create", stored_file=stored
    )


def legal_review_create(*, actor, agency: Agency, **data) -> LegalReview:
    return _record_save(
        actor=actor, record=LegalReview(agency=agency, **data), action="legal_review_create"
    )


def procedure_review_create(*, actor, agency: Agency, **data) -> ProcedureReview:
    return _record_save(
        actor=actor,
        record=ProcedureReview(agency=agency, **data),
        action="procedure_review_create",
    )


def quality_record_create(*, actor, agency: Agency, **data) -> QualityRecord:
    return _record_save(
        actor=actor, record=QualityRecord(agency=agency, **data), action="quality_record_create"
    )


def _record_update(*, actor, record, action: str, upload=None, **changes):
    """Change a record's fields (those its create accepts): validated, saved and audited (with
    the names of the changed fields) in one transaction; nothing changed, nothing written."""
    model = type(record)
    editable = {f.name for f in model._meta.concrete_fields} - {"id", "agency", "file_path"}
    with transaction.atomic():
        locked = model.objects.select_for_update(no_key=True, of=("self",)).get(pk=record.pk)
        before = _record_state(locked)
        changed = []
        for name, value in changes.items():
            if name not in editable or name == "file_name":
                raise TypeError(name)
            if getattr(locked, name) != value:
                setattr(locked, name, value)
                changed.append(name)
        stored = ""
        if upload is not None:
            locked.full_clean()  # before the file is stored
            stored = _regulation_file(locked, upload)
            changed.append("file")
        if not changed:
            return locked
        _record_save(
            actor=actor,
            record=locked,
            action=action,
            from_state=before,
            stored_file=stored,
            reason=", ".join(changed),
        )
    return locked


def regulation_update(*, actor, record: Regulation, upload=None, **changes) -> Regulation:
    return _record_update(
        actor=actor, record=record, action="regulation_update", upload=upload, **changes
    )


def legal_review_update(*, actor, record: LegalReview, **changes) -> LegalReview:
    return _record_update(actor=actor, record=record, action="legal_review_update", **changes)


def procedure_review_update(*, actor, record: ProcedureReview, **changes) -> ProcedureReview:
    return _record_update(actor=actor, record=record, action="procedure_review_update", **changes)


def quality_record_update(*, actor, record: QualityRecord, **changes) -> QualityRecord:
    return _record_update(actor=actor, record=record, action="quality_record_update", **changes)
