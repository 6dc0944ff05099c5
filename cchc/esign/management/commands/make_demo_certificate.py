from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cchc.esign.certificates import DEMO_MARK, make_demo_certificate

DEFAULT_NAME = "Sở Khoa học và Công nghệ tỉnh Phú Thọ"


class Command(BaseCommand):
    help = (
        "Tạo CA minh họa và chứng thư số minh họa của cơ quan (PKCS#12, mật khẩu "
        "ESIGN_PKCS12_PASSWORD) tại ESIGN_PKCS12_PATH và ESIGN_TRUST_ROOTS[0], nếu chưa có. "
        f"Chứng thư ghi rõ “{DEMO_MARK}”."
    )

    def add_arguments(self, parser):
        parser.add_argument("--agency-name", default=DEFAULT_NAME, help="Tên cơ quan ký.")

    def handle(self, *args, agency_name, **options):
        if not settings.ESIGN_PKCS12_PATH or not settings.ESIGN_TRUST_ROOTS:
            raise CommandError("Cần đặt ESIGN_PKCS12_PATH và ESIGN_TRUST_ROOTS.")
        created = make_demo_certificate(
            p12_path=Path(settings.ESIGN_PKCS12_PATH),
            ca_path=Path(settings.ESIGN_TRUST_ROOTS[0]),
            password=settings.ESIGN_PKCS12_PASSWORD,
            agency_name=agency_name,
        )
        self.stdout.write(
            f"Đã tạo chứng thư số minh họa: {settings.ESIGN_PKCS12_PATH}"
            if created
            else f"Đã có chứng thư số, giữ nguyên: {settings.ESIGN_PKCS12_PATH}"
        )
