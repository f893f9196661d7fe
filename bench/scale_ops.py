"""The operations the scale bench times: each is a function giving the requests of one measurement (``k`` calls)
against one loaded store, serialized by botocore exactly as an SDK would send them.

Every list returns a full page at both sizes (MaxResults at most what the 1k store holds of it), so a ratio
measures the store's growth, not a longer page. Reads pick random loaded numbers; writes use what the load left
for them (spare End User Messaging sources, the inventory) or what the previous operation of the same round made
(ReleasePhoneNumber releases the numbers ImportPhoneNumber just imported), so every call of every round is a real
success (200), at every size.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlencode

import botocore.session
from botocore import serialize

from localconnect.services import pagination

REGION = "us-east-1"
_SESSION = botocore.session.get_session()
_MODELS = {"connect": _SESSION.get_service_model("connect"),
           "sms-voice": _SESSION.get_service_model("pinpoint-sms-voice-v2")}
_SERIALIZERS = {name: serialize.create_serializer(m.metadata["protocol"]) for name, m in _MODELS.items()}


@dataclass
class Request:
    method: str
    path: str      # with the query string
    headers: list[tuple[bytes, bytes]]
    body: bytes
    name: str


def api(account: str, service: str, operation: str, params: dict) -> Request:
    """One AWS call, serialized by botocore; unsigned, with the credential scope naming account and Region."""
    model = _MODELS[service]
    raw = _SERIALIZERS[service].serialize_to_request(params, model.operation_model(operation))
    query = raw["query_string"]
    path = raw["url_path"] + ("?" + (urlencode(query, doseq=True) if isinstance(query, dict) else query)
                              if query else "")
    auth = (f"AWS4-HMAC-SHA256 Credential={account}/20260101/{REGION}/{service}/aws4_request, "
            "SignedHeaders=host, Signature=0")
    headers = {**raw["headers"], "Authorization": auth, "Host": "localhost"}
    body = raw["body"] if isinstance(raw["body"], bytes) else raw["body"].encode()
    return Request(raw["method"], path, [(k.lower().encode(), str(v).encode()) for k, v in headers.items()], body,
                   f"{service}:{operation}")


def admin(method: str, path: str) -> Request:
    return Request(method, "/_localconnect" + path, [(b"host", b"localhost")], b"", "admin")


@dataclass
class Fixture:
    """One loaded store as the operations see it: the partition measured and what earlier calls left."""
    part: Any                 # scale_load.Partition
    rng: random.Random
    made: dict[str, list] = field(default_factory=dict)   # operation -> outputs of its last measurement
    inventory: list[str] = field(default_factory=list)    # US DIDs of the inventory not claimed yet
    moves: list[dict] = field(default_factory=list)       # loaded numbers kept for UpdatePhoneNumber

    @property
    def account(self) -> str:
        return self.part.account

    def instance(self, name: str) -> str:
        return self.part.instances[name]["id"]

    def sample(self) -> dict:
        return self.rng.choice(self.part.samples)

    def connect(self, operation: str, **params) -> Request:
        return api(self.account, "connect", operation, params)

    def sms(self, operation: str, **params) -> Request:
        return api(self.account, "sms-voice", operation, params)


Make = Callable[[Fixture, int], list[Request]]


@dataclass
class Op:
    name: str
    make: Make
    keep: str | None = None   # output member kept in Fixture.made for a later operation
    # Instead of ``make``: the k calls page through one list, each with the NextToken the previous one answered.
    page: Callable[[Fixture, str | None], Request] | None = None
    write: bool = False
    needs: str | None = None  # the operation whose outputs this one takes (it runs right before)


def _same(k: int, build: Callable[[], Request]) -> list[Request]:
    return [build() for _ in range(k)]


def _v2(**params) -> Make:
    def make(fx: Fixture, k: int) -> list[Request]:
        resolved = {key: (fx.instance(v[1:]) if isinstance(v, str) and v.startswith("@") else v)
                    for key, v in params.items()}
        if "TargetArn" in resolved:
            resolved["TargetArn"] = fx.part.instances[params["TargetArn"][1:]]["arn"]
        return _same(k, lambda: fx.connect("ListPhoneNumbersV2", **resolved))
    return make


def _v1(instance: str, **params) -> Make:
    return lambda fx, k: _same(k, lambda: fx.connect("ListPhoneNumbers", InstanceId=fx.instance(instance), **params))


def _eum(**params) -> Make:
    return lambda fx, k: _same(k, lambda: fx.sms("DescribePhoneNumbers", **params))


def _search(**params) -> Make:
    return lambda fx, k: _same(k, lambda: fx.connect("SearchAvailablePhoneNumbers", InstanceId=fx.instance("big"),
                                                     **params))


def _deep(fx: Fixture, k: int) -> list[Request]:
    token = pagination.encode("phone-numbers-v2", fx.part.middle)
    return _same(k, lambda: fx.connect("ListPhoneNumbersV2", InstanceId=fx.instance("big"), NextToken=token))


def _imports(fx: Fixture, k: int) -> list[Request]:
    sources = [fx.part.spare_sources.pop() for _ in range(k)]
    return [fx.connect("ImportPhoneNumber", InstanceId=fx.instance("small_a"), SourcePhoneNumberArn=s,
                       Tags={"team": "ops"}, ClientToken=f"bench-{fx.rng.getrandbits(64):x}") for s in sources]


def _releases(fx: Fixture, k: int) -> list[Request]:
    made = fx.made.pop("ImportPhoneNumber")
    # Released sources go back to the pool: they can be imported again at once (docs/behaviour.md §11).
    fx.part.spare_sources[:0] = [m["source"] for m in made]
    return [fx.connect("ReleasePhoneNumber", PhoneNumberId=m["PhoneNumberId"],
                       ClientToken=f"bench-{fx.rng.getrandbits(64):x}") for m in made[:k]]


def _claims(fx: Fixture, k: int) -> list[Request]:
    return [fx.connect("ClaimPhoneNumber", InstanceId=fx.instance("small_b"), PhoneNumber=fx.inventory.pop(0),
                       ClientToken=f"bench-{fx.rng.getrandbits(64):x}") for _ in range(k)]


def _moves(fx: Fixture, k: int) -> list[Request]:
    return [fx.connect("UpdatePhoneNumber", PhoneNumberId=fx.moves.pop()["id"], InstanceId=fx.instance("small_b"),
                       ClientToken=f"bench-{fx.rng.getrandbits(64):x}") for _ in range(k)]


def _eum_releases(fx: Fixture, k: int) -> list[Request]:
    return [fx.sms("ReleasePhoneNumber", PhoneNumberId=m) for m in fx.made.pop("RequestPhoneNumber (EUM)")[:k]]


def _deletes(fx: Fixture, k: int) -> list[Request]:
    return [fx.connect("DeleteInstance", InstanceId=i, ClientToken=f"bench-{fx.rng.getrandbits(64):x}")
            for i in fx.made.pop("CreateInstance")[:k]]


OPS: list[Op] = [
    Op("DescribePhoneNumber", lambda fx, k: [fx.connect("DescribePhoneNumber", PhoneNumberId=fx.sample()["id"])
                                             for _ in range(k)]),
    Op("DescribeInstance", lambda fx, k: _same(k, lambda: fx.connect("DescribeInstance", InstanceId=fx.instance("big")))),
    Op("ListInstances", lambda fx, k: _same(k, lambda: fx.connect("ListInstances"))),
    Op("ListTagsForResource (Connect number)",
       lambda fx, k: [fx.connect("ListTagsForResource", resourceArn=fx.sample()["arn"]) for _ in range(k)]),
    Op("V2 big instance", _v2(InstanceId="@big")),
    Op("V2 whole Region", _v2()),
    Op("V2 empty instance", _v2(InstanceId="@empty")),
    Op("V2 5% instance, 25", _v2(InstanceId="@small_b", MaxResults=25)),
    Op("V2 Region, TOLL_FREE", _v2(PhoneNumberTypes=["TOLL_FREE"])),
    Op("V2 Region, GB, 25", _v2(PhoneNumberCountryCodes=["GB"], MaxResults=25)),
    Op("V2 Region, TOLL_FREE + US", _v2(PhoneNumberTypes=["TOLL_FREE"], PhoneNumberCountryCodes=["US"])),
    Op("V2 TargetArn, TOLL_FREE + US", _v2(TargetArn="@big", PhoneNumberTypes=["TOLL_FREE"],
                                           PhoneNumberCountryCodes=["US"])),
    Op("V2 Region, prefix +4474, 25", _v2(PhoneNumberPrefix="+4474", MaxResults=25)),
    Op("V2 Region, prefix matching none", _v2(PhoneNumberPrefix="+3")),
    Op("V2 big, DID + GB + prefix +44, 25", _v2(InstanceId="@big", PhoneNumberTypes=["DID"],
                                                PhoneNumberCountryCodes=["GB"], PhoneNumberPrefix="+44",
                                                MaxResults=25)),
    Op("V2 big, 2 types x 2 countries", _v2(InstanceId="@big", PhoneNumberTypes=["DID", "TOLL_FREE"],
                                            PhoneNumberCountryCodes=["US", "GB"])),
    Op("V2 empty instance, TOLL_FREE + US", _v2(InstanceId="@empty", PhoneNumberTypes=["TOLL_FREE"],
                                                PhoneNumberCountryCodes=["US"])),
    Op("V2 big, paging (per page)", lambda fx, k: [], page=lambda fx, token: fx.connect(
        "ListPhoneNumbersV2", InstanceId=fx.instance("big"), **({"NextToken": token} if token else {}))),
    Op("V2 big, NextToken halfway", _deep),
    Op("v1 big, TOLL_FREE + US, 100", _v1("big", PhoneNumberTypes=["TOLL_FREE"], PhoneNumberCountryCodes=["US"],
                                          MaxResults=100)),
    Op("v1 empty instance", _v1("empty")),
    Op("v1 5% instance, DID, 25", _v1("small_a", PhoneNumberTypes=["DID"], MaxResults=25)),
    Op("Search US DID", _search(PhoneNumberCountryCode="US", PhoneNumberType="DID")),
    Op("Search US DID, prefix +1415", _search(PhoneNumberCountryCode="US", PhoneNumberType="DID",
                                              PhoneNumberPrefix="+1415")),
    Op("Search GB TOLL_FREE", _search(PhoneNumberCountryCode="GB", PhoneNumberType="TOLL_FREE")),
    Op("EUM Describe", _eum()),
    Op("EUM Describe, number-type TOLL_FREE", _eum(Filters=[{"Name": "number-type", "Values": ["TOLL_FREE"]}])),
    Op("EUM Describe, GB + ACTIVE, 25", _eum(Filters=[{"Name": "iso-country-code", "Values": ["GB"]},
                                                       {"Name": "status", "Values": ["ACTIVE"]}], MaxResults=25)),
    Op("EUM Describe, filter matching none", _eum(Filters=[{"Name": "message-type", "Values": ["PROMOTIONAL"]}])),
    Op("EUM Describe, Owner SELF", _eum(Owner="SELF")),
    Op("EUM Describe, Owner SHARED", _eum(Owner="SHARED")),
    Op("EUM Describe, 5 PhoneNumberIds",
       lambda fx, k: [fx.sms("DescribePhoneNumbers", PhoneNumberIds=[fx.sample()["source"] for _ in range(5)])
                      for _ in range(k)]),
    Op("EUM ListTagsForResource", lambda fx, k: [fx.sms("ListTagsForResource", ResourceArn=fx.sample()["source"])
                                                 for _ in range(k)]),
    # The admin state view (admin/state.py): one bounded page per call.
    Op("admin GET /state", lambda fx, k: _same(k, lambda: admin("GET", "/state"))),
    Op("admin GET /state, one account's CLAIMED", lambda fx, k: _same(k, lambda: admin(
        "GET", f"/state?account={fx.account}&region={REGION}&status=CLAIMED"))),
    Op("admin GET /state, summaries only", lambda fx, k: _same(k, lambda: admin(
        "GET", f"/state?account={fx.account}&region={REGION}&lists="))),
    Op("ImportPhoneNumber", _imports, keep="PhoneNumberId", write=True),
    Op("ReleasePhoneNumber", _releases, write=True, needs="ImportPhoneNumber"),
    Op("ClaimPhoneNumber", _claims, write=True),
    Op("UpdatePhoneNumber (move)", _moves, write=True),
    Op("UpdatePhoneNumberMetadata", lambda fx, k: [
        fx.connect("UpdatePhoneNumberMetadata", PhoneNumberId=fx.sample()["id"],
                   PhoneNumberDescription=f"d{fx.rng.getrandbits(32)}", ClientToken=f"bench-{fx.rng.getrandbits(64):x}")
        for _ in range(k)], write=True),
    Op("TagResource", lambda fx, k: [fx.connect("TagResource", resourceArn=fx.sample()["arn"], tags={"bench": "1"})
                                     for _ in range(k)], write=True),
    Op("UntagResource", lambda fx, k: [fx.connect("UntagResource", resourceArn=fx.sample()["arn"], tagKeys=["bench"])
                                       for _ in range(k)], write=True),
    Op("RequestPhoneNumber (EUM)", lambda fx, k: [
        fx.sms("RequestPhoneNumber", IsoCountryCode="US", MessageType="TRANSACTIONAL",
               NumberCapabilities=["SMS", "VOICE"], NumberType="LONG_CODE") for _ in range(k)],
       keep="PhoneNumberId", write=True),
    Op("ReleasePhoneNumber (EUM)", _eum_releases, write=True, needs="RequestPhoneNumber (EUM)"),
    Op("CreateInstance", lambda fx, k: [
        fx.connect("CreateInstance", IdentityManagementType="CONNECT_MANAGED",
                   InstanceAlias=f"b{fx.rng.getrandbits(48):x}", InboundCallsEnabled=True, OutboundCallsEnabled=True)
        for _ in range(k)], keep="Id", write=True),
    Op("DeleteInstance (empty)", _deletes, write=True, needs="CreateInstance"),
]


def kept(op: Op, request: Request, answer: dict) -> Any:
    """What a later operation needs of this call's answer."""
    if op.name == "ImportPhoneNumber":
        return {"PhoneNumberId": answer["PhoneNumberId"],
                "source": json.loads(request.body)["SourcePhoneNumberArn"]}
    return answer[op.keep]


def selected(text: str) -> list[Op]:
    """The operations whose name contains ``text``, with those whose outputs they take."""
    wanted = {op.name for op in OPS if text.lower() in op.name.lower()}
    wanted |= {op.needs for op in OPS if op.name in wanted and op.needs}
    return [op for op in OPS if op.name in wanted]
