"""The outbox worker as a django-tasks task (prod runs `db_worker`; the timer loop of
scripts/prod.sh runs `manage.py sync_national_portal` as well)."""

from django_tasks import task


@task()
def sync_national_portal(limit: int = 100) -> dict:
    import dataclasses

    from cchc.nationalportal.services import sync_pass

    return dataclasses.asdict(sync_pass(limit=limit))
