from django.core.management.base import BaseCommand

from cchc.core.management import repeat
from cchc.payments.services import payments_reconcile


class Command(BaseCommand):
    help = (
        "Ask the national payment platform about every transaction still pending after "
        "--older-than minutes (default PAYMENT_RECONCILE_AFTER_MINUTES): paid ones are "
        "confirmed as by the callback, cancelled ones fail, the others stay pending. "
        "--every N repeats it every N seconds until stopped (the demo of `make run`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=None, dest="older_than")
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args, older_than=None, every=0, verbosity=1, **options):
        def once():
            counts = payments_reconcile(older_than_minutes=older_than)
            # A loop (or --verbosity 0) says only when there was something to check.
            if any(counts.values()) or (verbosity and not every):
                self.stdout.write(
                    "paid={paid} failed={failed} pending={pending} errors={errors}".format(**counts)
                )

        repeat(once, every)
