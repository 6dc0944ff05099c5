"""An ISO record's status is derived from its dates (QualityRecord.status_on), no longer typed.

Every stored date is kept. Only a record typed "expired" with no expiry date gets one (the day
before the migration), so that it still reads as expired; "building" and "suspended" follow the
dates. Going back fills the typed status from the dates."""

import datetime as dt

from django.db import migrations, models
from django.utils import timezone


def typed_expiry_to_date(apps, schema_editor):
    QualityRecord = apps.get_model("plans", "QualityRecord")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    QualityRecord.objects.filter(status="expired", expires_on__isnull=True).update(
        expires_on=yesterday
    )


def dates_to_typed_status(apps, schema_editor):
    QualityRecord = apps.get_model("plans", "QualityRecord")
    today = timezone.localdate()
    records = QualityRecord.objects.all()
    records.filter(certified_on__isnull=True, expires_on__isnull=True).update(status="building")
    records.filter(expires_on__lt=today).update(status="expired")
    records.exclude(status__in=["building", "expired"]).update(status="certified")


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_year_and_progress_ranges"),
    ]

    operations = [
        migrations.RunPython(typed_expiry_to_date, dates_to_typed_status, elidable=False),
        migrations.RemoveIndex(
            model_name="qualityrecord",
            name="quality_type_idx",
        ),
        migrations.RemoveField(
            model_name="qualityrecord",
            name="status",
        ),
        migrations.AddIndex(
            model_name="qualityrecord",
            index=models.Index(fields=["agency", "body_type"], name="quality_type_idx"),
        ),
    ]
