"""Day buckets follow the local time zone (TZ); timestamps parse exactly."""

from __future__ import annotations

import json

from codexbar.cost.timeutil import clamp_days, parse_ms
from support.run import run_cli


def test_days_are_local_calendar_days(logs):
    # Los Angeles is UTC−7 in August: msg_01Z (01:30Z on 08-02) moves to 08-01, the rest keep their day
    result = run_cli(["cost", "--provider", "claude", "--json"], env={"TZ": "America/Los_Angeles"})
    [element] = json.loads(result.stdout)
    assert [(d["date"], d["totalTokens"]) for d in element["daily"]] == [
        ("2026-08-01", 255 + 30), ("2026-08-02", 201500 + 2110 + 150), ("2026-08-03", 19554)]


def test_zone_change_rebuilds_the_cache(logs):
    utc = json.loads(run_cli(["cost", "--provider", "claude", "--json"]).stdout)[0]
    kiritimati = json.loads(run_cli(["cost", "--provider", "claude", "--json"],
                                    env={"TZ": "Pacific/Kiritimati"}).stdout)[0]
    again = json.loads(run_cli(["cost", "--provider", "claude", "--json"]).stdout)[0]
    assert utc["daily"] == again["daily"]
    # UTC+14: now is 02:00 on 08-04; 08-02T10:00Z+ falls on 08-03, 08-03T10:00Z+ on 08-04
    assert [(d["date"], d["totalTokens"]) for d in kiritimati["daily"]] == [
        ("2026-08-02", 255 + 30 + 201500), ("2026-08-03", 2110 + 150), ("2026-08-04", 19554)]
    assert kiritimati["sessionTokens"] == 19554


def test_timestamp_forms():
    assert parse_ms("2026-08-02T01:30:00Z") == parse_ms("2026-08-01T23:30:00-02:00") == 1785634200000
    assert parse_ms("2026-08-02T01:30:00.5Z") == 1785634200500
    assert parse_ms("2026-08-02T03:30:00.123456+0200") == 1785634200123
    assert parse_ms("2004-07-28T09:40:46.416Z") % 1000 == 416  # no float truncation
    assert parse_ms("2026-08-02T01:30:00") is None  # no zone: dropped
    assert parse_ms("yesterday") is None and parse_ms(None) is None
    assert (clamp_days("0"), clamp_days("400"), clamp_days("x"), clamp_days(7)) == (1, 365, 30, 7)
