"""The declaration format `fwaudit/declaration/v1` (YAML), validated strictly with line numbers.

```yaml
schema: fwaudit/declaration/v1
manufacturer: Acme Security          # free text: a known entity, a brand of the brand table, or unlisted
brand: Acme                          # likewise
odm: Xiongmai                        # must name a knowledge-base entity (id, name or alias)
soc: {vendor: HiSilicon, model: Hi3516EV200}
sdk: HiSilicon                       # or {vendor: HiSilicon}
cloud: [XMEye]                       # the complete list of cloud / P2P operators ([] = none)
country_of_origin: CN
excluded_vendors: [huawei, hikvision]
components:                          # the complete inventory
  - {name: busybox, version: 1.31.1}
statements:
  - {id: S1, text: "No telnet service", reference: "datasheet p. 3"}
```

Scalars are read as written (`1.10` stays `1.10`, never a float). Unknown keys, a wrong type, a missing
`schema` or an unknown vendor are `DeclarationError`s that name the line and the field.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from audit.knowledge import KnowledgeBase
from audit.verify.model import DeclarationError, Declared, DeclaredComponent, DeclaredVendor, Statement
from audit.verify.vendors import close_matches, resolve_brand, resolve_entity

SCHEMA = "fwaudit/declaration/v1"
TOP_KEYS = ("schema", "manufacturer", "brand", "odm", "soc", "sdk", "cloud", "country_of_origin",
            "excluded_vendors", "components", "statements")
COMPONENT_KEYS = ("name", "version", "supplier")
STATEMENT_KEYS = ("id", "text", "reference")


class _Reader:
    """Walks the YAML node tree; every error names `file:line: field`."""

    def __init__(self, source: str, kb: KnowledgeBase) -> None:
        self.source = source
        self.kb = kb

    def fail(self, node: Node, where: str, message: str) -> DeclarationError:
        return DeclarationError(f"{self.source}:{node.start_mark.line + 1}: {where}: {message}")

    def mapping(self, node: Node, where: str, allowed: tuple[str, ...]) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, where, "expected a mapping")
        out: dict[str, Node] = {}
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key not in allowed:
                raise self.fail(key_node, where, f"unknown key {key!r}; allowed: {', '.join(allowed)}")
            if key in out:
                raise self.fail(key_node, where, f"duplicate key {key!r}")
            out[key] = value
        return out

    def text(self, node: Node, where: str) -> str:
        if not isinstance(node, ScalarNode) or node.tag == "tag:yaml.org,2002:null" or not node.value.strip():
            raise self.fail(node, where, "expected a non-empty text")
        return node.value.strip()

    def sequence(self, node: Node, where: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            raise self.fail(node, where, "expected a list")
        return list(node.value)

    def entity(self, node: Node, where: str) -> DeclaredVendor:
        """A vendor that must be a knowledge-base entity."""
        text = self.text(node, where)
        found = resolve_entity(self.kb, text)
        if found is None:
            near = close_matches(self.kb, text)
            hint = f"; did you mean {', '.join(near)}?" if near else "; see rules/vendors/*.yaml for known ids"
            raise self.fail(node, where, f"unknown vendor {text!r}{hint}")
        return DeclaredVendor(text, found)

    def brand(self, node: Node, where: str) -> DeclaredVendor:
        text = self.text(node, where)
        return DeclaredVendor(text, resolve_brand(self.kb, text))


def _soc(r: _Reader, node: Node) -> tuple[DeclaredVendor | None, str | None]:
    fields = r.mapping(node, "soc", ("vendor", "model"))
    vendor = r.entity(fields["vendor"], "soc.vendor") if "vendor" in fields else None
    model = r.text(fields["model"], "soc.model") if "model" in fields else None
    return vendor, model


def _sdk(r: _Reader, node: Node) -> DeclaredVendor:
    if isinstance(node, MappingNode):
        return r.entity(r.mapping(node, "sdk", ("vendor",)).get("vendor", node), "sdk.vendor")
    return r.entity(node, "sdk")


def _component(r: _Reader, node: Node, where: str) -> DeclaredComponent:
    fields = r.mapping(node, where, COMPONENT_KEYS)
    if "name" not in fields:
        raise r.fail(node, where, "missing key 'name'")
    version = fields.get("version")
    supplier = fields.get("supplier")
    return DeclaredComponent(
        name=r.text(fields["name"], f"{where}.name"),
        version=r.text(version, f"{where}.version") if version is not None else None,
        supplier=r.text(supplier, f"{where}.supplier") if supplier is not None else None,
    )


def _statement(r: _Reader, node: Node, where: str, seen: set[str]) -> Statement:
    fields = r.mapping(node, where, STATEMENT_KEYS)
    for need in ("id", "text"):
        if need not in fields:
            raise r.fail(node, where, f"missing key {need!r}")
    sid = r.text(fields["id"], f"{where}.id")
    if sid in seen:
        raise r.fail(fields["id"], f"{where}.id", f"duplicate statement id {sid!r}")
    seen.add(sid)
    return Statement(sid, r.text(fields["text"], f"{where}.text"))


def _build(r: _Reader, top: dict[str, Node]) -> Declared:
    soc_vendor, soc_model = _soc(r, top["soc"]) if "soc" in top else (None, None)
    seq = {k: r.sequence(top[k], k) for k in ("cloud", "excluded_vendors", "components", "statements") if k in top}
    seen: set[str] = set()
    return Declared(
        format="declaration",
        manufacturer=r.brand(top["manufacturer"], "manufacturer") if "manufacturer" in top else None,
        brand=r.brand(top["brand"], "brand") if "brand" in top else None,
        odm=r.entity(top["odm"], "odm") if "odm" in top else None,
        soc_vendor=soc_vendor,
        soc_model=soc_model,
        sdk=_sdk(r, top["sdk"]) if "sdk" in top else None,
        cloud=tuple(r.entity(n, f"cloud[{i}]") for i, n in enumerate(seq["cloud"])) if "cloud" in seq else None,
        country_of_origin=r.text(top["country_of_origin"], "country_of_origin") if "country_of_origin" in top
        else None,
        excluded_vendors=tuple(r.entity(n, f"excluded_vendors[{i}]")
                               for i, n in enumerate(seq.get("excluded_vendors", []))),
        components=tuple(_component(r, n, f"components[{i}]") for i, n in enumerate(seq["components"]))
        if "components" in seq else None,
        statements=tuple(_statement(r, n, f"statements[{i}]", seen) for i, n in enumerate(seq.get("statements", []))),
    )


def parse_declaration(text: str, source: str, kb: KnowledgeBase) -> Declared:
    """Validate and read one declaration; `DeclarationError` names the first problem and its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise DeclarationError(f"{source}{line}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from exc
    if root is None:
        raise DeclarationError(f"{source}: empty declaration; it needs at least 'schema: {SCHEMA}'")
    r = _Reader(source, kb)
    top = r.mapping(root, "declaration", TOP_KEYS)
    if "schema" not in top:
        raise r.fail(root, "schema", f"missing; the first line should be 'schema: {SCHEMA}'")
    if r.text(top["schema"], "schema") != SCHEMA:
        raise r.fail(top["schema"], "schema", f"unsupported {top['schema'].value!r}; expected {SCHEMA!r}")
    return _build(r, top)


def load_declaration(path: Path, kb: KnowledgeBase) -> Declared:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DeclarationError(f"{path}: cannot be read as UTF-8 text ({exc})") from exc
    return parse_declaration(text, path.name, kb)
