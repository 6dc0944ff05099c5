"""Writes of the PAR Index, each in a transaction with an audit entry."""

import csv
import io
import logging
import zipfile
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core import registry
from cchc.core.files import check_import_file, check_upload, store_upload
from cchc.core.services import audit_record
from cchc.core.transitions import Transition, Workflow
from cchc.parindex import selectors
from cchc.parindex.importer import FrameworkSpec, Problem
from cchc.parindex.models import (
    Assessment,
    Assignment,
    Evidence,
    Framework,
    Node,
    Period,
    Score,
    ScoreChange,
)
from cchc.parindex.rules import check_points, fmt, points_from_ratio, to_decimal

Status = Assessment.Status
log = logging.getLogger(__name__)
AUDIT_STATE = 64  # length of AuditEntry.to_state; longer texts go in its reason


class ImportRefused(Exception):
    """The file has problems: nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class StaleScore(Exception):
    """Someone else changed the score since it was read: nothing was written."""

    def __init__(self, score: Score):
        super().__init__("Điểm này vừa được người khác thay đổi; hãy tải lại và nhập lại.")
        self.score = score


# --- frameworks ------------------------------------------------------------------------------


@transaction.atomic
def framework_import(*, spec: FrameworkSpec, actor=None) -> Framework:
    if not spec.valid:
        raise ImportRefused(spec.problems)
    meta = spec.meta
    code, year = str(meta["code"]).strip(), int(meta["year"])
    # Two imports of the same (code, year) at once: the row lock makes the second wait.
    existing = (
        Framework.objects.select_for_update(no_key=True, of=("self",))
        .filter(code=code, year=year)
        .first()
    )
    if existing is not None:
        if not selectors.may_replace_framework(actor, existing):
            raise ImportRefused(
                [
                    Problem(
                        "thông tin chung",
                        f"bộ tiêu chí {code} năm {year} do cơ quan khác (hoặc quản trị hệ thống) "
                        "nhập nên không thay được; hãy dùng mã khác.",
                    )
                ]
            )
        if existing.is_locked:
            raise ImportRefused(
                [
                    Problem(
                        "thông tin chung",
                        f"bộ tiêu chí {code} năm {year} đã được dùng cho kỳ đánh giá nên không "
                        "thay đổi được; hãy nhập với năm khác.",
                    )
                ]
            )
        existing.nodes.all().delete()
        framework = existing
    else:
        framework = Framework(code=code, year=year, agency=_agency_of(actor))
    framework.name = str(meta["name"]).strip()
    framework.level = str(meta["level"])
    framework.legal_basis = str(meta.get("legal_basis") or "")[:500]
    framework.scale = to_decimal(meta["scale"])
    framework.survey_points = meta["survey_points"]
    framework.self_assessment_points = meta["self_assessment_points"]
    framework.sample = bool(meta.get("sample"))
    try:
        with transaction.atomic():  # two imports of a new (code, year) at once
            framework.save()
    except IntegrityError:
        raise ImportRefused(
            [
                Problem(
                    "thông tin chung",
                    f"bộ tiêu chí {code} năm {year} vừa được người khác nhập; "
                    "hãy tải lại trang rồi thử lại.",
                )
            ]
        ) from None
    by_code = {}
    for spec_node in spec.nodes:  # parents always come before their children
        node = Node.objects.create(
            framework=framework,
            parent=by_code.get(spec_node.parent_code),
            code=spec_node.code,
            name=spec_node.name[:500],
            level=spec_node.level,
            order=spec_node.order,
            max_points=spec_node.max_points,
            is_leaf=spec_node.is_leaf,
            rule_kind=spec_node.rule_kind if spec_node.is_leaf else "",
            rule_params=spec_node.rule_params if spec_node.is_leaf else {},
            metric=spec_node.metric,
            evidence_hint=spec_node.evidence_hint[:500],
        )
        by_code[node.code] = node
    audit_record(actor=actor, obj=framework, action="framework_import", to_state=str(year))
    return framework


def _agency_of(actor):
    return actor.unit.agency if actor is not None and actor.unit_id else None


def _sorted_for_parents(nodes):
    return sorted(nodes, key=lambda n: (n.level, n.order))


@transaction.atomic
def framework_copy(*, framework: Framework, year: int, actor=None) -> Framework:
    """A new year starts from a copy; the used framework stays as it was."""
    taken = ValidationError({"year": f"Đã có bộ tiêu chí {framework.code} năm {year}."})
    if Framework.objects.filter(code=framework.code, year=year).exists():
        raise taken
    try:
        with transaction.atomic():  # two copies at once: the unique (code, year) decides
            copy = Framework.objects.create(
                code=framework.code,
                year=year,
                name=framework.name,
                level=framework.level,
                legal_basis=framework.legal_basis,
                scale=framework.scale,
                survey_points=framework.survey_points,
                self_assessment_points=framework.self_assessment_points,
                sample=framework.sample,
                copied_from=framework,
                agency=_agency_of(actor),
            )
    except IntegrityError:
        raise taken from None
    mapping = {}
    for node in _sorted_for_parents(framework.nodes.all()):
        old_id, old_parent = node.pk, node.parent_id
        node.pk = None
        node.framework = copy
        node.parent_id = mapping.get(old_parent)
        node.save()
        mapping[old_id] = node.pk
    audit_record(actor=actor, obj=copy, action="framework_copy", to_state=str(year))
    return copy


# --- periods, assignments --------------------------------------------------------------------


@transaction.atomic
def period_create(
    *,
    agency,
    framework: Framework,
    year: int,
    name: str,
    units,
    appraisers=(),
    actor=None,
    **deadlines,
) -> Period:
    period = Period.objects.create(
        agency=agency, framework=framework, year=year, name=name, **deadlines
    )
    period.appraisers.set(appraisers)
    leaves = list(framework.nodes.filter(is_leaf=True).values_list("pk", flat=True))
    for unit in units:
        if unit.agency_id != agency.pk:
            raise ValidationError({"units": "Chỉ đánh giá các đơn vị của cơ quan mình."})
        assessment = Assessment.objects.create(period=period, unit=unit)
        Score.objects.bulk_create([Score(assessment=assessment, node_id=pk) for pk in leaves])
    audit_record(actor=actor, obj=period, action="period_create", to_state=str(year))
    return period


@transaction.atomic
def assignment_set(
    *, assessment: Assessment, node: Node, actor, responsible_unit=None, person=None
):
    if not selectors.is_unit_focal(actor, assessment) and not selectors.can_manage(
        actor, assessment.period.agency
    ):
        raise PermissionDenied
    if person is not None and person.unit and person.unit.agency_id != assessment.period.agency_id:
        raise ValidationError({"person": "Người được giao phải thuộc cơ quan."})
    assignment, _created = Assignment.objects.update_or_create(
        assessment=assessment,
        node=node,
        defaults={"responsible_unit": responsible_unit, "person": person},
    )
    audit_record(
        actor=actor,
        obj=assessment,
        action="criterion_assign",
        to_state=f"{node.code} → {person.display_name if person else ''}"[:AUDIT_STATE],
        agency=assessment.period.agency,
    )
    return assignment


# --- scores ----------------------------------------------------------------------------------

SELF_FIELDS = ("self_points", "self_measured", "self_note")
ROUND1_FIELDS = ("round1_points", "round1_reason")
ROUND2_FIELDS = ("round2_points", "round2_reason")
EXPLANATION_FIELDS = ("explanation",)
POINT_FIELDS = ("self_points", "self_measured", "round1_points", "round2_points")


def _stage_allowed(actor, score: Score, names) -> None:
    assessment = score.assessment
    for name in names:
        if name in SELF_FIELDS:
            if score.node.rule_kind in ("survey", "metric"):
                raise ValidationError({name: "Tiêu chí này không tự chấm (lấy từ dữ liệu)."})
            if assessment.status != Status.DRAFT:
                raise ValidationError({name: "Bản tự đánh giá đã nộp, không sửa được nữa."})
            if not selectors.can_edit_self(actor, assessment, score.node):
                raise PermissionDenied
        elif name in ROUND1_FIELDS + ROUND2_FIELDS:
            if not selectors.is_appraiser(actor, assessment.period):
                raise PermissionDenied
            wanted = Status.APPRAISING if name in ROUND1_FIELDS else Status.RE_APPRAISING
            if assessment.status != wanted:
                raise ValidationError({name: "Chưa đến hoặc đã qua vòng thẩm định này."})
        elif name in EXPLANATION_FIELDS:
            if not selectors.is_unit_focal(actor, assessment):
                raise PermissionDenied
            if assessment.status != Status.EXPLANATION_REQUESTED:
                raise ValidationError({name: "Chỉ giải trình khi hội đồng yêu cầu."})
        else:
            raise ValidationError({name: "Trường không sửa được."})


VERSION_REQUIRED = "Thiếu phiên bản của điểm đã đọc; hãy tải lại trang rồi lưu lại."


def score_update(*, score_id: int, actor, changes: dict, version: int | str | None) -> Score:
    """Change some fields of one score; `version` (as read, required) guards against lost
    updates: without it nothing is written, a stale one raises `StaleScore`."""
    with transaction.atomic():
        # Two appraisers saving the same score: the row lock orders them, the version check
        # refuses the one who has not seen the other's change.
        score = (
            Score.objects.select_for_update(no_key=True, of=("self",))
            .select_related("node", "assessment", "assessment__period")
            .get(pk=score_id)
        )
        _stage_allowed(actor, score, changes)
        if version is None or version == "":
            raise ValidationError({"version": VERSION_REQUIRED})
        if _version(version) != score.version:
            raise StaleScore(score)
        clean = _clean_changes(score, changes)
        touched = []
        reason = clean.get("round1_reason") or clean.get("round2_reason") or ""
        for name, value in clean.items():
            old = getattr(score, name)
            if old == value:
                continue
            setattr(score, name, value)
            touched.append(name)
            ScoreChange.objects.create(
                score=score,
                field=name,
                old="" if old is None else (fmt(old) if name in POINT_FIELDS else str(old)),
                new="" if value is None else (fmt(value) if name in POINT_FIELDS else str(value)),
                reason=reason if name.endswith("_points") else "",
                actor=actor,
            )
        _check_reason(score)
        if touched:
            score.version += 1
            score.save(update_fields=[*touched, "version", "updated_at"])
            audit_record(
                actor=actor,
                obj=score.assessment,
                action="score_update",
                to_state=f"{score.node.code}: {', '.join(touched)}"[:AUDIT_STATE],
                reason=reason,
                agency=score.assessment.period.agency,
            )
        return score


def _version(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValidationError({"version": "Phiên bản không hợp lệ; hãy tải lại trang."}) from None


def _clean_changes(score: Score, changes: dict) -> dict:
    node = score.node
    clean = {}
    for name, raw in changes.items():
        if name == "self_points" and node.rule_kind == "ratio":
            # The rule maps the measured percentage to points; typed points would bypass it.
            raise ValidationError(
                {name: "Tiêu chí tỷ lệ: nhập tỷ lệ đạt được (%), điểm được tính theo quy tắc."}
            )
        if name.endswith("_points") or name == "self_measured":
            if raw in (None, ""):
                clean[name] = None
                if name == "self_measured" and node.rule_kind == "ratio":
                    clean["self_points"] = None
                continue
            value = to_decimal(raw)
            if value is None:
                raise ValidationError({name: f"“{raw}” không phải là số."})
            if name == "self_measured":
                if not 0 <= value <= 100:
                    raise ValidationError({name: "Tỷ lệ phải từ 0 đến 100%."})
                clean[name] = value
                if node.rule_kind == "ratio":
                    clean["self_points"] = points_from_ratio(
                        node.rule_params, node.max_points, value
                    )
                continue
            problem = check_points(node, value, appraisal=not name.startswith("self"))
            if problem:
                raise ValidationError({name: problem})
            clean[name] = value
        else:
            clean[name] = str(raw or "").strip()[:5000]
    return clean


def _check_reason(score: Score) -> None:
    """An appraisal that differs from the self-score needs a reason."""
    for points, reason, name in (
        (score.round1_points, score.round1_reason, "round1_reason"),
        (score.round2_points, score.round2_reason, "round2_reason"),
    ):
        if points is not None and points != (score.self_points or Decimal(0)) and not reason:
            raise ValidationError({name: "Điểm thẩm định khác điểm tự chấm: cần ghi lý do."})


def evidence_add(*, score: Score, actor, uploads) -> list[Evidence]:
    """Attach several files to a score: every file is checked first, so one bad file among
    several leaves nothing half-added."""
    stage = (
        Evidence.Stage.EXPLANATION
        if score.assessment.status == Status.EXPLANATION_REQUESTED
        else Evidence.Stage.SELF
    )
    if stage == Evidence.Stage.SELF:
        if score.assessment.status != Status.DRAFT:
            raise ValidationError({"file": "Bản tự đánh giá đã nộp, không thêm tài liệu được."})
        if not selectors.can_edit_self(actor, score.assessment, score.node):
            raise PermissionDenied
    elif not selectors.is_unit_focal(actor, score.assessment):
        raise PermissionDenied
    if not uploads:
        raise ValidationError({"file": "Chọn ít nhất một tệp."})
    checked_files = [
        check_upload(upload, kinds=("pdf", "image", "office"), max_bytes=20 * 1024 * 1024)
        for upload in uploads
    ]
    added = []
    with transaction.atomic():
        for checked in checked_files:
            path = store_upload(checked, folder=f"par/{score.assessment_id}")
            added.append(
                Evidence.objects.create(
                    score=score,
                    stage=stage,
                    path=path,
                    original_name=checked.original_name,
                    mime=checked.mime,
                    size=checked.size,
                    sha256=checked.sha256,
                    uploaded_by=actor,
                )
            )
            ScoreChange.objects.create(
                score=score, field="evidence", new=checked.original_name, actor=actor
            )
        audit_record(
            actor=actor,
            obj=score.assessment,
            action="evidence_add",
            to_state=score.node.code[:AUDIT_STATE],
            reason=", ".join(c.original_name for c in checked_files),
            agency=score.assessment.period.agency,
        )
    return added


# --- assessment status flow ------------------------------------------------------------------

OTHER_AGENCY = _("Bản đánh giá thuộc cơ quan khác.")


def _other_agency(actor, assessment) -> bool:
    return not actor.is_superuser and (
        actor.unit_id is None or actor.unit.agency_id != assessment.period.agency_id
    )


def _unit_focal(actor, assessment):
    if selectors.is_unit_focal(actor, assessment):
        return None
    if _other_agency(actor, assessment):
        return str(OTHER_AGENCY)
    return _(
        "Chỉ lãnh đạo hoặc đầu mối cải cách hành chính của %(unit)s thực hiện thao tác này."
    ) % {"unit": assessment.unit.name}


def _appraiser(actor, assessment):
    if selectors.is_appraiser(actor, assessment.period):
        return None
    if _other_agency(actor, assessment):
        return str(OTHER_AGENCY)
    return _("Chỉ thành viên hội đồng thẩm định của “%(period)s” thực hiện thao tác này.") % {
        "period": assessment.period.name
    }


def _manager(actor, assessment):
    if selectors.can_manage(actor, assessment.period.agency):
        return None
    if _other_agency(actor, assessment):
        return str(OTHER_AGENCY)
    return str(_("Chỉ đầu mối cải cách hành chính của cơ quan công bố kết quả."))


_F = "cchc.parindex.forms."
_S = "cchc.parindex.services."

# The assessment's transitions: one slug each (the `action` of pages and API), used by the
# service, the buttons of the detail page, the API's list of available actions and the one
# dispatch of pages and API. `extra["stamp"]`: the date field set when it happens.
FLOW = Workflow(
    [
        Transition(
            "submit",
            _("Nộp bản tự đánh giá"),
            frozenset({Status.DRAFT}),
            Status.SUBMITTED,
            who=_unit_focal,
            audit="assessment_submit",
            service=_S + "assessment_submit",
            form=_F + "TransitionForm",
            extra={"stamp": "submitted_at", "freeze_metrics": True},
        ),
        Transition(
            "start_appraisal",
            _("Bắt đầu thẩm định"),
            frozenset({Status.SUBMITTED}),
            Status.APPRAISING,
            who=_appraiser,
            audit="assessment_start_appraisal",
            service=_S + "assessment_start_appraisal",
            form=_F + "TransitionForm",
        ),
        Transition(
            "request_explanation",
            _("Yêu cầu giải trình"),
            frozenset({Status.APPRAISING}),
            Status.EXPLANATION_REQUESTED,
            who=_appraiser,
            audit="assessment_request_explanation",
            service=_S + "assessment_request_explanation",
            form=_F + "TransitionForm",
        ),
        Transition(
            "submit_explanation",
            _("Gửi giải trình"),
            frozenset({Status.EXPLANATION_REQUESTED}),
            Status.RE_APPRAISING,
            who=_unit_focal,
            audit="assessment_submit_explanation",
            service=_S + "assessment_submit_explanation",
            form=_F + "TransitionForm",
        ),
        Transition(
            "finalise",
            _("Chốt kết quả"),
            frozenset({Status.APPRAISING, Status.RE_APPRAISING}),
            Status.FINALISED,
            who=_appraiser,
            audit="assessment_finalise",
            service=_S + "assessment_finalise",
            form=_F + "TransitionForm",
            extra={"stamp": "finalised_at", "fill_final": True},
        ),
        Transition(
            "publish",
            _("Công bố"),
            frozenset({Status.FINALISED}),
            Status.PUBLISHED,
            who=_manager,
            audit="assessment_publish",
            service=_S + "assessment_publish",
            form=_F + "TransitionForm",
            extra={"stamp": "published_at"},
        ),
    ],
    record="assessment",
)


def assessment_transition(
    *, assessment_id: int, actor, action: str, reason: str = ""
) -> Assessment:
    """Run the declared transition `action`: PermissionDenied (who) or TransitionError (state)
    with the reason, checked under the row lock; audited in the same transaction."""
    if action not in FLOW:
        raise ValidationError({"action": _("Thao tác không hợp lệ.")})
    with transaction.atomic():
        # Two people pressing "submit"/"finalise" at once: lock the row, re-check the status.
        assessment = (
            Assessment.objects.select_for_update(no_key=True, of=("self",))
            .select_related("period", "period__agency", "unit")
            .get(pk=assessment_id)
        )
        transition = FLOW.check(action, actor, assessment)
        if transition.extra.get("freeze_metrics"):
            _freeze_metrics(assessment, actor)
        if transition.extra.get("fill_final"):
            _fill_final(assessment, actor)
        before = assessment.status
        assessment.status = transition.target
        fields = ["status"]
        if stamp := transition.extra.get("stamp"):
            setattr(assessment, stamp, timezone.now())
            fields.append(stamp)
        assessment.save(update_fields=fields)
        audit_record(
            actor=actor,
            obj=assessment,
            action=transition.audit,
            from_state=before,
            to_state=transition.target,
            reason=reason,
            agency=assessment.period.agency,
        )
    return assessment


def _service(slug: str):
    def run(*, actor, assessment: Assessment, reason: str = "") -> Assessment:
        return assessment_transition(
            assessment_id=assessment.pk, actor=actor, action=slug, reason=reason
        )

    run.__name__ = run.__qualname__ = f"assessment_{slug}"
    return run


# The services of FLOW (its dispatch names them by dotted path).
assessment_submit = _service("submit")
assessment_start_appraisal = _service("start_appraisal")
assessment_request_explanation = _service("request_explanation")
assessment_submit_explanation = _service("submit_explanation")
assessment_finalise = _service("finalise")
assessment_publish = _service("publish")


def _fill_final(assessment: Assessment, actor) -> None:
    """Final points = the latest stage of each leaf (round 2, else round 1, else self)."""
    scores = list(
        Score.objects.select_for_update(no_key=True, of=("self",))
        .filter(assessment=assessment)
        .select_related("node")
    )
    changed = []
    for score in scores:
        final = score.effective_points or Decimal(0)
        if score.final_points != final:
            changed.append(
                ScoreChange(
                    score=score,
                    field="final_points",
                    old=fmt(score.final_points),
                    new=fmt(final),
                    actor=actor,
                )
            )
            score.final_points = final
            score.version += 1
    Score.objects.bulk_update(scores, ["final_points", "version"])
    ScoreChange.objects.bulk_create(changed)


# --- survey import and metrics ---------------------------------------------------------------


SURVEY_MAX_ROWS = 5000  # (unit, survey leaf) pairs: units x a handful of survey criteria


def survey_rows(filename: str, data: bytes) -> list[tuple[int, dict]]:
    name = (filename or "").lower()
    if name.endswith(".csv"):
        text = data.decode("utf-8-sig")
        if "\x00" in text:
            raise ValueError("NUL in a CSV file")
        reader = csv.DictReader(io.StringIO(text))
        found = [
            (i, {(k or "").strip().lower(): v for k, v in row.items()})
            for i, row in zip(range(2, SURVEY_MAX_ROWS + 3), reader, strict=False)
        ]
        return _survey_row_cap(found)
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True, max_row=SURVEY_MAX_ROWS + 2))
        _survey_row_cap(rows[1:])
        header = [str(c or "").strip().lower() for c in rows[0]] if rows else []
        return [
            (i, dict(zip(header, row, strict=False)))
            for i, row in enumerate(rows[1:], 2)
            if any(c not in (None, "") for c in row)
        ]
    raise ImportRefused([Problem("", "Chỉ nhận tệp CSV (UTF-8) hoặc Excel (.xlsx).")])


def _survey_row_cap(rows: list) -> list:
    if len(rows) > SURVEY_MAX_ROWS:
        raise ImportRefused([Problem("", f"Quá nhiều dòng (tối đa {SURVEY_MAX_ROWS}).")])
    return rows


def survey_import(*, period: Period, filename: str, data: bytes, actor) -> int:
    """Survey points per (unit, survey leaf): all rows are checked, then all are written."""
    if not selectors.can_manage(actor, period.agency):
        raise PermissionDenied
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        check_import_file(data, name=filename)
    except ValidationError as exc:  # too large, or a zip bomb: never parsed
        raise ImportRefused([Problem("", " ".join(exc.messages))]) from None
    try:
        rows = survey_rows(filename, data)
    except (
        UnicodeDecodeError,
        ValueError,
        OSError,
        KeyError,
        csv.Error,
        zipfile.BadZipFile,
        InvalidFileException,
    ):
        raise ImportRefused(
            [Problem("", "Tệp không đọc được (cần CSV UTF-8 hoặc Excel .xlsx).")]
        ) from None
    leaves = {n.code: n for n in period.framework.nodes.filter(is_leaf=True, rule_kind="survey")}
    assessments = {a.unit.code: a for a in period.assessments.select_related("unit")}
    problems, values, seen = [], {}, {}
    if not rows:
        problems.append(Problem("", "Tệp không có dòng dữ liệu (cần cột unit, code, points)."))
    for number, row in rows:
        unit = str(row.get("unit") or "").strip()
        code = str(row.get("code") or "").strip()
        raw = row.get("points")
        where = f"dòng {number}, mã {code}" if code else f"dòng {number}"
        if unit not in assessments:
            problems.append(Problem(where, f"đơn vị “{unit}” không thuộc kỳ đánh giá."))
        if code not in leaves:
            problems.append(Problem(where, f"mã “{code}” không phải tiêu chí điều tra XHH."))
        value = to_decimal(raw)
        if value is None:
            problems.append(Problem(where, f"điểm “{raw}” không phải là số."))
        elif value < 0:
            problems.append(Problem(where, "điểm âm."))
        elif code in leaves and value > leaves[code].max_points:
            problems.append(
                Problem(
                    where, f"điểm {fmt(value)} vượt điểm tối đa {fmt(leaves[code].max_points)}."
                )
            )
        if (unit, code) in seen:
            problems.append(Problem(where, f"trùng với dòng {seen[(unit, code)]}."))
        seen[(unit, code)] = number
        if unit in assessments and code in leaves and value is not None:
            values[(assessments[unit].pk, leaves[code].pk)] = value
    for unit, assessment in assessments.items():
        if assessment.is_final and any(key[0] == assessment.pk for key in values):
            problems.append(Problem(f"đơn vị {unit}", "kết quả đã chốt, không nhập lại được."))
    if problems:
        raise ImportRefused(problems)
    with transaction.atomic():
        scores = {
            (s.assessment_id, s.node_id): s
            for s in Score.objects.select_for_update(no_key=True, of=("self",)).filter(
                assessment__period=period, node_id__in=[n.pk for n in leaves.values()]
            )
        }
        changes = []
        for key, value in values.items():
            score = scores[key]
            if score.survey_points != value:
                changes.append(
                    ScoreChange(
                        score=score,
                        field="survey_points",
                        old=fmt(score.survey_points),
                        new=fmt(value),
                        actor=actor,
                    )
                )
                score.survey_points = value
                score.version += 1
        Score.objects.bulk_update(list(scores.values()), ["survey_points", "version"])
        ScoreChange.objects.bulk_create(changes)
        audit_record(
            actor=actor,
            obj=period,
            action="survey_import",
            to_state=str(len(values)),
            agency=period.agency,
        )
    return len(values)


def metrics_refresh(*, assessment: Assessment, actor=None) -> int:
    """Fill the metric leaves of a draft assessment from the registry (live data of the other
    apps) for its unit, up to the period's cut-off; the number of leaves that changed.

    A submitted assessment keeps the values frozen on submit: nothing is written (0)."""
    with transaction.atomic():
        # The row lock orders a refresh and a submit of the same assessment.
        locked = (
            Assessment.objects.select_for_update(no_key=True, of=("self",))
            .select_related("period", "period__agency", "unit")
            .get(pk=assessment.pk)
        )
        if locked.status != Status.DRAFT:
            return 0
        count = _compute_metrics(locked, actor)
        if count:
            audit_record(
                actor=actor,
                obj=locked,
                action="metrics_refresh",
                to_state=str(count),
                reason=_metrics_reason(locked),
                agency=locked.period.agency,
            )
    assessment.metrics_computed_at = locked.metrics_computed_at
    assessment.metrics_data_date = locked.metrics_data_date
    return count


def metrics_refresh_by_id(assessment_id: int) -> int:
    """The background refresh (task, command): no actor; a deleted assessment is skipped."""
    assessment = Assessment.objects.filter(pk=assessment_id).first()
    if assessment is None:
        return 0
    return metrics_refresh(assessment=assessment)


def assessments_to_refresh(today=None) -> list[int]:
    """The assessments still in self-assessment of open periods (their year has begun)."""
    today = today or timezone.localdate()
    return list(
        Assessment.objects.filter(status=Status.DRAFT, period__year__lte=today.year)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _metrics_reason(assessment: Assessment) -> str:
    return str(
        _("Số liệu của %(unit)s tính đến %(date)s")
        % {"unit": assessment.unit.name, "date": f"{assessment.metrics_data_date:%d/%m/%Y}"}
    )


def metric_scope(assessment: Assessment, today=None) -> registry.Scope:
    """What the metric leaves of one assessment count: its unit, 1/1 to the cut-off."""
    period = assessment.period
    return registry.Scope(period.agency, period.start, period.cut_off(today), unit=assessment.unit)


def _compute_metrics(assessment: Assessment, actor) -> int:
    """Inside the caller's transaction, with the assessment locked and still a draft."""
    scores = list(
        Score.objects.select_for_update(no_key=True, of=("self",))
        .filter(assessment=assessment, node__rule_kind="metric")
        .select_related("node")
    )
    if not scores:  # no metric leaves: nothing is computed, nothing is written
        return 0
    scope = metric_scope(assessment)
    count = 0
    for score in scores:
        metric = registry.metrics.get(score.node.metric)
        if metric is None:  # a metric no app offers (yet): the leaf stays as it is
            continue
        try:
            with transaction.atomic():
                fraction = metric.compute(scope)
        except Exception:  # another app's failure must not block the refresh or the submit
            log.exception("metric %s failed for assessment %s", metric.name, assessment.pk)
            continue
        if fraction is None:
            continue
        fraction = min(max(Decimal(str(fraction)), Decimal(0)), Decimal(1))
        percent = fraction * 100
        points = points_from_ratio(score.node.rule_params, score.node.max_points, percent)
        measured = percent.quantize(Decimal("0.001"))
        if points != score.self_points or measured != score.self_measured:
            ScoreChange.objects.create(
                score=score,
                field="self_points",
                old=fmt(score.self_points),
                new=fmt(points),
                reason=f"{metric.label}: {fmt(percent.quantize(Decimal('0.1')))}%",
                actor=actor,
            )
            score.self_points, score.self_measured = points, measured
            score.version += 1
            score.save(update_fields=["self_points", "self_measured", "version", "updated_at"])
            count += 1
    assessment.metrics_computed_at = timezone.now()
    assessment.metrics_data_date = scope.end
    assessment.save(update_fields=["metrics_computed_at", "metrics_data_date"])
    return count


def _freeze_metrics(assessment: Assessment, actor) -> None:
    """On submit: compute the metric leaves one last time; later refreshes change nothing."""
    if not Node.objects.filter(
        framework_id=assessment.period.framework_id, rule_kind=Node.Rule.METRIC
    ).exists():
        return
    count = _compute_metrics(assessment, actor)
    audit_record(
        actor=actor,
        obj=assessment,
        action="metrics_freeze",
        to_state=str(count),
        reason=_metrics_reason(assessment),
        agency=assessment.period.agency,
    )
