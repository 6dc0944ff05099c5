"""Hash chain over the audit log: each entry's SHA-256 covers its fields and the previous hash.

The canonical form is part of the stored data (migrations chain existing rows with it), so it
must never change for existing rows; a new format would need a version field.
"""

import hashlib
import json
from datetime import UTC, datetime

GENESIS = "0" * 64

# Columns that enter the hash, in the order verify_audit reads them.
HASHED_FIELDS = (
    "id",
    "seq",
    "at",
    "actor_id",
    "agency_id",
    "content_type_id",
    "object_id",
    "object_repr",
    "action",
    "from_state",
    "to_state",
    "reason",
    "request_id",
    "prev_hash",
    "hash",
)


def canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    agency_id: int | None,
    content_type: str,
    object_id: str,
    object_repr: str,
    action: str,
    from_state: str,
    to_state: str,
    reason: str,
    request_id: str,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of one entry; `content_type` is "app_label.model" so ids may be renumbered."""
    payload = {
        "seq": seq,
        "at": canonical_time(at),
        "actor": actor_id,
        "agency": agency_id,
        "object": [content_type, object_id, object_repr],
        "action": action,
        "details": {"from_state": from_state, "to_state": to_state, "reason": reason},
        "request_id": request_id,
        "prev": prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_type_labels(content_type_model, using="default") -> dict[int, str]:
    return {
        pk: f"{app_label}.{model}"
        for pk, app_label, model in content_type_model.objects.using(using).values_list(
            "pk", "app_label", "model"
        )
    }


def hash_of_row(row: dict, labels: dict[int, str]) -> str:
    return entry_hash(
        seq=row["seq"],
        at=row["at"],
        actor_id=row["actor_id"],
        agency_id=row["agency_id"],
        content_type=labels.get(row["content_type_id"], f"?{row['content_type_id']}"),
        object_id=row["object_id"],
        object_repr=row["object_repr"],
        action=row["action"],
        from_state=row["from_state"],
        to_state=row["to_state"],
        reason=row["reason"],
        request_id=row["request_id"],
        prev_hash=row["prev_hash"],
    )


class ChainBreak(Exception):
    """The first broken link: the entry where verification stopped and what differs."""

    def __init__(self, *, entry_id, seq, at, problem: str):
        super().__init__(problem)
        self.entry_id, self.seq, self.at, self.problem = entry_id, seq, at, problem


def verify_chain(
    entry_model, head_model, content_type_model, *, using="default", progress=None
) -> tuple[int, str]:
    """Walk the chain in order; return (entries verified, last hash) or raise ChainBreak."""
    labels = content_type_labels(content_type_model, using)
    rows = entry_model.objects.using(using).order_by("seq").values_list(*HASHED_FIELDS)
    count, last_seq, last_hash, row = 0, 0, GENESIS, None
    for values in rows.iterator(chunk_size=5000):
        row = dict(zip(HASHED_FIELDS, values, strict=True))
        if row["seq"] != last_seq + 1:
            raise _break(
                row,
                f"thiếu các mục số {last_seq + 1}–{row['seq'] - 1} ngay trước mục này "
                "(đã bị xoá khỏi nhật ký)",
            )
        if row["prev_hash"] != last_hash:
            raise _break(
                row,
                f"mã băm mục trước lưu ở đây ({row['prev_hash'][:16]}…) khác mã băm của mục "
                f"số {last_seq} ({last_hash[:16]}…): mục trước đã bị sửa hoặc thay thế",
            )
        computed = hash_of_row(row, labels)
        if computed != row["hash"]:
            raise _break(
                row,
                f"nội dung mục (thời điểm, người thực hiện, đối tượng, thao tác, trạng thái, lý "
                f"do hoặc mã yêu cầu) không khớp mã băm đã lưu ({row['hash'][:16]}…, tính lại "
                f"được {computed[:16]}…): mục đã bị sửa sau khi ghi",
            )
        count, last_seq, last_hash = count + 1, row["seq"], row["hash"]
        if progress and count % 100_000 == 0:
            progress(count)
    head = head_model.objects.using(using).filter(pk=1).values_list("seq", "hash").first()
    if head is None and count:
        raise _break(row, "không tìm thấy bản ghi đầu chuỗi (bảng đầu chuỗi đã bị xoá)")
    if head is not None and head != (last_seq, last_hash):
        raise ChainBreak(
            entry_id=row["id"] if row else None,
            seq=last_seq,
            at=row["at"] if row else None,
            problem=f"đầu chuỗi ghi mục cuối là số {head[0]} nhưng mục cuối còn lại là số "
            f"{last_seq}: các mục cuối đã bị xoá hoặc sửa",
        )
    return count, last_hash


def _break(row, problem):
    return ChainBreak(entry_id=row["id"], seq=row["seq"], at=row["at"], problem=problem)
