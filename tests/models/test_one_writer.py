"""One writer, clearly (issue 13, item 2): writes begin IMMEDIATE so two PerDiems saving at
once neither collide on a new id nor fail midway, and a read is one consistent snapshot."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

from sqlalchemy import text

from models.db import open_database, snapshot, unit_of_work
from models.records import clinical, registry
from models.records.tables import InfusionBase


def save_entries(url: str, who: str, count: int, errors: list, start: threading.Barrier):
    engine = open_database(url)  # each workstation its own connection
    start.wait()
    try:
        for n in range(count):
            with unit_of_work(engine) as s:  # no id given: "highest + 1" is read inside
                clinical.create_record(s, actor=who, kind=registry.INFUSION, data=InfusionBase(
                    id="", order_id="o-1", date=dt.date(2026, 10, 1 + n % 28),
                    status="completed", dose_given=Decimal(500), notes=f"{who} {n}",
                    late_entry_reason="charted from the paper MAR (R26)"))
    except Exception as exc:  # reported to the test
        errors.append(exc)
    finally:
        engine.dispose()


def test_two_writers_saving_at_once_never_collide_on_an_id(example_engine):
    url = str(example_engine.url)
    with example_engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM infusion")).scalar()
    example_engine.dispose()
    errors: list = []
    start = threading.Barrier(2)
    threads = [threading.Thread(target=save_entries, args=(url, who, 25, errors, start))
               for who in ("jia", "sam")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with example_engine.connect() as conn:
        ids = conn.execute(text("SELECT id FROM infusion")).scalars().all()
    assert len(ids) == before + 50 and len(set(ids)) == len(ids)


def test_a_read_sees_one_state_while_another_process_writes(example_engine):
    """An export or a packet reads in one snapshot: a write committed meanwhile is not half
    in it."""
    other = open_database(str(example_engine.url))
    try:
        with snapshot(example_engine) as s:
            first = s.execute(text("SELECT count(*) FROM infusion")).scalar()
            with unit_of_work(other) as w:
                clinical.create_record(w, actor="sam", kind=registry.INFUSION,
                                       data=InfusionBase(id="late", order_id="o-1",
                                                         date=dt.date(2026, 10, 9),
                                                         status="completed",
                                                         late_entry_reason="paper MAR"))
            assert s.execute(text("SELECT count(*) FROM infusion")).scalar() == first
        with snapshot(example_engine) as s:
            assert s.execute(text("SELECT count(*) FROM infusion")).scalar() == first + 1
    finally:
        other.dispose()


MOUNTS = """/dev/sda1 / ext4 rw,relatime 0 0
server:/export/pharmacy /mnt/pharmacy nfs4 rw,relatime 0 0
//nas/share /mnt/nas\\040share cifs rw 0 0
tmpfs /tmp tmpfs rw 0 0
"""


def test_a_database_on_a_network_file_system_is_refused_with_the_reason():
    from pathlib import Path

    from models.dbfile import mount_type, network_problem

    assert mount_type(Path("/mnt/pharmacy/perdiem.sqlite"), MOUNTS) == "nfs4"
    assert mount_type(Path("/mnt/nas share/perdiem.sqlite"), MOUNTS) == "cifs"
    assert mount_type(Path("/mnt/pharmacy-local/perdiem.sqlite"), MOUNTS) == "ext4"
    problem = network_problem(Path("/mnt/pharmacy/perdiem.sqlite"), MOUNTS)
    assert problem is not None and "network file system (nfs4)" in problem
    assert "cannot lock a file there reliably" in problem
    assert network_problem(Path("/tmp/perdiem.sqlite"), MOUNTS) is None


def test_opening_a_database_on_a_network_file_system_is_refused(tmp_path, monkeypatch):
    import pytest

    from models import db, dbfile
    from models.errors import DomainError

    here = dbfile.mount_type(tmp_path)
    mounts = f"server:/export {tmp_path} nfs rw 0 0\n"
    monkeypatch.setattr(db, "network_problem",  # this folder, as if it were mounted over NFS
                        lambda path: dbfile.network_problem(path, mounts))
    with pytest.raises(DomainError, match=r"network file system \(nfs\)"):
        db.open_database(f"sqlite:///{tmp_path / 'shared.sqlite'}")
    assert not (tmp_path / "shared.sqlite").exists(), "nothing was created there"
    assert here is not None
