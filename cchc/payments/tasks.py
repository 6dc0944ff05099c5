"""Periodic work of online payment, run through django-tasks (the database worker in prod)."""

from django_tasks import task


@task()
def reconcile_payments(older_than_minutes: int | None = None) -> dict:
    from cchc.payments.services import payments_reconcile

    return payments_reconcile(older_than_minutes=older_than_minutes)
