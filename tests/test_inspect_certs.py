"""X.509 certificates and private keys: described, located, never copied."""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from audit.inspect import inspect_file
from audit.model import Fact, FileRecord


@pytest.fixture(scope="module")
def material() -> tuple[x509.Certificate, rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Hangzhou Example Technology"),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Cloud"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "p2p.example.com")])
    now = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(0x1234ABCD).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    return cert, key, ec.generate_private_key(ec.SECP256R1())


def run(tmp_path: Path, name: str, content: bytes) -> list[Fact]:
    p = tmp_path / name
    p.write_bytes(content)
    rec = FileRecord(path=name, fs_path="/" + name, kind="file", size=len(content), mode=0o644,
                     sha256=hashlib.sha256(content).hexdigest())
    facts, errors = inspect_file(p, rec)
    assert errors == []
    return facts


def test_pem_certificate_embedded_in_binary(tmp_path: Path, material: tuple) -> None:
    cert = material[0]
    pem = cert.public_bytes(serialization.Encoding.PEM)
    content = b"\x7fXYZ" + b"\x00" * 300 + pem + b"\x00" * 50
    facts = [f for f in run(tmp_path, "libcloud.so", content) if f.kind == "x509.certificate"]
    assert len(facts) == 1 and facts[0].offset == 304
    d = facts[0].data
    assert d["subject"]["O"] == "Hangzhou Example Technology" and d["subject"]["CN"] == "p2p.example.com"
    assert d["subject"]["OU"] == "Cloud" and d["serial"] == "1234abcd" and d["self_signed"]
    assert d["key_type"] == "rsa" and d["key_size"] == 2048
    assert d["sha256"] == cert.fingerprint(hashes.SHA256()).hex()
    assert d["not_before"].startswith("2020-01-01")


def test_der_certificate(tmp_path: Path, material: tuple) -> None:
    der = material[0].public_bytes(serialization.Encoding.DER)
    facts = [f for f in run(tmp_path, "ca.der", der) if f.kind == "x509.certificate"]
    assert facts[0].data["encoding"] == "der" and facts[0].offset == 0


def test_private_keys_never_copied(tmp_path: Path, material: tuple) -> None:
    _, rsa_key, ec_key = material
    pems = [rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption()),
            ec_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()),
            rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"pw"))]
    content = b"\n".join(pems)
    facts = [f for f in run(tmp_path, "server.key", content) if f.kind == "private_key"]
    assert [f.data["pem_label"] for f in facts] == ["RSA PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]
    assert facts[0].data["key_type"] == "rsa" and facts[0].data["key_size"] == 2048
    assert facts[1].data["key_type"] == "ec" and facts[1].data["curve"] == "secp256r1"
    assert facts[2].data["encrypted"] is True and "key_type" not in facts[2].data
    spki = rsa_key.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
    assert facts[0].data["public_key_sha256"] == hashlib.sha256(spki).hexdigest()
    assert [f.offset for f in facts] == [content.find(b"-----BEGIN " + lbl.encode()) for lbl in
                                         ("RSA PRIVATE KEY", "PRIVATE KEY-----", "ENCRYPTED")]
    dumped = json.dumps([f.data for f in facts])
    for pem in pems:
        for line in pem.splitlines()[1:-1]:
            assert line.decode() not in dumped
