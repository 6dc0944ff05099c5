"""Read a framework from YAML or Excel and check everything before anything is written.

`parse_framework(name, data)` returns a `FrameworkSpec`; `spec.problems` lists every problem
with its line/row and code in Vietnamese. Nothing is saved here: `services.framework_import`
saves a spec only when it has no problem.
"""

import io
import itertools
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

import yaml
from django.core.exceptions import ValidationError

from cchc.core.files import check_import_file
from cchc.parindex.rules import EXTRA_KINDS, check_params, fmt, to_decimal

CODE_RE = re.compile(r"^\d+(\.\d+){0,2}$")
LEVELS = ("ministry", "province", "department", "custom")
# The database columns: points have 7 digits with 3 decimals; text columns have these lengths.
MAX_POINTS = Decimal("9999.999")
MAX_NODES = 2000  # rows of a framework file (the national framework has about 200)
LENGTHS = {"code": 50, "name": 300}
NODE_CODE_LENGTH = 30
EXCEL_COLUMNS = ("code", "name", "max", "rule", "params", "metric", "evidence")


@dataclass
class Problem:
    where: str
    message: str

    def __str__(self):
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class NodeSpec:
    code: str
    name: str
    parent_code: str | None
    level: int
    order: int
    where: str
    max_points: Decimal | None = None
    rule_kind: str = ""
    rule_params: dict = field(default_factory=dict)
    metric: str = ""
    evidence_hint: str = ""
    is_leaf: bool = True
    bad_max: bool = False


