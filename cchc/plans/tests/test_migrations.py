from io import StringIO

from django.core.management import call_command
from django.test import TestCase


class MigrationTests(TestCase):
    def test_plans_and_reports_have_no_missing_migrations(self):
        out = StringIO()
        call_command("makemigrations", "plans", "reports", "--check", "--dry-run", stdout=out)
        self.assertIn("No changes detected", out.getvalue())
