"""The unblob side of a container format: a Handler that sizes the chunk from the parsed header and an
Extractor that writes each table member to a named file inside unblob's output directory.

Handlers run in unblob's worker processes under its Landlock sandbox: they only read the input file and
write below `outdir`, never anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from unblob.file_utils import File, InvalidInputFormat
from unblob.models import (
    Extractor,
    ExtractResult,
    Handler,
    HandlerDoc,
    HandlerType,
    HexString,
    Reference,
    ValidChunk,
)
from unblob.report import ExtractionProblem

from audit.unpack.formats.base import (
    MAX_HEAD,
    Buffer,
    ContainerHeader,
    FormatError,
    copy_member,
    unique_paths,
)

Parser = Callable[[Buffer, int], ContainerHeader]


def read_header(path: Path, parse: Parser) -> ContainerHeader:
    """Parse the container at the start of `path` (a carved chunk or the whole file)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(min(size, MAX_HEAD))
    return parse(head, size)


class MembersExtractor(Extractor):
    """Writes every member of the parsed table to `outdir/<safe name>`; defects become ExtractionProblems."""

    def __init__(self, parse: Parser) -> None:
        self.parse = parse

    def extract(self, inpath: Path, outdir: Path) -> ExtractResult | None:
        try:
            header = read_header(inpath, self.parse)
        except FormatError as exc:
            return ExtractResult(reports=[ExtractionProblem(problem=exc.message, resolution="skipped")])
        reports = [ExtractionProblem(problem=f"{p.what}: {p.message}", resolution="member skipped")
                   for p in header.problems]
        for member, rel in unique_paths(header.members):
            dest = outdir / rel
            copy_member(inpath, member, dest)
        return ExtractResult(reports=reports)


class ContainerHandler(Handler):
    """A vendor container whose header parser gives the chunk end and the member table."""

    NAME: ClassVar[str]
    PARSE: ClassVar[Parser]
    EXTRACTOR: Extractor

    def calculate_chunk(self, file: File, start_offset: int) -> ValidChunk | None:
        size = len(file) - start_offset
        head = file[start_offset : start_offset + min(size, MAX_HEAD)]
        try:
            header = type(self).PARSE(head, size)
        except FormatError as exc:
            raise InvalidInputFormat(f"{self.NAME}: {exc.message}") from exc
        if header.end <= 0:
            raise InvalidInputFormat(f"{self.NAME}: empty container")
        return ValidChunk(start_offset=start_offset, end_offset=start_offset + min(header.end, size),
                          is_encrypted=header.encrypted and not header.members)


def handler_doc(name: str, vendor: str, description: str, references: tuple[str, ...],
                limitations: tuple[str, ...] = ()) -> HandlerDoc:
    """unblob's HandlerDoc from our format description."""
    return HandlerDoc(name=name, description=description, vendor=vendor, handler_type=HandlerType.ARCHIVE,
                      references=[Reference(title=url, url=url) for url in references],
                      limitations=list(limitations))


def members_handler(class_name: str, name: str, magics: tuple[bytes, ...], parse: Parser, title: str, vendor: str,
                    description: str, references: tuple[str, ...], limitations: tuple[str, ...] = ()) -> type:
    """The usual vendor container Handler: found by its magic(s), sized by its header parser, unpacked by
    writing the parsed member table (`MembersExtractor`)."""
    return type(class_name, (ContainerHandler,), {
        "NAME": name,
        "PATTERNS": [HexString(magic.hex(" ")) for magic in magics],
        "PARSE": staticmethod(parse),
        "EXTRACTOR": MembersExtractor(parse),
        "DOC": handler_doc(title, vendor, description, references, limitations),
    })
