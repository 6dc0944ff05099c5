"""Queue the monthly satisfaction summary (DongBoDanhGia) of every agency with a national code,
once per agency and month; the outbox worker (`sync_national_portal`) sends it. The timer loop
of scripts/prod.sh runs it daily, `make run` at start and then daily."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.management import repeat
from cchc.nationalportal.outbox import enabled
from cchc.nationalportal.summaries import SummaryError, resolve_month, summaries_queue


def said(outcome: str) -> str:
    if outcome == "queued":
        return _("%(a)s: đã đưa tổng hợp đánh giá tháng %(m)s vào hàng chờ gửi.")
    if outcome == "waiting":
        return _("%(a)s: tổng hợp đánh giá tháng %(m)s đang chờ gửi, không thêm tin mới.")
    return _("%(a)s: tổng hợp đánh giá tháng %(m)s đã gửi (dùng --resend để gửi lại).")


class Command(BaseCommand):
    help = (
        "Đưa tổng hợp đánh giá mức độ hài lòng của tháng (DongBoDanhGia) vào hàng chờ gửi "
        "Cổng DVCQG, mỗi cơ quan một tin mỗi tháng (mặc định: tháng trước)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", default="", help="tháng tổng hợp, dạng YYYY-MM")
        parser.add_argument("--agency", default="", help="mã (hoặc mã trên Cổng) của một cơ quan")
        parser.add_argument(
            "--resend", action="store_true", help="đưa vào hàng chờ cả tháng đã gửi xong"
        )
        parser.add_argument(
            "--every", type=int, default=0, help="lặp lại sau mỗi N giây (tháng tính lại mỗi lần)"
        )

    def handle(self, *args, month, agency, resend, every=0, verbosity=1, **options):
        if not enabled():
            if verbosity:
                self.stdout.write(_("Kết nối Cổng DVCQG đang tắt (DVCQG_ADAPTER_URL chưa đặt)."))
            return
        repeat(lambda: self.queue_once(month, agency, resend), every)

    def queue_once(self, month, agency, resend):
        now = timezone.now()
        try:
            first = resolve_month(month, now=now)
            done = summaries_queue(month=first, agency_code=agency, resend=resend, now=now)
        except SummaryError as error:
            raise CommandError(str(error)) from None
        label = f"{first.month:02d}/{first.year}"
        if not done:
            self.stdout.write(_("Không có cơ quan nào có mã định danh trên Cổng DVCQG."))
        for item in done:
            self.stdout.write(said(item.outcome) % {"a": item.agency.code, "m": label})
