"""The small "menu summary" the plugins render: written by the background refresh as a cache
snapshot (``snapshots/cost-<id>.snapshot``, marshal), read on the hot path without json.

``refresh_summary`` runs the incremental scan under an optional time budget. If the budget runs
out, the files finished so far stay cached (the next refresh continues from there), the stored
summary is marked ``scanning`` (the menu says "Scanning logs…") and None is returned.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List, Optional

SCHEMA = 1
MAX_MODELS = 12
# per-task byte cap under a budget: one huge file cannot hold the refresh past its budget
BUDGET_TASK_BYTES = 32 << 20


def snapshot_name(provider_id: str) -> str:
    return "cost-" + provider_id


def summary_path(cache_dir: Path, provider_id: str) -> Path:
    from codexbar.cache import snapshot_path

    return Path(snapshot_path(cache_dir, snapshot_name(provider_id)))


def read_summary(cache_dir: Path, provider_id: str) -> Optional[Dict[str, Any]]:
    """The stored summary, or None (missing, corrupt or another schema)."""
    from codexbar.cache import read_snapshot

    return read_snapshot(cache_dir, snapshot_name(provider_id), schema=SCHEMA)


def _write(cache_dir: Path, provider_id: str, summary: Dict[str, Any]) -> None:
    from codexbar.cache import write_snapshot

    write_snapshot(cache_dir, snapshot_name(provider_id), dict(summary, schema=SCHEMA))


def make_summary(report: Dict[str, Any]) -> Dict[str, Any]:
    """A finished report (``report.build`` output) → the menu summary."""
    import base64

    from codexbar.cost.chart import bar_chart
    from codexbar.cost.pricing import load
    from codexbar.cost.timeutil import window
    from codexbar.env import parse_instant
    from codexbar.render.cost import hint

    provider = report["provider"]
    days = int(report["historyDays"])
    models: Dict[str, Dict[str, Any]] = {}
    for entry in report["daily"]:
        for b in entry.get("modelBreakdowns", []):
            m = models.setdefault(b["modelName"], {"name": b["modelName"], "tokens": 0, "_nanos": None})
            m["tokens"] += b["totalTokens"]
            if "_nanos" in b:
                m["_nanos"] = (m["_nanos"] or 0) + b["_nanos"]
            else:
                m["unpriced"] = True
    pricing = load()
    listed: List[Dict[str, Any]] = []
    for m in models.values():
        item = {"name": m["name"], "tokens": m["tokens"]}
        if m["_nanos"] is not None and not m.get("unpriced"):
            item["costUSD"] = m["_nanos"] / 1e9
        label = pricing.codex_label(m["name"]) if provider == "codex" else None
        if label:
            item["label"] = label
        listed.append(item)
    listed.sort(key=lambda i: (-(i.get("costUSD", -1.0)), -i["tokens"], i["name"]))
    now = parse_instant(report["updatedAt"])
    costs = {e["date"]: e.get("_nanos", 0) / 1e9 for e in report["daily"]}
    chart_days = min(days, 30)
    series: List[float] = []
    if now is not None:
        from datetime import date, timedelta

        since, until = window(now, chart_days)
        day = date.fromisoformat(since)
        while day.isoformat() <= until:
            series.append(costs.get(day.isoformat(), 0.0))
            day += timedelta(days=1)
    summary: Dict[str, Any] = {
        "schema": SCHEMA, "provider": provider, "updatedAt": report["updatedAt"], "historyDays": days,
        "today": {k: v for k, v in (("tokens", report.get("sessionTokens")),
                                    ("costUSD", report.get("sessionCostUSD"))) if v is not None},
        "window": {k: v for k, v in (("tokens", report.get("last30DaysTokens")),
                                     ("costUSD", report.get("last30DaysCostUSD"))) if v is not None},
        "models": listed[:MAX_MODELS],
        "retainedDays": sum(1 for e in report["daily"] if e.get("retainedHistory")),
        "established": report.get("historyCoverageIsEstablished", True),
        "hint": hint(provider),
    }
    if any(v > 0 for v in series):
        summary["chartPNG"] = base64.b64encode(bar_chart(series)).decode("ascii")
    return summary


def refresh_summary(env: Any, provider_id: str, budget_seconds: Optional[float] = None,
                    days: int = 30) -> Optional[Dict[str, Any]]:
    """Scan incrementally and store the summary; None when the budget ran out first."""
    from codexbar.cost import service

    deadline = time.monotonic() + budget_seconds if budget_seconds is not None else None
    try:
        result = service.scan_family(env, service.FAMILY[provider_id], deadline=deadline,
                                     task_limit=BUDGET_TASK_BYTES if deadline is not None else -1)
    except service.ScanBusy:
        result = None
    if result is not None and not result.complete and deadline is not None:
        result.close()
        result = None
    if result is None:
        previous = read_summary(env.cache_dir, provider_id) or {"schema": SCHEMA, "provider": provider_id}
        previous["scanning"] = True
        _write(env.cache_dir, provider_id, previous)
        return None
    try:
        report = service.build_report(env, provider_id, result, days)
        has_logs = result.conn.execute("SELECT 1 FROM files LIMIT 1").fetchone() is not None
    finally:
        result.close()
    summary = make_summary(report)
    if not has_logs:
        summary["noLogs"] = True  # never used Claude Code / Codex here: the menu shows no cost block
    _write(env.cache_dir, provider_id, summary)
    return summary
