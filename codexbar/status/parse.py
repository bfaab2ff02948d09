"""Pure parsers for status feeds: decoded JSON in, plain status dicts out. No I/O, no clock.

A status dict is ``{"indicator", "description"?, "updatedAt"?}`` (absent fields omitted;
``updatedAt`` an ISO-8601 UTC ``Z`` string). A component is ``{"name", "status", "indicator",
"children"?}`` where ``status`` is the page's raw component status (``degraded_performance``).
Shapes the decoder in CodexBar would reject raise ParseError naming what is wrong.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Mapping, Optional, Tuple

from codexbar.errors import ParseError
from codexbar.status import INDICATORS, component_indicator, rank

Status = Dict[str, Any]
Component = Dict[str, Any]

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
                  r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))$")


def parse_iso(text: str) -> Optional[datetime]:
    """An ISO-8601 internet date-time (fraction optional, zone required) → aware UTC datetime.

    Written out because ``datetime.fromisoformat`` on Python 3.9 rejects ``Z`` and fractions
    that are not 3 or 6 digits, both of which status pages send.
    """
    match = _ISO.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, oh, om = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        value = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro,
                         tzinfo=timezone.utc)
    except ValueError:
        return None
    if not zulu and sign:
        offset = timedelta(hours=int(oh), minutes=int(om))
        value = value - offset if sign == "+" else value + offset
    return value


def iso_z(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _date(value: Any, where: str) -> Optional[datetime]:
    """Optional date field: null/absent → None; anything unreadable is a parse error."""
    if value is None:
        return None
    parsed = parse_iso(value) if isinstance(value, str) else None
    if parsed is None:
        raise ParseError("Status feed has an invalid date in %s." % where)
    return parsed


def _optional_str(value: Any, where: str) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError("Status feed field %s is not text." % where)
    return value


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ParseError("Status feed is missing %s." % where)
    return value


def _name(value: Any) -> Optional[str]:
    """Trimmed component name; blank or missing names drop the row."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text or None


def _status(indicator: str, description: Optional[str], updated: Optional[datetime]) -> Status:
    result: Status = {"indicator": indicator}
    if description is not None:
        result["description"] = description
    if updated is not None:
        result["updatedAt"] = iso_z(updated)
    return result


# -- statuspage.io api/v2/status.json and summary.json ----------------------------------------


def statuspage_status(body: Any) -> Status:
    """``{"page": {"updated_at"}, "status": {"indicator", "description"}}`` → status dict."""
    root = _object(body, "the top-level object")
    status = _object(root.get("status"), "status")
    raw = status.get("indicator")
    if not isinstance(raw, str):
        raise ParseError("Status feed is missing status.indicator.")
    indicator = raw if raw in INDICATORS else "unknown"
    description = _optional_str(status.get("description"), "status.description")
    page = root.get("page")
    updated = None
    if page is not None:
        updated = _date(_object(page, "page").get("updated_at"), "page.updated_at")
    return _status(indicator, description, updated)


def _row(name: str, status: str, children: Optional[List[Component]] = None) -> Component:
    row: Component = {"name": name, "status": status, "indicator": component_indicator(status)}
    if children:
        row["children"] = children
    return row


def statuspage_components(body: Any) -> List[Component]:
    """``components.json`` → top-level rows; groups carry their children in position order."""
    root = _object(body, "the top-level object")
    items = root.get("components")
    if items is None:
        return []
    if not isinstance(items, list):
        raise ParseError("Status feed field components is not a list.")
    rows: List[Tuple[int, int, Mapping[str, Any]]] = []
    for index, item in enumerate(items):
        entry = _object(item, "components[%d]" % index)
        for key in ("id", "name", "status"):
            if not isinstance(entry.get(key), str):
                raise ParseError("Status feed is missing components[%d].%s." % (index, key))
        position = entry.get("position")
        if position is not None and (isinstance(position, bool) or not isinstance(position, int)):
            raise ParseError("Status feed field components[%d].position is not a number." % index)
        if _name(entry["name"]) is None:
            continue
        rows.append((position or 0, index, entry))
    rows.sort(key=lambda r: (r[0], r[1]))  # stable by position, feed order on ties

    children: Dict[str, List[Component]] = {}
    for _, _, entry in rows:
        group_id = entry.get("group_id")
        if entry.get("group") is not True and isinstance(group_id, str):
            children.setdefault(group_id, []).append(_row(_name(entry["name"]) or "", entry["status"]))
    result: List[Component] = []
    for _, _, entry in rows:
        name = _name(entry["name"]) or ""
        if entry.get("group") is True:
            result.append(_row(name, entry["status"], children.get(entry["id"], [])))
        elif not isinstance(entry.get("group_id"), str):
            result.append(_row(name, entry["status"]))
    return result


