"""awsQuery (STS and other older services): a form-encoded request naming the operation in ``Action``, and
an XML response.

Request keys follow the model: a structure member is ``Prefix.Name`` (its locationName when it has one), a
list is ``Name.member.N`` (the list member's locationName in place of ``member``) or, flattened,
``Name.N``, a map is ``Name.entry.N.key`` / ``.value`` (or, flattened, ``Name.N.key``); an empty list is
``Name=``. The response is ``<{Op}Response xmlns=…><{Op}Result>…</{Op}Result><ResponseMetadata>…``; errors
are ``<ErrorResponse><Error><Type>Sender|Receiver</Type><Code>…</Code><Message>…</Message>…``.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from botocore.model import Shape

from ...core.errors import ApiError
from ..catalog import ErrorInfo, Operation, Service
from . import values

XML = "text/xml"
_OWN = ""  # a node's own value (``Name=...``) beside its children (``Name.member.1=...``)


class MissingAction(ApiError):
    code, status = "MissingAction", 400


class InvalidAction(ApiError):
    code, status = "InvalidAction", 400


# --- requests ---------------------------------------------------------------------------------------------

def _tree(pairs: list[tuple[str, str]]) -> dict:
    """``A.member.1=x`` → {"A": {"member": {"1": {"": "x"}}}}: built without recursion, walked by shape."""
    root: dict = {}
    for key, value in pairs:
        node = root
        for part in key.split("."):
            node = node.setdefault(part, {})
        node[_OWN] = value
    return root


def parse(svc: Service, body: bytes) -> tuple[Operation, dict[str, Any]]:
    pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    action = next((v for k, v in pairs if k == "Action"), None)
    if not action:
        raise MissingAction("The request must contain the parameter Action.")
    op = svc.operations.get(action)
    if op is None:
        raise InvalidAction(f"Could not find operation {action} for version {svc.api_version}")
    if op.input_shape is None:
        return op, {}
    pairs = [(k, v) for k, v in pairs if k not in ("Action", "Version")]
    return op, _struct(op.input_shape, _tree(pairs), 0)


def _struct(shape: Shape, node: dict, depth: int) -> dict[str, Any]:
    if depth > values.MAX_DEPTH:
        raise values.too_deep()
    out = {}
    for name, member in shape.members.items():
        child = node.get(member.serialization.get("name", name))
        if child is not None:
            out[name] = _value(member, child, depth + 1)
    return out


def _numbered(node: dict) -> list[dict]:
    # Positions past nine digits are no list a client sends (and int() of a huge digit string is refused).
    items = [(int(k), v) for k, v in node.items() if k.isdigit() and len(k) <= 9]
    return [v for _, v in sorted(items)]


def _value(shape: Shape, node: dict, depth: int) -> Any:
    kind = shape.type_name
    if kind == "structure":
        return _struct(shape, node, depth)
    if kind == "list":
        if not shape.serialization.get("flattened"):
            node = node.get(shape.member.serialization.get("name", "member"), {})
        return [_value(shape.member, item, depth + 1) for item in _numbered(node)]
    if kind == "map":
        if not shape.serialization.get("flattened"):
            node = node.get("entry", {})
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        out = {}
        for entry in _numbered(node):
            key = entry.get(key_name, {}).get(_OWN)
            if key is not None and value_name in entry:
                out[key] = _value(shape.value, entry[value_name], depth + 1)
        return out
    text = node.get(_OWN, "")
    if kind in ("integer", "long", "byte", "short"):
        try:
            return int(text)
        except ValueError:
            return text
    if kind in ("float", "double"):
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if kind == "timestamp":
        return values.parse_timestamp(text, values.timestamp_format(shape, values.ISO))
    if kind == "blob":
        return values.decode_blob(text)
    return text


# --- responses --------------------------------------------------------------------------------------------

def _text(shape: Shape, value: Any) -> str:
    return escape(values.scalar_text(shape, value, values.ISO))


def _open(name: str, shape: Shape) -> str:
    """The start tag, with the xmlNamespace the model gives the member or its shape."""
    namespace = shape.serialization.get("xmlNamespace")
    if not namespace:
        return f"<{name}>"
    if isinstance(namespace, dict):
        prefix = namespace.get("prefix")
        attribute = f"xmlns:{prefix}" if prefix else "xmlns"
        return f'<{name} {attribute}="{escape(namespace.get("uri", ""), _QUOTE)}">'
    return f'<{name} xmlns="{escape(namespace, _QUOTE)}">'


_QUOTE = {'"': "&quot;"}


def _element(name: str, shape: Shape, value: Any, out: list[str]) -> None:
    kind = shape.type_name
    if kind == "list" and shape.serialization.get("flattened"):
        # A flattened list repeats the member's own element name; the list member's name does not apply.
        for item in value:
            if item is not None:
                out.append(_open(name, shape.member))
                _content(shape.member, item, out)
                out.append(f"</{name}>")
        return
    if kind == "map" and shape.serialization.get("flattened"):
        for key, item in value.items():
            if item is not None:
                out.append(_open(name, shape))
                _map_entry(shape, key, item, out)
                out.append(f"</{name}>")
        return
    out.append(_open(name, shape))
    _content(shape, value, out)
    out.append(f"</{name}>")


def _content(shape: Shape, value: Any, out: list[str]) -> None:
    kind = shape.type_name
    if kind == "structure":
        _members(shape, value, out)
    elif kind == "list":
        member_name = shape.member.serialization.get("name", "member")
        for item in value:
            if item is not None:
                _element(member_name, shape.member, item, out)
    elif kind == "map":
        for key, item in value.items():
            if item is not None:
                out.append("<entry>")
                _map_entry(shape, key, item, out)
                out.append("</entry>")
    else:
        out.append(_text(shape, value))


def _map_entry(shape: Shape, key: Any, item: Any, out: list[str]) -> None:
    _element(shape.key.serialization.get("name", "key"), shape.key, key, out)
    _element(shape.value.serialization.get("name", "value"), shape.value, item, out)


def _members(shape: Shape, data: dict, out: list[str]) -> None:
    members = shape.members
    for name, value in data.items():
        member = members.get(name)
        if member is not None and value is not None:
            _element(member.serialization.get("name", name), member, value, out)


def _namespace(svc: Service) -> str:
    prefix = svc.model.metadata.get("endpointPrefix", svc.key)
    return svc.xml_namespace or f"https://{prefix}.amazonaws.com/doc/{svc.api_version}/"


def success(svc: Service, op: Operation, request_id: str, output: dict) -> tuple[int, list, bytes]:
    out = [f'<{op.name}Response xmlns="{_namespace(svc)}">']
    shape = op.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{op.name}Result")
        out.append(f"<{wrapper}>")
        _members(shape, output or {}, out)
        out.append(f"</{wrapper}>")
    out.append(f"<ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata>")
    out.append(f"</{op.name}Response>")
    return 200, [(b"content-type", XML.encode())], "".join(out).encode()


def error(svc: Service, info: ErrorInfo | None, err: ApiError, status: int,
          request_id: str) -> tuple[int, list, bytes]:
    sender = status < 500
    if info is not None and info.shape is not None:
        sender = info.shape.metadata.get("error", {}).get("senderFault", status < 500)
    out = [f'<ErrorResponse xmlns="{_namespace(svc)}"><Error>',
           f"<Type>{'Sender' if sender else 'Receiver'}</Type><Code>{escape(err.code)}</Code>"]
    if err.message:
        out.append(f"<Message>{escape(err.message)}</Message>")
    if info is not None and info.shape is not None:
        _members(info.shape, {k: v for k, v in err.members.items() if k != "Message"}, out)
    out.append(f"</Error><RequestId>{escape(request_id)}</RequestId></ErrorResponse>")
    return status, [(b"content-type", XML.encode())], "".join(out).encode()
