from django.db import migrations

from cchc.core.auditchain import GENESIS, content_type_labels, hash_of_row

FIELDS = (
    "id", "at", "actor_id", "agency_id", "content_type_id", "object_id", "object_repr",
    "action", "from_state", "to_state", "reason", "request_id",
)


def chain_existing(apps, schema_editor):
    """Chain the entries written before the hash chain existed, in the order they were written."""
    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias if schema_editor else "default"
    labels = content_type_labels(ContentType, db)
    seq, prev, batch = 0, GENESIS, []
    for row in AuditEntry.objects.using(db).order_by("id").values(*FIELDS).iterator(chunk_size=2000):
        seq += 1
        row.update(seq=seq, prev_hash=prev)
        prev = hash_of_row(row, labels)
        batch.append(AuditEntry(id=row["id"], seq=seq, prev_hash=row["prev_hash"], hash=prev))
        if len(batch) >= 2000:
            AuditEntry.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "hash"])
            batch = []
    AuditEntry.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "hash"])
    AuditChainHead.objects.using(db).update_or_create(pk=1, defaults={"seq": seq, "hash": prev})


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_audit_chain_fields"),
    ]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
