"""Test doubles of the other apps' registered figures: fixed numbers in place of the real ones
(their tables and headline figures, registered by the apps, read them as they would the real)."""

from contextlib import contextmanager

from cchc.core import registry

PAR = {
    "year": 2024,
    "index": 82.125,
    "total": 82.125,
    "scale": 100,
    "rank": 3,
    "units_ranked": 20,
    "fields": [
        {
            "code": str(i),
            "name": f"Lĩnh vực {i}",
            "points": 8.5 + i,
            "max": 12.0 + i,
            "percent": 70.0 + i,
        }
        for i in range(1, 8)
    ],
    "criteria_at_max": 30,
    "criteria_total": 38,
    "components_at_max": 70,
    "components_total": 97,
    "sample": False,
}
DOSSIERS = {
    "received": 1234,
    "carried_over": 12,
    "processed_early": 600,
    "processed_on_time": 590,
    "processed_late": 10,
    "in_process_on_time": 40,
    "in_process_overdue": 6,
    "online_share": 0.75,
    "full_online_share": 0.5,
    "digitised_share": 0.9,
    "on_time_rate": 0.9916,
    "by_month": [
        {"month": m, "received": 100, "on_time_rate": 0.95 + m / 1000} for m in range(1, 13)
    ],
}
FEEDBACK = {
    "received": 40,
    "answered": 35,
    "in_process": 3,
    "refused": 1,
    "forwarded": 1,
    "overdue": 0,
    "on_time_rate": 1.0,
}


@contextmanager
def other_apps(par=PAR, dossiers=DOSSIERS, feedback=FEEDBACK):
    """Register the other apps' figures and metrics for the duration of a test, then remove them."""
    names = {
        "parindex.latest": par,
        "dossiers.summary": dossiers,
        "feedback.summary": feedback,
    }
    saved_figures = dict(registry.figures)
    saved_metrics = dict(registry.metrics)
    for name, value in names.items():
        registry.register_figure(name, name, lambda agency, start, end, value=value: value)
    registry.register_metric("dossiers.on_time_rate", "x", lambda scope: dossiers["on_time_rate"])
    registry.register_metric("feedback.on_time_rate", "x", lambda scope: feedback["on_time_rate"])
    try:
        yield
    finally:
        registry.figures.clear()
        registry.figures.update(saved_figures)
        registry.metrics.clear()
        registry.metrics.update(saved_metrics)
