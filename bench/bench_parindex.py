"""PAR Index: results and ranking of a period of 100 units × the sample framework (97 components).

Prints the time to compute all 100 results (with ranking) from the database, the time to just
read all their score rows, and the ratio of the two (goal ≤ 3)."""

import os
import random
import statistics
import time
from decimal import Decimal

from bench.harness import bench_env, prepare_database, report

UNITS = 100
YEAR = 2099
RUNS = 5


def _setup():
    os.environ.update(bench_env())
    import django

    django.setup()


def _period():
    from django.db import transaction

    from cchc.core.models import Agency, Unit
    from cchc.parindex.demo import sample_framework
    from cchc.parindex.models import Period, Score
    from cchc.parindex.services import period_create

    agency, _ = Agency.objects.get_or_create(
        code="BENCHPAR",
        defaults={"name": "Cơ quan đo hiệu năng", "short_name": "BENCH", "place_name": "Hà Nội"},
    )
    period = Period.objects.filter(agency=agency, year=YEAR).first()
    if period is not None:
        return period
    with transaction.atomic():
        units = [
            Unit.objects.get_or_create(
                agency=agency, code=f"U{i:03d}", defaults={"name": f"Đơn vị {i}"}
            )[0]
            for i in range(UNITS)
        ]
        period = period_create(
            agency=agency,
            framework=sample_framework(YEAR),
            year=YEAR,
            name="Đo hiệu năng",
            units=units,
        )
        rng = random.Random(1)
        scores = list(Score.objects.filter(assessment__period=period).select_related("node"))
        for score in scores:
            share = Decimal(rng.choice([0, 0.5, 0.75, 1, 1, 1]))
            score.self_points = (score.node.max_points * share).quantize(Decimal("0.001"))
            score.round1_points = score.self_points
            score.final_points = score.self_points
        Score.objects.bulk_update(
            scores, ["self_points", "round1_points", "final_points"], batch_size=2000
        )
    return period


def _medians(*fns) -> list[float]:
    """Median time of each function, runs interleaved so that caches favour none of them."""
    times = [[] for _ in fns]
    fns[0]()  # warm the database cache once
    for _ in range(RUNS):
        for i, fn in enumerate(fns):
            started = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - started)
    return [statistics.median(t) for t in times]


def run() -> None:
    prepare_database()
    _setup()
    from django.db import connection, reset_queries

    from cchc.parindex import selectors
    from cchc.parindex.models import Period, Score

    period = Period.objects.select_related("framework").get(pk=_period().pk)
    rows = Score.objects.filter(assessment__period=period)
    count = rows.count()

    def read():
        list(
            rows.values_list(
                "assessment_id",
                "node_id",
                "final_points",
                "round2_points",
                "round1_points",
                "self_points",
                "survey_points",
            ).iterator(chunk_size=5000)
        )

    def compute():
        results = selectors.period_results(period, with_previous=False)
        assert len(results) == UNITS

    read_s, compute_s = _medians(read, compute)
    connection.force_debug_cursor = True
    reset_queries()
    compute()
    queries = len(connection.queries)
    connection.force_debug_cursor = False
    report(
        f"parindex ({connection.vendor}, {UNITS} units × {count // UNITS} leaves = {count} score rows, "
        f"median of {RUNS})",
        [
            ("compute all results + ranking (ms)", f"{compute_s * 1000:.1f}"),
            ("read all score rows (ms)", f"{read_s * 1000:.1f}"),
            ("ratio compute / read (goal ≤ 3)", f"{compute_s / read_s:.2f}"),
            ("queries for results + ranking", str(queries)),
        ],
    )
