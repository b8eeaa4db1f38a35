"""JSON values from strangers: what Python cannot hold costs one record, ids become stable strings, lone surrogates go.

- A number Python refuses (more digits than its int limit), or one that only reads as infinity
  (1e999), and the non-JSON constants NaN and Infinity fail their own record; the file reads on.
- An id of any JSON type becomes a string one way, always: a string as it is; a number, true/false
  or an array/object as its compact JSON text (`7`, `2.5`, `true`, `[1,2]`, `{"a":1}`); null or no
  id: the record's line number.
- A lone surrogate (`"\\ud800"` in JSON) is not text and cannot be written as UTF-8: each is replaced
  with U+FFFD, in the content, the id and the metadata alike, and the record gets a warning.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

SURROGATE = re.compile("[\ud800-\udfff]")
ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


class ValueProblem(ValueError):
    """A JSON value this record cannot be read with; the message says which."""


def _constant(name: str) -> Any:
    raise ValueProblem(f"{name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueProblem(f"the number {text[:40]} is beyond what a float holds")
    return value


def loads(line: str) -> Any:
    """json.loads that refuses NaN, Infinity and numbers Python cannot hold, with a message naming the problem."""
    try:
        return json.loads(line, parse_constant=_constant, parse_float=_float)
    except ValueProblem:
        raise
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # int(): "Exceeds the limit (4300 digits) for integer string conversion"
        raise ValueProblem(f"a number with too many digits ({exc})") from None


def id_text(value: Any, lineno: int | str) -> str:
    """The document id of a record's id value (see the module docstring)."""
    if value is None:
        return str(lineno)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def has_surrogate_escape(line: str) -> bool:
    """Cheap test on a raw JSON line: could any decoded string hold a surrogate?"""
    return "\\u" in line and ESCAPED_SURROGATE.search(line) is not None


def scrub(text: str) -> tuple[str, int]:
    """The text with every lone surrogate as U+FFFD, and how many there were."""
    return SURROGATE.subn("\ufffd", text)


def scrub_value(value: Any) -> tuple[Any, int]:
    """A decoded JSON value (any nesting) with every lone surrogate in its strings and keys as U+FFFD."""
    text = json.dumps(value, ensure_ascii=False)
    fixed, n = scrub(text)
    return (json.loads(fixed) if n else value), n
