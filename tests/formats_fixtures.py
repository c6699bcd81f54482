"""Builders for vendor container fixtures, written from the public format descriptions (never vendor files).

Every builder returns the container bytes; payloads are small gzip members so unblob's recursion shows that
a member was really carved out (`<member>_extract/gzip.uncompressed`).
"""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
import zlib

from audit.unpack.formats import hikvision, tenvis

DATE = (2023, 11, 14, 22, 13, 20)


def gz(text: str) -> bytes:
    return gzip.compress(text.encode(), mtime=0)


def dav(files: list[tuple[str, bytes]], lang: int = 1, dev: int = 2, oem: int = 1, magic: bytes = b"SWKH") -> bytes:
    """digicap.dav: XOR-obfuscated 0x40 header + 0x2C-byte entries (name, offset, length, byte-sum), plain data."""
    length = 0x40 + 0x2C * len(files)
    table, offset = b"", length
    for name, data in files:
        table += struct.pack("<32sIII", name.encode(), offset, len(data), sum(data) & 0xFFFFFFFF)
        offset += len(data)
    head = magic + b"\0" * 4 + struct.pack("<IIIII", length, len(files), lang, dev, oem)
    plain = head.ljust(0x40, b"\0") + table
    plain = plain[:4] + struct.pack("<I", sum(plain[8:]) & 0xFFFFFFFF) + plain[8:]
    return hikvision.xor_dav(plain) + b"".join(d for _, d in files)


def dav_encrypted(magic: bytes = b"03KH") -> bytes:
    """An HK30-style image: obfuscated header words, then bytes we cannot read (random-looking)."""
    head = magic + struct.pack("<IIIIII", 0x1234, 0x40 + 0x2C * 2, 2, 1, 2, 1).ljust(0x3C, b"\0")
    noise = bytes((i * 7919 + 13) & 0xFF for i in range(4096))
    return hikvision.xor_dav(head) + noise


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, members[name])
    return out.getvalue()


