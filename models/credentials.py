"""A desk's server password in the system keyring (issue 14), never in a file.

`keyring` picks the operating system's store (Windows Credential Manager, macOS Keychain, the
Secret Service on Linux desktops). Where there is none (keyring's `fail` or `null` backend,
e.g. a Linux PC without a desktop keyring), `available()` is False: the Connect dialog then
asks for the password each time and says why, and nothing is stored anywhere.
"""

from __future__ import annotations

SERVICE = "PerDiem pharmacy server"


def _keyring():
    try:
        import keyring
    except ImportError:  # pragma: no cover - installed with PerDiem
        return None
    return keyring


def available() -> bool:
    """Whether this computer has a keyring to keep the password in."""
    keyring = _keyring()
    if keyring is None:
        return False
    backend = keyring.get_keyring()
    kind = f"{type(backend).__module__}.{type(backend).__name__}"
    return not kind.startswith(("keyring.backends.fail", "keyring.backends.null")) \
        and getattr(backend, "priority", 1) > 0


def key(user: str, host: str, port: int | None, database: str) -> str:
    """The keyring entry of one connection: the same server and database with another user is
    another password."""
    return f"{user}@{host}:{port or ''}/{database}"


def saved_password(entry: str) -> str | None:
    if not available():
        return None
    try:
        return _keyring().get_password(SERVICE, entry)
    except Exception:  # noqa: BLE001 - a locked or broken keyring: ask for the password
        return None


def save_password(entry: str, password: str) -> bool:
    """Keep `password` in the keyring; False (nothing stored) without one or on its refusal."""
    if not available():
        return False
    try:
        _keyring().set_password(SERVICE, entry, password)
    except Exception:  # noqa: BLE001 - refused (locked keyring): asked again next time
        return False
    return True


def forget_password(entry: str) -> None:
    if not available():
        return
    try:
        _keyring().delete_password(SERVICE, entry)
    except Exception:  # noqa: BLE001 - nothing kept, or the keyring refused: nothing to do
        pass
