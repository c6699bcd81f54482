"""The knowledge base: entities (`rules/vendors/*.yaml`), data tables (`rules/data/*.yaml`) and YARA rule meta.

Everything here is data reviewed like code; this module only loads it, validates it (an unknown relation
target, a duplicate id or a malformed row is an error, raised as `KnowledgeError`) and answers questions:
`ancestors`, `lists`, `canonical_chip`, `fact rules`, `brands`, `endpoints`.

An `oem` rule may name no entity but `brand-lookup` (`BRAND_LOOKUP`): its extracted detail is a brand string,
resolved through `rules/data/brands.yaml` (`resolve_brand`); a brand missing from the table becomes the explicit
`unlisted:<slug>` entity, one that is never in the knowledge base, so no list or relation can attach to it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from audit.dt_prefixes import fact_rule_rows as dt_prefix_rows
from audit.resources import load_yaml, rules_digest, rules_dir

RULES_ROOT = rules_dir()
PARENT_RELATIONS = ("subsidiary_of", "brand_of")
RELATIONS = (*PARENT_RELATIONS, "rebadge_of", "odm_for")
ENTITY_KEYS = {"id", "name", "aliases", "country", "kind", "lists", "references", *RELATIONS}
KINDS = {"soc-vendor", "odm", "oem", "cloud", "p2p-provider", "component", "component-vendor", "project"}
LAYERS = ("soc", "sdk", "toolchain", "odm", "oem", "cloud", "component", "suspicious")
WEIGHTS = {"strong": 0.9, "medium": 0.6, "weak": 0.3}
ENDPOINT_CATEGORIES = {"vendor-cloud", "p2p-relay", "update", "ntp", "dns", "telemetry"}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
BRAND_LOOKUP = "brand-lookup"  # rule/fact-rule entity: resolve the extracted brand string through the brand table
UNLISTED = "unlisted:"  # entity prefix of a brand string found in firmware but absent from the brand table


class KnowledgeError(ValueError):
    """The knowledge base is inconsistent: configuration error, the run cannot go on."""


@dataclass(frozen=True)
class Relation:
    target: str
    since: str | None = None
    until: str | None = None  # set: a former relation
    reference: str | None = None


@dataclass(frozen=True)
class Entity:
    id: str
    name: str
    kinds: tuple[str, ...]
    country: str | None = None
    aliases: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    relations: dict[str, tuple[Relation, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Chip:
    id: str
    vendor: str
    family: str | None = None
    rebadge_of: str | None = None
    codenames: tuple[str, ...] = ()
    reference: str = ""


@dataclass(frozen=True)
class FactRule:
    """One row of `rules/data/fact_rules.yaml`: a regex over a fact field that yields evidence."""

    id: str
    description: str
    fact: str
    field: str
    regex: re.Pattern[str]
    layer: str
    entity: str
    weight: str
    reference: str
    detail: str | None = None
    where: tuple[tuple[str, re.Pattern[str]], ...] = ()  # other fields of the same fact that must match too


@dataclass
class KnowledgeBase:
    entities: dict[str, Entity]
    chips: dict[str, Chip]
    fact_rules: tuple[FactRule, ...]
    endpoints: tuple[dict[str, str], ...]
    brands: tuple[dict[str, str], ...]
    not_brands: frozenset[str] = frozenset()  # casefolded words that look like a brand but name none

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.entities

    def parents(self, entity_id: str, include_former: bool = False) -> list[str]:
        """Direct parents (subsidiary_of, brand_of); former ones only when asked."""
        ent = self.entities[entity_id]
        return [
            rel.target
            for name in PARENT_RELATIONS
            for rel in ent.relations.get(name, ())
            if include_former or rel.until is None
        ]

    def ancestors(self, entity_id: str, include_former: bool = False) -> list[str]:
        """Parents, grandparents, ... nearest first, each once."""
        seen: list[str] = []
        queue = self.parents(entity_id, include_former)
        while queue:
            current = queue.pop(0)
            if current not in seen and current != entity_id:
                seen.append(current)
                queue.extend(self.parents(current, include_former))
        return seen

    def lists(self, entity_id: str) -> list[str]:
        """Regulatory lists naming the entity or one of its current ancestors."""
        found = {lst for e in (entity_id, *self.ancestors(entity_id)) for lst in self.entities[e].lists}
        return sorted(found)

    def related(self, entity_id: str, relation: str) -> list[str]:
        return [rel.target for rel in self.entities[entity_id].relations.get(relation, ())]

    def same_group(self, a: str, b: str) -> bool:
        """True when one is the other or an ancestor of it, or both share a current ancestor."""
        group_a = {a, *self.ancestors(a)}
        group_b = {b, *self.ancestors(b)}
        return bool(group_a & group_b)

    def canonical_chip(self, text: str | None) -> Chip | None:
        """The chip named by `text` (any case), by id or codename."""
        if not text:
            return None
        key = text.strip().lower()
        for chip in self.chips.values():
            if chip.id.lower() == key or key in (c.lower() for c in chip.codenames):
                return chip
        return None

    def brand_entity(self, text: str) -> str | None:
        for row in self.brands:
            if row["brand"].lower() == text.strip().lower():
                return row["entity"]
        return None

    def resolve_brand(self, text: str | None) -> str | None:
        """Entity of a brand string: the brand table's, else `unlisted:<slug>`; None for a generic word."""
        brand = " ".join((text or "").split())
        slug = re.sub(r"[^a-z0-9]+", "-", brand.lower()).strip("-")
        if not slug or brand.casefold() in self.not_brands or len(slug) < 3:
            return None
        return self.brand_entity(brand) or f"{UNLISTED}{slug}"


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _relations(raw: dict[str, Any], errors: list[str], where: str) -> dict[str, tuple[Relation, ...]]:
    out: dict[str, tuple[Relation, ...]] = {}
    for name in RELATIONS:
        items = raw.get(name) or []
        rels = []
        for item in items if isinstance(items, list) else [items]:
            if isinstance(item, str):
                item = {"id": item}
            if not isinstance(item, dict) or "id" not in item:
                errors.append(f"{where}: {name} entry needs an id: {item!r}")
                continue
            since, until = item.get("from"), item.get("until")
            rels.append(Relation(str(item["id"]), since and str(since), until and str(until), item.get("reference")))
        if rels:
            out[name] = tuple(rels)
    return out


