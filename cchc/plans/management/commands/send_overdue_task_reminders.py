from django.core.management.base import BaseCommand

from cchc.plans.services import overdue_reminders_send


class Command(BaseCommand):
    help = (
        "Gửi thư nhắc các đơn vị chủ trì về nhiệm vụ kế hoạch CCHC quá hạn "
        "(chạy hằng tuần; mỗi nhiệm vụ được nhắc tối đa một lần trong 7 ngày)."
    )

    def handle(self, *args, **options):
        sent = overdue_reminders_send()
        self.stdout.write(f"Đã gửi {sent} thư nhắc.")
