"""Shared cookie machinery (codexbar.access.cookies) as the Claude web source uses it."""

from __future__ import annotations

from codexbar.access import cookies
from codexbar.env import Env
from support.cookie_db import firefox_profile


def test_header_parsing_and_modes():
    pairs = cookies.parse_header("Cookie: a=1; sessionKey=sk-ant-sid01-FAKE=x; junk; b = 2 ")
    assert pairs == [("a", "1"), ("sessionKey", "sk-ant-sid01-FAKE=x"), ("b", "2")]
    assert cookies.find(pairs, "sessionKey", "sk-ant-") == "sk-ant-sid01-FAKE=x"
    assert cookies.find(pairs, "sessionKey", "nope") is None
    assert cookies.cookie_mode({"cookieHeader": "'a=1'"}) == "manual"
    assert cookies.config_pairs({"cookieHeader": "'a=1'"}) == [("a", "1")]
    assert cookies.cookie_mode({}) == "auto"
    assert cookies.cookie_mode({"cookieHeader": "a=1", "cookieSource": "off"}) == "off"


def test_browser_scan_filters_the_domain(home):
    firefox_profile(home, [(".claude.ai", "sessionKey", "sk-ant-sid01-FAKEa"), ("www.claude.ai", "x", "1"),
                           ("evilclaude.ai", "sessionKey", "sk-ant-sid01-FAKEevil")])
    scan = cookies.browser_cookies(Env.from_process(), "claude.ai")
    assert scan.found == [("Firefox", [("sessionKey", "sk-ant-sid01-FAKEa"), ("x", "1")])]


def test_two_profiles_are_labelled(home):
    firefox_profile(home, [(".claude.ai", "sessionKey", "sk-ant-sid01-FAKEone")], profile="one.default")
    firefox_profile(home, [(".claude.ai", "sessionKey", "sk-ant-sid01-FAKEtwo")], profile="two.work")
    scan = cookies.browser_cookies(Env.from_process(), "claude.ai", names=("sessionKey",))
    assert [label for label, _ in scan.found] == ["Firefox (one.default)", "Firefox (two.work)"]


def test_corrupt_cookie_database_is_skipped(home):
    folder = home / "Library" / "Application Support" / "Firefox" / "Profiles" / "bad.default"
    folder.mkdir(parents=True)
    (folder / "cookies.sqlite").write_text("this is not sqlite")
    scan = cookies.browser_cookies(Env.from_process(), "claude.ai")
    assert scan.found == [] and scan.problems and scan.problems[0].startswith("Firefox: ")


def test_session_store_ties_a_renewal_to_its_original(home):
    store = cookies.SessionStore(Env.from_process(), "claude")
    assert store.renewed("sessionKey", "sk-ant-sid01-FAKEold") is None
    store.remember("sessionKey", "sk-ant-sid01-FAKEnew", "sk-ant-sid01-FAKEold", "manual", "2026-08-03T12:00:00Z")
    assert store.renewed("sessionKey", "sk-ant-sid01-FAKEold") == "sk-ant-sid01-FAKEnew"
    assert store.renewed("sessionKey", "sk-ant-sid01-FAKEpasted") is None
    assert "FAKEold" not in store.path.read_text()
    assert store.clear() and not store.path.exists()
