"""fwaudit: firmware provenance audit.

Library use: `from audit import audit_image; report = audit_image("fw.bin")`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from audit.model import AuditConfig, Report


def audit_image(path: str | Path, config: AuditConfig | None = None) -> Report:
    """Audit one firmware image and return its Report (nothing is written to disk but the work dir).

    Raises `audit.pipeline.InputError` when the input cannot be audited at all.
    """
    from audit.model import AuditConfig
    from audit.pipeline import run

    base = config or AuditConfig(image=Path(path))
    return run(dataclasses.replace(base, image=Path(path)))


__all__ = ["__version__", "audit_image"]
