"""ARM zImage and other self-decompressing Linux kernels: find the compressed kernel after the decompressor
stub and write it out decompressed (bounded), so the kernel inspector and YARA read the real kernel.

ARM zImage (`arch/arm/boot/compressed/head.S`): at 0x24 the magic `0x016F2818` (little-endian bytes
`18 28 6F 01`; big-endian kernels `01 6F 28 18`), at 0x28 the start and at 0x2C the end address, so the
zImage is `end - start` bytes; an appended device tree may follow it. The compressed kernel (gzip, lzma, xz,
lzo, lz4 or the legacy lz4 format) lies inside, after the stub; it has no pointer in the header, so it is
found by its magic and accepted only if it decodes. MIPS (`arch/mips/boot/compressed`) and other
self-decompressing kernels have no header at all: `uimage.py` asks `write_self_decompressing` to search an
uncompressed kernel payload that carries no `Linux version` banner of its own.

Extracted: `Image` (ARM, ARM64, RISC-V) or `vmlinux` (others), the decompressed kernel; the stub stays in
the file that holds it. A stream that stops early or is damaged is a typed problem
(`unpack.truncated`, `unpack.inconsistent`); the bytes decoded up to there are kept.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from audit.unpack.formats.base import (
    Buffer,
    ContainerHeader,
    FormatError,
    FormatSpec,
    Member,
    Problem,
    TableReader,
)
from audit.unpack.formats.streams import decompress, find_streams, output_cap, probe, stream_problem

MAGIC_LE = b"\x18\x28\x6f\x01"
MAGIC_BE = b"\x01\x6f\x28\x18"
ZIMAGE_MAGICS = (MAGIC_LE, MAGIC_BE)
MAGIC_AT = 0x24
MIN_SIZE = 0x1000
STUB_WINDOW = 2 * 1024 * 1024  # where after the start of a kernel the compressed stream is looked for
PROBE_BYTES = 512 * 1024  # compressed bytes a candidate stream is test-decoded from
MIN_KERNEL = 64 * 1024  # a decoded "kernel" smaller than this is a false magic in the stub
BANNER = b"Linux version "
REFERENCES = (
    "https://github.com/torvalds/linux/blob/master/arch/arm/boot/compressed/head.S",
    "https://github.com/torvalds/linux/blob/master/arch/arm/boot/compressed/Makefile",
    "https://github.com/torvalds/linux/blob/master/arch/mips/boot/compressed/Makefile",
    "https://github.com/torvalds/linux/blob/master/scripts/Makefile.lib",
)


@dataclass(frozen=True, kw_only=True)
class ZImageHeader(ContainerHeader):
    endian: str
    start_address: int
    end_address: int
    stream_offset: int | None  # where the compressed kernel starts (None: not found in what was read)
    compression: str | None


def parse_zimage(data: Buffer, size: int) -> ZImageHeader:
    """Parse an ARM zImage header and locate its compressed kernel within `data` (pure, bounds-checked)."""
    magic = TableReader(data).raw(MAGIC_AT, 4)
    if magic not in ZIMAGE_MAGICS:
        raise FormatError("bad_magic", "no ARM zImage magic at 0x24")
    order = "<" if magic == MAGIC_LE else ">"
    start, end = TableReader(data, order).words(0x28, 2)
    length = end - start
    if length < MIN_SIZE:
        raise FormatError("bad_field", f"zImage start 0x{start:x} / end 0x{end:x} give {length} bytes")
    problems = []
    if length > size:
        problems.append(Problem("truncated", f"zImage header declares {length} bytes, {size} present"))
    stop = min(length, size)
    stream = locate_stream(bytes(data[: min(stop, len(data), STUB_WINDOW + PROBE_BYTES)]), 0x30)
    if stream is None:
        problems.append(Problem("unsupported", "no decodable compressed kernel found after the stub"))
    return ZImageHeader(format="zimage", end=stop, problems=tuple(problems),
                        members=(Member("Image", stream[0], stop - stream[0]),) if stream else (),
                        endian="little" if order == "<" else "big", start_address=start, end_address=end,
                        stream_offset=stream[0] if stream else None, compression=stream[1] if stream else None)


def locate_stream(head: bytes, start: int = 0) -> tuple[int, str] | None:
    """(offset, method) of the first compressed stream in `head[start:STUB_WINDOW]` that really decodes."""
    for offset, method in find_streams(head[:STUB_WINDOW], start, limit=16):
        if probe(head[offset : offset + PROBE_BYTES], method, MIN_KERNEL):
            return offset, method
    return None


def has_banner(path: Path, member: Member) -> bool:
    """True when the member's bytes hold a `Linux version ` banner as they are (an uncompressed kernel)."""
    if member.size <= 0:
        return False
    with path.open("rb") as handle:  # bytes, not a bare mmap: Python < 3.11.4 over-reads in find (see open_map)
        handle.seek(member.offset)
        return BANNER in handle.read(member.size)


