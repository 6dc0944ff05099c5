"""The demo agency, loaded at awkward moments: nothing that has happened is dated after now."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.test import TestCase

VN = ZoneInfo("Asia/Ho_Chi_Minh")

# Fields that are meant to lie ahead: due dates, appointments, schedules, deadlines, validity.
FUTURE_FIELDS = {
    "core.CalendarOverride": {"date"},
    "procedures.LegalBasis": {"valid_from", "valid_to"},
    "dossiers.Dossier": {"due_at", "appointment_at", "step_due_at"},
    "dossiers.HandOver": {"step_due_at"},
    "parindex.Period": {
        "self_deadline",
        "appraisal_deadline",
        "explanation_deadline",
        "publication_deadline",
    },
    "feedback.Petition": {"triage_due_at", "due_at"},
    "portal.ReceptionSession": {"date"},
    "portal.ScienceTask": {"end_date"},
    "plans.PlanTask": {"deadline"},
    "plans.Regulation": {"valid_from", "valid_until"},
    "plans.QualityRecord": {"surveillance_on", "expires_on"},
}
# Rows whose date field is meant to lie ahead (a scheduled article appears by itself).
FUTURE_ROWS = {("portal.Article", "published_at"): {"status": "scheduled"}}

# Late at night, at opening, just before the 15:00 paper cut-off, and a minute before midnight;
# on New Year's week (last year's report), around a weekend, a make-up Saturday and a holiday.
MOMENTS = [
    dt.datetime(2026, 1, 2, 0, 30, tzinfo=VN),
    dt.datetime(2026, 1, 3, 8, 0, tzinfo=VN),
    dt.datetime(2026, 8, 22, 14, 59, tzinfo=VN),
    dt.datetime(2026, 9, 1, 23, 59, tzinfo=VN),
    dt.datetime(2026, 3, 9, 8, 0, tzinfo=VN),
]


def future_records(now: dt.datetime) -> list[str]:
    """'model.field: n rows after now' for every past-tense date or time of the project."""
    today = now.astimezone(VN).date()
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("cchc."):
            continue
        label = model._meta.label
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.DateField):
                continue
            if field.name in FUTURE_FIELDS.get(label, set()):
                continue
            limit = now if isinstance(field, models.DateTimeField) else today
            rows = model._default_manager.filter(**{f"{field.name}__gt": limit})
            if (label, field.name) in FUTURE_ROWS:
                rows = rows.exclude(**FUTURE_ROWS[(label, field.name)])
            if count := rows.count():
                found.append(f"{label}.{field.name}: {count} after {now:%d/%m/%Y %H:%M}")
    return found


class DemoClockTests(TestCase):
    def test_no_demo_record_has_happened_after_now(self):
        for moment in MOMENTS:
            with (
                self.subTest(now=moment.isoformat()),
                time_machine.travel(moment, tick=False),
                transaction.atomic(),
            ):
                call_command("load_demo", "--quiet-accounts", stdout=io.StringIO())
                self.assertEqual(future_records(moment), [])
                transaction.set_rollback(True)

    def test_the_check_sees_a_record_in_the_future(self):
        from cchc.core.models import User

        moment = dt.datetime(2026, 3, 9, 8, 0, tzinfo=VN)
        User.objects.create(username="later", date_joined=moment + dt.timedelta(minutes=1))
        self.assertIn("core.User.date_joined: 1 after 09/03/2026 08:00", future_records(moment))
