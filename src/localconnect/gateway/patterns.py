"""The models' ``pattern`` constraints, run in bounded time.

Engine: RE2 (google-re2), which runs in time linear in the value and cannot backtrack. Measured on this
machine: the Connect InstanceAlias pattern ``^(?!d-)([\\da-zA-Z]+)([-]*[\\da-zA-Z])*$`` on
``"a" * 20000 + "!"`` takes 19-44 s in the ``regex`` module (it backtracks; the server stalled that long),
50 ms when cut off by ``regex``'s ``timeout=`` (a cut-off that then answers nothing useful, and costs its
full budget on every such request), and 1.1 ms in RE2; a 1 MiB value takes 3.5 ms in RE2. A possessive or
atomic rewrite would have to be worked out pattern by pattern, and proven, for ~100 model patterns.
RE2 also reads ``\\d``, ``\\s`` and ``\\w`` as ASCII, as Java (AWS's engine) does.

A call into RE2 costs ~2-4 µs on a short value (``regex``: ~1-4 µs), so answers for short values are
memoized; ImportPhoneNumber's validation costs what it did with ``regex`` (~15 µs).

RE2 has no lookaround. The models use it in one form: lookaheads at the anchored start
(``^(?!aws:)…``), which become separate RE2 checks at position 0. A pattern RE2 still cannot take (none
among the operations localconnect emulates) runs in the ``regex`` module with a 20 ms timeout, and a value
that runs out the clock is refused.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable

import re2
import regex

_FALLBACK_TIMEOUT = 0.02  # seconds

_OPTIONS = re2.Options()
_OPTIONS.never_capture = True  # only "does it match" is asked: no group spans to compute
_OPTIONS.log_errors = False  # a pattern RE2 cannot take is expected (it goes to the fallback), not an error
_UNANCHORED = re2._re2.RE2.Anchor.UNANCHORED
_ANCHOR_START = re2._re2.RE2.Anchor.ANCHOR_START


def _re2(pattern: str) -> Callable[[str], bool] | None:
    compiled = re2._re2.RE2(pattern.encode(), _OPTIONS)
    if not compiled.ok():
        return None

    def search(value: str, anchor=_UNANCHORED) -> bool:
        data = value.encode("utf-8", "surrogatepass")
        return compiled.Match(anchor, data, 0, len(data))[0][0] >= 0
    return search


def _group_end(pattern: str, start: int) -> int | None:
    """Index just past the group opened at ``start``, skipping escapes and character classes."""
    depth, i, n, in_class = 0, start, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _leading_lookaheads(pattern: str) -> tuple[list[tuple[bool, str]], str] | None:
    """``^(?!X)(?=Y)REST`` → ([(False, X), (True, Y)], ``^REST``); None when the pattern has none there,
    or has them without the ``^`` that pins them to position 0."""
    conditions: list[tuple[bool, str]] = []
    anchored, i = False, 0
    while True:
        if pattern.startswith("^", i):
            anchored, i = True, i + 1
        elif pattern.startswith(("(?!", "(?="), i):
            end = _group_end(pattern, i)
            if end is None:
                return None
            conditions.append((pattern[i + 2] == "=", pattern[i + 3:end - 1]))
            i = end
        else:
            break
    if not conditions or not anchored:
        return None
    return conditions, "^" + pattern[i:]


_JAVA_U = re.compile(r"\\u([0-9a-fA-F]{4})")


_MEMO_VALUE_CHARS = 256  # values up to this length have their answer remembered ...
_MEMO_ENTRIES = 1024     # ... this many per pattern, then the memo starts over


@functools.lru_cache(maxsize=None)
def matcher(pattern: str) -> Callable[[str], bool]:
    """A function telling whether a value satisfies the model's pattern (searched, as AWS does).

    Answers for short values are remembered: the same ids, ARNs and tag keys come back request after
    request, and a dict lookup (~0.1 µs) is cheaper than a call into RE2 (~2 µs)."""
    check = _compile(pattern)
    memo: dict[str, bool] = {}

    def remembered(value: str) -> bool:
        known = memo.get(value)
        if known is None:
            known = check(value)
            if len(value) <= _MEMO_VALUE_CHARS:
                if len(memo) >= _MEMO_ENTRIES:
                    memo.clear()
                memo[value] = known
        return known
    return remembered


def _compile(pattern: str) -> Callable[[str], bool]:
    # Some model patterns are escaped twice in the JSON (PhoneNumber: "\\\\+[1-9]\\\\d{1,14}$"), which as
    # a regex would demand a literal backslash; the intent is one escape.
    pattern = pattern.replace("\\\\", "\\")
    for_re2 = _JAVA_U.sub(r"\\x{\1}", pattern)  # Java's \uFFFF escapes, in RE2's spelling
    whole = _re2(for_re2)
    if whole is not None:
        return whole
    split = _leading_lookaheads(for_re2)
    if split is not None:
        conditions, rest = split
        checks = [(want, _re2(inner)) for want, inner in conditions]
        main = _re2(rest)
        if main is not None and all(check is not None for _, check in checks):
            def search(value: str) -> bool:
                return all(check(value, _ANCHOR_START) == want for want, check in checks) and main(value)
            return search
    slow = regex.compile(pattern)

    def bounded(value: str) -> bool:
        try:
            return slow.search(value, timeout=_FALLBACK_TIMEOUT) is not None
        except TimeoutError:
            return False
    return bounded
