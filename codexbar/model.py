"""Normalized models (pydantic) that serialize to CodexBar's CLI JSON shape.

Only the fetch side imports this; the cache stores ``to_payload()`` dicts, which renderers read
without pydantic (see payload.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional

from pydantic import BaseModel, ConfigDict

from codexbar.render.json_out import normalize


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dump(self) -> Dict[str, Any]:
        return normalize(self.model_dump(exclude_none=True))


class RateWindow(_Model):
    usedPercent: float
    windowMinutes: Optional[int] = None
    resetsAt: Optional[datetime] = None
    resetDescription: Optional[str] = None
    nextRegenPercent: Optional[float] = None
    isSyntheticPlaceholder: Optional[bool] = None  # only written when true

    def dump(self) -> Dict[str, Any]:
        data = super().dump()
        if not data.get("isSyntheticPlaceholder"):
            data.pop("isSyntheticPlaceholder", None)
        return data


class NamedWindow(_Model):
    id: str
    title: str
    window: RateWindow
    usageKnown: Optional[bool] = None  # only written when false

    def dump(self) -> Dict[str, Any]:
        data = {"id": self.id, "title": self.title, "window": self.window.dump()}
        if self.usageKnown is False:
            data["usageKnown"] = False
        return data


class ProviderCost(_Model):
    used: float
    limit: float
    currencyCode: str = "USD"
    period: Optional[str] = None
    resetsAt: Optional[datetime] = None
    nextRegenAmount: Optional[float] = None
    personalUsed: Optional[float] = None
    balance: Optional[float] = None
    updatedAt: datetime


class DetailRow(_Model):
    label: str
    value: str
    secondaryValue: Optional[str] = None


class ChartPoint(_Model):
    label: str
    value: float


class Chart(_Model):
    kind: str = "bars"
    title: Optional[str] = None
    unit: Optional[str] = None
    points: List[ChartPoint] = []


class DetailSection(_Model):
    title: Optional[str] = None
    rows: List[DetailRow] = []
    chart: Optional[Chart] = None


class Identity(_Model):
    providerID: Optional[str] = None
    accountEmail: Optional[str] = None
    accountOrganization: Optional[str] = None
    loginMethod: Optional[str] = None
    accountID: Optional[str] = None


class UsageSnapshot(_Model):
    # Provider extras that CodexBar's JSON carries (codexResetCredits, openAIAPIUsage, …)
    model_config = ConfigDict(extra="allow")

    primary: Optional[RateWindow] = None
    secondary: Optional[RateWindow] = None
    tertiary: Optional[RateWindow] = None
    extraRateWindows: Optional[List[NamedWindow]] = None
    providerCost: Optional[ProviderCost] = None
    details: Optional[List[DetailSection]] = None
    subscriptionExpiresAt: Optional[datetime] = None
    subscriptionRenewsAt: Optional[datetime] = None
    updatedAt: datetime
    identity: Optional[Identity] = None
    dataConfidence: Optional[str] = None

    def dump(self) -> Dict[str, Any]:
        data: Dict[str, Any] = {}
        for slot in ("primary", "secondary", "tertiary"):
            window = getattr(self, slot)
            data[slot] = window.dump() if window is not None else None
        if self.extraRateWindows:
            data["extraRateWindows"] = [w.dump() for w in self.extraRateWindows]
        if self.providerCost is not None:
            data["providerCost"] = self.providerCost.dump()
        if self.details:
            data["details"] = [d.dump() for d in self.details]
        for key in ("subscriptionExpiresAt", "subscriptionRenewsAt", "dataConfidence"):
            if getattr(self, key) is not None:
                data[key] = normalize(getattr(self, key))
        data["updatedAt"] = normalize(self.updatedAt)
        if self.identity is not None:
            ident = self.identity.dump()
            if ident:
                data["identity"] = ident
                for key in ("accountEmail", "accountOrganization", "loginMethod"):
                    if key in ident:
                        data[key] = ident[key]
        for key, value in (self.model_extra or {}).items():
            if value is not None:
                data[key] = normalize(value.dump() if isinstance(value, _Model) else value)
        return data


class CreditEvent(_Model):
    id: str
    date: datetime
    service: str
    creditsUsed: float


class Credits(_Model):
    model_config = ConfigDict(extra="allow")

    remaining: float
    events: List[CreditEvent] = []
    updatedAt: datetime
    unlimited: Optional[bool] = None
    codexCreditLimit: Optional[Dict[str, Any]] = None

    def dump(self) -> Dict[str, Any]:
        data = normalize(self.model_dump(exclude_none=True))
        data["events"] = [e.dump() for e in self.events]
        return data


class ProviderResult(_Model):
    """One element of ``codexbar usage --format json`` (without error/status/pace)."""

    model_config = ConfigDict(extra="allow")

    provider: str
    source: str
    account: Optional[str] = None
    version: Optional[str] = None
    usage: Optional[UsageSnapshot] = None
    credits: Optional[Credits] = None
    diagnostic: Optional[str] = None

    def dump(self) -> Dict[str, Any]:
        data: Dict[str, Any] = {"provider": self.provider, "source": self.source}
        for key in ("account", "version", "diagnostic"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.usage is not None:
            data["usage"] = self.usage.dump()
        if self.credits is not None:
            data["credits"] = self.credits.dump()
        for key, value in (self.model_extra or {}).items():
            if value is not None:
                data[key] = normalize(value.dump() if isinstance(value, _Model) else value)
        return data
