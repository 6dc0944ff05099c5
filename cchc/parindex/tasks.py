from django_tasks import task

from cchc.parindex import services


@task()
def refresh_metrics(assessment_id: int) -> int:
    """Recompute the metric leaves of one assessment still in self-assessment (a submitted one
    keeps its frozen values: nothing changes); the number of leaves that changed."""
    return services.metrics_refresh_by_id(assessment_id)
