import importlib
import threading
from io import StringIO

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import ProtectedError
from django.test import TransactionTestCase

from cchc.core.auditchain import GENESIS, content_type_labels, hash_of_row
from cchc.core.models import AuditChainHead, AuditEntry, Unit
from cchc.core.services import audit_record
from cchc.core.testing import PersonaTestCase, make_agency, make_user

TABLE = AuditEntry._meta.db_table


def raw_update(sql: str, params):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET {sql} WHERE id = %s", params)


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=StringIO())
    return out.getvalue()


class AuditChainTests(PersonaTestCase):
    def setUp(self):
        self.entries = [
            audit_record(
                actor=self.leader_a,
                obj=self.unit_a,
                action="status",
                from_state=str(n),
                to_state=str(n + 1),
                reason=f"Lần {n}",
                agency=self.agency,
            )
            for n in range(5)
        ]

    def assert_broken_at(self, entry, *fragments):
        with self.assertRaises(CommandError) as caught:
            verify()
        message = str(caught.exception)
        self.assertIn("KHÔNG toàn vẹn", message)
        self.assertIn(f"mục id={entry.pk} ", message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return message

    def test_each_entry_links_to_the_previous_one(self):
        self.assertEqual(self.entries[0].prev_hash, GENESIS)
        for before, after in zip(self.entries, self.entries[1:], strict=False):
            self.assertEqual(after.prev_hash, before.hash)
            self.assertEqual(after.seq, before.seq + 1)
        self.assertEqual(len({entry.hash for entry in self.entries}), 5)

    def test_an_intact_chain_verifies_with_its_count(self):
        output = verify()
        self.assertIn("toàn vẹn: đã kiểm tra 5 mục", output)
        self.assertIn(self.entries[-1].hash, output)

    def test_an_empty_log_verifies(self):
        AuditEntry.objects.all().delete()
        AuditChainHead.objects.all().delete()
        self.assertIn("đã kiểm tra 0 mục", verify())

    def test_tampered_details_are_reported_at_that_entry(self):
        raw_update("reason = %s", ["Lý do đã sửa", self.entries[2].pk])
        message = self.assert_broken_at(self.entries[2], "không khớp mã băm đã lưu")
        self.assertIn("số thứ tự 3", message)

    def test_a_tampered_actor_is_reported(self):
        raw_update("actor_id = %s", [self.officer_a.pk, self.entries[1].pk])
        self.assert_broken_at(self.entries[1], "đã bị sửa sau khi ghi")

    def test_a_tampered_timestamp_is_reported(self):
        value = "2020-01-01 00:00:00" if connection.vendor == "sqlite" else "2020-01-01 00:00+00"
        raw_update("at = %s", [value, self.entries[3].pk])
        self.assert_broken_at(self.entries[3], "đã bị sửa sau khi ghi")

    def test_a_tampered_entry_with_a_recomputed_hash_breaks_the_next_link(self):
        raw_update("reason = %s, hash = %s", ["khác", "f" * 64, self.entries[1].pk])
        self.assert_broken_at(self.entries[1])
        # Even a forger who fixes this entry's hash is caught at the next entry's link.
        entry = AuditEntry.objects.get(pk=self.entries[1].pk)
        row = AuditEntry.objects.filter(pk=entry.pk).values().get()
        raw_update("hash = %s", [hash_of_row(row, content_type_labels(ContentType)), entry.pk])
        self.assert_broken_at(self.entries[2], "mục trước đã bị sửa hoặc thay thế")

    def test_a_deleted_middle_entry_is_reported_at_the_next_one(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [self.entries[2].pk])
        self.assert_broken_at(self.entries[3], "thiếu các mục số 3–3", "bị xoá")

    def test_deleted_last_entries_are_reported_against_the_head(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [self.entries[4].pk])
        self.assert_broken_at(self.entries[3], "đầu chuỗi ghi mục cuối là số 5")

    def test_users_and_agencies_named_in_the_log_cannot_be_deleted(self):
        with self.assertRaises(ProtectedError):
            self.leader_a.delete()
        with self.assertRaises(ProtectedError):
            self.agency.delete()

    def test_the_migration_chains_existing_entries_in_order(self):
        migration = importlib.import_module("cchc.core.migrations.0003_audit_chain_existing")
        for entry in self.entries:  # as the rows looked before the chain existed
            raw_update("seq = %s, prev_hash = '', hash = ''", [entry.seq + 100, entry.pk])
        AuditChainHead.objects.all().delete()
        migration.chain_existing(apps, None)
        self.assertEqual(
            list(AuditEntry.objects.order_by("id").values_list("seq", flat=True)), [1, 2, 3, 4, 5]
        )
        self.assertIn("đã kiểm tra 5 mục", verify())
        # New entries continue the migrated chain.
        audit_record(actor=self.leader_a, obj=self.unit_a, action="after")
        self.assertIn("đã kiểm tra 6 mục", verify())


class ConcurrentAppendTests(TransactionTestCase):
    def test_concurrent_appends_form_one_unbroken_chain(self):
        agency = make_agency("SKHCN")
        unit = Unit.objects.create(agency=agency, code="VP", name="Văn phòng")
        actor = make_user("writer", unit)
        threads, per_thread, errors = 8, 5, []
        barrier = threading.Barrier(threads)

        def work(n):
            try:
                barrier.wait(timeout=10)
                for i in range(per_thread):
                    audit_record(actor=actor, obj=unit, action=f"t{n}-{i}", agency=agency)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))
            finally:
                connection.close()

        pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join(timeout=60)
        self.assertEqual(errors, [])
        total = threads * per_thread
        seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
        self.assertEqual(seqs, list(range(1, total + 1)))
        self.assertIn(f"đã kiểm tra {total} mục", verify())
