"""Day aggregates → CodexBar's cost report (cost-usage.md §2.5, §3.5–3.6, §4 and §8).

The ``days_for``/``codex_*`` readers query the scan database (counted rows, already
de-duplicated); everything else is pure: aggregates + window in, plain dicts shaped like
``codexbar cost --format json`` elements out. Costs are summed in nano-dollars and converted once.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterable, List, Optional, Tuple

NANO = 1e9
UNKNOWN_PROJECT = "Unknown project"

# aggregate slots per (day, model)
A_IN, A_READ, A_CREATE, A_OUT, A_REASON, A_COST, A_UNPRICED, A_ROWS, A_RETAINED = range(9)


Days = Dict[str, Dict[str, List[int]]]


# -- aggregates from the database -------------------------------------------------------------


def _slots(family: str, a: int, b: int, c: int, d: int, e: int, cost: int, unpriced: int, n: int,
           retained: int) -> List[int]:
    if family == "codex":  # a input (incl. cached), b cached, d reasoning, e output
        return [a, b, 0, e, d, cost, unpriced, n, retained]
    return [a, b, c, e, 0, cost, unpriced, n, retained]  # Claude: c cache create, d 1-hour part


def days_for(conn: Any, provider: str, since: str, until: str) -> Days:
    """(day → model → aggregate) of counted rows; Vertex rows are their own provider (§2.6)."""
    from codexbar.cost import db

    family = "codex" if provider == "codex" else "claude"
    records = db.agg_days(conn, provider, since, until)
    if provider == "vertexai" and not records:
        records = db.agg_days(conn, "claude", since, until)  # the Vertex view falls back to all rows
    days: Days = {}
    for day, model, *nums in records:
        if family == "codex" and not codex_routed(model):
            continue
        slots = _slots(family, *nums)
        current = days.setdefault(day, {}).get(model)
        if current is None:
            days[day][model] = slots
        else:
            for i, value in enumerate(slots):
                current[i] += value
    return days


def codex_routed(model: str) -> bool:
    """Only bare ids (``openai/`` already stripped) bill to the Codex plan (§3.6)."""
    return "/" not in model


def codex_unmetered(conn: Any) -> Dict[str, int]:
    """Fork children whose parent is missing: +1 on the day of their earliest timestamp (§3.5)."""
    from codexbar.cost.timeutil import day_key

    out: Dict[str, int] = {}
    for (first,) in conn.execute("SELECT first_ts FROM files WHERE unresolved = 1 AND first_ts IS NOT NULL"):
        day = day_key(first)
        out[day] = out.get(day, 0) + 1
    return out


def codex_by_file(conn: Any, since: str, until: str) -> List[Tuple[str, Optional[str], Optional[str], int, str, str, List[int]]]:
    """Counted Codex usage per (file, day, model) with the file's cwd, session id and mtime."""
    out = []
    # summed per file first, then joined: one files lookup per group instead of per row
    for path, cwd, sid, mtime, day, model, *nums in conn.execute(
            """SELECT f.path, f.cwd, f.session_id, f.mtime, g.day, g.model, g.a, g.b, 0, g.d, g.e, g.cost,
                      g.unpriced, g.n, g.n * f.retained
               FROM (SELECT r.fid, r.day, r.model, SUM(r.a) AS a, SUM(r.b) AS b, SUM(r.d) AS d, SUM(r.e) AS e,
                            COALESCE(SUM(r.cost), 0) AS cost, SUM(r.cost IS NULL) AS unpriced, COUNT(*) AS n
                     FROM rows r WHERE r.counted = 1 AND r.day BETWEEN ? AND ?
                     GROUP BY r.fid, r.day, r.model) g
               JOIN files f ON f.fid = g.fid
               ORDER BY f.path, g.day, g.model""", (since, until)):
        if codex_routed(model):
            out.append((path, cwd, sid, mtime, day, model, _slots("codex", *nums)))
    return out


