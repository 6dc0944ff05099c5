"""Excel export of every score of a period (self / round 1 / explanation / round 2 / final)."""

from cchc.core.excel import append, workbook_bytes
from cchc.parindex import selectors
from cchc.parindex.models import SAMPLE_BANNER, Period, Score

HEADERS = [
    "Đơn vị",
    "Mã",
    "Tiêu chí",
    "Điểm tối đa",
    "Tự chấm",
    "Thuyết minh",
    "Điều tra XHH",
    "Thẩm định lần 1",
    "Lý do lần 1",
    "Giải trình",
    "Thẩm định lần 2",
    "Lý do lần 2",
    "Điểm chính thức",
]


def _num(value):
    return None if value is None else float(value)


def period_scores_xlsx(period: Period) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    summary = book.create_sheet("Kết quả")
    if period.framework.sample:
        append(summary, [str(SAMPLE_BANNER)])
    append(summary, ["Đơn vị", "Tổng điểm", "Chỉ số", "Xếp hạng", "Trạng thái"])
    results = selectors.period_results(period)
    for result in sorted(results.values(), key=lambda r: r.rank):
        assessment = result.extra["assessment"]
        append(
            summary,
            [
                assessment.unit.name,
                float(result.total),
                float(result.index),
                result.rank,
                assessment.get_status_display(),
            ],
        )
    sheet = book.create_sheet("Điểm chi tiết")
    if period.framework.sample:
        append(sheet, [str(SAMPLE_BANNER)])
    append(sheet, HEADERS)
    rows = (
        Score.objects.filter(assessment__period=period)
        .select_related("assessment__unit", "node")
        .order_by("assessment__unit__order", "assessment__unit__name", "node__order")
    )
    for s in rows.iterator(chunk_size=2000):
        append(
            sheet,
            [
                s.assessment.unit.name,
                s.node.code,
                s.node.name,
                float(s.node.max_points),
                _num(s.self_points),
                s.self_note,
                _num(s.survey_points),
                _num(s.round1_points),
                s.round1_reason,
                s.explanation,
                _num(s.round2_points),
                s.round2_reason,
                _num(s.final_points),
            ],
        )
    return workbook_bytes(book)