def _entity(raw: dict[str, Any], errors: list[str], where: str) -> Entity | None:
    unknown = set(raw) - ENTITY_KEYS
    missing = {"id", "name", "kind", "references"} - set(raw)
    if unknown or missing:
        errors.append(f"{where}: unknown keys {sorted(unknown)} / missing keys {sorted(missing)}")
        return None
    ent_id = str(raw["id"])
    if not _SLUG.match(ent_id):
        errors.append(f"{where}: id {ent_id!r} is not a lowercase slug")
    kinds = _as_tuple(raw["kind"])
    if not kinds or set(kinds) - KINDS:
        errors.append(f"{where}: {ent_id}: unknown kind {sorted(set(kinds) - KINDS)}")
    refs = _as_tuple(raw["references"])
    if not refs or not all(r.startswith("https://") for r in refs):
        errors.append(f"{where}: {ent_id}: references must be https URLs")
    return Entity(
        id=ent_id,
        name=str(raw["name"]),
        kinds=kinds,
        country=raw.get("country"),
        aliases=_as_tuple(raw.get("aliases")),
        lists=_as_tuple(raw.get("lists")),
        references=refs,
        relations=_relations(raw, errors, f"{where}: {ent_id}"),
    )


def _load_yaml(path: Path, key: str, errors: list[str]) -> list[dict[str, Any]]:
    try:
        doc = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        errors.append(f"{path.name}: {exc}")
        return []
    rows = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        errors.append(f"{path.name}: expected a list of mappings under {key!r}")
        return []
    return rows


def _load_entities(vendors_dir: Path, errors: list[str]) -> dict[str, Entity]:
    entities: dict[str, Entity] = {}
    for path in sorted(vendors_dir.glob("*.yaml")):
        for raw in _load_yaml(path, "entities", errors):
            ent = _entity(raw, errors, path.name)
            if ent is None:
                continue
            if ent.id in entities:
                errors.append(f"{path.name}: duplicate entity id {ent.id!r}")
            entities[ent.id] = ent
    for ent in entities.values():
        for name, rels in ent.relations.items():
            errors.extend(
                f"{ent.id}: {name} -> unknown entity {rel.target!r}" for rel in rels if rel.target not in entities
            )
    return entities


def _load_chips(data: Path, entities: dict[str, Entity], errors: list[str]) -> dict[str, Chip]:
    chips: dict[str, Chip] = {}
    for raw in _load_rows(_data_files(data, "chips"), "chips", errors):
        chip = Chip(
            id=str(raw.get("id")),
            vendor=str(raw.get("vendor")),
            family=raw.get("family"),
            rebadge_of=raw.get("rebadge_of"),
            codenames=_as_tuple(raw.get("codenames")),
            reference=str(raw.get("reference", "")),
        )
        if chip.vendor not in entities:
            errors.append(f"chips: {chip.id}: unknown vendor {chip.vendor!r}")
        if chip.id in chips:
            errors.append(f"chips: duplicate chip {chip.id!r}")
        chips[chip.id] = chip
    _add_kernel_codenames(data / "kernel_codenames.yaml", chips, entities, errors)
    errors.extend(
        f"chips: {c.id}: rebadge_of unknown chip {c.rebadge_of!r}"
        for c in chips.values()
        if c.rebadge_of and c.rebadge_of not in chips
    )
    return chips


