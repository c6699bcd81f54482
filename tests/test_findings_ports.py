"""Vendor and default service ports: a port next to an address or a `port` key is a finding with its evidence."""

from __future__ import annotations

import pytest

from audit.findings.services import scan_ports
from audit.findings.text import segments
from audit.model import FileRecord

RECORD = FileRecord("rootfs/mnt/mtd/Config/network", "/mnt/mtd/Config/network", "file", 1, 0o644, sha256="8" * 64)


def _ports(blob: bytes) -> dict[int, str]:
    found = scan_ports((RECORD,), segments(blob))
    return {int(f.title.split()[3]): f.evidence[0].matched for f in found}  # `<vendor|default> service port N`


@pytest.mark.parametrize(("blob", "port"), [
    (b'"TCPPort" : 34567,', 34567), (b"rtsp://0.0.0.0:554/ch0", 554), (b"telnetd -p 23", None),
    (b"listen port=23\n", 23), (b"0.0.0.0:37777", 37777), (b"server_port: 8000", 8000), (b"127.0.0.1:9530", 9530),
])
def test_ports_next_to_an_address_or_a_port_key(blob: bytes, port: int | None) -> None:
    found = _ports(b"\0" + blob + b"\0")
    if port is None:
        assert found == {}
    else:
        assert port in found and str(port) in found[port]


def test_numbers_that_are_not_ports_are_ignored() -> None:
    assert _ports(b"\0version 5.54\0size 8000000\0build 23 of 34567890\0report: 23\0support 8000\0") == {}


def test_each_port_once_per_file_with_its_offset() -> None:
    blob = b"\0a 1.2.3.4:554\0b 5.6.7.8:554\0"
    found = scan_ports((RECORD,), segments(blob))
    assert len([f for f in found if "554" in f.title]) == 1
    assert blob.index(b"1.2.3.4") <= found[0].evidence[0].offset < blob.index(b":554")
