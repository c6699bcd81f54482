"""to_jsonable: its fast paths for exact common types give what its general path gives."""

from __future__ import annotations

import enum
from pathlib import Path

from audit.model import Evidence, Fact, _general, to_jsonable


class Kind(enum.StrEnum):
    ELF = "elf"


class Names(list):
    pass


def test_fast_paths_equal_the_general_path() -> None:
    bad = b"caf\xe9".decode("utf-8", "surrogateescape")  # a name that is not UTF-8
    values = [
        "plain", bad, 3, 2.5, True, None, [bad, "a", 1, ("t", bad)], ("x", [1, 2]), {bad: bad, "k": [bad]},
        {1: "int key"}, Names(["a", bad]), Kind.ELF, {"set": frozenset({"b", "a"})}, Path("/a/b"), b"\x01\xff",
        Fact(kind="elf", sha256="s", path=bad, data={"symbols": ["main", bad], "n": 1}, offset=None),
        Evidence(kind="yara", rule_id="r", path=bad, sha256="s", offset=4, matched="ab", weight="strong",
                 chain=("image", bad)),
    ]
    for value in values:
        assert to_jsonable(value) == _general(value), value


def test_non_utf8_names_are_escaped_in_keys_values_and_lists() -> None:
    bad = b"caf\xe9".decode("utf-8", "surrogateescape")
    out = to_jsonable({bad: [bad, (bad,)], "v": bad})
    assert out == {"caf\\xe9": ["caf\\xe9", ["caf\\xe9"]], "v": "caf\\xe9"}
