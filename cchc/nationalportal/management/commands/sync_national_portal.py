"""One pass of the outbox worker (the timer loop of scripts/prod.sh runs it periodically);
`--every N` repeats it every N seconds until stopped (the demo of `make run`)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from cchc.core.management import repeat
from cchc.nationalportal import outbox
from cchc.nationalportal.outbox import enabled
from cchc.nationalportal.services import sync_pass


class Command(BaseCommand):
    help = "Gửi các thay đổi hồ sơ đang chờ lên Cổng Dịch vụ công quốc gia (một lượt)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100, help="số hồ sơ tối đa mỗi lượt")
        parser.add_argument("--every", type=int, default=0, help="lặp lại sau mỗi N giây")
        parser.add_argument(
            "--backfill",
            action="store_true",
            help="trước đó, đưa vào hàng chờ mọi hồ sơ còn bước xử lý chưa được Cổng xác nhận",
        )

    def handle(self, *args, limit, every, backfill, verbosity=1, **options):
        def say(text):
            if verbosity:
                self.stdout.write(text)

        if not enabled():
            say(_("Kết nối Cổng DVCQG đang tắt (DVCQG_ADAPTER_URL chưa đặt)."))
            return
        if backfill:
            say(_("Đã đưa %(n)s hồ sơ vào hàng chờ gửi.") % {"n": outbox.backfill()})

        def once():
            result = sync_pass(limit=limit)
            if result.dossiers or result.agency_messages or not every:
                say(
                    _(
                        "Đồng bộ Cổng DVCQG: %(d)s hồ sơ, %(a)s tin của cơ quan, "
                        "%(s)s tin đã gửi, %(f)s tin lỗi."
                    )
                    % {
                        "d": result.dossiers,
                        "a": result.agency_messages,
                        "s": result.sent,
                        "f": result.failed,
                    }
                )

        repeat(once, every)
