"""Validate X12 text with pyx12 from Python, collecting every error it logs or reports.

pyx12's command line exit status means nothing and it can say OK while logging errors, so the
tests call its document walker directly, capture the `pyx12` logger, read the JSON error
report and the 999 acknowledgment, and treat anything found in any of them as a failure.
"""

from __future__ import annotations

import io
import json
import logging

import pyx12.map_if
import pyx12.params
import pyx12.x12n_document

_parse_map = pyx12.map_if.load_map_file
_maps: dict[tuple[str, str | None], object] = {}


def _parsed_once(map_file: str, param: object, map_path: str | None = None) -> object:
    """pyx12 parses its XML maps (the control map and the 837P's: about 1 s) for every
    document it walks. A parsed map keeps no state of a walk (pyx12 4 counts loops and
    segments in the walker's nodeCounter), so the tests parse each map once per run."""
    key = (map_file, map_path)
    if key not in _maps:
        _maps[key] = _parse_map(map_file, param, map_path)
    return _maps[key]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def x12_errors(text: str) -> list[str]:
    """Every problem pyx12 finds in `text`; an empty list means the file is valid."""
    logger = logging.getLogger("pyx12")
    handler = _Collect()
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    ack, report = io.StringIO(), io.StringIO()
    pyx12.map_if.load_map_file = _parsed_once
    try:
        ok = pyx12.x12n_document.x12n_document(
            pyx12.params.params(), io.StringIO(text), fd_997=ack, fd_html=None,
            fd_json=report,
        )
    except Exception as exc:  # a crash in the walker is a failure too
        return [f"pyx12 raised {exc!r}", *handler.messages]
    finally:
        pyx12.map_if.load_map_file = _parse_map
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    errors = list(handler.messages)
    raw = report.getvalue().strip()
    if raw:
        errors.extend(_report_errors(json.loads(raw)))
    acks = [seg for seg in ack.getvalue().replace("\n", "").split("~") if seg]
    for seg in acks:
        if seg.startswith(("IK3", "IK4", "CTX")) or (
            seg.startswith(("IK5", "AK9")) and seg.split("*")[1] != "A"
        ):
            errors.append(f"999: {seg}")
    if not ok and not errors:
        errors.append("pyx12 reported the document invalid")
    return errors


def _report_errors(node: object, path: str = "") -> list[str]:
    """Errors anywhere in pyx12's JSON report: a non-empty `errors` or `segments` list, or an
    acknowledgment code other than A (accepted)."""
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("errors", "segments") and value:
                out.append(f"{path}/{key}: {json.dumps(value)[:1000]}")
            elif key == "ack_code" and value != "A":
                out.append(f"{path}: acknowledgment code {value}")
            else:
                out.extend(_report_errors(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            out.extend(_report_errors(item, f"{path}[{i}]"))
    return out
