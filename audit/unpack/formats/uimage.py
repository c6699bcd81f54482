"""Legacy U-Boot uImage: a 64-byte big-endian header, then the payload.

Header (`include/image.h`, `struct legacy_img_hdr`): magic `27 05 19 56`, header CRC32 (over the header with
the CRC field zeroed), timestamp, data size, load address, entry point, data CRC32, then one byte each of OS,
architecture, image type and compression, and a 32-byte name. Compression: none, gzip, bzip2, lzma, lzo
(lzop format), lz4 (frame format), zstd. Type `multi` (4): the payload starts with a table of big-endian u32
sizes ended by a zero word, then the sub-images, each padded to 4 bytes.

Extracted: the payload, decompressed (bounded) when the header says so, as a file named for what it is:
`zImage` (an ARM self-decompressing kernel: `zimage.py` opens it next), `Image`/`vmlinux` (a kernel),
`firmware.bin`, `standalone.bin`, `ramdisk`, `filesystem`, `script`, `fdt.dtb`; multi images as
`part-0.kernel`, `part-1.ramdisk`, `part-2.dtb`, `part-<n>` (the roles U-Boot's `bootm` gives them).
A kernel that is stored uncompressed, is no ARM zImage and has no `Linux version` banner is searched for
the compressed kernel after its decompressor stub (MIPS and other self-decompressing kernels).
A header whose CRC, data CRC or size does not hold becomes a typed problem (`unpack.inconsistent`,
`unpack.truncated`) with the numbers; the payload is still extracted.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass
from pathlib import Path

from audit.unpack.formats.base import (
    MAX_MEMBERS,
    Buffer,
    ContainerHeader,
    FormatError,
    FormatSpec,
    Member,
    Problem,
    TableReader,
    cstring,
)
from audit.unpack.formats.streams import MAGICS, decompress, output_cap, probe, stream_problem
from audit.unpack.formats.zimage import ZIMAGE_MAGICS, kernel_name, write_self_decompressing

MAGIC = b"\x27\x05\x19\x56"
HEADER = 64
CRC_BLOCK = 1024 * 1024
REFERENCES = (
    "https://github.com/u-boot/u-boot/blob/master/include/image.h",
    "https://github.com/u-boot/u-boot/blob/master/boot/image-legacy.c",
    "https://manpages.debian.org/bookworm/u-boot-tools/mkimage.1.en.html",
)
OS = {0: "invalid", 1: "openbsd", 2: "netbsd", 3: "freebsd", 4: "4_4bsd", 5: "linux", 6: "svr4", 7: "esix",
      8: "solaris", 9: "irix", 10: "sco", 11: "dell", 12: "ncr", 13: "lynxos", 14: "vxworks", 15: "psos",
      16: "qnx", 17: "u-boot", 18: "rtems", 19: "artos", 20: "unity", 21: "integrity", 22: "ose", 23: "plan9",
      24: "openrtos", 25: "arm-trusted-firmware", 26: "tee", 27: "opensbi", 28: "efi", 29: "elf"}
ARCH = {0: "invalid", 1: "alpha", 2: "arm", 3: "x86", 4: "ia64", 5: "mips", 6: "mips64", 7: "ppc", 8: "s390",
        9: "sh", 10: "sparc", 11: "sparc64", 12: "m68k", 13: "nios", 14: "microblaze", 15: "nios2",
        16: "blackfin", 17: "avr32", 18: "st200", 19: "sandbox", 20: "nds32", 21: "openrisc", 22: "arm64",
        23: "arc", 24: "x86_64", 25: "xtensa", 26: "riscv"}
TYPE = {0: "invalid", 1: "standalone", 2: "kernel", 3: "ramdisk", 4: "multi", 5: "firmware", 6: "script",
        7: "filesystem", 8: "flat_dt", 9: "kwbimage", 10: "imximage", 11: "ublimage", 12: "omapimage",
        13: "aisimage", 14: "kernel_noload", 15: "pblimage", 16: "mxsimage", 17: "gpimage", 18: "atmelimage",
        19: "socfpgaimage", 20: "x86_setup", 21: "lpc32xximage", 22: "loadable", 23: "rkimage", 24: "rksd",
        25: "rkspi", 26: "zynqimage", 27: "zynqmpimage", 28: "zynqmpbif", 29: "fpga", 30: "vybridimage",
        31: "tee", 32: "firmware_ivt", 33: "pmmc", 34: "stm32image", 35: "socfpgaimage_v1", 36: "mtk_image"}
COMPRESSION = {0: "none", 1: "gzip", 2: "bzip2", 3: "lzma", 4: "lzo", 5: "lz4", 6: "zstd"}
MULTI_ROLE = {0: ".kernel", 1: ".ramdisk", 2: ".dtb"}  # how U-Boot's bootm uses the parts of a multi image
PAYLOAD_NAME = {"kernel": "kernel", "kernel_noload": "kernel", "firmware": "firmware.bin",
                "standalone": "standalone.bin", "ramdisk": "ramdisk", "filesystem": "filesystem",
                "script": "script", "flat_dt": "fdt.dtb"}


@dataclass(frozen=True, kw_only=True)
class UImageHeader(ContainerHeader):
    name: str
    os: str
    arch: str
    image_type: str
    compression: str
    load: int
    entry: int
    timestamp: int
    data_size: int
    header_crc: int
    header_crc_valid: bool
    data_crc: int


def _sane(os_: int, arch: int, kind: int, comp: int) -> bool:
    return 0 < os_ in OS and 0 < arch in ARCH and 0 < kind in TYPE and comp in COMPRESSION


def parse_uimage(data: Buffer, size: int) -> UImageHeader:
    """Parse the header at the start of `data` (pure, bounds-checked); `size` bytes may belong to it."""
    r = TableReader(data, ">")
    if r.raw(0, 4) != MAGIC:
        raise FormatError("bad_magic", "no uImage magic")
    raw = r.raw(0, HEADER)
    hcrc, stamp, dsize, load, entry, dcrc = r.words(4, 6)
    os_, arch, kind, comp = raw[28], raw[29], raw[30], raw[31]
    crc_ok = zlib.crc32(raw[:4] + b"\0\0\0\0" + raw[8:]) == hcrc
    if not crc_ok and not _sane(os_, arch, kind, comp):
        raise FormatError("bad_field", f"header CRC 0x{hcrc:08x} wrong and fields out of range")
    problems: list[Problem] = []
    if not crc_ok:
        problems.append(Problem("inconsistent", f"header CRC 0x{hcrc:08x} does not match the header "
                                f"(computed 0x{zlib.crc32(raw[:4] + bytes(4) + raw[8:]):08x})"))
    if HEADER + dsize > size:
        problems.append(Problem("truncated", f"header declares {dsize} data bytes, {max(0, size - HEADER)} present"))
    end = min(size, HEADER + dsize)
    type_name = TYPE.get(kind, str(kind))
    members: tuple[Member, ...] = (Member("payload", HEADER, end - HEADER),)
    if type_name == "multi":
        parts, problem = multi_parts(data, end)
        members = tuple(parts)
        if problem is not None:
            problems.append(problem)
    return UImageHeader(format="uimage", end=end, members=members, problems=tuple(problems),
                        name=cstring(raw[32:64], 32), os=OS.get(os_, str(os_)), arch=ARCH.get(arch, str(arch)),
                        image_type=type_name, compression=COMPRESSION.get(comp, str(comp)), load=load, entry=entry,
                        timestamp=stamp, data_size=dsize, header_crc=hcrc, header_crc_valid=crc_ok, data_crc=dcrc)


def multi_parts(data: Buffer, end: int) -> tuple[list[Member], Problem | None]:
    """The sub-images of a multi-file payload (size table from offset 64, zero-terminated, 4-byte padded)."""
    r = TableReader(data, ">", end)
    sizes: list[int] = []
    pos = HEADER
    while True:
        if len(sizes) >= MAX_MEMBERS or not r.has(pos, 4):
            return [], Problem("truncated", f"multi-file size table unterminated after {len(sizes)} entries")
        word = r.u32(pos)
        pos += 4
        if word == 0:
            break
        sizes.append(word)
    parts: list[Member] = []
    for index, part in enumerate(sizes):
        if pos + part > end:
            return parts, Problem("truncated", f"multi-file part {index} at 0x{pos:x} declares {part} bytes, "
                                  f"{max(0, end - pos)} present")
        parts.append(Member(f"part-{index}{MULTI_ROLE.get(index, '')}", pos, part))
        pos += (part + 3) & ~3
    return parts, None


def payload_name(header: UImageHeader, head: bytes) -> str:
    """The file name a single-image payload gets (what it is, so the right inspectors read it)."""
    base = PAYLOAD_NAME.get(header.image_type, "payload.bin")
    if base != "kernel":
        return base
    if header.compression == "none" and head[0x24:0x28] in ZIMAGE_MAGICS:
        return "zImage"
    return kernel_name(header.arch)


def data_crc(path: Path, member: Member) -> int:
    crc = 0
    with path.open("rb") as handle:
        handle.seek(member.offset)
        left = member.size
        while left > 0 and (block := handle.read(min(CRC_BLOCK, left))):
            crc = zlib.crc32(block, crc)
            left -= len(block)
    return crc


def write_payload(src: Path, member: Member, compression: str, dest: Path) -> Problem | None:
    """Copy or decompress (bounded) one payload to `dest`; a payload that is not what the header says is
    copied as stored (vendor packers often declare gzip over raw code) and reported."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if compression != "none" and not _starts_like(src, member, compression):
        actual = _actual_method(src, member)
        problem = write_payload(src, member, actual, dest)
        done = f"decompressed as {actual}" if actual != "none" else "kept as stored"
        return problem or Problem("inconsistent", f"{member.name}: header declares {compression} but the "
                                  f"{member.size} payload bytes do not start like a {compression} stream; {done}")
    with src.open("rb") as fin, dest.open("xb") as fout:
        if compression == "none":
            fin.seek(member.offset)
            left = member.size
            while left > 0 and (block := fin.read(min(CRC_BLOCK, left))):
                fout.write(block)
                left -= len(block)
            return None
        result = decompress(fin, member.offset, member.size, compression, fout, output_cap())
    return stream_problem(result, member.name, member.size)


