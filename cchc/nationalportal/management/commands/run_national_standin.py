"""Serve the local stand-in of the national side on 127.0.0.1 (docs/dvcqg.md)."""

import json
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cchc.nationalportal import standin


class Command(BaseCommand):
    help = "Chạy trạm giả lập Cổng DVCQG trên 127.0.0.1 (cho bản minh họa và kiểm thử)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--push-demo",
            metavar="URL",
            default="",
            help="đẩy hồ sơ minh họa đến địa chỉ tiếp nhận này rồi thoát",
        )
        parser.add_argument(
            "--secret", default="", help="khóa ký của lần đẩy hồ sơ (mặc định DVCQG_INBOUND_SECRET)"
        )
        parser.add_argument("--verbose-log", action="store_true", help="in từng yêu cầu")

    def handle(self, *args, port, push_demo, secret, verbose_log, **options):
        if push_demo:
            outcome = standin.push_demo(push_demo, secret or settings.DVCQG_INBOUND_SECRET)
            self.stdout.write(json.dumps(outcome, ensure_ascii=False))
            if outcome["error_code"] != 0:
                raise CommandError("Đẩy hồ sơ minh họa không thành công: xem câu trả lời ở trên.")
            return
        running = standin.serve(
            port,
            auth_endpoint=settings.DVCQG_AUTH_ENDPOINT,
            integration_endpoint=settings.DVCQG_INTEGRATION_ENDPOINT,
            share_endpoint=settings.DVCQG_SHARE_ENDPOINT,
            username=settings.DVCQG_USERNAME,
            password=settings.DVCQG_PASSWORD,
            quiet=not verbose_log,
        )
        mounted = ", ".join(running.standin.mounts) or "—"
        self.stdout.write(
            f"Trạm giả lập Cổng DVCQG: {running.url} (gắn thêm: {mounted}); Ctrl+C để dừng."
        )
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            running.stop()
