from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cchc.procedures.services import procedures_import


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục hành chính từ tệp CSV hoặc Excel (báo lỗi theo từng dòng)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp {path}")
        try:
            report = procedures_import(path=path)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Thêm mới {report.created}, cập nhật {report.updated}, không đổi {report.unchanged}, "
            f"phiên bản mới {report.versioned}, lỗi {len(report.errors)}."
        )
        for line, message in report.errors:
            self.stderr.write(f"Dòng {line}: {message}")
