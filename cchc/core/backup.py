"""One-archive backup and restore of the database and the default storage.

The archive is a tar.gz with `database/…` (pg_dump custom format, or an SQLite copy made with
the backup API), `files/<storage name>` for every file in the storage (read through Django's
storage API, so S3-compatible storage works) and `manifest.json` last: versions, row counts per
model, size and SHA-256 of every member. Restore checks all of it before touching anything.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.core.files import File
from django.core.files.storage import storages
from django.db import connections, transaction
from django.db.backends.postgresql.client import DatabaseClient as PostgresClient
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"
DB_MEMBERS = {"postgresql": "database/db.dump", "sqlite": "database/db.sqlite3"}
CHUNK = 1024 * 1024
MIGRATE_ROWS = {"auth.permission", "core.auditchainhead"}

Progress = Callable[[str], None]


class BackupError(Exception):
    """A refusal or failure, with a message for the operator (Vietnamese)."""


# --- what is counted and compared -------------------------------------------------------------


def counted_models() -> list:
    """Every concrete table of our apps and of auth, many-to-many tables included."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        if meta.app_config.name.startswith("cchc.") or meta.app_label == "auth":
            found.append(model)
    return sorted(found, key=lambda model: model._meta.label_lower)


def count_rows(cursor, quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for model in counted_models():
        cursor.execute(f"SELECT COUNT(*) FROM {quote(model._meta.db_table)}")
        counts[model._meta.label_lower] = cursor.fetchone()[0]
    return counts


def database_has_data(alias: str) -> str | None:
    """The label of a model with rows in the database, or None. Rows that `migrate` itself
    writes (permissions, the audit chain head) do not count."""
    connection = connections[alias]
    tables = set(connection.introspection.table_names())
    for model in counted_models():
        if model._meta.label_lower in MIGRATE_ROWS or model._meta.db_table not in tables:
            continue
        if model._base_manager.using(alias).exists():
            return model._meta.label_lower
    return None


def storage_files(storage, path: str = "") -> Iterator[str]:
    """Every file name in the storage, walked with listdir (works for S3-compatible storage)."""
    try:
        dirs, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for name in sorted(dirs):
        yield from storage_files(storage, f"{path}/{name}" if path else name)


class _HashingReader:
    def __init__(self, handle):
        self.handle, self.digest, self.size = handle, hashlib.sha256(), 0

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def content_digest(members: dict[str, dict]) -> str:
    """One checksum over every member's name, size and SHA-256 (printed for the operator)."""
    listing = "\n".join(
        f"{name}\t{entry['size']}\t{entry['sha256']}" for name, entry in sorted(members.items())
    )
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


def _human(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


# --- database dump and load ---------------------------------------------------------------------


def _pg_args_env(settings_dict: dict) -> tuple[list[str], dict]:
    """Connection arguments and environment (password, SSL, service) as Django's dbshell does."""
    _, env = PostgresClient.settings_to_cmd_args_env(settings_dict, [])
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args.append(f"{flag}={settings_dict[key]}")
    return args, {**os.environ, **(env or {})}


def _run(command: list[str], env: dict, what: str) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(f"Không chạy được {command[0]} (cần cài PostgreSQL client).") from error
    if result.returncode != 0:
        raise BackupError(f"{what} thất bại: {result.stderr.strip()[-2000:]}")


def _dump_database(alias: str, target: Path) -> tuple[dict[str, int], list | None]:
    """Write the database to `target`; return row counts and audit chain head of what it holds."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        # pg_dump and the counts read one exported snapshot, so they agree even under writes.
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            args, env = _pg_args_env(connection.settings_dict)
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    *args,
                    f"--dbname={connection.settings_dict['NAME']}",
                ],
                env,
                "pg_dump",
            )
            return count_rows(cursor, connection.ops.quote_name), _audit_head(cursor)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy, pages=4096)
            cursor = copy.cursor()
            return count_rows(cursor, connection.ops.quote_name), _audit_head(cursor)
        finally:
            copy.close()
    raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {connection.vendor}.")


def _load_database(alias: str, source: Path) -> None:
    connection = connections[alias]
    connection.close()
    if connection.vendor == "postgresql":
        args, env = _pg_args_env(connection.settings_dict)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
                f"--dbname={connection.settings_dict['NAME']}",
                str(source),
            ],
            env,
            "pg_restore",
        )
    else:
        connection.ensure_connection()
        copy = sqlite3.connect(source)
        try:
            copy.backup(connection.connection, pages=4096)
        finally:
            copy.close()
    connection.close()


# --- backup -------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest: dict


def backup_create(
    *,
    output: Path,
    alias: str = "default",
    storage_alias: str = "default",
    progress: Progress = lambda message: None,
) -> BackupResult:
    """Write one archive with the database, every stored file and a manifest."""
    connection = connections[alias]
    if connection.vendor not in DB_MEMBERS:
        raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {connection.vendor}.")
    storage = storages[storage_alias]
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    members: dict[str, dict] = {}
    files = []
    with tempfile.TemporaryDirectory(prefix="cchc-backup-") as tmp:
        dump = Path(tmp) / "db"
        progress(f"Đang sao lưu cơ sở dữ liệu ({connection.vendor})…")
        counts, audit_head = _dump_database(alias, dump)
        progress(f"Cơ sở dữ liệu: {_human(dump.stat().st_size)}, {sum(counts.values())} dòng.")
        db_member = DB_MEMBERS[connection.vendor]
        with tarfile.open(partial, "w:gz", format=tarfile.PAX_FORMAT, compresslevel=6) as tar:
            with open(dump, "rb") as handle:
                members[db_member] = _add_member(tar, db_member, handle, dump.stat().st_size)
            total, last = 0, time.monotonic()
            for name in storage_files(storage):
                member = FILES_PREFIX + name
                try:
                    handle = storage.open(name, "rb")
                    size = storage.size(name)
                except FileNotFoundError:  # deleted while the backup runs: nothing to keep
                    progress(f"  bỏ qua {name}: tệp vừa bị xoá.")
                    continue
                with handle:
                    members[member] = _add_member(tar, member, handle, size)
                files.append({"name": name, **members[member]})
                total += members[member]["size"]
                if time.monotonic() - last > 5:
                    progress(f"  đã sao lưu {len(files)} tệp ({_human(total)})…")
                    last = time.monotonic()
            progress(f"Tệp lưu trữ: {len(files)} tệp, {_human(total)}.")
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "app_version": _app_version(),
                "django_version": django.get_version(),
                "database": {"vendor": connection.vendor, "member": db_member},
                "counts": counts,
                "files": files,
                "members": members,
                "content_sha256": content_digest(members),
                "audit_head": audit_head,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
            tar.addfile(info, _BytesReader(data))
    partial.replace(output)  # a failed backup never leaves a complete-looking archive
    return BackupResult(path=output, manifest=manifest)


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.offset = data, 0

    def read(self, size=-1):
        end = len(self.data) if size is None or size < 0 else self.offset + size
        chunk, self.offset = self.data[self.offset : end], min(end, len(self.data))
        return chunk


def _add_member(tar: tarfile.TarFile, name: str, handle, size: int) -> dict:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(time.time()), 0o644
    reader = _HashingReader(handle)
    tar.addfile(info, reader)  # tarfile fails if the file is shorter than its announced size
    return {"size": size, "sha256": reader.digest.hexdigest()}


def _app_version() -> str:
    try:
        return metadata.version("cchc")
    except metadata.PackageNotFoundError:
        return "unknown"


def _audit_head(cursor) -> list | None:
    """Last link of the audit hash chain: lets an operator check a restored log later."""
    from cchc.core.models import AuditChainHead

    cursor.execute(f"SELECT seq, hash FROM {AuditChainHead._meta.db_table} WHERE id = 1")
    row = cursor.fetchone()
    return list(row) if row else None


# --- restore ------------------------------------------------------------------------------------


def backup_restore(
    *,
    archive: Path,
    alias: str = "default",
    storage_alias: str = "default",
    replace: bool = False,
    workdir: Path | None = None,
    progress: Progress = lambda message: None,
) -> dict:
    """Restore an archive into an empty database and storage; return its manifest."""
    if not archive.is_file():
        raise BackupError(f"Không tìm thấy tệp sao lưu {archive}.")
    connection = connections[alias]
    storage = storages[storage_alias]
    if not replace:
        _require_empty(alias, storage)
    with tempfile.TemporaryDirectory(prefix="cchc-restore-", dir=workdir) as tmp:
        progress("Đang kiểm tra tệp sao lưu (giải nén và tính mã SHA-256)…")
        manifest, staged = _stage(archive, Path(tmp))
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(
                f"Bản sao lưu là của {vendor}, không khôi phục vào {connection.vendor} được. "
                "Chưa khôi phục gì."
            )
        progress(
            f"Tệp sao lưu toàn vẹn ({len(manifest['members'])} thành phần, tạo lúc "
            f"{manifest['created_at']}). Đang khôi phục cơ sở dữ liệu…"
        )
        _load_database(alias, staged[manifest["database"]["member"]])
        progress(f"Đang khôi phục {len(manifest['files'])} tệp vào kho lưu trữ…")
        last = time.monotonic()
        for number, entry in enumerate(manifest["files"], start=1):
            name = entry["name"]
            if replace and storage.exists(name):
                storage.delete(name)
            with open(staged[FILES_PREFIX + name], "rb") as handle:
                saved = storage.save(name, File(handle, name=name))
            if saved != name:
                raise BackupError(f"Kho lưu trữ đã lưu tệp {name} dưới tên khác ({saved}).")
            if time.monotonic() - last > 5:
                progress(f"  đã khôi phục {number}/{len(manifest['files'])} tệp…")
                last = time.monotonic()
    progress("Đang đối chiếu số bản ghi và mã SHA-256 của tệp với bản kê…")
    _compare_after_restore(manifest, alias, storage)
    return manifest


def _require_empty(alias: str, storage) -> None:
    label = database_has_data(alias)
    if label:
        raise BackupError(
            f"Cơ sở dữ liệu đích đã có dữ liệu (bảng {label}). Chỉ khôi phục vào cơ sở dữ liệu "
            "trống; dùng --replace nếu thật sự muốn ghi đè. Chưa khôi phục gì."
        )
    for name in storage_files(storage):
        raise BackupError(
            f"Kho lưu trữ tệp đích không trống (ví dụ {name}). Chỉ khôi phục vào kho trống; "
            "dùng --replace nếu thật sự muốn ghi đè. Chưa khôi phục gì."
        )


def _corrupt(detail: str) -> BackupError:
    return BackupError(f"Tệp sao lưu hỏng hoặc không đầy đủ: {detail}. Chưa khôi phục gì.")


def _stage(archive: Path, tmp: Path) -> tuple[dict, dict[str, Path]]:
    """Copy every member to `tmp` (under numbered names) and check it against the manifest."""
    found: dict[str, dict] = {}
    staged: dict[str, Path] = {}
    manifest_bytes = None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for number, member in enumerate(tar):
                if not member.isfile():
                    raise _corrupt(f"thành phần lạ {member.name!r}")
                if member.name in found or (member.name == MANIFEST and manifest_bytes):
                    raise _corrupt(f"thành phần {member.name!r} xuất hiện hai lần")
                source = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest_bytes = source.read()
                    continue
                path = tmp / f"{number:09d}"
                reader = _HashingReader(source)
                with open(path, "wb") as handle:
                    shutil.copyfileobj(reader, handle, CHUNK)
                found[member.name] = {"size": reader.size, "sha256": reader.digest.hexdigest()}
                staged[member.name] = path
            while tar.fileobj.read(CHUNK):  # read to the end so gzip checks its CRC
                pass
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise _corrupt(f"không giải nén được ({error})") from error
    if manifest_bytes is None:
        raise _corrupt("thiếu manifest.json")
    try:
        manifest = json.loads(manifest_bytes)
        expected = manifest["members"]
        if manifest["format"] != FORMAT:
            raise BackupError(f"Định dạng bản sao lưu {manifest['format']} chưa được hỗ trợ.")
    except (ValueError, KeyError, TypeError) as error:
        raise _corrupt(f"manifest.json không đọc được ({error})") from error
    missing = sorted(set(expected) - set(found))
    if missing:
        raise _corrupt(f"thiếu {len(missing)} thành phần so với bản kê, ví dụ {missing[0]!r}")
    extra = sorted(set(found) - set(expected))
    if extra:
        raise _corrupt(f"có thành phần không có trong bản kê: {extra[0]!r}")
    for name, entry in sorted(expected.items()):
        if found[name] != {"size": entry["size"], "sha256": entry["sha256"]}:
            raise _corrupt(f"{name!r} có kích thước hoặc mã SHA-256 khác bản kê")
    if content_digest(found) != manifest.get("content_sha256"):
        raise _corrupt("mã SHA-256 tổng của nội dung khác bản kê")
    for entry in manifest["files"]:
        parts = PurePosixPath(entry["name"]).parts
        if not parts or parts[0] == "/" or ".." in parts or "\\" in entry["name"]:
            raise _corrupt(f"tên tệp không hợp lệ {entry['name']!r}")
    listed = {FILES_PREFIX + entry["name"] for entry in manifest["files"]}
    if listed | {manifest["database"]["member"]} != set(expected):
        raise _corrupt("danh sách tệp trong bản kê không khớp các thành phần")
    return manifest, staged


def _compare_after_restore(manifest: dict, alias: str, storage) -> None:
    connection = connections[alias]
    with connection.cursor() as cursor:
        counts = count_rows(cursor, connection.ops.quote_name)
    differing = [
        f"{label}: {manifest['counts'].get(label)} → {counts.get(label)}"
        for label in sorted(set(counts) | set(manifest["counts"]))
        if counts.get(label) != manifest["counts"].get(label)
    ]
    if differing:
        raise BackupError(
            "Đã khôi phục nhưng số bản ghi khác bản kê: " + "; ".join(differing[:10]) + "."
        )
    for entry in manifest["files"]:
        with storage.open(entry["name"], "rb") as handle:
            reader = _HashingReader(handle)
            while reader.read(CHUNK):
                pass
        if reader.digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"Đã khôi phục nhưng tệp {entry['name']} khác bản kê.")


def manifest_of_current(alias: str = "default", storage_alias: str = "default") -> dict:
    """Counts and file checksums of what is there now, in the manifest's shape (for checks)."""
    connection = connections[alias]
    storage = storages[storage_alias]
    with connection.cursor() as cursor:
        counts = count_rows(cursor, connection.ops.quote_name)
    files = []
    for name in storage_files(storage):
        with storage.open(name, "rb") as handle:
            reader = _HashingReader(handle)
            while reader.read(CHUNK):
                pass
        files.append({"name": name, "size": reader.size, "sha256": reader.digest.hexdigest()})
    return {"counts": counts, "files": files}
