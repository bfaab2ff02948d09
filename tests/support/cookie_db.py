"""Real browser cookie databases for tests: Firefox ``cookies.sqlite`` and Chromium ``Cookies``.

Built with the browsers' own table layouts so browser-cookie3 reads them exactly as it reads a
user's profile. Values are placeholders; nothing here touches a real browser.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Iterable, Tuple

# (host, name, value)
Cookie = Tuple[str, str, str]

FIREFOX_SCHEMA = """
CREATE TABLE moz_cookies (
    id INTEGER PRIMARY KEY, originAttributes TEXT NOT NULL DEFAULT '', name TEXT, value TEXT,
    host TEXT, path TEXT, expiry INTEGER, lastAccessed INTEGER, creationTime INTEGER,
    isSecure INTEGER, isHttpOnly INTEGER, inBrowserElement INTEGER DEFAULT 0,
    sameSite INTEGER DEFAULT 0, rawSameSite INTEGER DEFAULT 0, schemeMap INTEGER DEFAULT 0,
    CONSTRAINT moz_uniqueid UNIQUE (name, host, path, originAttributes))
"""

CHROMIUM_SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE cookies(
    creation_utc INTEGER NOT NULL, host_key TEXT NOT NULL, top_frame_site_key TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL, value TEXT NOT NULL, encrypted_value BLOB NOT NULL DEFAULT '', path TEXT NOT NULL,
    expires_utc INTEGER NOT NULL, is_secure INTEGER NOT NULL, is_httponly INTEGER NOT NULL,
    last_access_utc INTEGER NOT NULL, has_expires INTEGER NOT NULL DEFAULT 1,
    is_persistent INTEGER NOT NULL DEFAULT 1, priority INTEGER NOT NULL DEFAULT 1,
    samesite INTEGER NOT NULL DEFAULT -1, source_scheme INTEGER NOT NULL DEFAULT 0,
    source_port INTEGER NOT NULL DEFAULT -1, last_update_utc INTEGER NOT NULL DEFAULT 0);
"""


def firefox_profile(home: Path, cookies: Iterable[Cookie], *, macos: bool = True, profile: str = "abcd1234.default-release") -> Path:
    """Create ``cookies.sqlite`` in a Firefox profile under ``home`` (macOS or Linux layout)."""
    base = home / "Library" / "Application Support" / "Firefox" / "Profiles" if macos else home / ".mozilla" / "firefox"
    folder = base / profile
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cookies.sqlite"
    con = sqlite3.connect(str(path))
    con.executescript(FIREFOX_SCHEMA)
    expiry = int(time.time()) + 86400 * 30
    now_us = int(time.time() * 1e6)
    for index, (host, name, value) in enumerate(cookies):
        con.execute("INSERT INTO moz_cookies (id, name, value, host, path, expiry, lastAccessed, creationTime, "
                    "isSecure, isHttpOnly) VALUES (?, ?, ?, ?, '/', ?, ?, ?, 1, 1)",
                    (index + 1, name, value, host, expiry, now_us, now_us))
    con.commit()
    con.close()
    return path


def _chromium_v10(value: str) -> bytes:
    """Chromium's Linux ``v10`` encryption (AES-CBC, key from the built-in "peanuts" password)."""
    from Cryptodome.Cipher import AES
    from Cryptodome.Protocol.KDF import PBKDF2
    from Cryptodome.Util.Padding import pad

    key = PBKDF2(b"peanuts", b"saltysalt", 16, 1)
    return b"v10" + AES.new(key, AES.MODE_CBC, b" " * 16).encrypt(pad(value.encode(), AES.block_size))


def chrome_profile(home: Path, cookies: Iterable[Cookie], *, macos: bool = False, encrypt: bool = True) -> Path:
    """Create a Chrome ``Default/Cookies`` database (Linux layout unless ``macos``)."""
    base = home / "Library" / "Application Support" / "Google" / "Chrome" if macos else home / ".config" / "google-chrome"
    folder = base / "Default"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "Cookies"
    con = sqlite3.connect(str(path))
    con.executescript(CHROMIUM_SCHEMA)
    con.execute("INSERT INTO meta VALUES ('version', '21')")
    chrome_now = int((time.time() + 11644473600) * 1e6)
    for host, name, value in cookies:
        plain, blob = ("", _chromium_v10(value)) if encrypt else (value, b"")
        con.execute("INSERT INTO cookies (creation_utc, host_key, name, value, encrypted_value, path, expires_utc, "
                    "is_secure, is_httponly, last_access_utc) VALUES (?, ?, ?, ?, ?, '/', ?, 1, 1, ?)",
                    (chrome_now, host, name, plain, blob, chrome_now + 86400 * 30 * 10 ** 6, chrome_now))
    con.commit()
    con.close()
    return path
