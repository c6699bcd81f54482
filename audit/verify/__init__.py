"""Declared vs found (`fwaudit verify`): `read.load_declared` reads a declaration or SBOM (one module per
format: `declaration`, `cyclonedx`, `spdx`), `check.verification_block` compares it with a report, `view`
renders the result. Kept import-free so the report writers can use `view` without loading the SBOM libraries."""