# -- incident.io native feed (/proxy/<host>) ----------------------------------------------------


def _worst(rows: List[Component]) -> Optional[Component]:
    best: Optional[Component] = None
    for row in rows:
        if best is None or rank(row["indicator"]) > rank(best["indicator"]):
            best = row
    return best


def _visible(entry: Mapping[str, Any]) -> bool:
    return entry.get("hidden") is not True


def incidentio_summary(body: Any) -> Tuple[str, List[Component]]:
    """incident.io's grouped feed → (overall indicator = worst leaf, top-level components).

    Components absent from ``affected_components`` are operational; hidden items and blank
    names are dropped; a group's status is its worst child's.
    """
    summary = _object(_object(body, "the top-level object").get("summary"), "summary")
    structure = summary.get("structure")
    items = _object(structure, "summary.structure").get("items") if structure is not None else None
    if not isinstance(items, list) or not items:
        raise ParseError("Status feed has no components (summary.structure.items is empty).")
    affected = summary.get("affected_components") or []
    if not isinstance(affected, list):
        raise ParseError("Status feed field summary.affected_components is not a list.")
    status_by_id: Dict[str, str] = {}
    for index, item in enumerate(affected):
        entry = _object(item, "affected_components[%d]" % index)
        cid = entry.get("component_id")
        if not isinstance(cid, str):
            raise ParseError("Status feed is missing affected_components[%d].component_id." % index)
        raw = _optional_str(entry.get("status"), "affected_components[%d].status" % index)
        if raw is not None:
            status_by_id[cid] = raw

    def leaf(entry: Mapping[str, Any], where: str) -> Optional[Component]:
        cid = entry.get("component_id")
        if not isinstance(cid, str):
            raise ParseError("Status feed is missing %s.component_id." % where)
        name = _name(entry.get("name"))
        if name is None or not _visible(entry):
            return None
        return _row(name, status_by_id.get(cid, "operational"))

    top: List[Component] = []
    leaves: List[Component] = []
    for index, item in enumerate(items):
        entry = _object(item, "structure.items[%d]" % index)
        group, component = entry.get("group"), entry.get("component")
        if isinstance(group, Mapping) and _visible(group):
            if not isinstance(group.get("id"), str):
                raise ParseError("Status feed is missing structure.items[%d].group.id." % index)
            members = group.get("components") or []
            if not isinstance(members, list):
                raise ParseError("Status feed field structure.items[%d].group.components is not a list." % index)
            kids: List[Component] = []
            for cindex, child in enumerate(members):
                row = leaf(_object(child, "group component"), "group.components[%d]" % cindex)
                if row is not None:
                    kids.append(row)
            name = _name(group.get("name"))
            if name is None:
                continue
            worst = _worst(kids)
            row = _row(name, worst["status"] if worst else "operational", kids)
            top.append(row)
            leaves.extend(kids if kids else [row])
        elif isinstance(component, Mapping):
            row = leaf(component, "structure.items[%d].component" % index)
            if row is not None:
                top.append(row)
                leaves.append(row)
    worst_leaf = _worst(leaves)
    return (worst_leaf["indicator"] if worst_leaf else "none"), top


# -- Google Workspace incidents feed ---------------------------------------------------------------

