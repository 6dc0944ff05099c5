from django.core.management.base import BaseCommand

from cchc.payments.services import payments_reconcile


class Command(BaseCommand):
    help = (
        "Ask the national payment platform about every transaction still pending after "
        "--older-than minutes (default PAYMENT_RECONCILE_AFTER_MINUTES): paid ones are "
        "confirmed as by the callback, cancelled ones fail, the others stay pending."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=None, dest="older_than")

    def handle(self, *args, older_than=None, **options):
        counts = payments_reconcile(older_than_minutes=older_than)
        self.stdout.write(
            "paid={paid} failed={failed} pending={pending} errors={errors}".format(**counts)
        )
