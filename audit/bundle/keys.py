"""Ed25519 key files for bundles: a PKCS#8 PEM private key (mode 0600) and its SubjectPublicKeyInfo PEM `.pub`.

The key id is the sha256 (hex) of the raw 32-byte public key, so anyone holding the `.pub` can compute it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class KeyFileError(ValueError):
    """A key file that is missing, unreadable or not an Ed25519 key."""


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def _exclusive(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)  # never overwrites a key
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    path.chmod(mode)  # whatever the umask


def generate(path: Path) -> tuple[Path, Path]:
    """Write a new private key to `path` (0600) and its public key to `path.pub`; FileExistsError if either exists."""
    pub_path = path.with_name(path.name + ".pub")
    if path.exists() or pub_path.exists():
        raise FileExistsError(f"{path if path.exists() else pub_path} exists; not overwriting a key")
    private = Ed25519PrivateKey.generate()
    _exclusive(path, private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()), 0o600)
    _exclusive(pub_path, private.public_key().public_bytes(serialization.Encoding.PEM,
                                                           serialization.PublicFormat.SubjectPublicKeyInfo), 0o644)
    return path, pub_path


def load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise KeyFileError(f"{path}: not a readable unencrypted PEM private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 key")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise KeyFileError(f"{path}: not a readable PEM public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path}: not an Ed25519 public key")
    return key
