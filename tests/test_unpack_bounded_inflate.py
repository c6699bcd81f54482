"""Bounded stream-end search: exact ends for honest streams, the budget for bombs, errors for damage."""

from __future__ import annotations

import gzip
import lzma
import zlib

import pytest

from audit.unpack.bounded_inflate import BoundedDecompressor, gzip_member_end

MiB = 1 << 20


def test_member_ends_are_exact_for_honest_members() -> None:
    first = gzip.compress(b"kernel " * 10_000, mtime=0)
    second = gzip.compress(bytes(range(256)) * 50, mtime=0)
    data = first + second + b"trailing garbage"
    assert gzip_member_end(data, 0, len(data), 64 * MiB) == len(first)
    assert gzip_member_end(data, len(first), len(data), 64 * MiB) == len(first) + len(second)


def test_header_fields_are_skipped() -> None:
    import io

    out = io.BytesIO()
    with gzip.GzipFile(filename="vmlinux.bin", mode="wb", fileobj=out, mtime=0) as handle:  # FNAME set
        handle.write(b"x" * 5000)
    data = out.getvalue() + b"\xff" * 100
    assert data[3] & 0x08
    assert gzip_member_end(data, 0, len(data), 64 * MiB) == len(out.getvalue())


def test_a_bomb_runs_to_the_end_of_the_file_once_past_the_budget() -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b"".join(packer.compress(bytes(MiB)) for _ in range(64)) + packer.flush()  # 64 MiB inflated
    data = bomb + b"after"
    assert gzip_member_end(data, 0, len(data), 64 * MiB) == len(bomb)  # within budget: exact
    assert gzip_member_end(data, 0, len(data), 8 * MiB) == len(data)  # past it: the rest of the file


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_damaged_members_raise(damage: str) -> None:
    member = gzip.compress(bytes(range(256)) * 400, mtime=0)
    data = member[: len(member) // 2] if damage == "truncated" else member[:10] + b"\xff" * 200
    with pytest.raises(ValueError):
        gzip_member_end(data, 0, len(data), 64 * MiB)


def test_not_gzip_is_none() -> None:
    assert gzip_member_end(b"\x1f\x8b\x09" + bytes(40), 0, 43, MiB) is None


def test_bounded_lzma_counts_output_and_stops_at_the_budget() -> None:
    stream = lzma.compress(bytes(32 * MiB), format=lzma.FORMAT_ALONE)
    honest = BoundedDecompressor(lzma.LZMADecompressor(format=lzma.FORMAT_ALONE), 64 * MiB)
    assert len(honest.decompress(stream)) == 32 * MiB
    assert honest.eof and honest.stream_ended
    capped = BoundedDecompressor(lzma.LZMADecompressor(format=lzma.FORMAT_ALONE), 4 * MiB)
    produced = 0
    for start in range(0, len(stream), 4096):
        produced += len(capped.decompress(stream[start : start + 4096]))
        if capped.eof:
            break
    assert capped.eof and not capped.stream_ended
    assert 4 * MiB <= produced < 4 * MiB + 16 * MiB  # at most one bounded step past the budget


def test_bounded_zlib_reports_unused_data() -> None:
    stream = zlib.compress(b"abc" * 1000) + b"TAIL"
    inner = BoundedDecompressor(zlib.decompressobj(), MiB)
    assert len(inner.decompress(stream)) == 3000
    assert inner.eof and inner.unused_data == b"TAIL"
