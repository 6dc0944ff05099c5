from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cchc.parindex.importer import parse_framework
from cchc.parindex.services import ImportRefused, framework_import


class Command(BaseCommand):
    help = (
        "Nhập bộ tiêu chí Chỉ số CCHC từ tệp YAML hoặc Excel (.xlsx); không ghi gì nếu tệp có lỗi."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Đường dẫn tệp .yaml/.yml/.xlsx")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không thấy tệp {path}.")
        spec = parse_framework(path.name, path.read_bytes())
        try:
            framework = framework_import(spec=spec)
        except ImportRefused as exc:
            for problem in exc.problems:
                self.stderr.write(f"- {problem}")
            raise CommandError(f"Tệp có {len(exc.problems)} lỗi; chưa ghi gì.") from None
        leaves = framework.nodes.filter(is_leaf=True).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nhập {framework} ({framework.nodes.count()} mục, {leaves} tiêu chí chấm điểm)."
            )
        )
