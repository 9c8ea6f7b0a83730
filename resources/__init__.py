"""Data shipped with PerDiem: code tables, schema, icons and styles (no code that does work)."""

from importlib.resources import files


def path(*parts: str):
    """Return a Traversable for a file shipped under resources/."""
    node = files(__name__)
    for part in parts:
        node = node / part
    return node
