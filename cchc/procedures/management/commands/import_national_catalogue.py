import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cchc.procedures.national_services import national_catalogue_import


class Command(BaseCommand):
    help = (
        "Nhập danh mục TTHC của Cổng DVCQG từ tệp JSON (phản hồi LayDanhSachTTHC / LayThuTuc) "
        "hoặc gọi trực tiếp qua bộ kết nối (--live). Chạy lại nhiều lần vẫn an toàn."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--file", type=Path, help="Tệp JSON phản hồi của Cổng DVCQG.")
        source.add_argument(
            "--live",
            action="store_true",
            help="Lấy danh sách (LayDanhSachTTHC) và từng thủ tục (LayThuTuc) qua bộ kết nối.",
        )

    def handle(self, *args, **options):
        reply = self._live() if options["live"] else self._file(options["file"])
        try:
            report = national_catalogue_import(reply=reply)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for number, code, reason in report.rejected:
            self.stderr.write(f"Dòng {number} ({code or '—'}): {reason}")
        self.stdout.write(
            f"Thêm mới {len(report.created)}, cập nhật {len(report.updated)}, "
            f"không đổi {len(report.unchanged)}, bị từ chối {len(report.rejected)}."
        )

    def _file(self, path: Path) -> dict:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Không đọc được tệp {path}: {error.strerror}.") from error
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            raise CommandError(f"Tệp {path} không phải JSON UTF-8 hợp lệ.") from error

    def _live(self) -> dict:
        try:
            from cchc.nationalportal.adapter import share_call
        except ImportError as error:
            raise CommandError(
                "Chưa có bộ kết nối Cổng DVCQG (cchc.nationalportal.adapter.share_call): "
                "dùng --file với tệp JSON."
            ) from error
        listing = share_call("LayDanhSachTTHC", {})
        if str(listing.get("error_code")) != "0" or not isinstance(listing.get("result"), list):
            return listing  # the importer reports what is wrong with it
        records = []
        for row in listing["result"]:
            code = row.get("MATTHC") if isinstance(row, dict) else None
            detail = share_call("LayThuTuc", {"maTTHC": code}) if code else {}
            found = detail.get("result") if str(detail.get("error_code")) == "0" else None
            records.append(found[0] if isinstance(found, list) and found else row)
        return {"error_code": 0, "result": records}
