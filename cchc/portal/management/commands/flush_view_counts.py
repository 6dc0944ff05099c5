from django.core.management.base import BaseCommand

from cchc.portal.services import views_flush


class Command(BaseCommand):
    help = "Ghi số lượt xem bài viết đang đệm trong cache vào cơ sở dữ liệu (chạy định kỳ)."

    def handle(self, *args, **options):
        total = views_flush()
        self.stdout.write(f"Đã ghi {total} lượt xem.")
