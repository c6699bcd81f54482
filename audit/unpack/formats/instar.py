"""INSTAR firmware. unblob already unpacks both INSTAR containers with its own handlers (`instar_hd`: a ZIP
whose signatures read `PK\\x03\\x07`/`PK\\x01\\x08`/`PK\\x05\\x09`; `bneg`: a 20-byte `BNEG` header with two
partition sizes), so we register no handler and do not duplicate them; this module only parses their
headers for facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.unpack.formats.base import (
    Buffer,
    ContainerHeader,
    FormatError,
    FormatSpec,
    TableReader,
    checked_members,
)
from audit.unpack.formats.dahua import walk_zip_locals

BNEG = b"BNEG"
HD = b"PK\x03\x07"
REFERENCES = (
    "https://github.com/onekey-sec/unblob/tree/main/python/unblob/handlers/archive/instar",
    "https://github.com/armijnhemel/binaryanalysis-ng/blob/master/src/bang/parsers/firmware/instar_bneg/UnpackParser.py",
)


@dataclass(frozen=True, kw_only=True)
class BnegHeader(ContainerHeader):
    major: int
    minor: int
    partition_1_size: int
    partition_2_size: int


def parse_bneg(data: Buffer, size: int) -> BnegHeader:
    """Parse the 20-byte BNEG header (pure, bounds-checked)."""
    r = TableReader(data)
    if r.raw(0, 4) != BNEG:
        raise FormatError("bad_magic", "no BNEG magic")
    major, minor, p1, p2 = r.words(4, 4)
    members, problems = checked_members([("part1", 20, p1), ("part2", 20 + p1, p2)], size, 20)
    return BnegHeader(format="instar_bneg", end=min(size, 20 + p1 + p2), members=tuple(members),
                      problems=tuple(problems), major=major, minor=minor, partition_1_size=p1, partition_2_size=p2)


@dataclass(frozen=True, kw_only=True)
class InstarHdHeader(ContainerHeader):
    member_names: list[str]


def parse_instar_hd(data: Buffer, size: int) -> InstarHdHeader:
    """Member names of an INSTAR HD tweaked ZIP (pure, bounds-checked)."""
    if TableReader(data).raw(0, 4) != HD:
        raise FormatError("bad_magic", "no PK\\x03\\x07 header")
    walk = walk_zip_locals(data, size, (HD,))
    return InstarHdHeader(format="instar_hd", end=min(size, max([0] + [m.offset + m.size for m in walk.members])),
                          members=walk.members, problems=walk.problems,
                          member_names=[m.name for m in walk.members][:128])


BNEG_SPEC = FormatSpec(name="instar_bneg", title="INSTAR BNEG", magics=((0, BNEG),), parse=parse_bneg,
                       doc=__doc__ or "", handler=None, status="facts-only (unblob's bneg handler unpacks)",
                       references=REFERENCES)
HD_SPEC = FormatSpec(name="instar_hd", title="INSTAR HD zip", magics=((0, HD),), parse=parse_instar_hd,
                     doc=__doc__ or "", handler=None, status="facts-only (unblob's instar_hd handler unpacks)",
                     references=REFERENCES)
