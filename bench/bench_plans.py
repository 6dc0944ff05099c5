"""Plans and reports: time to snapshot the demo's previous year and to build Word, PDF, Excel."""

import os
import statistics
import time

from bench.harness import bench_env, prepare_database, report

RUNS = 3


def _timed(fn, runs=RUNS):
    times, result = [], None
    for _i in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def run() -> None:
    prepare_database()
    for key, value in bench_env().items():
        if key in ("SQLITE_PATH", "DJANGO_SETTINGS_MODULE"):
            os.environ[key] = value
    import django

    django.setup()
    import datetime as dt

    from cchc.core.models import Agency
    from cchc.reports import documents
    from cchc.reports.models import ReportSnapshot
    from cchc.reports.selectors import chart_specs, collect_figures

    agency = Agency.objects.get(code="SKHCN")
    year = dt.date.today().year - 1
    snapshot_ms, data = _timed(
        lambda: collect_figures(agency, dt.date(year, 1, 1), dt.date(year, 12, 31))
    )
    saved = ReportSnapshot.objects.get(agency=agency, year=year, number=1)
    probe = ReportSnapshot(
        agency=agency,
        year=year,
        as_of=saved.as_of,
        number=99,
        issued_on=saved.issued_on,
        signer_name=saved.signer_name,
        recipients=saved.recipients,
        data={**data, "plan_id": saved.data.get("plan_id"), "as_of": saved.data.get("as_of")},
        narrative=saved.narrative,
    )
    docx_ms, docx = _timed(lambda: documents.build_docx(probe))
    pdf_ms, pdf = _timed(lambda: documents.build_pdf(probe))
    xlsx_ms, xlsx = _timed(lambda: documents.build_xlsx(probe))
    charts = len(chart_specs(data))
    tasks = (data["figures"]["plans.summary"] or {}).get("tasks") or {}
    quality = (data["figures"]["plans.summary"] or {}).get("quality") or {}
    report(
        f"plans/reports (demo year {year}, median of {RUNS} runs, in process, SQLite)",
        [
            ("tasks / ISO records counted", f"{tasks.get('total', 0)} / {quality.get('total', 0)}"),
            ("snapshot of all figures (ms)", f"{snapshot_ms:.0f}"),
            (f"Word .docx with {charts} chart(s) (ms, bytes)", f"{docx_ms:.0f}, {len(docx)}"),
            ("PDF (ms, bytes)", f"{pdf_ms:.0f}, {len(pdf)}"),
            ("Excel appendix (ms, bytes)", f"{xlsx_ms:.0f}, {len(xlsx)}"),
            ("all three (ms)", f"{docx_ms + pdf_ms + xlsx_ms:.0f}"),
        ],
    )
