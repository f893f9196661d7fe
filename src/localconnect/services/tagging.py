"""The one source of truth for tags of every resource (table ``tags``): what a Describe shows and what
ListTagsForResource shows are read from the same rows, and tags go with their resource."""
from __future__ import annotations

from .registry import Call


def get(call: Call, arn: str) -> dict[str, str]:
    rows = call.tx.all("SELECT tag_key, tag_value FROM tags WHERE resource_arn = ? ORDER BY position, tag_key", arn)
    return {r["tag_key"]: r["tag_value"] for r in rows}


def count_after(call: Call, arn: str, tags: dict[str, str]) -> int:
    return len(set(get(call, arn)) | set(tags))


def put(call: Call, arn: str, tags: dict[str, str] | None) -> None:
    if not tags:
        return
    row = call.tx.one("SELECT COALESCE(MAX(position), 0) AS p FROM tags WHERE resource_arn = ?", arn)
    position = int(row["p"])
    for key, value in tags.items():
        position += 1
        call.tx.execute(
            "INSERT INTO tags (resource_arn, tag_key, tag_value, account, region, position) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (resource_arn, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
            arn, key, value, call.account, call.region, position)


def remove(call: Call, arn: str, keys: list[str]) -> None:
    for key in keys:
        call.tx.execute("DELETE FROM tags WHERE resource_arn = ? AND tag_key = ?", arn, key)


def drop(call: Call, arn: str) -> None:
    call.tx.execute("DELETE FROM tags WHERE resource_arn = ?", arn)