def write_self_decompressing(path: Path, member: Member, outdir: Path, name: str,
                             ) -> tuple[bool, tuple[Problem, ...]]:
    """Decompress the kernel inside a self-decompressing kernel `member` of `path` into outdir/name.

    (False, ()) when there is nothing to do (a raw kernel with its own banner, or no decodable stream): the
    caller then writes the member as it is.
    """
    if has_banner(path, member):
        return False, ()
    with path.open("rb") as handle:
        handle.seek(member.offset)
        head = handle.read(min(member.size, STUB_WINDOW + PROBE_BYTES))
    found = locate_stream(head)
    if found is None:
        return False, ()
    offset, method = found
    return True, write_kernel(path, member, offset, method, outdir, name)


def write_kernel(path: Path, member: Member, offset: int, method: str, outdir: Path,
                 name: str) -> tuple[Problem, ...]:
    """Write the stream at `offset` of the member, decompressed, to outdir/name.

    The stub before it is not written again: it stays readable in the file that holds it (zImage, uImage).
    """
    outdir.mkdir(parents=True, exist_ok=True)
    with path.open("rb") as fin, (outdir / name).open("xb") as fout:
        result = decompress(fin, member.offset + offset, member.size - offset, method, fout, output_cap())
    problem = stream_problem(result, f"{name} ({method} at 0x{offset:x})", member.size - offset)
    return () if problem is None else (problem,)


def kernel_name(arch: str) -> str:
    return "Image" if arch in ("arm", "arm64", "riscv") else "vmlinux"


@functools.cache
def handler() -> type:
    """unblob's Handler for this format, defined on first use: importing unblob costs about a second,
    and only unblob's own processes need it (through `unblob_plugin.py`)."""
    from unblob.file_utils import File, InvalidInputFormat
    from unblob.models import Extractor, ExtractResult, Handler, HexString, ValidChunk
    from unblob.report import ExtractionProblem

    from audit.unpack.formats.handler import handler_doc

    class ZImageExtractor(Extractor):
        def extract(self, inpath: Path, outdir: Path) -> ExtractResult | None:
            size = inpath.stat().st_size
            with inpath.open("rb") as handle:
                head = handle.read(min(size, STUB_WINDOW + PROBE_BYTES))
            try:
                header = parse_zimage(head, size)
            except FormatError as exc:
                return ExtractResult(reports=[_report(Problem(exc.what, exc.message), "skipped")])
            problems = list(header.problems)
            if header.stream_offset is not None and header.compression is not None:
                whole = Member("zImage", 0, header.end)
                problems += write_kernel(inpath, whole, header.stream_offset, header.compression, outdir, "Image")
            return ExtractResult(reports=[_report(p, "kept what could be read") for p in problems])


    def _report(problem: Problem, resolution: str) -> ExtractionProblem:
        return ExtractionProblem(problem=f"unpack.{problem.what}: zImage {problem.message}", resolution=resolution)


    class ZImageHandler(Handler):
        NAME = "zimage"
        PATTERNS = [HexString(MAGIC_LE.hex(" ")), HexString(MAGIC_BE.hex(" "))]  # noqa: RUF012 - unblob's list
        PATTERN_MATCH_OFFSET = -MAGIC_AT
        EXTRACTOR = ZImageExtractor()
        DOC = handler_doc("ARM zImage", "Linux", __doc__ or "", REFERENCES,
                          ("Only the first compressed stream that decodes is taken; "
                           "bytes after it stay in the chunk.",))

        def calculate_chunk(self, file: File, start_offset: int) -> ValidChunk | None:
            if start_offset < 0:
                raise InvalidInputFormat("zimage: magic too close to the file start")
            size = len(file) - start_offset
            head = file[start_offset : start_offset + min(size, STUB_WINDOW + PROBE_BYTES)]
            try:
                header = parse_zimage(head, size)
            except FormatError as exc:
                raise InvalidInputFormat(f"zimage: {exc.message}") from exc
            if header.stream_offset is None:  # the magic alone (a literal in a boot loader) is not a zImage
                raise InvalidInputFormat("zimage: no decodable compressed kernel")
            return ValidChunk(start_offset=start_offset, end_offset=start_offset + header.end)

    return ZImageHandler

SPEC = FormatSpec(name="zimage", title="ARM zImage", magics=((MAGIC_AT, MAGIC_LE), (MAGIC_AT, MAGIC_BE)),
                  parse=parse_zimage, doc=__doc__ or "", handler=handler, status="unpacks (decompressed)",
                  references=REFERENCES)
