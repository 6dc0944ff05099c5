"""Scoring rules: the code of each rule kind; their parameters are framework data.

Each kind checks its parameters (at import) and a proposed number of points (when scoring);
`ratio` and `metric` map a measured percentage (0-100) to points.
"""

from decimal import Decimal, InvalidOperation

from cchc.core import registry

KINDS = ("manual", "choice", "ratio", "survey", "metric", "bonus", "penalty")
EXTRA_KINDS = ("bonus", "penalty")


def to_decimal(value) -> Decimal | None:
    """A number from YAML/Excel/forms (accepting a decimal comma), or None if it is not one."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def check_params(kind: str, params: dict, max_points: Decimal, metric: str = "") -> list[str]:
    """Problems with a leaf's rule parameters, in Vietnamese (empty when valid)."""
    problems = []
    if kind not in KINDS:
        return [f"cách chấm “{kind}” không có (chỉ dùng: {', '.join(KINDS)})"]
    if kind == "manual":
        step = params.get("step", "0.25")
        step_value = to_decimal(step)
        if step_value is None or step_value <= 0:
            problems.append(f"bước điểm “{step}” phải là số dương")
    if kind == "choice":
        levels = params.get("levels")
        if not isinstance(levels, list) or not levels:
            problems.append("cách chấm “choice” cần danh sách mức (levels)")
        else:
            for i, level in enumerate(levels, 1):
                points = to_decimal(level.get("points")) if isinstance(level, dict) else None
                if points is None or points < 0:
                    problems.append(f"mức {i}: điểm phải là số không âm")
                elif points > max_points:
                    problems.append(f"mức {i}: điểm {points} vượt điểm tối đa {max_points}")
    if kind in ("ratio", "metric"):
        problems += _check_mapping(params)
    if kind == "metric" and not metric:
        problems.append("cách chấm “metric” cần tên số liệu (metric)")
    if metric and metric not in registry.metrics:
        problems.append(f"số liệu “{metric}” chưa được đăng ký")
    return problems


def _check_mapping(params: dict) -> list[str]:
    thresholds, target = params.get("thresholds"), params.get("target")
    if thresholds is None and target is None:
        return ["cần ngưỡng (thresholds) hoặc chỉ tiêu (target)"]
    problems = []
    if target is not None:
        value = to_decimal(target)
        if value is None or value <= 0:
            problems.append(f"chỉ tiêu “{target}” phải là số dương")
    if thresholds is not None:
        if not isinstance(thresholds, list) or not thresholds:
            problems.append("ngưỡng (thresholds) phải là danh sách")
        else:
            for i, item in enumerate(thresholds, 1):
                ok = isinstance(item, dict)
                low = to_decimal(item.get("min")) if ok else None
                points = to_decimal(item.get("points")) if ok else None
                if low is None or points is None or points < 0:
                    problems.append(f"ngưỡng {i}: cần “min” và “points” là số không âm")
    return problems


def points_from_ratio(params: dict, max_points: Decimal, percent: Decimal) -> Decimal:
    """Map a measured percentage (0-100) to points: thresholds, else max × min(1, R/target)."""
    thresholds = params.get("thresholds")
    if thresholds:
        for item in sorted(thresholds, key=lambda t: to_decimal(t["min"]), reverse=True):
            if percent >= to_decimal(item["min"]):
                return min(max_points, to_decimal(item["points"]))
        return Decimal(0)
    target = to_decimal(params.get("target"))
    share = min(Decimal(1), max(Decimal(0), percent / target))
    return (max_points * share).quantize(Decimal("0.001"))


def check_points(node, points: Decimal, *, appraisal: bool = False) -> str | None:
    """Why `points` is not a valid score for this leaf, or None when it is."""
    if points < 0:
        return "Điểm không được âm."
    if points > node.max_points:
        return f"Điểm tối đa của tiêu chí {node.code} là {fmt(node.max_points)}."
    if node.rule_kind == "choice" and not appraisal:
        allowed = [to_decimal(level["points"]) for level in node.rule_params.get("levels", [])]
        if points not in allowed:
            return "Chỉ chọn một trong các mức: " + ", ".join(fmt(a) for a in allowed) + "."
    step = to_decimal(node.rule_params.get("step")) if node.rule_kind == "manual" else None
    if step and (points % step) != 0 and points != node.max_points:
        return f"Điểm phải theo bước {fmt(step)}."
    return None


def fmt(value, places: int | None = None) -> str:
    """Vietnamese number: decimal comma ("76,473"); trailing zeros dropped unless `places`."""
    if value is None:
        return ""
    value = Decimal(value)
    if places is not None:
        text = f"{value:.{places}f}"
    else:
        text = format(value.normalize(), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
