"""The encrypted database option (issue 12, item 4; models/cipher.py, models/conversion.py):
a file `sqlite3` cannot read and PerDiem can, a wrong key refused in words, the backups,
pre-upgrade copies and restores of an encrypted file encrypted with the same key, and
`encrypt`/`decrypt` leaving the pharmacy's billing exactly as it was."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

import main
from models import backup, cipher, conversion, db

KEY = "correct horse battery staple"
OCTOBER = ("--from", "2026-10-01", "--to", "2026-10-31", "--today", "2026-11-27")


def db_file(engine) -> Path:
    return Path(str(engine.url.database))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main.main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def last_names(path: Path, key: str | None = None) -> list[str]:
    with closing(cipher.connect(path, key)) as conn:
        return [r[0] for r in conn.execute("SELECT last_name FROM patient ORDER BY id")]


def unreadable_by_stdlib(path: Path) -> bool:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        return "not a database" in str(exc)
    return False


@pytest.fixture
def encrypted(example_engine, monkeypatch, capsys) -> Path:
    """The example database, encrypted with KEY by `perdiem encrypt`."""
    path = db_file(example_engine)
    example_engine.dispose()
    monkeypatch.setenv(cipher.KEY_VARIABLE, KEY)
    status, out, err = run(capsys, "encrypt", "--db", str(path))
    assert status == 0, err
    assert f"{path} is now encrypted" in out
    monkeypatch.delenv(cipher.KEY_VARIABLE)
    return path


def test_an_encrypted_database_sqlite3_cannot_read_and_perdiem_can(example_engine, monkeypatch,
                                                                   capsys):
    path = db_file(example_engine)
    example_engine.dispose()
    names = last_names(path)
    assert names and names[0].encode() in path.read_bytes(), "a plain file shows the names"

    monkeypatch.setenv(cipher.KEY_VARIABLE, KEY)
    status, _, err = run(capsys, "encrypt", "--db", str(path))
    assert status == 0, err

    assert cipher.is_encrypted(path) and path.stat().st_mode & 0o777 == 0o600
    assert names[0].encode() not in path.read_bytes(), "no name readable in the file"
    assert unreadable_by_stdlib(path), "the stdlib sqlite3 module cannot read it"
    if shutil.which("sqlite3"):  # the sqlite3 command-line tool, where installed
        tool = subprocess.run(["sqlite3", str(path), "SELECT last_name FROM patient"],
                              capture_output=True, text=True)
        assert tool.returncode != 0 and "not a database" in tool.stderr
        assert names[0] not in tool.stdout

    engine = db.open_database(f"sqlite:///{path}", key=KEY)
    with engine.connect() as conn:
        read = [r[0] for r in conn.execute(text("SELECT last_name FROM patient ORDER BY id"))]
    engine.dispose()
    assert read == names
    status, out, err = run(capsys, "--db", str(path), "billable-days", *OCTOBER)
    assert status == 0, err
    assert out.startswith("patient,order,date,") and "\np-1001," in out


def test_a_wrong_key_is_refused_in_words_and_changes_nothing(encrypted, monkeypatch, capsys):
    before = encrypted.read_bytes()
    monkeypatch.setenv(cipher.KEY_VARIABLE, "not the passphrase at all")
    status, out, err = run(capsys, "--db", str(encrypted), "billable-days", *OCTOBER)
    assert status == 1 and out == ""
    assert f"The passphrase does not open {encrypted}" in err
    assert "Traceback" not in err and "hmac" not in err.lower(), "PerDiem's words only"
    assert encrypted.read_bytes() == before
    with pytest.raises(cipher.WrongKey, match="passphrase does not open"):
        db.open_database(f"sqlite:///{encrypted}", key="not the passphrase at all")


def test_without_a_key_the_message_says_where_the_passphrase_goes(encrypted, capsys):
    status, _, err = run(capsys, "--db", str(encrypted), "month", "--month", "2026-10")
    assert status == 1
    assert "encrypted and no passphrase was given ($PERDIEM_DB_KEY" in err
    assert "Traceback" not in err


def test_backups_of_an_encrypted_database_are_encrypted_with_its_key(encrypted, tmp_path,
                                                                      monkeypatch, capsys):
    names = last_names(encrypted, KEY)
    copies = backup.backup_folder(encrypted)
    shutil.rmtree(copies, ignore_errors=True)
    db.open_database(f"sqlite:///{encrypted}", key=KEY, daily_backup=True).dispose()
    (daily,) = copies.glob("*.sqlite")
    monkeypatch.setenv(cipher.KEY_VARIABLE, KEY)
    out_copy = tmp_path / "copy.sqlite"
    status, _, err = run(capsys, "--db", str(encrypted), "backup", "--out", str(out_copy))
    assert status == 0, err
    for copy in (daily, out_copy):
        assert cipher.is_encrypted(copy) and unreadable_by_stdlib(copy), copy
        assert backup.file_problem(copy, quick=False) is not None, "no key, no check"
        assert backup.file_problem(copy, quick=False, key=KEY) is None
        assert backup.file_problem(copy, key="a wrong passphrase").startswith(
            "the passphrase does not open it")
        assert last_names(copy, KEY) == names
        assert copy.stat().st_mode & 0o777 == 0o600


def test_restore_keeps_the_database_encrypted_even_from_a_copy_taken_before(
        example_engine, tmp_path, monkeypatch, capsys):
    path = db_file(example_engine)
    example_engine.dispose()
    plain_copy = backup.online_copy(path, tmp_path / "before-encryption.sqlite")
    monkeypatch.setenv(cipher.KEY_VARIABLE, KEY)
    assert run(capsys, "encrypt", "--db", str(path))[0] == 0

    status, out, err = run(capsys, "--db", str(path), "restore", str(plain_copy))
    assert status == 0, err
    assert cipher.is_encrypted(path) and unreadable_by_stdlib(path)
    assert last_names(path, KEY) == last_names(plain_copy)
    (kept,) = backup.backup_folder(path).glob("*-before-restore-*.sqlite")
    assert cipher.is_encrypted(kept) and backup.file_problem(kept, key=KEY) is None


def test_an_encrypted_database_is_upgraded_with_its_key_and_its_copy_encrypted(tmp_path):
    revisions = list(reversed([r.revision for r in db.ScriptDirectory.from_config(
        db.alembic_config(None)).walk_revisions()]))  # type: ignore[arg-type]
    path = tmp_path / "old.sqlite"
    old = db.make_engine(f"sqlite:///{path}")
    command.upgrade(db.alembic_config(old), revisions[0])
    old.dispose()
    conversion.convert(path, None, KEY)
    assert backup.schema_revision(path, KEY) == revisions[0]

    engine = db.open_database(f"sqlite:///{path}", key=KEY)
    assert db.current_revision(engine) == db.head_revision()
    engine.dispose()
    saved = db.backup_name(path, revisions[0])
    assert cipher.is_encrypted(saved) and unreadable_by_stdlib(saved)
    assert backup.schema_revision(saved, KEY) == revisions[0]
    assert backup.schema_revision(path, KEY) == db.head_revision()


def test_encrypt_then_decrypt_gives_the_same_billable_days(demo_engine, monkeypatch, capsys):
    path = db_file(demo_engine)
    demo_engine.dispose()
    status, plain_csv, err = run(capsys, "--db", str(path), "billable-days", *OCTOBER)
    assert status == 0 and plain_csv.count("\n") > 100, err

    monkeypatch.setenv(cipher.KEY_VARIABLE, KEY)
    assert run(capsys, "encrypt", "--db", str(path))[0] == 0
    status, encrypted_csv, err = run(capsys, "--db", str(path), "billable-days", *OCTOBER)
    assert status == 0, err
    assert encrypted_csv == plain_csv
    status, out, err = run(capsys, "decrypt", "--db", str(path))
    assert status == 0, err
    assert f"{path} is now decrypted" in out
    monkeypatch.delenv(cipher.KEY_VARIABLE)

    assert cipher.is_plain(path)
    for copy in backup.list_backups(path):  # its copies open without a key again
        assert cipher.is_plain(copy.path), copy.path
    status, decrypted_csv, err = run(capsys, "--db", str(path), "billable-days", *OCTOBER)
    assert status == 0, err
    assert decrypted_csv == plain_csv
    status, trail, _ = run(capsys, "--db", str(path), "audit")
    assert ",encrypted," in trail and ",decrypted," in trail


def test_encrypt_refuses_a_short_passphrase_and_a_second_encryption(encrypted, monkeypatch,
                                                                      capsys):
    before = encrypted.read_bytes()
    monkeypatch.setenv(cipher.KEY_VARIABLE, KEY)
    status, _, err = run(capsys, "encrypt", "--db", str(encrypted))
    assert status == 1 and "is encrypted already" in err
    assert encrypted.read_bytes() == before

    monkeypatch.setenv(cipher.KEY_VARIABLE, "short")
    plain = encrypted.with_name("plain.sqlite")
    backup.online_copy(encrypted, plain, KEY, target_key=None)
    status, _, err = run(capsys, "encrypt", "--db", str(plain))
    assert status == 1 and "at least 10 characters" in err and "nothing was changed" in err
    assert cipher.is_plain(plain)


def test_decrypt_of_a_plain_file_says_there_is_nothing_to_decrypt(example_engine, capsys):
    path = db_file(example_engine)
    example_engine.dispose()
    status, _, err = run(capsys, "decrypt", "--db", str(path))
    assert status == 1 and "is not encrypted" in err


@pytest.fixture
def no_keyring():
    """A computer without a keyring backend (keyring's `fail` backend, as on this Linux machine
    unless a desktop session's Secret Service answers)."""
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def test_without_a_keyring_the_terminal_is_asked_and_says_so(encrypted, no_keyring,
                                                             monkeypatch, capsys):
    """No keyring: PerDiem asks for the passphrase on the terminal, saying why."""
    assert cipher.keyring_problem() is not None
    asked = []

    class Terminal:
        def isatty(self) -> bool:
            return True

    def getpass(prompt: str) -> str:
        asked.append(prompt)
        return KEY

    monkeypatch.setattr(main.sys, "stdin", Terminal())
    monkeypatch.setattr(main.getpass, "getpass", getpass)
    status, out, err = run(capsys, "--db", str(encrypted), "billable-days", *OCTOBER)
    assert status == 0, err
    assert asked == [f"Passphrase for {encrypted}: "]
    assert "no system keyring" in err and "asking for the passphrase" in err


def test_a_passphrase_remembered_in_the_keyring_opens_the_database(example_engine, monkeypatch,
                                                                   capsys):
    """With a keyring backend (here an in-memory one, through keyring's own backend API)
    `encrypt --remember` stores the passphrase and later commands take it from there;
    `decrypt` removes it."""
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.store: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    try:
        path = db_file(example_engine)
        example_engine.dispose()
        monkeypatch.setenv(cipher.KEY_VARIABLE, KEY)
        status, out, err = run(capsys, "encrypt", "--db", str(path), "--remember")
        assert status == 0 and "stored in the system keyring" in out, err
        monkeypatch.delenv(cipher.KEY_VARIABLE)
        assert list(ring.store.values()) == [KEY]
        status, out, err = run(capsys, "--db", str(path), "billable-days", *OCTOBER)
        assert status == 0, err
        assert run(capsys, "decrypt", "--db", str(path))[0] == 0
        assert ring.store == {}
    finally:
        keyring.set_keyring(previous)


def test_a_plain_database_stays_plain_when_restored_with_a_key_set(example_engine, tmp_path,
                                                                   monkeypatch, capsys):
    path = db_file(example_engine)
    example_engine.dispose()
    copy = backup.online_copy(path, tmp_path / "monday.sqlite")
    monkeypatch.setenv(cipher.KEY_VARIABLE, KEY)  # set for another database, say
    status, _, err = run(capsys, "--db", str(path), "restore", str(copy))
    assert status == 0, err
    assert cipher.is_plain(path), "restoring never encrypts a plain database by itself"
    assert last_names(path) == last_names(copy)
