from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_audit_chain_existing"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name="số thứ tự chuỗi"),
        ),
    ]
