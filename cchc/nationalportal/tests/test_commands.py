"""The two commands: the stand-in served as a process, and one worker pass against it."""

import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.core.management import call_command
from django.test import override_settings

from cchc.dossiers.tests.helpers import at
from cchc.nationalportal.models import OutboxMessage
from cchc.nationalportal.tests.helpers import UNIT_CODE, StandInTestCase

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CommandTests(StandInTestCase):
    def test_one_pass_of_the_worker_command_sends_what_waits(self):
        self.receive(at(2026, 3, 2, 9))
        out = io.StringIO()
        call_command("sync_national_portal", stdout=out)
        self.assertIn("1 tin đã gửi", out.getvalue())
        self.assertEqual(OutboxMessage.objects.get().state, "sent")

    def test_backfill_queues_what_changed_while_the_link_was_off(self):
        with override_settings(DVCQG_ENABLED=False):
            dossier = self.receive(at(2026, 3, 2, 9))
        self.assertFalse(OutboxMessage.objects.exists())
        out = io.StringIO()
        call_command("sync_national_portal", "--backfill", stdout=out)
        self.assertIn("Đã đưa 1 hồ sơ", out.getvalue())
        record = self.national.dossier(f"{UNIT_CODE}-{dossier.code}")
        self.assertEqual(len(record["steps"]), 1)
        # Nothing left to backfill: a second run queues nothing.
        call_command("sync_national_portal", "--backfill", stdout=out)
        self.assertIn("Đã đưa 0 hồ sơ", out.getvalue())

    def test_the_worker_command_says_when_the_link_is_off(self):
        out = io.StringIO()
        with override_settings(DVCQG_ENABLED=False):
            call_command("sync_national_portal", stdout=out)
        self.assertIn("đang tắt", out.getvalue())

    def test_the_stand_in_runs_as_a_process_and_stops_on_sigterm(self):
        port = free_port()
        env = {**os.environ, "DJANGO_DEBUG": "true", "DJANGO_SETTINGS_MODULE": "cchc.settings"}
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_national_standin", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            line = process.stdout.readline()
            self.assertIn(f"127.0.0.1:{port}", line)
            deadline = time.monotonic() + 10
            while True:
                try:
                    reply = requests.post(
                        f"http://127.0.0.1:{port}/login",
                        json={"username": "u", "password": "p"},
                        timeout=2,
                    )
                    break
                except requests.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            self.assertEqual(reply.json()["error_code"], 0)
        finally:
            process.send_signal(signal.SIGTERM)
            self.assertEqual(process.wait(timeout=10), 0)
            process.stdout.close()
