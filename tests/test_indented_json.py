"""audit/report/indented_json.py gives the standard library's indented text byte for byte, or its error."""

from __future__ import annotations

import enum
import json
import random
from typing import Any

import pytest

from audit.report.indented_json import dumps


def _reference(value: Any, level: int = 0) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).replace("\n", "\n" + "  " * level)


class Colour(enum.StrEnum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Text(str):
    pass


EDGES: list[Any] = [
    None, True, False, 0, -1, 2**80, -(2**70), 0.0, -0.0, 1e-310, 1.5e300, float("nan"), float("inf"),
    float("-inf"), "", "plain", "quote \" backslash \\ slash /", "line\nbreak\ttab\r\x00\x1f\x7f",
    "\u00e9\u4e2d\U0001f600 \u2028\u2029", "\ud800 lone surrogate", Colour.RED, Level.HIGH, Text("sub"),
    [], {}, (), [[]], {"a": {}}, {"a": []}, [{}], ([1, 2], (3,)), {"b": 1, "a": [1, {"z": None, "y": [()]}]},
    {"k": (1, "x")}, {1: "int key", 2.5: "float key"}, {False: "bool key"}, {None: "none key"},
    {1: [1], 2: {"nested": "beside int keys"}},
    {"s": [1, 2], 3: "mixed key kinds beside nesting"}, {"\n": 1, "é": 2, "a": 3, "A": 4},
]


@pytest.mark.parametrize("value", EDGES, ids=lambda v: repr(v)[:40])
@pytest.mark.parametrize("level", [0, 1, 3])
def test_edge_values_match_the_standard_library(value: Any, level: int) -> None:
    _assert_same(value, level)


def _assert_same(value: Any, level: int = 0) -> None:
    """The same text as the standard library, or the same TypeError (keys of kinds json cannot sort)."""
    try:
        expected = _reference(value, level)
    except TypeError as exc:
        with pytest.raises(TypeError) as raised:
            dumps(value, level)
        assert str(raised.value) == str(exc)
        return
    assert dumps(value, level) == expected


def _random_value(rng: random.Random, depth: int) -> Any:
    pick = rng.randrange(10 if depth < 5 else 6)
    if pick == 0:
        return rng.choice([None, True, False])
    if pick == 1:
        return rng.randint(-(2**40), 2**40)
    if pick == 2:
        return rng.choice([rng.uniform(-1e6, 1e6), rng.random() * 1e-300, float("nan"), -0.0])
    if pick in (3, 4, 5):
        return "".join(rng.choice('ab"\\\n\t\x01é中\U0001f600 ') for _ in range(rng.randrange(8)))
    size = rng.randrange(5)
    if pick in (6, 7):
        items = [_random_value(rng, depth + 1) for _ in range(size)]
        return tuple(items) if rng.random() < 0.2 else items
    return {_random_value(rng, 5) if rng.random() < 0.05 else str(rng.randrange(50)): _random_value(rng, depth + 1)
            for _ in range(size)}


@pytest.mark.parametrize("seed", range(40))
def test_random_structures_match_the_standard_library(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        _assert_same(_random_value(rng, 0))


def test_an_object_json_cannot_encode_raises_its_error() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps({"a": [1, {"b": object()}]})


def test_deep_nesting_falls_back_to_the_standard_library() -> None:
    value: Any = "leaf"
    for _ in range(2000):
        value = [value]
    try:
        expected: str | type[BaseException] = _reference(value)
    except RecursionError:
        expected = RecursionError
    if expected is RecursionError:
        with pytest.raises(RecursionError):
            dumps(value)
    else:
        assert dumps(value) == expected
