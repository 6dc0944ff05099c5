"""Results computed from score rows (never typed): totals, index, fields, maxima, lost, rank.

Pure functions over plain data so that a whole period is computed from a few queries.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from cchc.parindex.rules import EXTRA_KINDS, fmt

ZERO = Decimal(0)
MILLI = Decimal("0.001")


@dataclass(frozen=True)
class TreeNode:
    id: int
    code: str
    name: str
    parent_id: int | None
    level: int
    max_points: Decimal
    is_leaf: bool
    rule_kind: str


class Tree:
    """A framework's nodes in order, with the children of each."""

    def __init__(self, nodes: list[TreeNode], scale: Decimal):
        self.nodes = nodes
        self.scale = scale
        self.by_id = {n.id: n for n in nodes}
        self.by_code = {n.code: n for n in nodes}
        self.children: dict[int, list[TreeNode]] = {}
        for node in nodes:
            if node.parent_id is not None:
                self.children.setdefault(node.parent_id, []).append(node)
        self.leaves = [n for n in nodes if n.is_leaf]
        self.fields = [n for n in nodes if n.level == 1]
        self.criteria = [n for n in nodes if n.level == 2]
        self.components = [n for n in nodes if n.level == 3]

    def field_of(self, node: TreeNode) -> TreeNode:
        while node.parent_id is not None:
            node = self.by_id[node.parent_id]
        return node

    def leaves_under(self, node: TreeNode) -> list[TreeNode]:
        if node.is_leaf:
            return [node]
        return [
            leaf for child in self.children.get(node.id, []) for leaf in self.leaves_under(child)
        ]


@dataclass
class Result:
    total: Decimal
    scale: Decimal
    fields: list[dict]
    criteria_at_max: int
    criteria_total: int
    components_at_max: int
    components_total: int
    lost: list[dict]
    node_points: dict[str, Decimal]
    scored_leaves: int
    leaves_total: int
    rank: int | None = None
    units_ranked: int | None = None
    previous_index: Decimal | None = None
    extra: dict = field(default_factory=dict)

    @property
    def index(self) -> Decimal:
        return (self.total / self.scale * 100).quantize(MILLI)

    @property
    def index_text(self) -> str:
        return fmt(self.index, 3)

    @property
    def total_text(self) -> str:
        return fmt(self.total.quantize(MILLI), 3)

    @property
    def change(self) -> Decimal | None:
        return None if self.previous_index is None else self.index - self.previous_index

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return ""
        return ("+" if change > 0 else "") + fmt(change, 3)

    def as_dict(self) -> dict:
        return {
            "total": float(self.total.quantize(MILLI)),
            "index": float(self.index),
            "index_text": self.index_text,
            "scale": float(self.scale),
            "fields": [
                {k: (float(v) if isinstance(v, Decimal) else v) for k, v in f.items()}
                for f in self.fields
            ],
            "criteria_at_max": self.criteria_at_max,
            "criteria_total": self.criteria_total,
            "components_at_max": self.components_at_max,
            "components_total": self.components_total,
            "rank": self.rank,
            "units_ranked": self.units_ranked,
            "lost": [{"code": item["code"], "lost": float(item["lost"])} for item in self.lost],
            "previous_index": None if self.previous_index is None else float(self.previous_index),
        }


def compute(tree: Tree, points: dict[int, Decimal | None]) -> Result:
    """Result of one assessment from its leaf points (node id -> points; missing = 0)."""
    node_points: dict[str, Decimal] = {}
    bonus = penalty = ZERO
    scored = 0

    def value(node: TreeNode) -> Decimal:
        nonlocal bonus, penalty, scored
        if node.is_leaf:
            raw = points.get(node.id)
            if raw is not None:
                scored += 1
            got = min(raw or ZERO, node.max_points)
            node_points[node.code] = got
            if node.rule_kind == "bonus":
                bonus += got
                return ZERO
            if node.rule_kind == "penalty":
                penalty += got
                return ZERO
            return got
        got = sum((value(c) for c in tree.children.get(node.id, [])), ZERO)
        node_points[node.code] = got
        return got

    regular = sum((value(f) for f in tree.fields), ZERO)
    total = max(ZERO, regular + bonus - penalty)
    fields = []
    for f in tree.fields:
        got = node_points[f.code]
        fields.append(
            {
                "code": f.code,
                "name": f.name,
                "points": got,
                "max": f.max_points,
                "percent": (got / f.max_points * 100).quantize(Decimal("0.1"))
                if f.max_points
                else ZERO,
            }
        )

    def at_max(nodes):
        return sum(1 for n in nodes if node_points[n.code] >= n.max_points)

    lost = [
        {
            "code": n.code,
            "name": n.name,
            "lost": n.max_points - node_points[n.code],
            "max": n.max_points,
        }
        for n in tree.leaves
        if n.rule_kind not in EXTRA_KINDS and node_points[n.code] < n.max_points
    ]
    lost.sort(key=lambda item: (-item["lost"], _code_key(item["code"])))
    return Result(
        total=total,
        scale=tree.scale,
        fields=fields,
        criteria_at_max=at_max(tree.criteria),
        criteria_total=len(tree.criteria),
        components_at_max=at_max(tree.components),
        components_total=len(tree.components),
        lost=lost,
        node_points=node_points,
        scored_leaves=scored,
        leaves_total=len(tree.leaves),
        extra={"bonus": bonus, "penalty": penalty},
    )


def _code_key(code: str):
    return tuple(int(p) for p in code.split(".") if p.isdigit())


def rank(results: dict, key=lambda r: r.total) -> dict:
    """Competition ranking (1, 1, 3): equal totals share a rank. Fills rank/units_ranked."""
    ordered = sorted(results.items(), key=lambda item: -key(item[1]).quantize(MILLI))
    previous, current = None, 0
    for position, (_, result) in enumerate(ordered, start=1):
        value = key(result).quantize(MILLI)
        if value != previous:
            current, previous = position, value
        result.rank = current
        result.units_ranked = len(ordered)
    return results


def rank_of(total: Decimal, others: list[Decimal]) -> int:
    """The rank `total` would have among `others` (ties share the better rank)."""
    total = total.quantize(MILLI)
    return 1 + sum(1 for other in others if other.quantize(MILLI) > total)