def _add_kernel_codenames(path: Path, chips: dict[str, Chip], entities: dict[str, Entity], errors: list[str]) -> None:
    """Fold `kernel_codenames.yaml` (codename, pattern `__isvp_swan_`, chip, vendor) into chip codenames."""
    for row in _load_yaml(path, "codenames", errors) if path.exists() else []:
        chip_id, vendor = str(row.get("chip")), str(row.get("vendor"))
        names = {str(row.get("codename")), str(row.get("pattern", "")).strip("_")} - {"", "None"}
        if vendor not in entities:
            errors.append(f"kernel_codenames: {chip_id}: unknown vendor {vendor!r}")
            continue
        chip = chips.get(chip_id) or Chip(id=chip_id, vendor=vendor, reference=str(row.get("reference", "")))
        chips[chip_id] = replace(chip, codenames=tuple(dict.fromkeys((*chip.codenames, *sorted(names)))))


def _data_files(data: Path, name: str) -> list[Path]:
    """`data/<name>.yaml`, then every `data/<name>/*.yaml` (one file per evidence class), in sorted order."""
    single = data / f"{name}.yaml"
    return ([single] if single.exists() else []) + sorted((data / name).glob("*.yaml"))


def _load_rows(paths: list[Path], key: str, errors: list[str]) -> list[dict[str, Any]]:
    return [row for path in paths for row in _load_yaml(path, key, errors)]


def _load_fact_rules(paths: list[Path], entities: dict[str, Entity], errors: list[str],
                     extra: list[dict[str, Any]] | None = None) -> tuple[FactRule, ...]:
    rules: list[FactRule] = []
    need = ("id", "description", "fact", "field", "regex", "layer", "entity", "weight", "reference")
    for raw in [*_load_rows(paths, "fact_rules", errors), *(extra or [])]:
        missing = [k for k in need if k not in raw]
        if missing:
            errors.append(f"fact_rules: {raw.get('id')}: missing {missing}")
            continue
        try:
            regex = re.compile(str(raw["regex"]))
            where = tuple((str(k), re.compile(str(v))) for k, v in (raw.get("where") or {}).items())
        except (re.error, AttributeError) as exc:
            errors.append(f"fact_rules: {raw['id']}: bad regex or where: {exc}")
            continue
        if not entity_ok(str(raw["entity"]), str(raw["layer"]), entities) or raw["layer"] not in LAYERS \
                or raw["weight"] not in WEIGHTS:
            errors.append(f"fact_rules: {raw['id']}: bad entity, layer or weight")
        rules.append(FactRule(**{k: str(raw[k]) for k in need if k != "regex"}, regex=regex, detail=raw.get("detail"),
                              where=where))
    if len({r.id for r in rules}) != len(rules):
        errors.append("fact_rules: duplicate id")
    return tuple(rules)


def entity_ok(entity: str, layer: str, entities: dict[str, Entity] | KnowledgeBase) -> bool:
    """A known entity, or `brand-lookup` on the oem layer."""
    return entity in entities or (entity == BRAND_LOOKUP and layer == "oem")


def _load_not_brands(path: Path, errors: list[str]) -> frozenset[str]:
    try:
        doc = load_yaml(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, yaml.YAMLError) as exc:
        errors.append(f"{path.name}: {exc}")
        return frozenset()
    words = (doc or {}).get("not_brands") or []
    if not isinstance(words, list):
        errors.append(f"{path.name}: not_brands must be a list of strings")
        return frozenset()
    return frozenset(" ".join(str(w).split()).casefold() for w in words)


def _load_table(path: Path, key: str, owner_key: str, entities: dict[str, Entity], errors: list[str]) -> tuple:
    rows = _load_yaml(path, key, errors) if path.exists() else []
    for row in rows:
        if row.get(owner_key) not in entities:
            errors.append(f"{path.name}: {row}: unknown entity {row.get(owner_key)!r}")
        if not str(row.get("reference", "")).startswith("https://"):
            errors.append(f"{path.name}: {row}: reference must be an https URL")
        if key == "endpoints" and row.get("category") not in ENDPOINT_CATEGORIES:
            errors.append(f"{path.name}: {row}: unknown category {row.get('category')!r}")
    return tuple({k: str(v) for k, v in row.items()} for row in rows)


def load_knowledge(root: Path | None = None) -> KnowledgeBase:
    """Load and validate `rules/vendors` and `rules/data`; raise `KnowledgeError` listing every problem.

    Loaded once per process and rule set (the digest of the files: an edited rule set is loaded afresh); the
    attribute, policy and report stages share it, so treat it as read-only."""
    root = root or RULES_ROOT
    return _load_knowledge(root, rules_digest(root))


@functools.lru_cache(maxsize=4)
def _load_knowledge(root: Path, _digest: str) -> KnowledgeBase:
    errors: list[str] = []
    entities = _load_entities(root / "vendors", errors)
    data = root / "data"
    kb = KnowledgeBase(
        entities=entities,
        chips=_load_chips(data, entities, errors),
        fact_rules=_load_fact_rules(_data_files(data, "fact_rules"), entities, errors,
                                    dt_prefix_rows(data / "dt_vendor_prefixes.yaml", errors)),
        endpoints=_load_table(data / "endpoints.yaml", "endpoints", "owner", entities, errors),
        brands=_load_table(data / "brands.yaml", "brands", "entity", entities, errors),
        not_brands=_load_not_brands(data / "brands.yaml", errors),
    )
    if errors:
        raise KnowledgeError("; ".join(errors))
    return kb
