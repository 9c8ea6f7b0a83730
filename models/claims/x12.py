"""X12 for the 837P: text and identifiers as X12 can carry them, the submitter and receiver of
an interchange, how a batch splits into interchanges, and every value a claim sends."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from models.claims.claim import ClaimDraft
from models.records.tables import PayerRead, PharmacyRead

X12_DELIMITERS = "~*:^"

# X12 basic and extended character set, less the delimiters PerDiem uses.
_X12_ALLOWED = re.compile(r"^[A-Z0-9 !\"&'()+,\-./;?=%@\[\]_{}\\|<>#$]*$")


class X12TextError(ValueError):
    """A value that cannot go into an X12 field as it stands."""


def x12_text(value: str | None, max_len: int) -> str:
    """Free text cleaned for X12: accents dropped, uppercase, delimiters and repeated spaces
    removed, cut to the field's length. Raises X12TextError when nothing usable is left or a
    character has no plain form."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = " ".join(re.sub(f"[{re.escape(X12_DELIMITERS)}]", " ", folded.upper()).split())
    if not text.isascii() or not _X12_ALLOWED.fullmatch(text):
        raise X12TextError(f'"{value}" has characters X12 cannot carry')
    if not text:
        raise X12TextError(f'"{value}" is empty once the X12 delimiters ~ * : ^ are removed')
    return text[:max_len].rstrip()


def x12_id(value: str | None, max_len: int) -> str:
    """An identifier for X12: uppercase, but never altered otherwise, since a changed id would
    name someone else. Raises X12TextError when it holds a delimiter or is too long."""
    text = (value or "").strip().upper()
    if not text:
        raise X12TextError("is empty")
    bad = sorted({ch for ch in text if ch in X12_DELIMITERS})
    if bad:
        raise X12TextError(f'"{value}" holds the X12 delimiter {" ".join(bad)}, which cannot be '
                           "removed from an identifier")
    if not _X12_ALLOWED.fullmatch(text):
        raise X12TextError(f'"{value}" has characters X12 cannot carry')
    if len(text) > max_len:
        raise X12TextError(f'"{value}" is longer than the {max_len} characters X12 allows')
    return text


def submitter(pharmacy: PharmacyRead) -> tuple[str, str, str]:
    """(ISA05 qualifier, submitter id, name): the clearinghouse settings, else the pharmacy."""
    return (pharmacy.submitter_id_qualifier or "ZZ", pharmacy.submitter_id or pharmacy.npi,
            pharmacy.submitter_name or pharmacy.name)


def receiver(pharmacy: PharmacyRead, payer: PayerRead) -> tuple[str, str, str]:
    """(ISA07 qualifier, receiver id, name): the clearinghouse, else the payer itself."""
    if pharmacy.receiver_id:
        return (pharmacy.receiver_id_qualifier or "ZZ", pharmacy.receiver_id,
                pharmacy.receiver_name or pharmacy.receiver_id)
    return "ZZ", payer.payer_id, payer.name


def interchanges(drafts: Iterable[ClaimDraft], pharmacy: PharmacyRead
                 ) -> list[tuple[tuple[str, str, str], list[ClaimDraft]]]:
    """837P interchanges: one for the clearinghouse, or one per payer until one is configured
    (the receiver id then is the payer's id)."""
    names: dict[tuple[str, str], tuple[str, str, str]] = {}
    out: dict[tuple[str, str], list[ClaimDraft]] = {}
    for d in drafts:
        rec = receiver(pharmacy, d.payer)
        # one interchange per receiver id: two plans sharing a payer id are one receiver
        names.setdefault(rec[:2], rec)
        out.setdefault(rec[:2], []).append(d)
    return [(names[key], group) for key, group in out.items()]


X12Field = tuple[str, str | None, int, bool]


def x12_fields(draft: ClaimDraft, pharmacy: PharmacyRead) -> list[X12Field]:
    """(label, value, X12 maximum length, is an identifier) of every value the 837P carries
    from the database; the writer cleans the same values with x12_text / x12_id."""
    p, c, pay = draft.patient, draft.coverage, draft.payer
    sub_q, sub_id, sub_name = submitter(pharmacy)
    _, rec_id, rec_name = receiver(pharmacy, pay)
    fields: list[X12Field] = [
        ("submitter id", sub_id, 15, True),
        ("submitter name", sub_name, 60, False),
        ("submitter contact", pharmacy.submitter_contact_name or pharmacy.name, 60, False),
        ("receiver id", rec_id, 15, True),
        ("receiver name", rec_name, 60, False),
        ("pharmacy name", pharmacy.name, 60, False),
        ("pharmacy address", pharmacy.address_line1, 55, False),
        ("pharmacy city", pharmacy.city, 30, False),
        ("patient last name", p.last_name, 60, False),
        ("patient first name", p.first_name, 35, False),
        ("patient address", p.address_line1, 55, False),
        ("patient city", p.city, 30, False),
        ("member id", c.member_id, 80, True),
        ("payer name", pay.name, 60, False),
        ("payer id", pay.payer_id, 80, True),
        ("patient account number", draft.account_number, 38, True),
    ]
    if pharmacy.address_line2:
        fields.append(("pharmacy address line 2", pharmacy.address_line2, 55, False))
    if p.address_line2:
        fields.append(("patient address line 2", p.address_line2, 55, False))
    if c.group_number:
        fields.append(("group number", c.group_number, 50, True))
    if c.relationship != "self":
        fields += [("subscriber last name", c.subscriber_last_name, 60, False),
                   ("subscriber first name", c.subscriber_first_name, 35, False)]
    for prescriber in {pr.id: pr for pr in draft.line_prescribers.values() if pr}.values():
        fields += [("prescriber last name", prescriber.last_name, 60, False),
                   ("prescriber first name", prescriber.first_name, 35, False)]
    for number in dict.fromkeys(ln.authorization_number for ln in draft.lines):
        if number:
            fields.append(("authorization number", number, 50, True))
    if draft.original_reference:
        fields.append(("original claim reference", draft.original_reference, 50, True))
    return fields
