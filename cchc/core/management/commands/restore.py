from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cchc.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Khôi phục một tệp sao lưu của lệnh backup vào cơ sở dữ liệu và kho lưu trữ TRỐNG; kiểm "
        "tra mã SHA-256 trước khi ghi và đối chiếu số bản ghi sau khi khôi phục."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Tệp .tar.gz do lệnh backup tạo.")
        parser.add_argument("--database", default="default", help="Bí danh cơ sở dữ liệu.")
        parser.add_argument("--storage", default="default", help="Bí danh kho lưu trữ tệp.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Cho phép ghi đè cơ sở dữ liệu / kho lưu trữ đang có dữ liệu (nguy hiểm).",
        )
        parser.add_argument(
            "--workdir", help="Thư mục tạm để giải nén (cần chỗ trống bằng cỡ dữ liệu)."
        )

    def handle(self, *args, **options):
        try:
            manifest = backup_restore(
                archive=Path(options["archive"]),
                alias=options["database"],
                storage_alias=options["storage"],
                replace=options["replace"],
                workdir=Path(options["workdir"]) if options["workdir"] else None,
                progress=lambda message: self.stderr.write(message),
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Đã khôi phục và đối chiếu xong: {sum(manifest['counts'].values())} bản ghi, "
            f"{len(manifest['files'])} tệp khớp bản kê (sao lưu lúc {manifest['created_at']})."
        )
