"""DSSE envelopes and in-toto Statement v1 for fwaudit audits.

DSSE (https://github.com/secure-systems-lab/dsse/blob/master/protocol.md): the signature is over
PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal; the envelope
is `{"payload": base64(body), "payloadType": type, "signatures": [{"keyid", "sig": base64}]}`.
in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md): `_type`,
`subject` (name + digest), `predicateType`, `predicate`.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from audit.bundle.keys import key_id

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://fwaudit.dev/attestation/audit/v1"
INTOTO_PAYLOAD = "application/vnd.in-toto+json"
MANIFEST_PAYLOAD = "application/vnd.fwaudit.bundle-manifest+json"


def canonical(value: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def pae(payload_type: str, body: bytes) -> bytes:
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(body), body)


def sign(body: bytes, payload_type: str, key: Ed25519PrivateKey) -> dict[str, Any]:
    sig = key.sign(pae(payload_type, body))
    return {"payload": base64.b64encode(body).decode("ascii"), "payloadType": payload_type,
            "signatures": [{"keyid": key_id(key.public_key()), "sig": base64.b64encode(sig).decode("ascii")}]}


def open_envelope(envelope: Any, payload_type: str, public: Ed25519PublicKey) -> bytes:
    """The payload of an envelope signed by `public`; ValueError saying why not."""
    if not isinstance(envelope, dict) or envelope.get("payloadType") != payload_type:
        raise ValueError(f"not a DSSE envelope of {payload_type}")
    try:
        body = base64.b64decode(envelope["payload"], validate=True)
        sigs = [(s.get("keyid"), base64.b64decode(s["sig"], validate=True)) for s in envelope["signatures"]]
    except (KeyError, TypeError, AttributeError, binascii.Error) as exc:
        raise ValueError(f"malformed DSSE envelope ({exc})") from exc
    wanted = key_id(public)
    for kid, sig in sigs:
        if kid != wanted:
            continue
        try:
            public.verify(sig, pae(payload_type, body))
            return body
        except InvalidSignature:
            raise ValueError("bad signature: the envelope was changed or signed by another key") from None
    raise ValueError(f"no signature by key {wanted[:16]}… (signed by another key)")


def statement(image: dict[str, Any], predicate: dict[str, Any]) -> dict[str, Any]:
    return {"_type": STATEMENT_TYPE,
            "subject": [{"name": str(image.get("name", "")), "digest": {"sha256": str(image.get("sha256", ""))}}],
            "predicateType": PREDICATE_TYPE, "predicate": predicate}
