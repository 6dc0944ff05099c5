from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cchc.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu và toàn bộ tệp trong kho lưu trữ vào MỘT tệp .tar.gz kèm bản kê "
        "(số bản ghi, kích thước và mã SHA-256 từng tệp)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            help="Đường dẫn tệp sao lưu (mặc định var/backups/cchc-<thời điểm>.tar.gz).",
        )
        parser.add_argument("--database", default="default", help="Bí danh cơ sở dữ liệu.")
        parser.add_argument("--storage", default="default", help="Bí danh kho lưu trữ tệp.")

    def handle(self, *args, **options):
        output = options["output"] or str(
            Path(settings.VAR_DIR) / "backups" / f"cchc-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        )
        try:
            result = backup_create(
                output=Path(output),
                alias=options["database"],
                storage_alias=options["storage"],
                progress=lambda message: self.stderr.write(message),
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        self.stdout.write(
            f"Đã sao lưu vào {result.path} ({result.path.stat().st_size} byte): "
            f"{sum(manifest['counts'].values())} bản ghi, {len(manifest['files'])} tệp. "
            f"Mã SHA-256 nội dung: {manifest['content_sha256']}."
        )
