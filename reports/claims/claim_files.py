"""Which writer makes a claims file of each format (shared by the command line and the GUI)."""

from __future__ import annotations

from collections.abc import Callable

from models.claims.claim import BatchContext, ClaimDraft
from reports.claims import claims_csv, cms1500, x12_837p

Render = Callable[[list[ClaimDraft], BatchContext], bytes]


def renderer(fmt: str, data_only: bool = False) -> Render:
    """The writer for `fmt` (one of models.claims.claim.FORMATS); `data_only` prints CMS-1500
    data for pre-printed red forms."""
    if fmt == "cms1500":
        return cms1500.render_data_only if data_only else cms1500.render
    return {"837p": x12_837p.render, "csv": claims_csv.render}[fmt]
