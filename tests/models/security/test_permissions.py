"""Issue 12 item 1: the role x action matrix, refused by the services themselves (not only
by buttons the GUI hides). Every action of the permission table is tried by every role
through a real service on the example pharmacy; what is allowed gets past the check (it may
still fail for its own reasons), what is not is refused with PermissionDenied naming the
account, the action and the roles that may."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlmodel import Session

from models.billing.packet_data import load_packet_data
from models.claims.batches import set_payer_claim_number
from models.db import unit_of_work
from models.demo import load_demo
from models.errors import DomainError
from models.interchange.write import export_document
from models.records import clinical, reference, registry
from models.records.attachments import add_attachment
from models.security import accounts
from models.security import permissions as P
from models.security.access import open_patient, read_trail
from models.security.permissions import PERMISSIONS, ROLES, PermissionDenied

from .conftest import CHEAP, PASSWORD

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)


def _void(kind, record_id):
    return lambda s, actor: clinical.void_record(s, actor=actor, kind=kind,
                                                 record_id=record_id, reason="matrix test")


def _payer(s: Session, actor: str):
    payer = reference.get_payer(s, "bcx")
    return reference.save_payer(s, actor=actor, data=registry.PAYER.base.model_validate(payer))


TRIES: dict[str, Callable[[Session, str], object]] = {
    P.VIEW_CLINICAL: lambda s, a: open_patient(s, actor=a, patient_id="p-1001"),
    P.RECORD_ORDER: _void(registry.ORDER, "o-1"),
    P.RECORD_PREP: _void(registry.PREP_NOTE, "rx-1"),
    P.RECORD_DELIVERY: _void(registry.DELIVERY, "d-1"),
    P.RECORD_MAR: _void(registry.INFUSION, "mar-1"),
    P.RECORD_CARE_NOTE: _void(registry.CARE_NOTE, "cn-1"),
    # R34: no visit "nv-1" exists; past the check the void is refused for that
    P.RECORD_VISIT: _void(registry.NURSING_VISIT, "nv-1"),
    P.EDIT_REFERENCE: _payer,
    P.ATTACH: lambda s, a: add_attachment(s, actor=a, patient_id="p-1001", filename="x.pdf",
                                          content=b"%PDF-1.4 not really"),
    P.PACKETS: lambda s, a: load_packet_data(
        s, patient_id="p-1001", start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31),
        prepared_by=a, created_at=dt.datetime(2026, 2, 1)),
    P.CLAIMS: lambda s, a: set_payer_claim_number(s, actor=a, account_number="NO-SUCH",
                                                  number="123"),
    P.IMPORT: lambda s, a: load_demo(s, actor=a, seed=1, today=dt.date(2026, 2, 1)),
    P.EXPORT: lambda s, a: export_document(s, actor=a),
    P.BACKUP: lambda s, a: P.authorize(s, a, P.BACKUP),  # a file copy: main.py's backup/restore
    P.ACCOUNTS: lambda s, a: accounts.add_account(s, actor=a, username=f"new-{a}",
                                                  roles=["nurse"], password=PASSWORD,
                                                  hasher=CHEAP),
    P.AUDIT: lambda s, a: read_trail(s, actor=a),
}


class _Undo(Exception):
    pass


def test_every_action_of_the_table_is_tried():
    assert set(TRIES) == set(P.ACTIONS)


@pytest.mark.parametrize("role", ROLES)
def test_the_role_action_matrix_is_enforced_by_the_services(staffed, role):
    """Issue 12: billing staff cannot amend a MAR entry, a nurse cannot export claims, the
    administrator manages accounts and sees no clinical record; each role exactly as the
    table says."""
    for action, attempt in TRIES.items():
        refused = None
        try:
            with unit_of_work(staffed) as session:
                attempt(session, role)
                raise _Undo  # nothing a matrix try writes is kept
        except PermissionDenied as exc:
            refused = exc
        except (_Undo, DomainError):
            pass  # past the permission check
        if action in PERMISSIONS[role]:
            assert refused is None, f"{role} refused {action}: {refused}"
        else:
            assert refused is not None, f"{role} was allowed to {action}"
            assert role in str(refused) and action in str(refused)


def test_the_issues_examples(staffed):
    assert P.RECORD_MAR not in PERMISSIONS["billing"]
    assert P.CLAIMS not in PERMISSIONS["nurse"]
    assert P.VIEW_CLINICAL not in PERMISSIONS["administrator"]


def test_an_administrator_given_a_clinical_role_sees_clinical_records(staffed):
    with unit_of_work(staffed) as session:
        accounts.add_account(session, actor="administrator", username="boss",
                             roles=["administrator", "pharmacist"], password=PASSWORD,
                             hasher=CHEAP)
    with unit_of_work(staffed) as session:
        open_patient(session, actor="boss", patient_id="p-1001")


def test_a_name_that_is_no_account_or_a_disabled_one_is_refused(staffed):
    with unit_of_work(staffed) as session, pytest.raises(PermissionDenied, match="not a PerDiem"):
        open_patient(session, actor="Dr. Anybody", patient_id="p-1001")
    with unit_of_work(staffed) as session:
        accounts.set_active(session, actor="administrator", username="nurse", active=False)
    with unit_of_work(staffed) as session, pytest.raises(PermissionDenied, match="disabled"):
        open_patient(session, actor="nurse", patient_id="p-1001")


def test_without_accounts_every_name_may_do_everything(example_engine):
    """A database without accounts behaves as before issue 12: the OS user acts."""
    with unit_of_work(example_engine) as session:
        clinical.void_record(session, actor="anyone", kind=registry.INFUSION,
                             record_id="mar-1", reason="no accounts yet")
        assert export_document(session, actor="anyone")["patients"]


def test_the_first_account_must_be_an_administrator_and_then_only_they_add(example_engine):
    from models.errors import ValidationFailed

    with unit_of_work(example_engine) as session, pytest.raises(ValidationFailed,
                                                                match="administrator"):
        accounts.add_account(session, actor="os", username="n", roles=["nurse"],
                             password=PASSWORD, hasher=CHEAP)
    with unit_of_work(example_engine) as session:
        accounts.add_account(session, actor="os", username="admin", roles=["administrator"],
                             password=PASSWORD, hasher=CHEAP)
    with unit_of_work(example_engine) as session, pytest.raises(PermissionDenied):
        accounts.add_account(session, actor="os", username="n", roles=["nurse"],
                             password=PASSWORD, hasher=CHEAP)


def test_a_bad_account_names_every_field(example_engine):
    from models.errors import ValidationFailed

    with unit_of_work(example_engine) as session, pytest.raises(ValidationFailed) as caught:
        accounts.add_account(session, actor="os", username="two words", roles=["chef"],
                             password="qz7!", hasher=CHEAP)
    assert {e.field for e in caught.value.errors} == {"username", "role", "password"}
    assert "qz7!" not in str(caught.value), "the password itself is never printed"


