"""Queue the refresh of the metric leaves of every assessment still in self-assessment.
`--every N` repeats it every N seconds until stopped (the demo of `make run`)."""

from django.core.management.base import BaseCommand

from cchc.core.management import repeat
from cchc.parindex.services import assessments_to_refresh
from cchc.parindex.tasks import refresh_metrics


class Command(BaseCommand):
    help = (
        "Queue refresh_metrics for every PAR assessment still in self-assessment (draft) of "
        "an open period: its metric leaves count the other apps' records for its unit up to "
        "the period's data date. Submitted assessments keep the values frozen on submit. "
        "--every N repeats it every N seconds until stopped (the demo of `make run`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args, every=0, verbosity=1, **options):
        def once():
            ids = assessments_to_refresh()
            for pk in ids:
                refresh_metrics.enqueue(pk)
            if ids or (verbosity and not every):
                self.stdout.write(f"queued={len(ids)}")

        repeat(once, every)
