"""Signed evidence bundles (`fwaudit bundle`): `keys` (Ed25519 key files), `dsse` (DSSE envelopes, in-toto
statements), `create` (write a bundle from a report folder), `check` (verify one). Format: docs/verify.md."""
