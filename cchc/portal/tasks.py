from django_tasks import task

from cchc.portal.services import views_flush


@task()
def flush_view_counts() -> int:
    """Periodic task twin of `manage.py flush_view_counts`."""
    return views_flush()
