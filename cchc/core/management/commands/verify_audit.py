import time

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cchc.core.auditchain import ChainBreak, verify_chain
from cchc.core.models import AuditChainHead, AuditEntry


class Command(BaseCommand):
    help = "Kiểm tra chuỗi mã băm của nhật ký thay đổi; báo mắt xích hỏng đầu tiên."

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(count):
            self.stderr.write(f"  đã kiểm tra {count:,} mục…".replace(",", "."))

        try:
            count, last_hash = verify_chain(
                AuditEntry, AuditChainHead, ContentType, progress=progress
            )
        except ChainBreak as broken:
            at = timezone.localtime(broken.at).strftime("%d/%m/%Y %H:%M:%S") if broken.at else "?"
            raise CommandError(
                f"Nhật ký thay đổi KHÔNG toàn vẹn. Mắt xích hỏng đầu tiên: mục id={broken.entry_id}"
                f" (số thứ tự {broken.seq}, thời điểm {at}): {broken.problem}."
            ) from None
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Nhật ký thay đổi toàn vẹn: đã kiểm tra {count} mục trong {elapsed:.1f} giây; "
            f"mã băm cuối chuỗi {last_hash}."
        )
