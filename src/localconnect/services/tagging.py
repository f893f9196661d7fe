"""The one source of truth for tags of every resource (table ``tags``): what a Describe shows and what
ListTagsForResource shows are read from the same rows, and tags go with their resource. Also the one
conversion between Connect's tag maps and End User Messaging's ``[{Key, Value}]`` lists."""
from __future__ import annotations

from ..core.call import Call


def as_dict(tags: dict | list | None) -> dict[str, str]:
    """Tags as a map, from either form (Connect's map, End User Messaging's list of {Key, Value})."""
    if isinstance(tags, list):
        return {t["Key"]: t["Value"] for t in tags}
    return dict(tags or {})


def as_list(tags: dict[str, str]) -> list[dict[str, str]]:
    """End User Messaging's form."""
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def get(call: Call, arn: str) -> dict[str, str]:
    rows = call.tx.all("SELECT tag_key, tag_value FROM tags WHERE resource_arn = :arn ORDER BY position, tag_key",
                       arn=arn)
    return {r["tag_key"]: r["tag_value"] for r in rows}


def count_after(call: Call, arn: str, tags: dict[str, str]) -> int:
    return len(set(get(call, arn)) | set(tags))


def put(call: Call, arn: str, tags: dict | list | None) -> None:
    tags = as_dict(tags)
    if not tags:
        return
    row = call.tx.one("SELECT COALESCE(MAX(position), 0) AS p FROM tags WHERE resource_arn = :arn", arn=arn)
    position = int(row["p"])
    for key, value in tags.items():
        position += 1
        call.tx.execute(
            "INSERT INTO tags (resource_arn, tag_key, tag_value, account, region, position) "
            "VALUES (:arn, :key, :value, :account, :region, :position) "
            "ON CONFLICT (resource_arn, tag_key) DO UPDATE SET tag_value = excluded.tag_value",
            arn=arn, key=key, value=value, account=call.account, region=call.region, position=position)


def remove(call: Call, arn: str, keys: list[str]) -> None:
    for key in keys:
        call.tx.execute("DELETE FROM tags WHERE resource_arn = :arn AND tag_key = :key", arn=arn, key=key)


def drop(call: Call, arn: str) -> None:
    call.tx.execute("DELETE FROM tags WHERE resource_arn = :arn", arn=arn)
