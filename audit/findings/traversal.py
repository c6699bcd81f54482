"""Archives that try to write outside their extraction folder (`../` or absolute member names).

The extractor contains them (re-rooted, redirected or skipped), so nothing escapes; the attempt itself is
evidence of a hostile or corrupted image and is reported with the member names (CWE-22).
"""

from __future__ import annotations

from collections.abc import Sequence

from audit.findings.common import evidence, make_finding
from audit.model import Fact, Finding

CATEGORY = "hostile-input"
RULE = "hostile-input.path-traversal"


def from_facts(facts: Sequence[Fact]) -> list[Finding]:
    """One finding per archive chunk whose member names climb out (`archive.unsafe_members` facts)."""
    out = []
    for fact in facts:
        if fact.kind != "archive.unsafe_members":
            continue
        names = list(fact.data.get("members") or [])
        redirected = list(fact.data.get("redirected") or [])
        shown = names or redirected
        ev = [evidence("fact", "archive.member", fact.path, fact.sha256, fact.offset, name) for name in shown[:10]]
        count = int(fact.data.get("count") or len(names)) or len(redirected)
        handler = fact.data.get("handler", "archive")
        climbing = any(".." in n.replace("\\", "/").split("/") for n in shown)
        # `../` can only mean escaping; absolute names are also what `find / | cpio` writes, so they rank lower
        what = "climb out of its folder with '..'" if climbing else "are absolute paths"
        title = (f"{handler} archive declares {count} member name(s) that {what} (e.g. {shown[0]!r}); "
                 "the extractor kept them inside the work dir")
        out.append(make_finding(RULE, CATEGORY, "medium" if climbing else "low", 0.95 if climbing else 0.6,
                                title, fact.path, ev, "CWE-22", f"{fact.offset}:{handler}"))
    return out
