"""Inline CSS and JavaScript of the HTML report (one self-contained file: no network, no external assets)."""

from __future__ import annotations

import base64
import hashlib

CSS = """
:root{--ink:#1b2330;--muted:#5b6675;--line:#dde3ea;--bg:#f5f7fa;--card:#fff;--fail:#c62828;--fail-bg:#fdecea;
--review:#b26a00;--review-bg:#fff4e0;--pass:#2e7d32;--pass-bg:#e8f5e9;--accent:#1f5fa8;--mono:ui-monospace,
"DejaVu Sans Mono",Menlo,Consolas,monospace}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif;color:var(--ink);
background:var(--bg)}
header.top{background:#14213d;color:#fff;padding:14px 32px;display:flex;align-items:baseline;gap:18px;flex-wrap:wrap}
header.top h1{font-size:18px;margin:0;font-weight:600}
header.top .meta{color:#c8d1e0;font-size:13px}
header.top code{color:#fff}
main{max-width:1220px;margin:0 auto;padding:20px 32px 48px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:18px 22px;margin:0 0 18px}
h2{font-size:17px;margin:0 0 12px}
h3{font-size:14px;margin:16px 0 8px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.hero{display:flex;gap:24px;align-items:center;flex-wrap:wrap}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-weight:600;font-size:12px;
text-transform:uppercase;letter-spacing:.05em;border:1px solid transparent;white-space:nowrap}
.badge.fail,.sev-critical,.sev-high{background:var(--fail-bg);color:var(--fail);border-color:#f5c2c0}
.badge.review,.sev-medium{background:var(--review-bg);color:var(--review);border-color:#f3d39b}
.badge.pass,.sev-low,.sev-info{background:var(--pass-bg);color:var(--pass);border-color:#b9dfbb}
.verdict-big{font-size:30px;font-weight:700;padding:10px 26px;border-radius:10px}
.verdict-big.fail{background:var(--fail);color:#fff}.verdict-big.review{background:var(--review);color:#fff}
.verdict-big.inconclusive{background:#5f6b7a;color:#fff}.badge.inconclusive{background:#eef0f3;color:#3d4653;border-color:#c9ced6}
.verdict-big.pass{background:var(--pass);color:#fff}
.summary{font-size:15px;max-width:820px}
.policies{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:10px;margin-top:14px}
.policy{border:1px solid var(--line);border-left:5px solid var(--line);border-radius:6px;padding:10px 12px}
.policy.fail{border-left-color:var(--fail)}.policy.review{border-left-color:var(--review)}.policy.inconclusive{border-left-color:#5f6b7a}
.policy.pass{border-left-color:var(--pass)}
.policy .title{font-weight:600}.policy .main{color:var(--muted);font-size:13px;margin-top:4px;
display:-webkit-box;-webkit-line-clamp:4;-webkit-box-orient:vertical;overflow:hidden}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:7px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.bar{width:120px;height:9px;background:#e7ebf0;border-radius:5px;overflow:hidden;display:inline-block;
vertical-align:middle;margin-right:6px}
.bar>span{display:block;height:100%;background:var(--accent)}
.bar.low>span{background:#9aa7b8}
.chip{display:inline-block;font-size:11px;padding:0 7px;border-radius:4px;background:#eef2f7;color:#34425a;
margin:1px 3px 1px 0;white-space:nowrap}
.chip.list{background:var(--fail-bg);color:var(--fail);font-weight:600}
.entity{font-weight:600}.muted{color:var(--muted)}.small{font-size:12px}
code,.mono{font-family:var(--mono);font-size:12px;word-break:break-all}
details{margin:4px 0}
summary{cursor:pointer;color:var(--accent);font-size:13px}
.ev{border:1px solid var(--line);border-radius:6px;padding:8px 10px;margin:6px 0;background:#fbfcfd}
.ev dl{display:grid;grid-template-columns:90px 1fr;gap:2px 10px;margin:0}
.ev dt{color:var(--muted);font-size:12px}.ev dd{margin:0}
pre.hex{font-family:var(--mono);font-size:11.5px;background:#0f1722;color:#d6e2f0;padding:8px 10px;
border-radius:5px;overflow-x:auto;margin:6px 0 0}
.graph{overflow-x:auto;border:1px solid var(--line);border-radius:6px;background:#fcfdfe}
.graph svg{display:block;min-width:1100px;width:100%;height:auto}
.toolbar{float:right}
.toolbar button{font:inherit;font-size:12px;border:1px solid var(--line);background:#fff;border-radius:4px;
padding:2px 8px;cursor:pointer}
.owner{margin:14px 0 4px}
.note{background:#eef4fb;border:1px solid #cfdff0;border-radius:6px;padding:8px 12px;margin:0 0 12px}
.empty{color:var(--muted);font-style:italic}
footer{color:var(--muted);font-size:12px;text-align:center;padding:8px}
"""

JS = """
document.documentElement.setAttribute('data-js','ready');
document.querySelectorAll('[data-toggle]').forEach(function(b){b.addEventListener('click',function(){
var open=b.getAttribute('data-toggle')==='open';
document.querySelectorAll('main details').forEach(function(d){d.open=open;});});});
"""


def script_hash(script: str) -> str:
    """CSP source for one inline script: only our script runs, even if escaping ever failed."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy() -> str:
    return (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src {script_hash(JS)}; "
            "base-uri 'none'; form-action 'none'")
