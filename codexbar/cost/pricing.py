"""The price table (``pricing.json``) and the cost formulas of cost-usage.md §5.

Costs are exact integers in nano-dollars: a rate of R USD per 1M tokens is R·1000 nano-dollars
per token, and every table rate has at most three decimals, so sums never drift.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from codexbar.env import parse_instant

TABLE_PATH = Path(__file__).with_name("pricing.json")

# (input, output, cacheRead, cacheWrite) in nano-dollars per token; None = unknown rate
Rates = Tuple[int, int, int, int]

_DATE8 = re.compile(r"-\d{8}$")
_DATE10 = re.compile(r"-\d{4}-\d{2}-\d{2}$")
_BEDROCK_VERSION = re.compile(r"-v\d+:\d+$")


def _milli(value: Any) -> int:
    # Decimal text → exact thousandths; rates with more digits would break exact sums.
    return int(round(float(value) * 1000))


class Tier:
    """One price tier: standard rates plus an optional long-context tier."""

    def __init__(self, data: Dict[str, Any]) -> None:
        self.rates = self._rates(data)
        long = data.get("longContext")
        self.threshold: Optional[int] = int(long["threshold"]) if long else None
        self.long_rates: Optional[Rates] = self._rates(long) if long else None

    @staticmethod
    def _rates(data: Dict[str, Any]) -> Rates:
        inp = _milli(data["input"])
        read = _milli(data["cacheRead"]) if "cacheRead" in data else inp
        write = _milli(data["cacheWrite"]) if "cacheWrite" in data else inp
        return (inp, _milli(data["output"]), read, write)


class ModelPrice:
    def __init__(self, data: Dict[str, Any]) -> None:
        self.current = Tier(data)
        self.label: Optional[str] = data.get("label")
        self.historical: List[Tuple[int, Tier]] = []
        for item in data.get("historical") or []:
            before = parse_instant(str(item["before"]))
            if before is not None:
                self.historical.append((int(before.timestamp() * 1000), Tier(item)))
        self.historical.sort(key=lambda pair: pair[0])

    def tier(self, ts_ms: Optional[int]) -> Tier:
        if ts_ms is not None:
            for before, tier in self.historical:
                if ts_ms < before:
                    return tier
        return self.current


class Pricing:
    """The loaded table; ``digest`` changes whenever a price does (cache keys use it)."""

    def __init__(self, raw: Dict[str, Any], digest: str) -> None:
        self.digest = digest
        self.codex = {k: ModelPrice(v) for k, v in raw.get("codex", {}).items()}
        self.claude = {k: ModelPrice(v) for k, v in raw.get("claude", {}).items()}
        self.codex_aliases: Dict[str, str] = dict(raw.get("codexAliases", {}))
        self._names: Dict[str, str] = {}  # raw Claude model → normalized (few distinct names)

    # -- model names ------------------------------------------------------------------------
    def normalize_claude(self, model: str) -> str:
        cached = self._names.get(model)
        if cached is None:
            cached = self._names[model] = self._normalize_claude(model)
        return cached

    def _normalize_claude(self, model: str) -> str:
        name = model.strip()
        if name.startswith("anthropic."):
            name = name[len("anthropic."):]
        if "." in name:
            tail = name.rsplit(".", 1)[1]
            if tail.startswith("claude-"):
                name = tail
        name = _BEDROCK_VERSION.sub("", name)
        if "@" in name and name.split("@", 1)[0] in self.claude:  # Vertex: claude-opus-4-5@20251101
            return name.split("@", 1)[0]
        if _DATE8.search(name):
            base = name[:-9]
            if base in self.claude:
                return base
        return name

    def normalize_codex(self, model: str) -> str:
        name = model.strip()
        if name.startswith("openai/"):
            name = name[len("openai/"):]
        name = self.codex_aliases.get(name, name)
        if name in self.codex:
            return name
        if _DATE10.search(name) and name[:-11] in self.codex:
            return name[:-11]
        return name

    # -- costs (nano-dollars; None = unpriced) ----------------------------------------------
    def claude_cost(self, model: str, ts_ms: Optional[int], inp: int, read: int, create: int,
                    create_1h: int, out: int) -> Optional[int]:
        price = self.claude.get(model)
        if price is None:
            return None
        tier = price.tier(ts_ms)
        rates = tier.rates
        if tier.threshold is not None and tier.long_rates and inp + read + create > tier.threshold:
            rates = tier.long_rates
        r_in, r_out, r_read, r_write = rates
        one_hour = min(max(create_1h, 0), create)
        five_min = create - one_hour
        return inp * r_in + read * r_read + five_min * r_write + one_hour * 2 * r_in + out * r_out

    def codex_cost(self, model: str, ts_ms: Optional[int], inp: int, cached: int, out: int,
                   cache_write: int = 0) -> Optional[int]:
        price = self.codex.get(model)
        if price is None:
            return None
        tier = price.tier(ts_ms)
        inp = max(0, inp)
        rates = tier.rates
        if tier.threshold is not None and tier.long_rates and inp > tier.threshold:
            rates = tier.long_rates
        r_in, r_out, r_read, r_write = rates
        cached = min(max(cached, 0), inp)
        write = min(max(cache_write, 0), inp - cached)
        fresh = inp - cached - write
        return fresh * r_in + cached * r_read + write * r_write + max(0, out) * r_out

    def codex_label(self, model: str) -> Optional[str]:
        price = self.codex.get(model)
        return price.label if price else None


_CACHE: Dict[str, Pricing] = {}


def _digest(data: bytes) -> str:
    """Identifies the table's bytes (zlib's CRC-32 and the length: importing hashlib would cost
    more than the whole warm re-scan's comparison work)."""
    import zlib

    return "crc32-%08x-%d" % (zlib.crc32(data) & 0xFFFFFFFF, len(data))


def load(path: Optional[Path] = None) -> Pricing:
    """The bundled table (or ``path``), parsed once per process."""
    target = path or TABLE_PATH
    key = str(target)
    if key not in _CACHE:
        data = target.read_bytes()
        _CACHE[key] = Pricing(json.loads(data), _digest(data))
    return _CACHE[key]