def _days_of(records: Iterable[tuple]) -> Days:
    days: Days = {}
    for rec in records:
        day, model, slots = rec[4], rec[5], rec[6]
        current = days.setdefault(day, {}).get(model)
        if current is None:
            days[day][model] = list(slots)
        else:
            for i, value in enumerate(slots):
                current[i] += value
    return days


# -- daily entries (§4) ------------------------------------------------------------------------


def _model_tokens(provider: str, agg: List[int]) -> int:
    if provider == "codex":
        return agg[A_IN] + agg[A_OUT]  # Codex input already includes cached input
    return agg[A_IN] + agg[A_READ] + agg[A_CREATE] + agg[A_OUT]


def _model_cost(agg: List[int]) -> Optional[int]:
    return None if agg[A_UNPRICED] else agg[A_COST]


def daily_entries(provider: str, days: Days, since: str, until: str,
                  unmetered: Optional[Dict[str, int]] = None) -> List[Dict[str, Any]]:
    """One entry per day with data in ``since…until`` (ascending), CLI JSON field names.

    Internal keys (prefixed ``_``) carry exact nano-dollar sums and coverage counts; the JSON
    writer drops them.
    """
    unmetered = unmetered or {}
    keys = sorted(k for k in set(days) | set(unmetered) if since <= k <= until)
    out = []
    for day in keys:
        models = days.get(day, {})
        entry: Dict[str, Any] = {"date": day}
        if models:
            tin = sum(a[A_IN] for a in models.values())
            tread = sum(a[A_READ] for a in models.values())
            tout = sum(a[A_OUT] for a in models.values())
            entry["inputTokens"] = tin
            entry["outputTokens"] = tout
            if provider == "codex":
                if tread:
                    entry["cacheReadTokens"] = tread
                reasoning = sum(a[A_REASON] for a in models.values())
                if reasoning:
                    entry["reasoningTokens"] = reasoning
            else:
                entry["cacheReadTokens"] = tread
                entry["cacheCreationTokens"] = sum(a[A_CREATE] for a in models.values())
            entry["totalTokens"] = sum(_model_tokens(provider, a) for a in models.values())
            breakdowns = []
            known = [c for c in (_model_cost(a) for a in models.values()) if c is not None]
            for name, agg in models.items():
                item: Dict[str, Any] = {"modelName": name, "totalTokens": _model_tokens(provider, agg)}
                cost = _model_cost(agg)
                if cost is not None:
                    item["cost"] = cost / NANO
                    item["_nanos"] = cost
                breakdowns.append(item)
            breakdowns.sort(key=lambda b: (-(b.get("cost", -1)), -b["totalTokens"], _desc(b["modelName"])))
            if known:
                entry["_nanos"] = sum(known)
                entry["totalCost"] = entry["_nanos"] / NANO
            entry["modelsUsed"] = sorted(models)
            entry["modelBreakdowns"] = breakdowns
            if any(a[A_RETAINED] for a in models.values()):
                entry["retainedHistory"] = True
            if provider == "codex" and not known:
                entry["_unpriced"] = 1
        if unmetered.get(day):
            entry["_unmetered"] = unmetered[day]
            entry.setdefault("_unpriced", 0)
        out.append(entry)
    return out


class _Desc(str):
    def __lt__(self, other: str) -> bool:  # type: ignore[override]
        return str.__gt__(self, other)


def _desc(name: str) -> _Desc:
    return _Desc(name)


# -- the report object (§1, §8) ----------------------------------------------------------------


def coverage(entries: List[Dict[str, Any]]) -> Dict[str, int]:
    counts = {"estimated": 0, "priced": 0, "unmetered": 0, "unpriced": 0}
    for entry in entries:
        if "_unpriced" in entry or "_unmetered" in entry:
            counts["unpriced"] += entry.get("_unpriced", 0)
            counts["unmetered"] += entry.get("_unmetered", 0)
        elif "totalCost" in entry:
            counts["priced"] += 1
        elif entry.get("totalTokens"):
            counts["unpriced"] += 1
    return counts


