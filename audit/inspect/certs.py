"""X.509 certificates (PEM blocks anywhere in a file, or a whole-file DER) and private keys.

Certificates give subject/issuer O/OU/CN, serial, validity, key type/size and sha256 fingerprint. Private keys
are only located (BEGIN line and offset) and described by type, size and public-key fingerprint: no private
key material is ever copied into a fact.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from audit.inspect.base import Inspector, basename, find_all, make_fact, open_map
from audit.model import Fact, FileRecord

MAX_FILE = 64 * 1024 * 1024
MAX_BLOCKS = 256
MAX_BLOCK = 64 * 1024
PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]{1,40})-----[\r\n]")
CERT_NAMES = ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE")
DER_EXT = (".der", ".cer", ".crt", ".pem", ".p7b")


def public_key_info(key: Any) -> dict[str, Any]:
    """Type, size and SPKI sha256 fingerprint of a public key."""
    kinds = ((rsa.RSAPublicKey, "rsa"), (ec.EllipticCurvePublicKey, "ec"), (dsa.DSAPublicKey, "dsa"),
             (ed25519.Ed25519PublicKey, "ed25519"), (ed448.Ed448PublicKey, "ed448"))
    kind = next((name for cls, name in kinds if isinstance(key, cls)), type(key).__name__)
    info: dict[str, Any] = {"key_type": kind, "key_size": getattr(key, "key_size", None)}
    if kind == "ec":
        info["curve"] = key.curve.name
    spki = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    info["public_key_sha256"] = hashlib.sha256(spki).hexdigest()
    return info


def _name(name: x509.Name) -> dict[str, Any]:
    out: dict[str, Any] = {"rfc4514": name.rfc4514_string()[:512]}
    for key, oid in (("O", x509.NameOID.ORGANIZATION_NAME), ("OU", x509.NameOID.ORGANIZATIONAL_UNIT_NAME),
                     ("CN", x509.NameOID.COMMON_NAME), ("C", x509.NameOID.COUNTRY_NAME)):
        values = [str(a.value)[:256] for a in name.get_attributes_for_oid(oid)]
        if values:
            out[key] = values[0] if len(values) == 1 else values
    return out


def certificate_info(cert: x509.Certificate) -> dict[str, Any]:
    """Subject, issuer, serial, validity, key and fingerprint of one certificate."""
    data: dict[str, Any] = {
        "subject": _name(cert.subject), "issuer": _name(cert.issuer), "serial": f"{cert.serial_number:x}",
        "not_before": cert.not_valid_before_utc.isoformat(), "not_after": cert.not_valid_after_utc.isoformat(),
        "sha256": cert.fingerprint(_sha256()).hex(), "self_signed": cert.subject == cert.issuer,
    }
    data.update(public_key_info(cert.public_key()))
    return data


def _sha256() -> Any:
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def private_key_info(label: str, block: bytes) -> dict[str, Any]:
    """Describe a PEM private key without copying it: type, size, public-key fingerprint, encrypted?"""
    encrypted = b"ENCRYPTED" in block[:200] or label.startswith("ENCRYPTED")
    data: dict[str, Any] = {"pem_label": label, "encrypted": encrypted}
    if data["encrypted"]:
        return data
    try:
        if label == "OPENSSH PRIVATE KEY":
            key = serialization.load_ssh_private_key(block, password=None)
        else:
            key = serialization.load_pem_private_key(block, password=None)
        data.update(public_key_info(key.public_key()))
    except (ValueError, TypeError, NotImplementedError) as exc:
        data["parse_error"] = type(exc).__name__
    return data


class CertsInspector(Inspector):
    NAME = "certs"
    DOC = "PEM/DER X.509 certificates (subject, issuer, serial, validity, key, fingerprint) and private keys."
    APPLIES_TO = "files up to 64 MiB (PEM blocks are searched anywhere; DER only for whole small files)"

    def applies(self, record: FileRecord, head: bytes) -> bool:
        return 0 < record.size <= MAX_FILE

    def inspect(self, path: Path, record: FileRecord) -> list[Fact]:
        with open_map(path) as data:
            if data.find(b"-----BEGIN ") < 0:
                return _der(record, data)
            return _pem(record, data)


def _pem(record: FileRecord, data: Any) -> list[Fact]:
    facts = []
    for m in find_all(data, PEM_BLOCK, MAX_BLOCKS):
        label = m.group(1).decode("ascii")
        end_marker = b"-----END " + m.group(1) + b"-----"
        end = data.find(end_marker, m.start(), m.start() + MAX_BLOCK)
        if end < 0:
            continue
        block = bytes(data[m.start() : end + len(end_marker)])
        if label in CERT_NAMES:
            try:
                with warnings.catch_warnings():  # legacy certificates (negative serials) still parse
                    warnings.simplefilter("ignore")
                    info = certificate_info(x509.load_pem_x509_certificate(block.replace(b"TRUSTED ", b"")))
            except ValueError as exc:
                info = {"parse_error": str(exc)[:200]}
            facts.append(make_fact(record, "x509.certificate", {"encoding": "pem", **info}, m.start()))
        elif "PRIVATE KEY" in label:
            facts.append(make_fact(record, "private_key", private_key_info(label, block), m.start()))
    return facts


def _der(record: FileRecord, data: Any) -> list[Fact]:
    """A whole file that is one DER certificate (SEQUENCE with a long-form length)."""
    if len(data) > MAX_BLOCK or data[:2] not in (b"\x30\x82", b"\x30\x83"):
        return []
    if not basename(record).lower().endswith(DER_EXT) and data[4:6] not in (b"\x30\x82", b"\x30\x83", b"\x30\x81"):
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            cert = x509.load_der_x509_certificate(bytes(data))
        except ValueError:
            return []
        return [make_fact(record, "x509.certificate", {"encoding": "der", **certificate_info(cert)}, 0)]
