import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Nạp dữ liệu minh họa (cơ quan, đơn vị, tài khoản, lịch, ...). Chạy lại nhiều lần vẫn an toàn."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-accounts", action="store_true", help="Không in bảng tài khoản."
        )

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            if not config.name.startswith("cchc."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name == f"{config.name}.demo":
                    continue
                raise
            with transaction.atomic():
                summary = module.load(stdout=self.stdout)
            self.stdout.write(f"{config.verbose_name}: {summary}")
        if not options["quiet_accounts"]:
            from cchc.core.demo import accounts_table

            self.stdout.write(
                self.style.SUCCESS("\nTài khoản minh họa (tên đăng nhập / mật khẩu / vai trò):")
            )
            rows = accounts_table()
            width = max(len(username) for username, _, _ in rows)
            for username, password, role in rows:
                self.stdout.write(f"  {username:<{width}} {password:<10} {role}")
