"""Small ASGI helpers shared by the gateway and the admin API: read a bounded body, send a response."""
from __future__ import annotations


class BodyTooLarge(Exception):
    pass


async def read_body(receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(size)
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


async def respond(send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def raw_path(scope) -> str:
    """The path as the client sent it, still percent-encoded, without the query: SDKs encode ARNs inside labels,
    and /%5Flocalconnect/ must not reach the admin API."""
    return (scope.get("raw_path") or scope["path"].encode()).split(b"?", 1)[0].decode("latin-1")


def header_map(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
