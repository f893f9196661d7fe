"""The flows Amazon Connect creates in every new instance: the default flows (one per flow type the instance
falls back on) and the sample flows, under their AWS names and types (docs/behaviour.md §12).

Their content is a short, valid flow that says what the flow is; AWS's own content (prompts, queues, Lambda
ARNs of the account) is not reproduced. ``store/schema.py`` (migration 6) gives instances created before
contact flows existed the same flows, built by the same template in SQL; tests/unit/test_contact_flows_units.py
checks that both agree.
"""
from __future__ import annotations

# (name, type), in the order ListContactFlows returns them for a new instance.
DEFAULT_FLOWS: tuple[tuple[str, str], ...] = (
    ("Default agent hold", "AGENT_HOLD"),
    ("Default agent transfer", "AGENT_TRANSFER"),
    ("Default agent whisper", "AGENT_WHISPER"),
    ("Default customer hold", "CUSTOMER_HOLD"),
    ("Default customer queue", "CUSTOMER_QUEUE"),
    ("Default customer whisper", "CUSTOMER_WHISPER"),
    ("Default outbound", "OUTBOUND_WHISPER"),
    ("Default queue transfer", "QUEUE_TRANSFER"),
    ("Sample AB test", "CONTACT_FLOW"),
    ("Sample disconnect flow", "CONTACT_FLOW"),
    ("Sample inbound flow (first contact experience)", "CONTACT_FLOW"),
    ("Sample interruptible queue flow with callback", "CUSTOMER_QUEUE"),
    ("Sample Lambda integration", "CONTACT_FLOW"),
    ("Sample note for screenpop", "CONTACT_FLOW"),
    ("Sample queue configurations flow", "CONTACT_FLOW"),
    ("Sample queue customer", "CONTACT_FLOW"),
    ("Sample recording behavior", "CONTACT_FLOW"),
    ("Sample secure input with agent", "CONTACT_FLOW"),
    ("Sample secure input with no agent", "CONTACT_FLOW"),
)

# Flows that end a contact's path disconnect; whisper, hold and queue flows end and hand the contact back.
_DISCONNECTING = {"CONTACT_FLOW", "AGENT_TRANSFER", "QUEUE_TRANSFER"}

# One template for every default flow: a message naming the flow, then the end of the flow. The same text is
# spelt in SQL by migration 6: keep them in step (the unit test compares them).
TEMPLATE = ('{"Version":"2019-10-30","StartAction":"message","Metadata":{},"Actions":['
            '{"Identifier":"message","Type":"MessageParticipant","Parameters":{"Text":"NAME"},'
            '"Transitions":{"NextAction":"end","Errors":[{"NextAction":"end","ErrorType":"NoMatchingError"}]}},'
            '{"Identifier":"end","Type":"END","Parameters":{},"Transitions":{}}]}')


def end_action(flow_type: str) -> str:
    return "DisconnectParticipant" if flow_type in _DISCONNECTING else "EndFlowExecution"


def content(name: str, flow_type: str) -> str:
    return TEMPLATE.replace("END", end_action(flow_type)).replace("NAME", name)
