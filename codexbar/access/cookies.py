"""Cookies for web-session providers: a manual ``cookieHeader``, the user's browsers, our own store.

- ``parse_header``: a raw ``Cookie:`` header (prefix tolerated) → ordered (name, value) pairs.
- ``browser_cookies``: browser-cookie3 reads each installed browser's cookie database for one
  domain. Profiles are looked up under ``env.home`` (macOS and Linux layouts) and passed to the
  library as explicit files, so tests can build a real Firefox ``cookies.sqlite`` in a temp home.
  Chromium-family browsers on macOS decrypt cookies with a Keychain secret, which can raise a
  system prompt: those are only read when the user asked (``interactive``).
- ``SessionStore``: cookies a provider renewed (``Set-Cookie``) live in our own 0600 file under
  ``env.data_dir/cookies/<provider>.json``; the browser's database is never written.
"""

from __future__ import annotations

import glob
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from codexbar.env import Env

Pair = Tuple[str, str]


def parse_header(raw: Optional[str]) -> List[Pair]:
    """``"Cookie: a=1; b=2"`` → [("a", "1"), ("b", "2")]; junk segments are skipped."""
    text = (raw or "").strip()
    if text.lower().startswith("cookie:"):
        text = text[len("cookie:"):].strip()
    pairs: List[Pair] = []
    for part in text.split(";"):
        if "=" not in part:
            continue
        name, value = part.split("=", 1)
        name, value = name.strip(), value.strip()
        if name:
            pairs.append((name, value))
    return pairs


def cookie_mode(entry: Mapping[str, Any]) -> str:
    """A provider entry's ``cookieSource``: auto | manual | off; a cookieHeader alone means manual."""
    mode = entry.get("cookieSource")
    if mode in ("auto", "manual", "off"):
        return str(mode)
    return "manual" if config_pairs(entry) else "auto"


def config_pairs(entry: Mapping[str, Any]) -> List[Pair]:
    """The provider entry's ``cookieHeader`` (cleaned, ``Cookie:`` prefix tolerated) as pairs."""
    from codexbar.env import clean_value

    raw = entry.get("cookieHeader")
    return parse_header(clean_value(raw) if isinstance(raw, str) else None)


def find(pairs: Sequence[Pair], name: str, prefix: str = "") -> Optional[str]:
    """The first cookie ``name`` whose value starts with ``prefix``."""
    for key, value in pairs:
        if key == name and value.startswith(prefix):
            return value
    return None