def _starts_like(path: Path, member: Member, method: str) -> bool:
    """True when the member begins with `method`'s magic (a multi image's ramdisk part is often stored raw)."""
    with path.open("rb") as handle:
        handle.seek(member.offset)
        head = handle.read(16)
    if any(name == method and pattern.match(head) for name, pattern in MAGICS):
        return True
    # lzma has no magic: other lc/lp/pb properties (OpenWrt ramips builds use 0x6d) are confirmed by decoding
    return method == "lzma" and bool(head) and head[0] < 225 and probe(_head(path, member), "lzma", 4096)


def _head(path: Path, member: Member, size: int = 256 * 1024) -> bytes:
    with path.open("rb") as handle:
        handle.seek(member.offset)
        return handle.read(min(member.size, size))


def _actual_method(path: Path, member: Member) -> str:
    """The compression the payload really starts with (confirmed by decoding), else 'none'."""
    head = _head(path, member)
    for name, pattern in MAGICS:
        if pattern.match(head) and probe(head, name, 4096):
            return name
    return "none"


@functools.cache
def handler() -> type:
    """unblob's Handler for this format, defined on first use: importing unblob costs about a second,
    and only unblob's own processes need it (through `unblob_plugin.py`)."""
    from unblob.file_utils import File, InvalidInputFormat
    from unblob.models import Extractor, ExtractResult, Handler, HexString, ValidChunk
    from unblob.report import ExtractionProblem

    from audit.unpack.formats.handler import handler_doc

    class UImageExtractor(Extractor):
        """Writes the payload (decompressed) or the parts of a multi-file image; defects become typed problems."""

        def extract(self, inpath: Path, outdir: Path) -> ExtractResult | None:
            size = inpath.stat().st_size
            with inpath.open("rb") as handle:
                head = handle.read(HEADER + 4096)
            try:
                header = parse_uimage(head, size)
            except FormatError as exc:
                return ExtractResult(reports=[_report(Problem(exc.what, exc.message), "skipped")])
            if header.image_type == "multi":  # the size table lies past `head` only for absurd part counts
                with inpath.open("rb") as handle:
                    header = parse_uimage(handle.read(HEADER + 4 * (MAX_MEMBERS + 1)), size)
            problems = list(header.problems)
            whole = Member("payload", HEADER, header.end - HEADER)
            if header.end - HEADER == header.data_size:
                crc = data_crc(inpath, whole)
                if crc != header.data_crc:
                    problems.append(Problem("inconsistent", f"data CRC 0x{header.data_crc:08x} does not match the "
                                            f"{header.data_size} payload bytes (computed 0x{crc:08x})"))
            if header.image_type == "multi":
                for part in header.members:
                    method = header.compression if _starts_like(inpath, part, header.compression) else "none"
                    problems.append(write_payload(inpath, part, method, outdir / part.name))
            else:
                problems.extend(self._single(inpath, header, whole, head[HEADER:], outdir))
            return ExtractResult(reports=[_report(p, "kept what could be read") for p in problems if p is not None])

        def _single(self, inpath: Path, header: UImageHeader, whole: Member, head: bytes,
                    outdir: Path) -> list[Problem | None]:
            name = payload_name(header, head)
            if name in ("Image", "vmlinux") and header.compression == "none":
                done, problems = write_self_decompressing(inpath, whole, outdir, name)
                if done:
                    return list(problems)
            return [write_payload(inpath, whole, header.compression, outdir / name)]


    def _report(problem: Problem, resolution: str) -> ExtractionProblem:
        """unblob's problem record; the `unpack.<what>:` prefix becomes the error kind in our report."""
        return ExtractionProblem(problem=f"unpack.{problem.what}: uImage {problem.message}", resolution=resolution)


    class UImageHandler(Handler):
        NAME = "uimage"
        PATTERNS = [HexString(MAGIC.hex(" "))]  # noqa: RUF012 - unblob declares PATTERNS as a list
        EXTRACTOR = UImageExtractor()
        DOC = handler_doc("U-Boot legacy uImage", "DENX U-Boot", __doc__ or "", REFERENCES,
                          ("A header with a wrong CRC is accepted only at the start of a file, with sane fields.",))

        def calculate_chunk(self, file: File, start_offset: int) -> ValidChunk | None:
            size = len(file) - start_offset
            head = file[start_offset : start_offset + min(size, HEADER)]
            try:
                header = parse_uimage(head, size)
            except FormatError as exc:
                raise InvalidInputFormat(f"uimage: {exc.message}") from exc
            if start_offset > 0 and not header.header_crc_valid:  # inside other data: a valid CRC or nothing
                raise InvalidInputFormat("uimage: header CRC wrong away from the file start")
            if header.data_size == 0:
                raise InvalidInputFormat("uimage: empty payload")
            return ValidChunk(start_offset=start_offset, end_offset=start_offset + header.end)

    return UImageHandler

SPEC = FormatSpec(name="uimage", title="U-Boot legacy uImage", magics=((0, MAGIC),), parse=None,
                  doc=__doc__ or "", handler=handler, status="unpacks (facts: `uimage` from headers)",
                  references=REFERENCES)