def dahua_zip(members: dict[str, bytes], all_signatures: bool = False) -> bytes:
    """A ZIP whose first local header (or every signature) reads DH instead of PK."""
    data = bytearray(zip_bytes(members))
    data[0:2] = b"DH"
    if all_signatures:
        for sig in (b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"):
            data = bytearray(bytes(data).replace(sig, b"DH" + sig[2:]))
    return bytes(data)


def xm_zip(members: dict[str, bytes] | None = None) -> bytes:
    desc = (b'{"UpgradeCommand": [{"Command": "Burn", "FileName": "romfs-x.cramfs.img"}],'
            b' "Hardware": "HI3516EV200_85H30AI", "Vendor": "General", "DevID": "000559A2000000000000",'
            b' "CompatibleVersion": 2, "FirmwareVersion": "V5.00.R02.20231114"}')
    return zip_bytes({"InstallDesc": desc, "romfs-x.cramfs.img": gz("xm romfs"), **(members or {})})


def hwnp(items: list[tuple[str, str, bytes]], products: str = "COMMON|CMCC|") -> bytes:
    """HWNP: 36-byte header, product list, 360-byte items (index, crc32, offset, size, path, section, ...)."""
    plist = products.encode() + b"\0"
    offset = 36 + len(plist) + 360 * len(items)
    table = b""
    for index, (path, section, data) in enumerate(items):
        table += struct.pack("<IIII256s16s64sII", index, zlib.crc32(data), offset, len(data), path.encode(),
                             section.encode(), b"V100R001", 0, 0)
        offset += len(data)
    head = b"HWNP" + struct.pack(">I", offset - 0x4C) + struct.pack("<IIII", 0, 36 + len(plist) + len(table), 0,
                                                                     len(items))
    head += struct.pack("<BBHII", 0, 0, len(plist), 360, 0)
    return head + plist + table + b"".join(d for _, _, d in items)


def zte(payload: bytes) -> bytes:
    return bytes.fromhex("99999999 44444444 55555555 AAAAAAAA") + b"ZXHN H108N V2.5\0" + payload


def tplink(kernel: bytes, rootfs: bytes) -> bytes:
    """Classic 512-byte big-endian TP-Link header, kernel at 0x200, rootfs after it."""
    k_off, fs_off = 0x200, 0x200 + len(kernel)
    total = fs_off + len(rootfs)
    head = struct.pack(">I24s36sII", 0x01000000, b"TP-LINK Technologies", b"ver. 1.0", 0x08410001, 1).ljust(0x74, b"\0")
    head += struct.pack(">IIIIIIIIIHHH", 0x80002000, 0x80002000, total, k_off, len(kernel), fs_off, len(rootfs),
                        0, 0, 3, 16, 9)
    return head.ljust(0x200, b"\0") + kernel + rootfs


def tplink_fwtype() -> bytes:
    return b"\0" * 0x14 + b"fw-type:Cloud\n" + b"\0" * 0x200


def reolink_pak(sections: list[tuple[str, str, bytes]]) -> bytes:
    """.pak: magic, crc, board; section table (64 B) then partition table (76 B); data after both."""
    n = len(sections)
    offset = 12 + n * (64 + 76)
    stable, ptable = b"", b""
    for name, dest, data in sections:
        stable += struct.pack("<32s24sII", name.encode(), b"v3.0.0.183", offset, len(data))
        ptable += struct.pack("<32sI32sII", name.encode(), offset, dest.encode(), 0, len(data))
        offset += len(data)
    return bytes.fromhex("13597232") + b"\0" * 4 + b"N2MB" + stable + ptable + b"".join(d for _, _, d in sections)


def bosch(subs: list[bytes], key_blob: bool = False) -> bytes:
    """A 0x400-byte header whose payload is nested 0x400-byte sub-headers each followed by its payload."""
    def header(length: int, target: bytes, key: bool) -> bytes:
        h = bytes.fromhex("10122003") + target + b"\0\0\0\1" + bytes([6, 30, 0, 17]) + struct.pack(">I", length)
        h = h.ljust(0x4C, b"\0") + b"\x5a" * 256
        h = h.ljust(0x24C, b"\0") + ((b"\x33" * 256) if key else b"")
        return h.ljust(0x400, b"\0")
    body = b"".join(header(len(s), b"\0\0\xa0\x01", key_blob) + s for s in subs)
    return header(len(body), b"\0\0\xff\xff", key_blob) + body


def bneg(part1: bytes, part2: bytes) -> bytes:
    return b"BNEG" + struct.pack("<IIII", 1, 1, len(part1), len(part2)) + part1 + part2


def instar_hd(members: dict[str, bytes]) -> bytes:
    data = zip_bytes(members)
    for a, b in ((b"PK\x03\x04", b"PK\x03\x07"), (b"PK\x01\x02", b"PK\x01\x08"), (b"PK\x05\x06", b"PK\x05\x09")):
        data = data.replace(a, b)
    return data


def tenvis_pk2(files: list[tuple[str, bytes]], commands: list[str]) -> bytes:
    """PK2 header, then FILE sections (name-len, name, data-len, XORed data) and CMD sections (XORed text)."""
    sections = b""
    for name, data in files:
        body = struct.pack("<I", len(name)) + name.encode() + struct.pack("<I", len(data)) + tenvis.xor_repeat(
            data, tenvis.KEY)
        sections += b"FILE" + b"\0" * 16 + struct.pack("<I", len(body)) + body
    for cmd in commands:
        body = tenvis.xor_repeat(cmd.encode() + b"\0", tenvis.KEY)
        sections += b"CMD\0" + b"\0" * 16 + struct.pack("<I", len(body)) + body
    head = b"PK2\0" + struct.pack("<II", 7, 1700000000) + b"1.2\0" + b"\0" * 8
    return head + struct.pack("<I", len(files) + len(commands)) + sections


def anjoy(kernel: bytes, rootfs: bytes) -> bytes:
    hlen = 0x40
    total = hlen + len(kernel) + len(rootfs)
    head = b"ANJOY888" + struct.pack("<IIIII", 0xDEADBEEF, total, 3, hlen, len(kernel))
    return head.ljust(hlen, b"\0") + kernel + rootfs


def ambarella(payload: bytes) -> bytes:
    return (b"\0" * 0xA4 + bytes.fromhex("90EB24A3")).ljust(0x100, b"\0") + payload


def zimage(kernel: bytes, stub_size: int = 0x2000) -> bytes:
    """An ARM zImage as head.S lays it out: a stub with the magic and start/end words, a gzip kernel, its size."""
    body = bytearray(b"\x00\x00\xa0\xe1" * (stub_size // 4) + gzip.compress(kernel, mtime=0)
                     + struct.pack("<I", len(kernel)))
    body[0x24:0x30] = b"\x18\x28\x6f\x01" + struct.pack("<II", 0, len(body))
    return bytes(body)
