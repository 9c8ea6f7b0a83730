"""Properties of the billing rules (R1-R18) and the claim drafts (R19-R23) that hold for any
pharmacy: checked by hypothesis on small random pharmacies (pharmacy_strategies.py).

docs/testing.md lists each property and what it means for a biller.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.billing.rules import (
    BILLABLE,
    HOLD,
    NOT_BILLABLE,
    NOT_BILLABLE_REASONS,
    REASON_ORDER,
    STATUSES,
    BillingData,
    authorization_units,
    authorization_usage,
    billed_coverage,
    evaluate,
)
from models.claims import claim as claims_claim
from models.claims import drafts as claims_drafts
from models.records.tables import (
    AuthorizationRead,
    CareNoteRead,
    DeliveryRead,
    OrderRead,
    PharmacyRead,
    PlanOfCareRead,
    PrepNoteRead,
)
from tests.support.billing_reference import reference_evaluate
from tests.support.pharmacy_strategies import (
    PRESCRIBERS,
    authorization,
    care_note,
    delivery,
    pharmacies,
    plan,
    prep_note,
    windows,
)

PROPERTY = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
PHARMACY = PharmacyRead(id=1, name="Riverbend Home Infusion", npi="1234567893",
                        tax_id="371234567", taxonomy="3336H0001X", address_line1="400 Market St",
                        city="Peoria", state="IL", zip="616021234", phone="3095550142")


def service_days(data: BillingData, start=None, end=None, patient_id=None) -> set:
    """(order id, date) of every day with at least one MAR entry, whatever its status (R1)."""
    patient_of = {o.id: o.patient_id for o in data.orders}
    return {(e.order_id, e.date) for e in data.infusions
            if (patient_id is None or patient_of[e.order_id] == patient_id)
            and (start is None or e.date >= start) and (end is None or e.date <= end)}


def by_day(rows) -> dict:
    return {(r.order_id, r.date): r for r in rows}


@PROPERTY
@given(data=pharmacies(), window=windows(), one_patient=st.booleans())
def test_every_service_day_has_exactly_one_row(data, window, one_patient):
    start, end = window
    patient_id = "p0" if one_patient else None
    rows = evaluate(data, start, end, patient_id)
    keys = [(r.order_id, r.date) for r in rows]
    assert len(keys) == len(set(keys)), "a service day has two rows"
    assert set(keys) == service_days(data, start, end, patient_id)
    assert [(r.patient_id, r.date, r.order_id) for r in rows] == sorted(
        (r.patient_id, r.date, r.order_id) for r in rows)
    orders = {o.id: o for o in data.orders}
    for r in rows:
        assert (r.patient_id, r.code) == (orders[r.order_id].patient_id,
                                          orders[r.order_id].per_diem_code)


@PROPERTY
@given(data=pharmacies(), window=windows())
def test_the_three_statuses_add_up_to_the_service_days(data, window):
    start, end = window
    rows = evaluate(data, start, end)
    counts = Counter(r.status for r in rows)
    assert set(counts) <= set(STATUSES)
    assert sum(counts[s] for s in STATUSES) == len(service_days(data, start, end))
    for r in rows:
        # each status says the same as its reasons: R1-R4 make a day not billable, R5-R12 hold it
        assert list(r.reasons) == sorted(set(r.reasons), key=REASON_ORDER.index)
        if r.status == NOT_BILLABLE:
            assert r.reasons and set(r.reasons) <= NOT_BILLABLE_REASONS
            assert r.modifiers == () and r.authorization_id is None
        elif r.status == HOLD:
            assert r.reasons and not set(r.reasons) & NOT_BILLABLE_REASONS
        else:
            assert r.status == BILLABLE and r.reasons == ()
        if r.status != NOT_BILLABLE:
            assert r.payer_id is not None and len(r.modifiers) == len(set(r.modifiers)) <= 4


@PROPERTY
@given(data=pharmacies(), window=windows())
def test_a_period_gives_the_rows_the_whole_history_gives_for_it(data, window):
    """The windowed evaluation (issue 8) and the former full-history one agree on any data."""
    start, end = window
    rows = evaluate(data, start, end)
    assert rows == reference_evaluate(data, start, end)
    assert rows == [r for r in evaluate(data) if (start is None or r.date >= start)
                    and (end is None or r.date <= end)]


@PROPERTY
@given(data=pharmacies())
def test_r13_never_spends_more_units_than_an_authorization_holds(data):
    rows = evaluate(data)
    auths = {a.id: a for a in data.authorizations}
    used = authorization_usage(data)
    assert used == authorization_units(data)
    assert used == dict(Counter(r.authorization_id for r in rows if r.authorization_id))
    for auth_id, n in used.items():
        assert 0 < n <= auths[auth_id].units
    orders = {o.id: o for o in data.orders}
    for r in rows:
        payer = data.payers.get(r.payer_id or "")
        chain = [a for a in data.authorizations
                 if (a.patient_id, a.payer_id, a.code) == (r.patient_id, r.payer_id, r.code)
                 and a.covers(r.date)]
        if r.authorization_id:  # the unit came from an authorization for this very day (R13)
            assert auths[r.authorization_id] in chain and payer.requires_prior_auth
            assert r.authorization_number == auths[r.authorization_id].number
        if "authorization-exhausted" in r.reasons:  # R6: every covering one is used up
            assert chain and all(used.get(a.id, 0) == a.units for a in chain)
        if "no-authorization" in r.reasons:  # R5
            assert not chain and payer.requires_prior_auth
        if r.status != NOT_BILLABLE and payer.requires_prior_auth:
            assert bool(r.authorization_id) != any(
                x in r.reasons for x in ("authorization-exhausted", "no-authorization"))
        assert orders[r.order_id].patient_id == r.patient_id


@PROPERTY
@given(data=pharmacies(), window=windows(), fmt=st.sampled_from(claims_claim.FORMATS))
def test_a_claims_total_is_the_sum_of_its_lines_and_each_billable_day_is_claimed_once(
        data, window, fmt):
    start, end = (window[0] or dt.date.min, window[1] or dt.date.max)
    days = evaluate(data)
    drafts = claims_drafts.draft_claims(days, data, PRESCRIBERS, PHARMACY, start=start, end=end,
                                 fmt=fmt)
    billable = [d for d in days if d.status == BILLABLE and start <= d.date <= end]
    claimed = [k for draft in drafts for k in draft.days]
    assert sorted(claimed) == sorted((d.order_id, d.date) for d in billable)
    assert sum(draft.per_diem_units for draft in drafts) == len(billable)
    orders = {o.id: o for o in data.orders}
    for draft in drafts:
        assert draft.total_charge == sum((ln.charge for ln in draft.lines), Decimal(0))
        assert draft.total_charge == claims_claim.money(draft.total_charge)
        assert not any("differs from the sum" in p for p in draft.problems)
        for ln in draft.lines:
            assert draft.month <= ln.start <= ln.end <= claims_claim.month_end(draft.month)
            rate = (ln.unit_charge or Decimal(0))
            assert ln.charge == claims_claim.money(rate * ln.units)
            if ln.kind == claims_claim.PER_DIEM:
                assert ln.units == (ln.end - ln.start).days + 1
                assert ln.unit_charge == orders[ln.order_id].per_diem_rate
        payer_days = {(d.order_id, d.date): d.payer_id for d in days}
        for key in draft.days:  # R19: one patient, payer and member id in one month
            assert payer_days[key] == draft.payer.id
            assert claims_claim.month_of(key[1]) == draft.month
            cov = billed_coverage(draft.patient.coverages, key[1])
            assert cov.member_id == draft.coverage.member_id


# --- adding a missing document never makes a billable day hold ---------------------------

# A document for a random order (or patient), or one made for a service day of the pharmacy:
# dated up to a few days before it and reaching a few days past it, so it often is the
# document that day was missing.
DOCUMENTS = {
    "plan of care": lambda draw, o, p, payers: plan(draw, "new-poc", o),
    "preparation note": lambda draw, o, p, payers: prep_note(draw, "new-rx", o),
    "delivery": lambda draw, o, p, payers: delivery(draw, "new-d", o),
    "care note": lambda draw, o, p, payers: care_note(draw, "new-cn", p),
    "authorization": lambda draw, o, p, payers: authorization(draw, "new-pa", p, payers),
}
FIELD = {"plan of care": "plans_of_care", "preparation note": "prep_notes",
         "delivery": "deliveries", "care note": "care_notes", "authorization": "authorizations"}
NEAR = st.integers(0, 6)


def document_for(draw, kind: str, order: OrderRead, day: dt.date, data: BillingData):
    """A document of `kind` that covers `day` of `order`."""
    before, after = (day - dt.timedelta(days=draw(NEAR)), day + dt.timedelta(days=draw(NEAR)))
    if kind == "plan of care":
        return PlanOfCareRead(id="new-poc", order_id=order.id, start_date=before,
                              end_date=after)
    if kind == "preparation note":
        return PrepNoteRead(id="new-rx", order_id=order.id, date=before, pharmacist="R",
                            beyond_use_date=after)
    if kind == "delivery":
        return DeliveryRead(id="new-d", order_id=order.id, date=before)
    if kind == "care note":
        return CareNoteRead(id="new-cn", patient_id=order.patient_id, author="J", text="t",
                            date=day - dt.timedelta(days=draw(st.integers(0, 29))))
    cov = billed_coverage(data.patients[order.patient_id].coverages, day)
    return AuthorizationRead(id="new-pa", patient_id=order.patient_id,
                             payer_id=cov.payer_id if cov else "pay0", number="NEW",
                             code=order.per_diem_code, start_date=before, end_date=after,
                             units=draw(st.integers(1, 3)))


@st.composite
def with_a_document_added(draw) -> tuple[BillingData, BillingData, str, object]:
    data = draw(pharmacies())
    kind = draw(st.sampled_from([*DOCUMENTS, "signature"]))
    orders = {o.id: o for o in data.orders}
    entry = draw(st.sampled_from(data.infusions)) if data.infusions and draw(
        st.booleans()) else None
    order = orders[entry.order_id] if entry else draw(st.sampled_from(data.orders))
    if kind == "signature":  # R7: the prescriber's signature is recorded on an unsigned order
        signed = order.model_copy(update={"signed_date": order.signed_date or order.start_date})
        added = dataclasses.replace(
            data, orders=[signed if o.id == order.id else o for o in data.orders])
        return data, added, kind, signed
    if entry:
        doc = document_for(draw, kind, order, entry.date, data)
    else:
        doc = DOCUMENTS[kind](draw, order.id, order.patient_id, list(data.payers))
    added = dataclasses.replace(data, **{FIELD[kind]: [*getattr(data, FIELD[kind]), doc]})
    return data, added, kind, doc


def _r10_latest_note_exception(before, after, note, data: BillingData) -> bool:
    """R10 counts only deliveries since the latest covering preparation note: a new note dated
    after the day's delivery leaves the day without one until the new batch's delivery is
    recorded. The only billable-to-hold change documents can make (docs/testing.md)."""
    day = after.date
    return (after.reasons == ("missing-delivery",) and after.order_id == note.order_id
            and note.date <= day <= note.beyond_use_date
            and not any(d.order_id == note.order_id and note.date <= d.date <= day
                        for d in data.deliveries))


@PROPERTY
@given(case=with_a_document_added())
def test_adding_a_missing_document_never_turns_a_billable_day_to_hold(case):
    data, added, kind, doc = case
    before, after = by_day(evaluate(data)), by_day(evaluate(added))
    assert before.keys() == after.keys()
    for key, row in before.items():
        new = after[key]
        if row.status == NOT_BILLABLE:  # R1-R4 read no document
            assert new == row
        elif row.status == BILLABLE and new.status != BILLABLE:
            assert kind == "preparation note", (kind, doc, row, new)
            assert _r10_latest_note_exception(row, new, doc, added), (doc, row, new)
        elif kind not in ("preparation note", "authorization"):
            # a plan, delivery, care note or signature only ever takes reasons away
            assert set(new.reasons) <= set(row.reasons), (kind, doc, row, new)