def fingerprint(value: str) -> str:
    """A one-way tag for a cookie value (never the value itself)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:24]


# -- browsers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Browser:
    name: str               # label shown to the user
    loader: str             # browser_cookie3 function name
    mac: Tuple[str, ...]    # glob patterns under $HOME (macOS)
    linux: Tuple[str, ...]  # glob patterns under $HOME (Linux)
    prompts_on_mac: bool    # decryption reads a Keychain secret (may prompt)


def _chromium(base_mac: str, base_linux: str) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    profiles = ("Default", "Profile *")
    mac = tuple("%s/%s/%s" % (base_mac, p, f) for p in profiles for f in ("Cookies", "Network/Cookies"))
    linux = tuple("%s/%s/%s" % (base_linux, p, f) for p in profiles for f in ("Cookies", "Network/Cookies"))
    return mac, linux


_CHROME = _chromium("Library/Application Support/Google/Chrome", ".config/google-chrome")
_ARC = _chromium("Library/Application Support/Arc/User Data", ".config/arc")
_BRAVE = _chromium("Library/Application Support/BraveSoftware/Brave-Browser", ".config/BraveSoftware/Brave-Browser")
_EDGE = _chromium("Library/Application Support/Microsoft Edge", ".config/microsoft-edge")
_CHROMIUM = _chromium("Library/Application Support/Chromium", ".config/chromium")

BROWSERS: Tuple[Browser, ...] = (
    Browser("Safari", "safari",
            ("Library/Containers/com.apple.Safari/Data/Library/Cookies/Cookies.binarycookies",
             "Library/Cookies/Cookies.binarycookies"), (), False),
    Browser("Firefox", "firefox", ("Library/Application Support/Firefox/Profiles/*/cookies.sqlite",),
            (".mozilla/firefox/*/cookies.sqlite", "snap/firefox/common/.mozilla/firefox/*/cookies.sqlite",
             ".var/app/org.mozilla.firefox/.mozilla/firefox/*/cookies.sqlite"), False),
    Browser("Chrome", "chrome", _CHROME[0], _CHROME[1], True),
    Browser("Arc", "arc", _ARC[0], _ARC[1], True),
    Browser("Brave", "brave", _BRAVE[0], _BRAVE[1], True),
    Browser("Edge", "edge", _EDGE[0], _EDGE[1], True),
    Browser("Chromium", "chromium", _CHROMIUM[0], _CHROMIUM[1], True),
)


@dataclass
class BrowserScan:
    """What a browser import found: cookies per source, and why other sources were skipped."""

    found: List[Tuple[str, List[Pair]]] = field(default_factory=list)   # (label, pairs)
    problems: List[str] = field(default_factory=list)
    skipped_interactive: List[str] = field(default_factory=list)


def cookie_files(browser: Browser, env: Env) -> List[Path]:
    patterns = browser.mac if env.is_macos else browser.linux
    files: List[Path] = []
    for pattern in patterns:
        files.extend(Path(p) for p in sorted(glob.glob(str(env.home / pattern))))
    return [f for f in files if f.is_file()]


def _domain_matches(host: str, domain: str) -> bool:
    host = host.lstrip(".").lower()
    return host == domain or host.endswith("." + domain)


def browser_cookies(env: Env, domain: str, *, interactive: bool = False,
                    names: Optional[Sequence[str]] = None) -> BrowserScan:
    """Read cookies for ``domain`` from every browser profile found under ``env.home``."""
    scan = BrowserScan()
    for browser in BROWSERS:
        files = cookie_files(browser, env)
        if not files:
            continue
        if browser.prompts_on_mac and env.is_macos and not interactive:
            scan.skipped_interactive.append(browser.name)
            continue
        for path in files:
            label = "%s (%s)" % (browser.name, path.parent.name) if len(files) > 1 else browser.name
            try:
                pairs = _load(browser.loader, path, domain)
            except Exception as exc:  # noqa: BLE001 - one unreadable profile must not stop the scan
                scan.problems.append("%s: %s" % (label, type(exc).__name__))
                continue
            if names is not None:
                pairs = [p for p in pairs if p[0] in names]
            if pairs:
                scan.found.append((label, pairs))
    return scan


def _load(loader: str, path: Path, domain: str) -> List[Pair]:
    import contextlib
    import io

    import browser_cookie3

    # the library prints some parse problems to stdout, which would corrupt JSON or SwiftBar output
    with contextlib.redirect_stdout(io.StringIO()):
        jar = getattr(browser_cookie3, loader)(cookie_file=str(path), domain_name=domain)
    return [(c.name, c.value or "") for c in jar if _domain_matches(c.domain or "", domain)]


# -- our store ----------------------------------------------------------------------------------


class SessionStore:
    """``<data_dir>/cookies/<provider>.json``: renewed cookies, tied to the cookie they replaced.

    A renewed value is only used while the user's original cookie (manual header or browser)
    is unchanged, so pasting a fresh cookie always wins over an old renewal.
    """

    def __init__(self, env: Env, provider: str) -> None:
        self.path = env.data_dir / "cookies" / ("%s.json" % provider)

    def _read(self) -> Dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def renewed(self, name: str, original: str) -> Optional[str]:
        data = self._read()
        entry = (data.get("cookies") or {}).get(name) if isinstance(data.get("cookies"), dict) else None
        if not isinstance(entry, dict) or entry.get("derivedFrom") != fingerprint(original):
            return None
        value = entry.get("value")
        return value if isinstance(value, str) and value else None

    def remember(self, name: str, value: str, original: str, source: str, updated_at: str) -> None:
        from codexbar.access.files import atomic_write, ensure_private_dir

        data = self._read()
        cookies = data.get("cookies") if isinstance(data.get("cookies"), dict) else {}
        cookies[name] = {"value": value, "derivedFrom": fingerprint(original), "source": source,
                         "updatedAt": updated_at}
        data["cookies"] = cookies
        ensure_private_dir(self.path.parent)
        atomic_write(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n", mode=0o600)

    def clear(self) -> bool:
        try:
            self.path.unlink()
            return True
        except OSError:
            return False