@dataclass
class FrameworkSpec:
    meta: dict = field(default_factory=dict)
    nodes: list[NodeSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    @property
    def valid(self) -> bool:
        return not self.problems


class _LineLoader(yaml.SafeLoader):
    """Keeps the line of every mapping so that problems can name it; refuses aliases, which a
    framework never needs and which let a small file expand to billions of nodes."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "không dùng bí danh (alias *...) trong tệp", event.start_mark
            )
        return super().compose_node(parent, index)


def _construct_mapping(loader, node, deep=False):
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_framework(filename: str, data: bytes) -> FrameworkSpec:
    name = (filename or "").lower()
    try:
        check_import_file(data, name=filename)
    except ValidationError as exc:  # too large, or a zip bomb: never parsed
        spec = FrameworkSpec()
        spec.problem("", " ".join(exc.messages))
        return spec
    try:
        if name.endswith((".xlsx", ".xlsm")):
            spec = _read_excel(data)
        elif name.endswith((".yaml", ".yml")):
            spec = _read_yaml(data)
        else:
            spec = FrameworkSpec()
            spec.problem("", "Chỉ nhận tệp YAML (.yaml, .yml) hoặc Excel (.xlsx).")
            return spec
    except RecursionError:
        spec = FrameworkSpec()
        spec.problem("", "Cây tiêu chí lồng nhau quá sâu (chỉ có 3 cấp).")
        return spec
    if spec.valid or spec.nodes:
        _check(spec)
    return spec


def _count_nodes(items) -> int:
    if not isinstance(items, list):
        return 0
    return sum(1 + _count_nodes(i.get("children")) for i in items if isinstance(i, dict))


def _read_yaml(data: bytes) -> FrameworkSpec:
    spec = FrameworkSpec()
    try:
        doc = yaml.load(data.decode("utf-8"), Loader=_LineLoader)  # noqa: S506 - safe subclass
    except UnicodeDecodeError:
        spec.problem("", "Tệp không phải văn bản UTF-8.")
        return spec
    except RecursionError:
        spec.problem("", "YAML lồng nhau quá sâu.")
        return spec
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}" if mark else ""
        spec.problem(where, f"YAML không đọc được ({getattr(exc, 'problem', exc)}).")
        return spec
    if not isinstance(doc, dict):
        spec.problem("", "Tệp YAML phải là một bảng khóa: giá trị (code, name, nodes, ...).")
        return spec
    spec.meta = {k: v for k, v in doc.items() if k not in ("nodes", "fields", "__line__")}
    nodes = doc.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        spec.problem("", "Thiếu danh sách tiêu chí “nodes” (tệp chỉ có số lượng, chưa có cây).")
        return spec
    if _count_nodes(nodes) > MAX_NODES:
        spec.problem("", f"Quá nhiều tiêu chí (tối đa {MAX_NODES}).")
        return spec
    counter = itertools.count(1)

    def walk(items, parent_code, level):
        for item in items:
            if not isinstance(item, dict):
                spec.problem("", f"Một mục trong “{parent_code or 'nodes'}” không phải bảng khóa.")
                continue
            where_line = f"dòng {item.get('__line__', '?')}"
            code = str(item.get("code", "")).strip()
            where = f"{where_line}, mã {code}" if code else where_line
            node = NodeSpec(
                code=code,
                name=str(item.get("name") or "").strip(),
                parent_code=parent_code,
                level=level,
                order=next(counter),
                where=where,
                metric=str(item.get("metric") or "").strip(),
                evidence_hint=str(item.get("evidence") or "").strip(),
            )
            _set_max(spec, node, item.get("max"))
            rule = item.get("rule")
            if rule is not None:
                if isinstance(rule, dict):
                    node.rule_kind = str(rule.get("kind") or "").strip()
                    node.rule_params = {
                        k: _plain(v) for k, v in rule.items() if k not in ("kind", "__line__")
                    }
                else:
                    node.rule_kind = str(rule).strip()
            if parent_code is not None and code and not code.startswith(parent_code + "."):
                spec.problem(where, f"mã “{code}” không nối tiếp mã của cấp trên “{parent_code}”.")
            children = item.get("children") or []
            node.is_leaf = not children
            spec.nodes.append(node)
            if children:
                walk(children, code, level + 1)

    walk(nodes, None, 1)
    return spec


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _set_max(spec, node, raw):
    if raw is None or raw == "":
        return
    value = to_decimal(raw)
    problem = None if value is None else _points_problem(value)
    node.bad_max = value is None or problem is not None
    if value is None:
        spec.problem(node.where, f"điểm tối đa “{raw}” không phải là số.")
    elif problem:
        spec.problem(node.where, f"điểm tối đa {fmt(value)} {problem}.")
    else:
        node.max_points = value


def _points_problem(value: Decimal) -> str | None:
    if value < 0:
        return "âm"
    if value > MAX_POINTS:
        return f"vượt quá {fmt(MAX_POINTS)}"
    if value != value.quantize(Decimal("0.001")):
        return "có quá 3 chữ số thập phân"
    return None


def _read_excel(data: bytes) -> FrameworkSpec:
    from openpyxl import load_workbook

    spec = FrameworkSpec()
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        spec.problem("", "Tệp Excel không đọc được (cần định dạng .xlsx).")
        return spec
    sheets = {ws.title.strip().lower(): ws for ws in book.worksheets}
    meta_sheet = sheets.get("meta") or sheets.get("thông tin")
    if meta_sheet is not None:
        for row in meta_sheet.iter_rows(min_row=1, values_only=True):
            if row and row[0] not in (None, ""):
                key = str(row[0]).strip()
                spec.meta[key] = row[1] if len(row) > 1 else None
        for key in ("fields", "criteria", "components"):
            if f"totals_{key}" in spec.meta:
                spec.meta.setdefault("totals", {})[key] = spec.meta.pop(f"totals_{key}")
    nodes_sheet = sheets.get("nodes") or sheets.get("tiêu chí") or book.worksheets[0]
    rows = list(nodes_sheet.iter_rows(values_only=True, max_row=MAX_NODES + 2))
    if not rows:
        spec.problem("", "Trang tính tiêu chí trống.")
        return spec
    if len(rows) > MAX_NODES + 1:
        spec.problem("", f"Quá nhiều dòng tiêu chí (tối đa {MAX_NODES}).")
        return spec
    header = [str(c or "").strip().lower() for c in rows[0]]
    missing = [c for c in ("code", "name", "max", "rule") if c not in header]
    if missing:
        spec.problem("dòng 1", "thiếu cột: " + ", ".join(missing) + ".")
        return spec
    col = {name: header.index(name) for name in EXCEL_COLUMNS if name in header}
    for number, row in enumerate(rows[1:], start=2):
        cells = {name: (row[i] if i < len(row) else None) for name, i in col.items()}
        if all(v in (None, "") for v in cells.values()):
            continue
        raw_code = cells.get("code")
        if isinstance(raw_code, float) and raw_code.is_integer():
            raw_code = int(raw_code)  # a field code typed as a number: 2.0 means "2"
        code = str(raw_code if raw_code is not None else "").strip()
        where = f"dòng {number}, mã {code}" if code else f"dòng {number}"
        parent = code.rsplit(".", 1)[0] if "." in code else None
        node = NodeSpec(
            code=code,
            name=str(cells.get("name") or "").strip(),
            parent_code=parent,
            level=code.count(".") + 1,
            order=number,
            where=where,
            rule_kind=str(cells.get("rule") or "").strip(),
            metric=str(cells.get("metric") or "").strip(),
            evidence_hint=str(cells.get("evidence") or "").strip(),
        )
        _set_max(spec, node, cells.get("max"))
        params = cells.get("params")
        if params not in (None, ""):
            try:
                node.rule_params = json.loads(str(params))
                if not isinstance(node.rule_params, dict):
                    raise ValueError
            except (ValueError, RecursionError):
                spec.problem(where, 'tham số cách chấm phải là JSON dạng {"khóa": giá trị}.')
                node.rule_params = {}
        spec.nodes.append(node)
    codes = {n.code for n in spec.nodes}
    parents = {n.parent_code for n in spec.nodes if n.parent_code}
    for node in spec.nodes:
        node.is_leaf = node.code not in parents
        if node.parent_code and node.parent_code not in codes:
            spec.problem(
                node.where,
                f"mã “{node.code}” không nối tiếp mã của tiêu chí nào (không có mã “{node.parent_code}”).",
            )
    return spec


def _check(spec: FrameworkSpec) -> None:
    meta = spec.meta
    if isinstance(meta.get("sample"), str):  # an Excel cell typed "FALSE" is text, not a bool
        meta["sample"] = meta["sample"].strip().lower() in ("true", "1", "yes", "có", "x")
    for key, label in (("code", "mã bộ tiêu chí"), ("name", "tên"), ("year", "năm")):
        if meta.get(key) in (None, ""):
            spec.problem("thông tin chung", f"thiếu “{key}” ({label}).")
    year = meta.get("year")
    if year not in (None, "") and (not str(year).isdigit() or not 2000 <= int(year) <= 2100):
        spec.problem("thông tin chung", f"năm “{year}” không hợp lệ.")
    if str(meta.get("level") or "") not in LEVELS:
        spec.problem(
            "thông tin chung",
            f"cấp “{meta.get('level')}” không hợp lệ (chỉ dùng: {', '.join(LEVELS)}).",
        )
    for key, length in LENGTHS.items():
        if len(str(meta.get(key) or "").strip()) > length:
            spec.problem("thông tin chung", f"“{key}” dài quá {length} ký tự.")
    scale = to_decimal(meta.get("scale"))
    if scale is None or scale <= 0 or _points_problem(scale):
        spec.problem(
            "thông tin chung",
            f"thang điểm “{meta.get('scale')}” phải là số dương, tối đa {fmt(MAX_POINTS)}.",
        )
        scale = None
    seen: dict[str, NodeSpec] = {}
    for node in spec.nodes:
        if not node.code:
            spec.problem(node.where, "thiếu mã tiêu chí.")
            continue
        if not CODE_RE.match(node.code) or len(node.code) > NODE_CODE_LENGTH:
            spec.problem(node.where, f"mã “{node.code}” phải có dạng 1, 1.2 hoặc 1.2.3.")
        if node.code in seen:
            spec.problem(
                node.where, f"mã “{node.code}” bị trùng (đã có ở {seen[node.code].where})."
            )
        else:
            seen[node.code] = node
        if not node.name:
            spec.problem(node.where, "thiếu tên tiêu chí.")
        if node.level > 3:
            spec.problem(node.where, "cây tiêu chí chỉ có 3 cấp.")
        if node.is_leaf:
            _check_leaf(spec, node)
        elif node.rule_kind:
            spec.problem(node.where, "tiêu chí có tiêu chí thành phần thì không có cách chấm.")
    if not spec.problems:
        _check_sums(spec, scale)
    _check_totals(spec)


def _check_leaf(spec, node):
    if node.max_points is None:
        if not node.bad_max:
            spec.problem(node.where, "tiêu chí chấm điểm thiếu điểm tối đa (max).")
        return
    if not node.rule_kind:
        node.rule_kind = "manual"
    for message in check_params(node.rule_kind, node.rule_params, node.max_points, node.metric):
        spec.problem(node.where, message + ".")


def _check_sums(spec, scale):
    children: dict[str, list[NodeSpec]] = {}
    for node in spec.nodes:
        if node.parent_code:
            children.setdefault(node.parent_code, []).append(node)

    def total(node) -> Decimal:
        if node.is_leaf:
            return Decimal(0) if node.rule_kind in EXTRA_KINDS else node.max_points
        computed = sum((total(c) for c in children.get(node.code, [])), Decimal(0))
        if node.max_points is not None and node.max_points != computed:
            spec.problem(
                node.where,
                f"điểm tối đa {fmt(node.max_points)} khác tổng của các tiêu chí con ({fmt(computed)}).",
            )
        node.max_points = computed
        return computed

    roots = [n for n in spec.nodes if n.parent_code is None]
    grand = sum((total(n) for n in roots), Decimal(0))
    if scale is not None and grand != scale:
        spec.problem(
            "toàn bộ",
            f"tổng điểm các tiêu chí chấm điểm là {fmt(grand)}, khác thang điểm {fmt(scale)}.",
        )
    leaves = [n for n in spec.nodes if n.is_leaf and n.rule_kind not in EXTRA_KINDS]
    survey = sum((n.max_points for n in leaves if n.rule_kind == "survey"), Decimal(0))
    declared_survey = to_decimal(spec.meta.get("survey_points"))
    if declared_survey is not None and survey != declared_survey:
        spec.problem(
            "toàn bộ",
            f"tổng điểm điều tra XHH là {fmt(survey)}, khác khai báo survey_points {fmt(declared_survey)}.",
        )
    declared_self = to_decimal(spec.meta.get("self_assessment_points"))
    if declared_self is not None and grand - survey != declared_self:
        spec.problem(
            "toàn bộ",
            f"tổng điểm tự đánh giá là {fmt(grand - survey)}, khác khai báo self_assessment_points {fmt(declared_self)}.",
        )
    spec.meta["survey_points"] = survey
    spec.meta["self_assessment_points"] = grand - survey


def _check_totals(spec):
    totals = spec.meta.get("totals")
    if isinstance(totals, dict):
        counts = {
            "fields": sum(1 for n in spec.nodes if n.level == 1),
            "criteria": sum(1 for n in spec.nodes if n.level == 2),
            "components": sum(1 for n in spec.nodes if n.level == 3),
        }
        labels = {"fields": "lĩnh vực", "criteria": "tiêu chí", "components": "tiêu chí thành phần"}
        for key, count in counts.items():
            declared = totals.get(key)
            if declared is not None and str(declared).strip() != str(count):
                spec.problem("totals", f"khai báo {declared} {labels[key]} nhưng tệp có {count}.")
