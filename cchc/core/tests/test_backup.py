import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import TransactionTestCase, override_settings

from cchc.core.auditchain import verify_chain
from cchc.core.backup import content_digest, manifest_of_current, storage_files
from cchc.core.models import Agency, AuditChainHead, AuditEntry, User
from cchc.dossiers.models import Dossier, HandOver

TARGET = "restore_target"
MEMORY = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
SAMPLED = (Agency, User, Dossier, HandOver, AuditEntry)


def sample(alias: str) -> dict:
    """A few whole tables, field by field, to compare beyond counts."""
    return {
        model._meta.label: list(model.objects.using(alias).order_by("pk").values())
        for model in SAMPLED
    }


@override_settings(STORAGES={**settings.STORAGES, "default": MEMORY})
class BackupRestoreTests(TransactionTestCase):
    """Backs the demo data up once, then restores it into fresh databases and storages."""

    # The restore target is created and dropped by each test; the framework flushes only
    # `default` (flushing a database without tables would fail).
    databases = {"default", TARGET}

    @classmethod
    def _databases_names(cls, include_mirrors=True):
        return ["default"]

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="cchc-test-backup-"))
        connections.settings[TARGET] = cls.target_settings()
        super().setUpClass()
        call_command("load_demo", quiet_accounts=True, stdout=StringIO())
        default_storage.save("hồ sơ/2026/tệp mẫu.txt", ContentFile("Nội dung thử".encode()))
        default_storage.save("evidence/a/b/c.bin", ContentFile(bytes(range(256)) * 64))
        cls.archive = cls.tmp / "backup.tar.gz"
        cls.output = StringIO()
        call_command("backup", output=str(cls.archive), stdout=cls.output, stderr=StringIO())
        cls.source = manifest_of_current()
        cls.source_sample = sample("default")
        cls.source_audit = verify_chain(AuditEntry, AuditChainHead, ContentType)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        del connections.settings[TARGET]
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def target_settings(cls) -> dict:
        default = connections["default"].settings_dict
        if default["ENGINE"].endswith("sqlite3"):
            return {**default, "NAME": str(cls.tmp / "restored.sqlite3")}
        return {**default, "NAME": f"{default['NAME']}_restore"}

    def setUp(self):
        # A fresh, empty target database and storage for every test.
        self.enterContext(
            override_settings(STORAGES={**settings.STORAGES, "default": MEMORY, TARGET: MEMORY})
        )
        self.drop_target()
        if connections[TARGET].vendor == "postgresql":
            with connections["default"]._nodb_cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{connections[TARGET].settings_dict["NAME"]}"')
        self.addCleanup(self.drop_target)

    def drop_target(self):
        connections[TARGET].close()
        name = connections[TARGET].settings_dict["NAME"]
        if connections[TARGET].vendor == "postgresql":
            with connections["default"]._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)

    def restore(self, archive: Path, **options) -> str:
        out = StringIO()
        call_command(
            "restore",
            str(archive),
            database=options.pop("database", TARGET),
            storage=TARGET,
            stdout=out,
            stderr=StringIO(),
            **options,
        )
        return out.getvalue()

    def assert_nothing_restored(self):
        self.assertEqual(connections[TARGET].introspection.table_names(), [])
        self.assertEqual(list(storage_files(storages[TARGET])), [])

    def test_the_archive_holds_the_database_files_and_a_manifest(self):
        with tarfile.open(self.archive) as tar:
            names = tar.getnames()
        self.assertEqual(names[-1], "manifest.json")
        self.assertIn("files/hồ sơ/2026/tệp mẫu.txt", names)
        self.assertIn("files/evidence/a/b/c.bin", names)
        self.assertTrue(any(name.startswith("database/") for name in names))
        self.assertIn("Đã sao lưu vào", self.output.getvalue())
        self.assertGreater(self.source["counts"]["dossiers.dossier"], 0)

    def test_a_round_trip_restores_counts_files_and_records(self):
        output = self.restore(self.archive)
        self.assertIn("khớp bản kê", output)
        restored = manifest_of_current(TARGET, TARGET)
        self.assertEqual(restored["counts"], self.source["counts"])
        self.assertEqual(restored["files"], self.source["files"])
        self.assertEqual(len(restored["files"]), len(self.source["files"]))
        self.assertGreaterEqual(len(restored["files"]), 2)
        self.assertEqual(sample(TARGET), self.source_sample)
        with storages[TARGET].open("hồ sơ/2026/tệp mẫu.txt") as handle:
            self.assertEqual(handle.read().decode(), "Nội dung thử")
        self.assertEqual(
            verify_chain(AuditEntry, AuditChainHead, ContentType, using=TARGET),
            self.source_audit,
        )

    def test_a_flipped_byte_is_refused_and_nothing_is_restored(self):
        data = bytearray(self.archive.read_bytes())
        for position in (len(data) // 2, len(data) - 6):  # inside the data; in gzip's CRC
            with self.subTest(position=position):
                broken = self.tmp / f"flipped-{position}.tar.gz"
                flipped = bytearray(data)
                flipped[position] ^= 0xFF
                broken.write_bytes(flipped)
                with self.assertRaises(CommandError) as caught:
                    self.restore(broken)
                self.assertIn("Tệp sao lưu hỏng hoặc không đầy đủ", str(caught.exception))
                self.assertIn("Chưa khôi phục gì", str(caught.exception))
                self.assert_nothing_restored()

    def test_a_file_removed_from_the_archive_is_refused(self):
        broken = self.tmp / "missing.tar.gz"
        with tarfile.open(self.archive) as source, tarfile.open(broken, "w:gz") as target:
            for member in source:
                if member.name != "files/hồ sơ/2026/tệp mẫu.txt":
                    target.addfile(member, source.extractfile(member))
        with self.assertRaises(CommandError) as caught:
            self.restore(broken)
        self.assertIn("thiếu 1 thành phần", str(caught.exception))
        self.assertIn("tệp mẫu.txt", str(caught.exception))
        self.assert_nothing_restored()

    def test_a_file_name_climbing_out_of_the_storage_is_refused(self):
        crafted = self.tmp / "traversal.tar.gz"
        with tarfile.open(self.archive) as source:
            manifest = json.load(source.extractfile("manifest.json"))
            database = manifest["database"]["member"]
            payload = b"bad"
            entry = {"size": 3, "sha256": hashlib.sha256(payload).hexdigest()}
            manifest["files"] = [{"name": "../../etc/evil.txt", **entry}]
            manifest["members"] = {
                database: manifest["members"][database],
                "files/../../etc/evil.txt": entry,
            }
            manifest["content_sha256"] = content_digest(manifest["members"])
            with tarfile.open(crafted, "w:gz") as target:
                member = source.getmember(database)
                target.addfile(member, source.extractfile(member))
                for name, data in (
                    ("files/../../etc/evil.txt", payload),
                    ("manifest.json", json.dumps(manifest).encode()),
                ):
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    target.addfile(info, io.BytesIO(data))
        with self.assertRaises(CommandError) as caught:
            self.restore(crafted)
        self.assertIn("tên tệp không hợp lệ", str(caught.exception))
        self.assert_nothing_restored()

    def test_it_refuses_a_database_that_has_data(self):
        User.objects.create_user(username="con-lai", password="x")
        before = User.objects.count()
        with self.assertRaises(CommandError) as caught:
            self.restore(self.archive, database="default")
        self.assertIn("Cơ sở dữ liệu đích đã có dữ liệu", str(caught.exception))
        self.assertIn("--replace", str(caught.exception))
        self.assertEqual(User.objects.count(), before)
        self.assertEqual(list(storage_files(storages[TARGET])), [])

    def test_it_refuses_a_storage_that_has_files(self):
        storages[TARGET].save("da-co.txt", ContentFile(b"x"))
        with self.assertRaises(CommandError) as caught:
            self.restore(self.archive)
        self.assertIn("Kho lưu trữ tệp đích không trống", str(caught.exception))
        self.assertEqual(connections[TARGET].introspection.table_names(), [])
        self.assertEqual(list(storage_files(storages[TARGET])), ["da-co.txt"])
