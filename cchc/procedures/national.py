"""The national side of a local procedure (reads): its mapped code and field code, and the
candidates the mapping page proposes by name similarity."""

import math
import re
from collections import Counter
from dataclasses import dataclass

from cchc.core.text import normalise
from cchc.procedures.models import FieldMapping, NationalProcedure, Procedure, ProcedureMapping

# Candidates below this cosine similarity are not proposed (as OpenCPS's mapping screen does).
MIN_SCORE = 0.4
MAX_CANDIDATES = 10
_PUNCTUATION = re.compile(r"[^\w\s]")


def national_for(procedure: Procedure) -> NationalProcedure | None:
    """The national catalogue entry mapped to the procedure's series, or None."""
    return (
        NationalProcedure.objects.filter(mapping__series=procedure.series)
        .only("code", "name", "field_code", "field_name", "result_code")
        .first()
    )


def field_code_for(procedure: Procedure) -> str:
    mapped = FieldMapping.objects.filter(field=procedure.field).values_list(
        "national_code", flat=True
    )
    return next(iter(mapped), "")


def words(text: str) -> Counter:
    """Word counts of a name: diacritics-insensitive, lower case, punctuation stripped."""
    return Counter(_PUNCTUATION.sub(" ", normalise(text)).split())


def similarity(a: str | Counter, b: str | Counter) -> float:
    """Cosine similarity of the word counts of two names (0 to 1)."""
    a = a if isinstance(a, Counter) else words(a)
    b = b if isinstance(b, Counter) else words(b)
    dot = sum(count * b[word] for word, count in a.items())
    if not dot:
        return 0.0
    norm = math.sqrt(sum(c * c for c in a.values())) * math.sqrt(sum(c * c for c in b.values()))
    return round(min(dot / norm, 1.0), 4)


@dataclass
class Candidate:
    national: NationalProcedure
    score: float
    mapped_to: Procedure | None  # another procedure already holding this national code


def _vectors(nationals) -> list[tuple[NationalProcedure, Counter]]:
    return [(n, words(n.name)) for n in nationals]


def national_catalogue():
    return NationalProcedure.objects.only("code", "name", "field_code", "field_name", "public")


def candidates(
    procedure: Procedure, vectors=None, holders=None, limit: int = MAX_CANDIDATES
) -> list[Candidate]:
    """National procedures whose names resemble the local one (score ≥ MIN_SCORE), best first;
    each says which other local procedure already holds it."""
    vectors = _vectors(national_catalogue()) if vectors is None else vectors
    local = words(procedure.name)
    scored = [(n, similarity(local, v)) for n, v in vectors]
    best = sorted(
        ((n, s) for n, s in scored if s >= MIN_SCORE), key=lambda pair: (-pair[1], pair[0].code)
    )[:limit]
    holders = _holders([n.pk for n, _ in best]) if holders is None else holders
    return [
        Candidate(n, s, h if h is not None and h.series != procedure.series else None)
        for n, s in best
        for h in [holders.get(n.pk)]
    ]


def _holders(national_ids=None) -> dict[int, Procedure]:
    """national id -> the current local procedure of the series mapped to it (all of them
    when national_ids is None)."""
    mappings = ProcedureMapping.objects.all()
    if national_ids is not None:
        mappings = mappings.filter(national_id__in=national_ids)
    series = dict(mappings.values_list("series", "national_id"))
    procedures = Procedure.objects.current().filter(series__in=series).only("pk", "name", "series")
    return {series[p.series]: p for p in procedures}


@dataclass
class MappingRow:
    procedure: Procedure
    mapping: ProcedureMapping | None
    best: Candidate | None


def mapping_rows(*, unmapped_only: bool = False, query: str = "") -> list[MappingRow]:
    """Every current local procedure with its mapping (who, when, score) or, when unmapped,
    its best candidate."""
    procedures = Procedure.objects.current().only("pk", "code", "name", "field", "series")
    for word in normalise(query.replace("\x00", "")).split():
        procedures = procedures.filter(search_text__contains=word)
    mappings = {
        m.series: m
        for m in ProcedureMapping.objects.select_related("national", "mapped_by").filter(
            series__in=[p.series for p in procedures]
        )
    }
    vectors = holders = None
    rows = []
    for procedure in procedures:
        mapping = mappings.get(procedure.series)
        if mapping is not None and unmapped_only:
            continue
        best = None
        if mapping is None:
            if vectors is None:  # once per page, not once per procedure
                vectors, holders = _vectors(national_catalogue()), _holders()
            best = next(iter(candidates(procedure, vectors, holders, limit=1)), None)
        rows.append(MappingRow(procedure, mapping, best))
    return rows


def mapping_of(procedure: Procedure) -> ProcedureMapping | None:
    return (
        ProcedureMapping.objects.select_related("national", "mapped_by")
        .filter(series=procedure.series)
        .first()
    )


def national_fields() -> dict[str, str]:
    """The national fields (MaLinhVuc -> TenLinhVuc) named by the imported records'
    LINHVUCTHUCHIEN."""
    found = {}
    for code, name, raw in NationalProcedure.objects.values_list("field_code", "field_name", "raw"):
        if code:
            found.setdefault(code, name)
        for item in (raw or {}).get("LINHVUCTHUCHIEN") or []:
            if isinstance(item, dict) and str(item.get("MALINHVUC") or "").strip():
                found.setdefault(str(item["MALINHVUC"]).strip(), str(item.get("TENLINHVUC") or ""))
    return dict(sorted(found.items()))


@dataclass
class FieldRow:
    field: str
    mapping: FieldMapping | None
    proposals: list[tuple[str, str, float]]  # (MaLinhVuc, TenLinhVuc, score)


def field_rows() -> list[FieldRow]:
    """Each local field with its mapping and the national fields proposed for it: those of the
    national records its procedures are mapped to (score 1), then by name similarity."""
    national = national_fields()
    mapped_codes: dict[str, set[str]] = {}
    series_fields = dict(Procedure.objects.current().values_list("series", "field"))
    for series, code in ProcedureMapping.objects.filter(series__in=series_fields).values_list(
        "series", "national__field_code"
    ):
        if code:
            mapped_codes.setdefault(series_fields[series], set()).add(code)
    mappings = {m.field: m for m in FieldMapping.objects.all()}
    rows = []
    for field in sorted(set(series_fields.values())):
        scores = dict.fromkeys(mapped_codes.get(field, ()), 1.0)
        for code, name in national.items():
            score = similarity(field, name)
            if score >= MIN_SCORE:
                scores[code] = max(scores.get(code, 0.0), score)
        proposals = sorted(
            ((c, national.get(c, ""), s) for c, s in scores.items()), key=lambda p: (-p[2], p[0])
        )
        rows.append(FieldRow(field, mappings.get(field), proposals))
    return rows


# The national code lists as the contract names them (docs/dvcqg.md §6): the local statuses and
# channels ARE these codes, so the mapping is the identity; the page shows both labels.
NATIONAL_STATUS = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
NATIONAL_CHANNEL = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Qua bưu chính công ích"}


def code_lists() -> dict[str, list[tuple[int, str, str]]]:
    """(code, local label, national label) for the dossier statuses and the channels."""
    from cchc.dossiers.models import Channel, Status

    return {
        "statuses": [(s.value, s.label, NATIONAL_STATUS[s.value]) for s in Status],
        "channels": [(c.value, c.label, NATIONAL_CHANNEL[c.value]) for c in Channel],
    }
