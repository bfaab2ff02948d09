"""Keyring access where any keyring error means "no stored secret" (never a crash or prompt)."""

from __future__ import annotations

from typing import Optional

SERVICE = "codexbar"


def get(account: str, service: str = SERVICE) -> Optional[str]:
    try:
        import keyring

        value = keyring.get_password(service, account)
    except Exception:  # noqa: BLE001 - every backend failure means "nothing stored"
        return None
    return value or None


def set(account: str, value: str, service: str = SERVICE) -> bool:
    try:
        import keyring

        keyring.set_password(service, account, value)
        return True
    except Exception:  # noqa: BLE001
        return False


def delete(account: str, service: str = SERVICE) -> bool:
    try:
        import keyring

        keyring.delete_password(service, account)
        return True
    except Exception:  # noqa: BLE001
        return False
