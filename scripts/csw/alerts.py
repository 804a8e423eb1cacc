"""``csw alerts``: the at-risk digest of the as-of month, for a scheduler to mail or post.

Reads ``marts.fct_cs_alerts`` (read-only) and writes one line per alert, highest MRR at stake
first (then severity, customer, alert type), as CSV, JSON or Markdown, in English or
Japanese. No network calls: where the digest goes is the scheduler's business.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

FORMATS = ("csv", "json", "markdown")
LANGS = ("en", "ja")

# Columns of the digest (keys) and their headers per language.
COLUMNS = (
    "customer_id", "customer_name", "csm_user_id", "mrr_at_stake_usd", "health_band",
    "severity", "alert", "evidence", "recommended_action",
)
HEADERS = {
    "en": {
        "customer_id": "Customer ID", "customer_name": "Customer", "csm_user_id": "CSM",
        "mrr_at_stake_usd": "MRR at stake (USD)", "health_band": "Health",
        "severity": "Severity", "alert": "Alert", "evidence": "Evidence",
        "recommended_action": "Recommended action",
    },
    "ja": {
        "customer_id": "顧客ID", "customer_name": "顧客", "csm_user_id": "担当CSM",
        "mrr_at_stake_usd": "影響MRR（USD）", "health_band": "ヘルス",
        "severity": "重要度", "alert": "アラート", "evidence": "根拠",
        "recommended_action": "推奨アクション",
    },
}
WORDS = {
    "en": {"high": "high", "medium": "medium", "low": "low",
           "green": "green", "yellow": "yellow", "red": "red",
           "title": "At-risk digest, as of {as_of}", "none": "No alerts as of {as_of}.",
           "summary": "{alerts} alerts on {customers} customers, {mrr} USD MRR at stake."},
    "ja": {"high": "高", "medium": "中", "low": "低",
           "green": "緑", "yellow": "黄", "red": "赤",
           "title": "リスク顧客ダイジェスト（{as_of} 時点）", "none": "{as_of} 時点のアラートはありません。",
           "summary": "アラート {alerts} 件、顧客 {customers} 社、影響MRR {mrr} USD。"},
}

QUERY = """
select
    customer_id, customer_name, csm_user_id, mrr_at_stake_usd, health_band, severity,
    severity_rank, alert_type, alert_label_en, alert_label_ja, evidence, evidence_ja,
    recommended_action_en, recommended_action_ja, as_of_date
from marts.fct_cs_alerts
order by mrr_at_stake_usd desc, severity_rank, customer_id, alert_type
"""


class AlertsError(RuntimeError):
    """The digest cannot be written (no database, no fct_cs_alerts)."""


@dataclass
class Digest:
    as_of: str | None
    lang: str
    rows: list[dict[str, object]]


def load_digest(db_path: Path | str, lang: str = "en") -> Digest:
    """The digest rows of ``db_path``'s fct_cs_alerts, in ``lang``, highest MRR at stake first."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    db_path = Path(db_path)
    if not db_path.is_file():
        raise AlertsError(f"warehouse not found: {db_path} (run `csw build` first)")
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        try:
            cur = con.execute(QUERY)
        except duckdb.CatalogException as exc:
            raise AlertsError(f"marts.fct_cs_alerts is not in {db_path} (run `csw build`)") from exc
        names = [d[0] for d in cur.description]
        raw = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        as_of_row = con.execute("select max(as_of_date) from intermediate.int_as_of").fetchone()
    finally:
        con.close()
    words = WORDS[lang]
    ja = lang == "ja"
    rows = [
        {
            "customer_id": r["customer_id"],
            "customer_name": r["customer_name"],
            "csm_user_id": r["csm_user_id"],
            "mrr_at_stake_usd": r["mrr_at_stake_usd"],
            "health_band": words.get(r["health_band"], r["health_band"]),
            "severity": words.get(r["severity"], r["severity"]),
            "alert": r["alert_label_ja"] if ja else r["alert_label_en"],
            "alert_type": r["alert_type"],
            "evidence": r["evidence_ja"] if ja else r["evidence"],
            "recommended_action": r["recommended_action_ja"] if ja else r["recommended_action_en"],
        }
        for r in raw
    ]
    as_of = as_of_row[0].isoformat() if as_of_row and as_of_row[0] else None
    return Digest(as_of=as_of, lang=lang, rows=rows)


def _money(value: object) -> str:
    return f"{Decimal(str(value)):,.2f}" if value is not None else ""


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def to_csv(d: Digest) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["as_of_date", "alert_type", *COLUMNS])
    for r in d.rows:
        writer.writerow([d.as_of, r["alert_type"], *(_cell(r[c]) for c in COLUMNS)])
    return buf.getvalue()


def to_json(d: Digest) -> str:
    doc = {
        "as_of_date": d.as_of,
        "lang": d.lang,
        "alerts": [
            {**{c: r[c] for c in COLUMNS}, "alert_type": r["alert_type"],
             "mrr_at_stake_usd": None if r["mrr_at_stake_usd"] is None
             else str(r["mrr_at_stake_usd"])}
            for r in d.rows
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(d: Digest) -> str:
    words = WORDS[d.lang]
    as_of = d.as_of or "-"
    lines = [f"# {words['title'].format(as_of=as_of)}", ""]
    if not d.rows:
        return "\n".join([*lines, words["none"].format(as_of=as_of), ""])
    total = sum({r["customer_id"]: Decimal(str(r["mrr_at_stake_usd"] or 0)) for r in d.rows}.values())
    customers = len({r["customer_id"] for r in d.rows})
    lines += [words["summary"].format(alerts=len(d.rows), customers=customers, mrr=_money(total)), ""]
    headers = HEADERS[d.lang]
    cols = [c for c in COLUMNS if c != "customer_id"]
    lines.append("| " + " | ".join(headers[c] for c in cols) + " |")
    lines.append("|" + "|".join("---:" if c == "mrr_at_stake_usd" else "---" for c in cols) + "|")
    for r in d.rows:
        cells = [
            _money(r[c]) if c == "mrr_at_stake_usd"
            else _md_escape(_cell(r[c]) or (r["customer_id"] if c == "customer_name" else ""))
            for c in cols
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


RENDERERS = {"csv": to_csv, "json": to_json, "markdown": to_markdown}


def render(d: Digest, fmt: str) -> str:
    return RENDERERS[fmt](d)


def write_digest(db_path: Path | str, fmt: str = "markdown", lang: str = "en",
                 out: Path | str | None = None) -> tuple[str, Digest]:
    """Render the digest; write it to ``out`` (atomically) when given. Returns (text, digest)."""
    digest = load_digest(db_path, lang)
    text = render(digest, fmt)
    if out is not None:
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    return text, digest