_WORKSPACE_STATUS = {
    "AVAILABLE": "none",
    "SERVICE_INFORMATION": "minor",
    "SERVICE_DISRUPTION": "major",
    "SERVICE_OUTAGE": "critical",
    "SERVICE_MAINTENANCE": "maintenance",
    "SCHEDULED_MAINTENANCE": "maintenance",
}
_WORKSPACE_SEVERITY = {"low": "minor", "medium": "major", "high": "critical"}
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


def workspace_indicator(status: Optional[str], severity: Optional[str]) -> str:
    mapped = _WORKSPACE_STATUS.get((status or "").upper())
    if mapped is not None:
        return mapped
    return _WORKSPACE_SEVERITY.get((severity or "").lower(), "minor")


def workspace_summary(text: Optional[str]) -> Optional[str]:
    """First meaningful line of an update's Markdown text, without Markdown decoration."""
    if text is None:
        return None
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            continue
        lower = line.lower()
        if lower.startswith("**summary") or lower.startswith("**description") or lower == "summary":
            continue
        cleaned = _MARKDOWN_LINK.sub(r"\1", line.replace("**", ""))
        if cleaned.startswith("- "):
            cleaned = cleaned[2:]
        cleaned = cleaned.strip()
        if cleaned:
            return cleaned
    return None


def _product_ids(value: Any, where: str) -> Optional[List[str]]:
    if value is None:
        return None
    if not isinstance(value, list):
        raise ParseError("Status feed field %s is not a list." % where)
    ids = []
    for product in value:
        pid = _object(product, where).get("id")
        if not isinstance(pid, str):
            raise ParseError("Status feed is missing %s[].id." % where)
        ids.append(pid)
    return ids


def _update(value: Any, where: str) -> Optional[Dict[str, Any]]:
    if value is None:
        return None
    entry = _object(value, where)
    return {"when": _date(entry.get("when"), where + ".when"),
            "status": _optional_str(entry.get("status"), where + ".status"),
            "text": _optional_str(entry.get("text"), where + ".text")}


def google_workspace(body: Any, product_id: str) -> Status:
    """Google's incidents.json array → the status of one product (worst active incident)."""
    if not isinstance(body, list):
        raise ParseError("Google Workspace status feed is not a list of incidents.")
    active = []
    for index, item in enumerate(body):
        where = "incidents[%d]" % index
        incident = _object(item, where)
        begin = _date(incident.get("begin"), where + ".begin")
        end = _date(incident.get("end"), where + ".end")
        modified = _date(incident.get("modified"), where + ".modified")
        current = _product_ids(incident.get("currently_affected_products"), where + ".currently_affected_products")
        affected = _product_ids(incident.get("affected_products"), where + ".affected_products")
        updates_raw = incident.get("updates")
        if updates_raw is not None and not isinstance(updates_raw, list):
            raise ParseError("Status feed field %s.updates is not a list." % where)
        updates = [_update(u, where + ".updates") for u in updates_raw or []]
        update = _update(incident.get("most_recent_update"), where + ".most_recent_update")
        if update is None and updates:
            update = updates[-1]
        relevant = product_id in current if current is not None else product_id in (affected or [])
        if not relevant or end is not None:
            continue
        active.append({
            "begin": begin, "modified": modified, "update": update,
            "external_desc": _optional_str(incident.get("external_desc"), where + ".external_desc"),
            "status_impact": _optional_str(incident.get("status_impact"), where + ".status_impact"),
            "severity": _optional_str(incident.get("severity"), where + ".severity"),
        })
    if not active:
        return {"indicator": "none"}

    # The first active incident seeds the pick at indicator none, so an active AVAILABLE
    # incident still yields a description; later ones replace it only when strictly worse.
    best, best_indicator = active[0], "none"
    for incident in active:
        update = incident["update"]
        indicator = workspace_indicator(update["status"] if update and update["status"] is not None
                                        else incident["status_impact"], incident["severity"])
        if rank(indicator) > rank(best_indicator):
            best, best_indicator = incident, indicator
    update = best["update"]
    text = update["text"] if update and update["text"] is not None else best["external_desc"]
    updated = (update["when"] if update and update["when"] else None) or best["modified"] or best["begin"]
    return _status(best_indicator, workspace_summary(text), updated)
