"""Read what a vendor declares: one reader module per input format, chosen by content in `load_declared`."""

from __future__ import annotations

from pathlib import Path

from audit.knowledge import KnowledgeBase
from audit.verify.cyclonedx import is_cyclonedx, load_json, parse_cyclonedx
from audit.verify.declaration import parse_declaration
from audit.verify.model import DeclarationError, Declared
from audit.verify.spdx import is_spdx, parse_spdx

__all__ = ["DeclarationError", "Declared", "load_declared"]


def load_declared(path: Path, kb: KnowledgeBase) -> Declared:
    """Read a declaration (YAML), a CycloneDX or an SPDX JSON SBOM, told apart by content."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DeclarationError(f"{path}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DeclarationError(f"{path}: cannot be read as UTF-8 text ({exc})") from exc
    if text.lstrip().startswith("{"):
        data = load_json(text, path.name)
        if is_cyclonedx(data):
            return parse_cyclonedx(text, data, path.name)
        if is_spdx(data):
            return parse_spdx(data, path.name)
        raise DeclarationError(f"{path.name}: JSON but neither CycloneDX (bomFormat) nor SPDX (spdxVersion)")
    return parse_declaration(text, path.name, kb)
