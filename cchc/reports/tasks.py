from django_tasks import task

from cchc.reports import services


@task()
def generate_report(report_id: int) -> None:
    services.report_generate(report_id=report_id)