def build(provider: str, entries: List[Dict[str, Any]], *, today: str, days: int, updated_at: str,
          established: bool, projects: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    """The ``cost --format json`` element for one provider (internal ``_`` keys included)."""
    report: Dict[str, Any] = {"provider": provider, "source": "local", "updatedAt": updated_at,
                              "currencyCode": "USD", "historyDays": days,
                              "historyCoverageIsEstablished": established}
    todays = [e for e in entries if e["date"] == today]
    if todays and "totalTokens" in todays[0]:
        report["sessionTokens"] = todays[0]["totalTokens"]
        if "totalCost" in todays[0]:
            report["sessionCostUSD"] = todays[0]["totalCost"]
    elif entries or established:
        report["sessionTokens"] = 0
        report["sessionCostUSD"] = 0
    priced = [e["_nanos"] for e in entries if "_nanos" in e]
    tokens = [e["totalTokens"] for e in entries if "totalTokens" in e]
    if tokens or established:
        report["last30DaysTokens"] = sum(tokens)
    if priced:
        report["last30DaysCostUSD"] = sum(priced) / NANO
    elif not tokens and established:
        report["last30DaysCostUSD"] = 0
    report["daily"] = entries
    report["projects"] = projects or []
    report["provenance"] = "listPriceEstimate" if priced else "unknown"
    report["coverage"] = coverage(entries)
    report["totals"] = _totals(report, entries)
    if report["totals"] is None:
        del report["totals"]
    return report


def _totals(report: Dict[str, Any], entries: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    if not entries:
        if "last30DaysTokens" not in report and "last30DaysCostUSD" not in report:
            return None
        out: Dict[str, Any] = {}
        if "last30DaysTokens" in report:
            out["totalTokens"] = report["last30DaysTokens"]
        if "last30DaysCostUSD" in report:
            out["totalCost"] = report["last30DaysCostUSD"]
        return out
    totals: Dict[str, Any] = {}
    for field, name in (("inputTokens", "inputTokens"), ("outputTokens", "outputTokens"),
                        ("cacheReadTokens", "cacheReadTokens"),
                        ("cacheCreationTokens", "cacheCreationTokens"),
                        ("reasoningTokens", "reasoningTokens"), ("totalTokens", "totalTokens")):
        values = [e[field] for e in entries if field in e]
        if values:
            totals[name] = sum(values)
    nanos = [e["_nanos"] for e in entries if "_nanos" in e]
    if nanos:
        totals["totalCost"] = sum(nanos) / NANO
    if "totalTokens" not in totals and "last30DaysTokens" in report:
        totals["totalTokens"] = report["last30DaysTokens"]
    if "totalCost" not in totals and "last30DaysCostUSD" in report:
        totals["totalCost"] = report["last30DaysCostUSD"]
    totals["provenance"] = report["provenance"]
    totals["coverage"] = report["coverage"]
    return totals


def public(value: Any) -> Any:
    """Drop internal ``_`` keys (exact sums, coverage counters) before printing."""
    if isinstance(value, dict):
        return {k: public(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [public(v) for v in value]
    return value


# -- Codex projects and sessions (§8; --group-by) ----------------------------------------------


def canonical_project(path: Optional[str]) -> Optional[str]:
    """A linked git worktree's path → its main worktree (``.git`` file → ``…/.git/worktrees/x``)."""
    if not path:
        return None
    try:
        with open(os.path.join(path, ".git"), "r", encoding="utf-8") as handle:
            text = handle.read(4096).strip()
    except (OSError, UnicodeDecodeError):
        return path
    if text.startswith("gitdir:"):
        gitdir = text[len("gitdir:"):].strip()
        marker = os.sep + ".git" + os.sep + "worktrees" + os.sep
        if marker in gitdir:
            return gitdir.split(marker, 1)[0]
    return path


def _summ(entries: List[Dict[str, Any]]) -> Tuple[Optional[int], Optional[int]]:
    tokens = [e["totalTokens"] for e in entries if "totalTokens" in e]
    nanos = [e["_nanos"] for e in entries if "_nanos" in e]
    return (sum(tokens) if tokens else None, sum(nanos) if nanos else None)


def _model_rollup(entries: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    models: Dict[str, Dict[str, Any]] = {}
    for entry in entries:
        for b in entry.get("modelBreakdowns", []):
            m = models.setdefault(b["modelName"], {"modelName": b["modelName"], "totalTokens": 0})
            m["totalTokens"] += b["totalTokens"]
            if "_nanos" in b:
                m["_nanos"] = m.get("_nanos", 0) + b["_nanos"]
                m["cost"] = m["_nanos"] / NANO
    return sorted(models.values(), key=lambda b: (-(b.get("cost", -1)), -b["totalTokens"], _desc(b["modelName"])))


def _group(name_path: Optional[str], entries: List[Dict[str, Any]]) -> Dict[str, Any]:
    tokens, nanos = _summ(entries)
    item: Dict[str, Any] = {"name": os.path.basename(name_path.rstrip("/")) or name_path if name_path else UNKNOWN_PROJECT}
    if name_path:
        item["path"] = name_path
    if tokens is not None:
        item["totalTokens"] = tokens
    if nanos is not None:
        item["totalCost"] = nanos / NANO
        item["_nanos"] = nanos
    item["daily"] = entries
    item["modelBreakdowns"] = _model_rollup(entries)
    return item


def _sort_groups(groups: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return sorted(groups, key=lambda g: (-(g.get("totalCost", -1)), -(g.get("totalTokens", -1)), g["name"].lower()))


def codex_projects(records: List[tuple], since: str, until: str) -> List[Dict[str, Any]]:
    """Projects (cwd → git main worktree) with their sources (raw cwd), CodexBar's order."""
    projects: Dict[str, Dict[str, List[tuple]]] = {}
    canonical: Dict[str, str] = {}
    for rec in records:
        cwd = rec[1] or ""
        if cwd not in canonical:
            canonical[cwd] = canonical_project(cwd) or ""
        projects.setdefault(canonical[cwd], {}).setdefault(cwd, []).append(rec)
    out = []
    for project_path, sources in projects.items():
        entries = daily_entries("codex", _days_of(r for items in sources.values() for r in items), since, until)
        if not entries:
            continue
        group = _group(project_path or None, entries)
        group["sources"] = _sort_groups([_group(src or None, daily_entries("codex", _days_of(items), since, until))
                                         for src, items in sources.items()])
        out.append(group)
    return _sort_groups(out)


def codex_sessions(records: List[tuple], since: str, until: str) -> List[Dict[str, Any]]:
    """Per Codex session: cost, tokens, requests and last activity (file mtime), newest first."""
    by_sid: Dict[str, List[tuple]] = {}
    last: Dict[str, int] = {}
    for rec in records:
        sid = rec[2] or os.path.basename(rec[0])[:-6]
        by_sid.setdefault(sid, []).append(rec)
        last[sid] = max(last.get(sid, 0), (rec[3] or 0) // 1_000_000)
    out = []
    for sid, items in by_sid.items():
        entries = daily_entries("codex", _days_of(items), since, until)
        if not entries:
            continue
        tokens, nanos = _summ(entries)
        item: Dict[str, Any] = {"sessionID": sid, "lastActivityMs": last[sid],
                                "requestCount": sum(r[6][A_ROWS] for r in items),
                                "modelBreakdowns": _model_rollup(entries)}
        if tokens is not None:
            item["totalTokens"] = tokens
        if nanos is not None:
            item["costUSD"] = nanos / NANO
        out.append(item)
    out.sort(key=lambda s: (-s["lastActivityMs"], _desc(s["sessionID"])))
    return out
