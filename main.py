"""PerDiem's composition root: the command line, and the desktop app when no command is given.

Qt is imported only when the GUI starts, so every command runs on a machine without a display.
One module over 400 lines on purpose: the parser and one short function per command, read
together as the command line's reference (the top level keeps this one file).
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import getpass
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not a date in the form YYYY-MM-DD') from None


def _month(text: str) -> tuple[int, int]:
    try:
        first = dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not a month in the form YYYY-MM') from None
    return first.year, first.month


def _today(parser: argparse.ArgumentParser) -> None:
    """R24: the date a command judges dates by (models/clock.py)."""
    parser.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                        help="take this date as today (default: $PERDIEM_TODAY, then the local "
                        "date)")


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (e.g. in a container): still say who acted
        return "staff"


def build_parser() -> argparse.ArgumentParser:
    from models.security.permissions import ROLES

    parser = argparse.ArgumentParser(
        prog="perdiem",
        description="PerDiem: per diem billing and audit documentation for home infusion.",
    )
    parser.add_argument("--db", help="database file (default: $PERDIEM_DB, then perdiem.sqlite "
                        "in the user data folder)")
    parser.add_argument("--user", metavar="NAME",
                        help="the staff account acting; once the database has accounts it is "
                        "required, with the password from the terminal or $PERDIEM_PASSWORD "
                        "(without accounts: the name recorded, default the OS user)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("import", help="import an interchange JSON file (all or nothing)")
    p.add_argument("file", type=Path)
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress on stderr (errors are still reported)")
    _today(p)

    p = sub.add_parser("export", help="export everything as an interchange JSON file")
    p.add_argument("file", type=Path)

    p = sub.add_parser("billable-days", help="the billable-days table for a period")
    p.add_argument("--from", dest="start", type=_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--patient", metavar="ID")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--out", type=Path, metavar="FILE")
    p.add_argument("--with-claims", action="store_true",
                   help="append claimed_batch, claimed_on and claim columns")
    _today(p)

    p = sub.add_parser("billable-visits", help="the nursing visits of a period with their "
                       "99601/99602 units, status and reasons (R34), as CSV")
    p.add_argument("--from", dest="start", type=_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--patient", metavar="ID")
    p.add_argument("--out", type=Path, metavar="FILE")
    _today(p)

    p = sub.add_parser("month", help="the pharmacy's billing month as CSV, as the month view "
                       "exports it")
    p.add_argument("--month", type=_month, required=True, metavar="YYYY-MM")
    p.add_argument("--format", choices=("csv",), default="csv")
    p.add_argument("--status", metavar="STATUS",
                   help="only patients with a day of this status: billable, hold, not-billable")
    p.add_argument("--reason", metavar="CODE", help="only patients with a day held or refused "
                   "for this reason, e.g. missing-delivery")
    p.add_argument("--payer", metavar="ID", help='only patients with a day billing this payer '
                   '("none": a day without a primary coverage)')
    p.add_argument("--out", type=Path, metavar="FILE")
    _today(p)

    p = sub.add_parser("worklist", help="today's work list: entries not yet logged, holds, "
                       "authorizations, beyond-use dates, care notes, unsigned orders, claims")
    p.add_argument("--out", type=Path, metavar="FILE")
    _today(p)

    p = sub.add_parser("claims", help="claim drafts (837P, CMS-1500 or CSV) for a period")
    p.add_argument("--from", dest="start", type=_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_date, required=True, metavar="YYYY-MM-DD")
    p.add_argument("--format", choices=("837p", "cms1500", "csv"), required=True)
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    p.add_argument("--patient", metavar="ID")
    p.add_argument("--rebill", action="store_true",
                   help="replace claims already written for the period (frequency 7)")
    p.add_argument("--data-only", action="store_true",
                   help="CMS-1500: print the data alone, for pre-printed red forms")
    _today(p)

    p = sub.add_parser("claim-number", help="record the payer's claim number (ICN/DCN) of a "
                       "claim, which its replacement then names")
    p.add_argument("claim", metavar="CLAIM", help="PerDiem's claim (patient account) number")
    p.add_argument("number", metavar="NUMBER", help="the payer's claim number")

    p = sub.add_parser("claim-void", help="void a sent claim (frequency 8), which releases "
                       "its days for billing again")
    p.add_argument("claim", metavar="CLAIM", help="PerDiem's claim (patient account) number")
    p.add_argument("--format", choices=("837p", "cms1500", "csv"), required=True)
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    p.add_argument("--data-only", action="store_true",
                   help="CMS-1500: print the data alone, for pre-printed red forms")

    p = sub.add_parser("claim-copy", help="write a sent claim again as a copy of what was "
                       "sent, in any format; records nothing")
    p.add_argument("claim", metavar="CLAIM", help="PerDiem's claim (patient account) number")
    p.add_argument("--format", choices=("837p", "cms1500", "csv"), required=True)
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    p.add_argument("--data-only", action="store_true",
                   help="CMS-1500: print the data alone, for pre-printed red forms")

    p = sub.add_parser("packet", help="the documentation packet (PDF) of one claim, or of one "
                       "patient and period (internal review)")
    p.add_argument("--claim", metavar="CLAIM", help="the claim number sent in CLM01: the "
                   "packet of that claim, its evidence as it stood when the claim was made")
    p.add_argument("--patient", metavar="ID")
    p.add_argument("--from", dest="start", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    _today(p)

    p = sub.add_parser("packets", help="one packet per patient with service days in a month")
    p.add_argument("--month", type=_month, required=True, metavar="YYYY-MM")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--patient-names", action="store_true",
                   help="put each patient's name in the file names (default: the patient id "
                   "only, since file names show in folder listings and backups)")
    _today(p)

    p = sub.add_parser("attach", help="store a scanned document (PDF, PNG, JPEG) for the packet")
    p.add_argument("--patient", required=True, metavar="ID")
    target = p.add_mutually_exclusive_group()
    target.add_argument("--order", metavar="ID")
    target.add_argument("--plan", metavar="ID", help="a plan of care id")
    target.add_argument("--delivery", metavar="ID")
    p.add_argument("--description", help="what the document is, e.g. signed order")
    p.add_argument("file", type=Path)

    p = sub.add_parser("backup", help="write a verified copy of the database (SQLite's "
                       "online backup, so PerDiem may stay open; a server database: pg_dump's "
                       "custom format, checked with pg_restore --list)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE")

    p = sub.add_parser("restore", help="put a backup in the database's place, after checking "
                       "it; the current database is kept as a backup first")
    p.add_argument("file", type=Path, metavar="BACKUP")

    for action, what in (("encrypt", "encrypt the database with SQLCipher (the passphrase is "
                          "asked twice, or read from $PERDIEM_DB_KEY): converted to a new file, "
                          "verified, then swapped in; its backups too"),
                         ("decrypt", "turn an encrypted database back into plain SQLite "
                          "(verified, then swapped in; its backups too)")):
        p = sub.add_parser(action, help=what)
        p.add_argument("--db", dest="sub_db", metavar="FILE",
                       help="the database file (as the --db before the command)")
        if action == "encrypt":
            p.add_argument("--remember", action="store_true",
                           help="also store the passphrase in the system keyring")

    p = sub.add_parser("migrate-db", help="copy the whole pharmacy into an EMPTY database (a "
                       "PostgreSQL server, or a new SQLite file), all or nothing, and prove "
                       "the copy: same rows per table, same billable-days (docs/server.md)")
    p.add_argument("--to", dest="target", required=True, metavar="URL_OR_FILE",
                   help="the empty target: postgresql://USER@HOST/DATABASE or a new file")
    p.add_argument("--from", dest="source", metavar="URL_OR_FILE",
                   help="the database copied (default: --db, then $PERDIEM_DB, then the "
                   "default file)")

    p = sub.add_parser("users", help="staff accounts: add, list, disable, enable")
    users = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    u = users.add_parser("add", help="add an account (the password is asked twice, or read "
                         "from $PERDIEM_NEW_PASSWORD); the first account is the administrator")
    u.add_argument("name")
    u.add_argument("--role", action="append", required=True, choices=ROLES,
                   help="a role (repeat for several)")
    users.add_parser("list", help="every account with its roles and state")
    for action, what in (("disable", "disable an account (it can no longer log in)"),
                         ("enable", "enable an account again, lifting a lock-out")):
        u = users.add_parser(action, help=what)
        u.add_argument("name")
    p = sub.add_parser("audit", help="the audit trail as CSV: who did what, and when")
    p.add_argument("--from", dest="start", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_date, metavar="YYYY-MM-DD")
    p.add_argument("--user", dest="who", metavar="NAME", help="only this staff member's rows")
    p.add_argument("--patient", metavar="ID", help="only rows about this patient")
    sub.add_parser("verify-audit", help="check the audit trail's hash chain; exit 1 naming "
                   "the first row changed or removed")
    p = sub.add_parser("demo", help="fill an empty database with demo data")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                   help="the date the demo data ends near (default: $PERDIEM_TODAY, then the "
                   "local date)")
    return parser


def _write_text(text: str, out: Path | None) -> None:
    from models.files import write_atomic

    if out is None:
        sys.stdout.write(text)
    else:
        write_atomic(out, text)


class ProgressLine:
    """An import's progress on stderr. On a terminal, one line redrawn in place and wiped at the
    end; in a log, a plain line every EVERY seconds once the import has run that long, so a
    small file adds nothing to the log."""

    EVERY = 5.0

    def __init__(self, stream: TextIO, name: str):
        self.stream, self.name = stream, name
        self.tty = stream.isatty()
        self.last = time.monotonic()
        self.printed = ""
        self.drawn = False

    def words(self, p: Any) -> str:
        if p.phase == "reading":
            size = f"{p.total / 1e6:.1f} MB" if p.total >= 1e6 else f"{p.total / 1e3:.0f} kB"
            return f"Reading {self.name} ({size})…"
        if p.phase == "checking":
            return f"Checking {p.total:,} records…"
        share = 100 * p.done // p.total if p.total else 100
        return f"Writing records: {p.done:,} of {p.total:,} ({share}%)"

    def __call__(self, p: Any) -> None:
        if self.tty:
            self.stream.write(f"\r{self.words(p)}\033[K")
            self.stream.flush()
            self.drawn = True
        elif time.monotonic() - self.last >= self.EVERY and self.words(p) != self.printed:
            self.printed = self.words(p)
            print(self.printed, file=self.stream, flush=True)
            self.last = time.monotonic()

    def close(self) -> None:
        if self.drawn:  # the summary or the errors take the line's place
            self.stream.write("\r\033[K")
            self.stream.flush()


def cmd_import(args, engine) -> int:
    from models.db import unit_of_work
    from models.interchange import read

    progress = None if args.quiet else ProgressLine(sys.stderr, args.file.name)
    warnings: list[str] = []
    try:
        doc = read.read_file(args.file, progress=progress)
        with unit_of_work(engine) as session:
            counts = read.import_document(session, actor=args.user, doc=doc, progress=progress,
                                          warnings=warnings, source=args.file.name)
    finally:
        if progress is not None:
            progress.close()
    summary = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in counts.items() if n)
    print(f"Imported from {args.file}: {summary or 'nothing new'}.")
    for warning in warnings:  # R25: imported, to be looked at
        print(f"Warning: {warning}", file=sys.stderr)
    return EXIT_OK


def cmd_export(args, engine) -> int:
    from models.db import snapshot
    from models.interchange import write

    with snapshot(engine) as session:
        doc = write.export_document(session, actor=args.user)
    write.write_file(args.file, doc)
    _audit(engine, args.user, "export", detail=args.file.name)
    print(f"Exported to {args.file}.")
    return EXIT_OK


def _audit(engine, actor: str, action: str, **what: Any) -> None:
    """One row of the audit trail in a transaction of its own (after a read: a packet, an
    export, a backup)."""
    from models.db import unit_of_work
    from models.security import audit

    with unit_of_work(engine) as session:
        audit.record(session, actor, action, **what)


def cmd_audit(args, engine) -> int:
    from models.db import snapshot
    from models.security import audit
    from models.security.access import read_trail

    with snapshot(engine) as session:
        found = read_trail(session, actor=args.user, start=args.start, end=args.end,
                           user=args.who, patient=args.patient)
        text = audit.as_csv(found)
    _write_text(text, None)
    return EXIT_OK


def cmd_verify_audit(args, engine) -> int:
    from models.db import snapshot
    from models.security import audit
    from models.security.permissions import AUDIT, authorize

    with snapshot(engine) as session:
        authorize(session, args.user, AUDIT)
        broken = audit.verify(session)
        count = len(audit.rows(session))
    if broken is not None:
        print(f"perdiem verify-audit: {broken}", file=sys.stderr)
        return EXIT_DATA
    print(f"The audit trail's {count} row{'s' if count != 1 else ''} follow one another: "
          "none was changed or removed.")
    return EXIT_OK


def cmd_billable_days(args, engine) -> int:
    from models.billing import loading
    from models.claims.batches import claimed_days
    from models.db import snapshot
    from reports import billable_days

    with snapshot(engine) as session:
        days = loading.billable_days(session, args.start, args.end, args.patient)
        claimed = (claimed_days(session, args.patient, start=args.start, end=args.end)
                   if args.with_claims else None)
    write = billable_days.to_csv if args.format == "csv" else billable_days.to_json
    _write_text(write(days, claimed), args.out)
    _billing_viewed(engine, args, "BILLABLE_DAYS", args.start, args.end, args.patient,
                    f"billable-days {args.format}" + (", with claims" if args.with_claims
                                                      else ""))
    return EXIT_OK


def _billing_viewed(engine, args, action: str, start: dt.date, end: dt.date,
                    patient: str | None, detail: str) -> None:
    """The audit row (`action`: the name of models.security.audit's constant) of a billing
    read: who, the period, the patient if one; in a transaction of its own after the read,
    as after an export."""
    from models.db import unit_of_work
    from models.security import audit
    from models.security.access import billing_viewed

    with unit_of_work(engine) as session:
        billing_viewed(session, actor=args.user, action=getattr(audit, action), start=start,
                       end=end, patient_id=patient, detail=detail)


def cmd_billable_visits(args, engine) -> int:
    from models.billing import visits
    from models.billing.visit_data import billable_visits
    from models.db import snapshot

    with snapshot(engine) as session:
        results = billable_visits(session, args.start, args.end, args.patient)
    _write_text(visits.to_csv(results), args.out)
    _billing_viewed(engine, args, "BILLABLE_VISITS", args.start, args.end, args.patient,
                    "billable-visits")
    return EXIT_OK


def cmd_month(args, engine) -> int:
    from models.billing import month, rules
    from models.db import snapshot

    if args.status is not None and args.status not in rules.STATUSES:
        raise _Fail(f'--status: "{args.status}" is not one of {", ".join(rules.STATUSES)}')
    if args.reason is not None and args.reason not in rules.REASONS:
        raise _Fail(f'--reason: "{args.reason}" is not one of {", ".join(rules.REASONS)}')
    first = dt.date(*args.month, 1)
    with snapshot(engine) as session:
        table = month.load_month(session, first)
    payer = "" if args.payer == "none" else args.payer
    if payer and payer not in dict(table.payers):
        raise _Fail(f'--payer: no payer with id "{args.payer}"')
    shown = month.MonthFilter(status=args.status, reason=args.reason, payer_id=payer)
    _write_text(month.to_csv(first, [r for r in table.rows if shown.keeps(r)]), args.out)
    filters = [f"{name} {value}" for name, value in (("status", args.status),
               ("reason", args.reason), ("payer", args.payer)) if value]
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    _billing_viewed(engine, args, "MONTH", first, last, None,
                    ", ".join(["month"] + filters))
    return EXIT_OK


def cmd_worklist(args, engine) -> int:
    from models import clock
    from models.billing import worklist
    from models.db import snapshot

    today = clock.today()
    with snapshot(engine) as session:
        work = worklist.build_worklist(session, today)
    _write_text(worklist.to_text(work), args.out)
    _billing_viewed(engine, args, "WORKLIST", today - dt.timedelta(days=worklist.HOLD_DAYS),
                    today, None, "worklist")
    return EXIT_OK


def cmd_claims(args, engine) -> int:
    from models.claims.batches import export_claims
    from models.db import transactions
    from reports.claims.claim_files import renderer

    result = export_claims(transactions(engine), actor=args.user, start=args.start,
                           end=args.end, fmt=args.format, out=args.out,
                           render=renderer(args.format, args.data_only),
                           patient_id=args.patient, rebill=args.rebill)
    preview = result.preview
    for draft in result.refused:
        print(f"Refused {draft.title}:", file=sys.stderr)
        for problem in draft.problems:
            print(f"  - {problem}", file=sys.stderr)
    warnings = [w for d in result.written for w in d.warnings]
    for warning in dict.fromkeys(warnings):
        count = warnings.count(warning)
        print(f"Warning ({count} claim{'s' if count != 1 else ''}): {warning}", file=sys.stderr)
    written = len(result.written)
    replaced = sum(1 for d in result.written if d.frequency_code == "7")
    lines = [f"{written} claim{'s' if written != 1 else ''} written"
             + (f" ({replaced} replacing earlier claims)" if replaced else "")
             + (f" to {result.where} (batch {result.batch_id})" if result.paths else "")
             + f"; total charges ${result.total_charge:,.2f}.",
             f"{len(result.refused)} claim{'s' if len(result.refused) != 1 else ''} refused"
             + (" (see the problems above)." if result.refused else ".")]
    if preview.claimed_days:
        lines.append(f"{preview.claimed_days} billable day(s) of the period are already in a "
                     "batch and were left out (use --rebill to replace their claims).")
    if preview.hold_days:
        lines.append(f"{preview.hold_days} day(s) on hold were left out until fixed "
                     "(see billable-days).")
    if not written and not result.refused:
        lines.append("No file was written.")
    print("\n".join(lines))
    # Exit 1 means "nothing written": good claims written beside refused ones is a success
    # whose refusals are listed on stderr.
    return EXIT_DATA if result.refused and not written else EXIT_OK


def cmd_claim_number(args, engine) -> int:
    from models.claims.batches import set_payer_claim_number
    from models.db import unit_of_work

    with unit_of_work(engine) as session:
        claim = set_payer_claim_number(session, actor=args.user, account_number=args.claim,
                                       number=args.number)
        acct, number = claim.patient_account_number, claim.payer_claim_number
    print(f"Claim {acct}: the payer's claim number is {number}; a replacement names it.")
    return EXIT_OK


def cmd_claim_void(args, engine) -> int:
    from models.claims.sent import void_claim
    from models.db import unit_of_work
    from reports.claims.claim_files import renderer

    with unit_of_work(engine) as session:
        result = void_claim(session, actor=args.user, account_number=args.claim,
                            fmt=args.format, out=args.out,
                            render=renderer(args.format, args.data_only))
    d = result.draft
    print(f"Void of claim {d.account_number} (payer's claim number {d.original_reference}) "
          f"written to {result.path} (batch {result.batch_id}); its {len(d.days)} day(s) can "
          "be billed again.")
    return EXIT_OK


def cmd_claim_copy(args, engine) -> int:
    from models.claims.copies import FORMAT_NAMES, copy_claim
    from models.db import unit_of_work
    from reports.claims.claim_files import renderer

    with unit_of_work(engine) as session:
        result = copy_claim(session, account_number=args.claim, fmt=args.format,
                            out=args.out, render=renderer(args.format, args.data_only))
    d = result.draft
    print(f"Copy of claim {d.account_number} (sent as {FORMAT_NAMES[result.sent_format]} in "
          f"batch {result.batch_id} on {result.sent_at:%Y-%m-%d}) written to {result.path}; "
          "nothing was recorded.")
    return EXIT_OK


def cmd_demo(args, engine) -> int:
    from models import clock, demo
    from models.db import unit_of_work

    with unit_of_work(engine) as session:
        counts = demo.load_demo(session, actor=args.user, seed=args.seed,
                                today=clock.today())
    summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items() if n)
    print(f"Demo data loaded: {summary}.")
    return EXIT_OK


def cmd_packet(args, engine) -> int:
    from models.billing.claim_packet import load_claim_packet_data
    from models.billing.packet_data import load_packet_data
    from models.db import snapshot
    from reports.packet import render_packet, write_pdf

    created = dt.datetime.now().astimezone().replace(microsecond=0)
    with snapshot(engine) as session:
        if args.claim:
            data = load_claim_packet_data(session, claim=args.claim, prepared_by=args.user,
                                          created_at=created)
        else:
            data = load_packet_data(session, patient_id=args.patient, start=args.start,
                                    end=args.end, prepared_by=args.user, created_at=created)
    write_pdf(render_packet(data), args.out)
    _audit(engine, args.user, "packet", patient_id=data.patient.id,
           detail=f"{args.out.name}" + (f", claim {args.claim}" if args.claim else ""))
    n = len(data.billed_days)
    what = f"claim {data.claim.account_number}, " if data.claim else ""
    print(f"Packet written to {args.out} ({what}{n} billed day{'s' if n != 1 else ''}"
          + (f"; {len(data.later)} change{'s' if len(data.later) != 1 else ''} after the "
             "claim listed apart" if data.claim and data.later else "") + ").")
    return EXIT_OK


def cmd_packets(args, engine) -> int:
    from models.billing.packet_data import (
        load_packet_data,
        month_period,
        patients_with_service_days,
    )
    from models.db import snapshot
    from reports.packet import packet_filename, render_packet, write_pdf

    start, end = month_period(*args.month)
    created = dt.datetime.now().astimezone().replace(microsecond=0)
    args.out.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new folder: its owner's only
    with snapshot(engine) as session:
        patient_ids = patients_with_service_days(session, start, end)
    failed = 0
    for patient_id in patient_ids:
        try:  # one patient's problem must not cost the others their packets
            with snapshot(engine) as session:
                data = load_packet_data(session, patient_id=patient_id, start=start, end=end,
                                        prepared_by=args.user, created_at=created)
            path = args.out / packet_filename(data, start, end,
                                              with_name=args.patient_names)
            write_pdf(render_packet(data), path)
            _audit(engine, args.user, "packet", patient_id=patient_id, detail=path.name)
        except Exception as exc:
            failed += 1
            print(f"perdiem packets: {patient_id}: no packet ({exc})", file=sys.stderr)
            continue
        print(path)
    done = len(patient_ids) - failed
    print(f"{done} packet{'s' if done != 1 else ''} written to {args.out}"
          + (f"; {failed} failed." if failed else "."), file=sys.stderr)
    return EXIT_DATA if failed else EXIT_OK


def cmd_attach(args, engine) -> int:
    from models.db import unit_of_work
    from models.records import registry
    from models.records.attachments import add_attachment
    from models.records.scans import TooLarge, read_limited

    kind, record_id = registry.PATIENT, None
    for option, target in (("order", registry.ORDER), ("plan", registry.PLAN_OF_CARE),
                           ("delivery", registry.DELIVERY)):
        if getattr(args, option):
            kind, record_id = target, getattr(args, option)
    try:  # measured before it is read, then read in chunks up to the limit
        content = read_limited(args.file)
    except FileNotFoundError:
        raise _Fail(f"{args.file}: no such file") from None
    except TooLarge as exc:
        raise _Fail(f"file: {exc}") from None
    with unit_of_work(engine) as session:
        info = add_attachment(session, actor=args.user, patient_id=args.patient,
                              filename=args.file.name, content=content, record_kind=kind.key,
                              record_id=record_id, description=args.description)
    print(f"Attached {info.filename} ({info.media_type}, {info.size} bytes, "
          f"SHA-256 {info.sha256}) as attachment {info.id}.")
    return EXIT_OK


def _new_password() -> str:
    given = os.environ.get("PERDIEM_NEW_PASSWORD")
    if given is not None:
        return given
    first = getpass.getpass("New password: ")
    if getpass.getpass("The same password again: ") != first:
        raise _Fail("password: the two entries differ; nothing was saved")
    return first


def cmd_users(args, engine) -> int:
    from models.db import snapshot, unit_of_work
    from models.security import accounts

    if args.users_command == "list":
        with snapshot(engine) as session:
            from models.security.permissions import ACCOUNTS, authorize

            authorize(session, args.user, ACCOUNTS)
            found = accounts.list_accounts(session)
        for a in found:
            state = "locked" if a.locked else "active" if a.active else "disabled"
            print(f"{a.username}\t{','.join(a.roles)}\t{state}")
        return EXIT_OK
    if args.users_command == "add":
        password = _new_password()
        with unit_of_work(engine) as session:
            made = accounts.add_account(session, actor=args.user, username=args.name,
                                        roles=args.role, password=password)
        print(f"Added {made.username} ({', '.join(made.roles)}).")
        return EXIT_OK
    with unit_of_work(engine) as session:
        made = accounts.set_active(session, actor=args.user, username=args.name,
                                   active=args.users_command == "enable")
    print(f"{made.username} is {'enabled' if made.active else 'disabled'}.")
    return EXIT_OK


def _sign_in(args, engine) -> None:
    """Who acts (models/security/signin.py): once the database has staff accounts, --user
    with the password from $PERDIEM_PASSWORD or the terminal; before, the name given or the
    OS user."""
    from models.security.signin import sign_in

    def password() -> str:
        given = os.environ.get("PERDIEM_PASSWORD")
        return given if given is not None else getpass.getpass(f"Password for {args.user}: ")

    args.user = sign_in(engine, args.user, password, _default_user())
    if args.command in ("billable-days", "billable-visits", "month"):  # patients' services
        from models.db import snapshot
        from models.security.permissions import VIEW_CLINICAL, authorize

        with snapshot(engine) as session:
            authorize(session, args.user, VIEW_CLINICAL)


def _database_file(engine_or_url: Any) -> Path:
    from models.db import sqlite_path

    path = sqlite_path(str(getattr(engine_or_url, "url", engine_or_url)))
    if path is None:
        raise _Fail("backup and restore work on a database file (SQLite); a server database "
                    "is backed up with the server's own tools")
    return path


def _db_key(args, url: str) -> str | None:
    """The passphrase of an encrypted database (models/cipher.py): $PERDIEM_DB_KEY, then the
    system keyring, then the terminal. None for a plain database (or a new one without
    $PERDIEM_DB_KEY)."""
    from models import cipher
    from models.db import sqlite_path

    path = sqlite_path(url)
    given = cipher.given_key()
    if path is None or given:
        return given if path is not None else None
    files = [path] + ([args.file] if args.command == "restore" else [])
    if not any(cipher.is_encrypted(f) for f in files):
        return None
    stored = cipher.keyring_key(path)
    if stored:
        return stored
    problem = cipher.keyring_problem()
    if not sys.stdin.isatty():  # nobody to ask: the check at open names the file as not
        return None  # SQLite or encrypted, and where the passphrase is given
    if problem:
        print(f"perdiem: {problem}; asking for the passphrase.", file=sys.stderr)
    return getpass.getpass(f"Passphrase for {path}: ")


def _new_key(path: Path) -> str:
    """A new passphrase: $PERDIEM_DB_KEY, or asked twice on the terminal."""
    from models import cipher

    key = cipher.given_key()
    if key is None:
        key = getpass.getpass(f"New passphrase for {path}: ")
        if getpass.getpass("The same passphrase again: ") != key:
            raise _Fail("the two passphrases differ; nothing was changed")
    if (problem := cipher.passphrase_problem(key)) is not None:
        raise _Fail(f"passphrase: {problem}; nothing was changed")
    return key


def cmd_convert(args, url: str) -> int:
    """`encrypt` and `decrypt` (models/conversion.py), an administrator's (BACKUP) once the
    database has accounts; the conversion is an audit row of the converted database."""
    from models import cipher, conversion, db
    from models.security import audit
    from models.security.permissions import BACKUP, authorize

    path = _database_file(url)
    if not path.is_file():
        raise _Fail(f"{path}: no such database file")
    encrypting = args.command == "encrypt"
    key = None if encrypting else args.db_key
    if encrypting and cipher.is_encrypted(path):
        raise _Fail(f"{path} is encrypted already (or is not a SQLite database)")
    if not encrypting and not cipher.is_encrypted(path):
        raise _Fail(f"{path} is not encrypted: there is nothing to decrypt")
    engine = db.open_database(url, key=key)  # upgraded, settled; refuses a wrong key
    try:
        _sign_in(args, engine)
        with db.snapshot(engine) as session:
            authorize(session, args.user, BACKUP)
    finally:
        engine.dispose()
    new_key = _new_key(path) if encrypting else None
    done = conversion.convert(path, key, new_key)
    engine = db.open_database(url, key=new_key)
    try:
        _audit(engine, args.user, audit.ENCRYPTED if encrypting else audit.DECRYPTED,
               detail=f"{done.rows} rows; {len(done.copies)} backup copies")
    finally:
        engine.dispose()
    print(done)
    if encrypting and args.remember:
        problem = cipher.remember_key(path, new_key or "")
        print("The passphrase is stored in the system keyring." if problem is None else
              f"The passphrase was not stored: {problem}. PerDiem will ask for it.")
    elif not encrypting:
        cipher.forget_key(path)
    if encrypting:
        print("Keep the passphrase safe: without it the database and its backups cannot be "
              "read by anyone, PerDiem included.")
    return EXIT_OK


def cmd_backup(args, engine) -> int:
    from models.backup import online_copy
    from models.db import snapshot
    from models.security.permissions import BACKUP, authorize

    with snapshot(engine) as session:
        authorize(session, args.user, BACKUP)
    if engine.dialect.name == "postgresql":
        return _server_backup(args, engine)
    path = _database_file(engine)
    if args.out.resolve() == path.resolve():
        raise _Fail("--out: is the database itself; give another file name")
    if not args.out.parent.is_dir():
        raise _Fail(f"--out: {args.out.parent}: no such folder")
    online_copy(path, args.out, args.db_key)  # encrypted with the same key as the database
    _audit(engine, args.user, "backup", detail=str(args.out))
    print(f"Backed up {path} to {args.out} ({args.out.stat().st_size:,} bytes, checked with "
          "SQLite's integrity_check).")
    return EXIT_OK


def _server_backup(args, engine) -> int:
    """`backup` of a server database: pg_dump's custom format, verified (models/server_backup)."""
    from models import server_backup
    from models.db import _shown

    if not args.out.parent.is_dir():
        raise _Fail(f"--out: {args.out.parent}: no such folder")
    url = engine.url.render_as_string(hide_password=False)
    tables = server_backup.dump(url, args.out)
    _audit(engine, args.user, "backup", detail=str(args.out))
    print(f"Backed up {_shown(url)} to {args.out} ({args.out.stat().st_size:,} bytes, "
          f"pg_dump's custom format, {tables} tables, checked with pg_restore --list).")
    return EXIT_OK


def _server_restore(args, url: str) -> int:
    """`restore` into a server database: pg_restore in one transaction, after checking the
    file and dumping the database as it is (models/server_backup.py)."""
    from models import server_backup
    from models.db import _shown, open_database, snapshot
    from models.security.permissions import BACKUP, authorize

    if not args.file.is_file():
        raise _Fail(f"{args.file}: no such file")
    engine = open_database(url)
    try:
        _sign_in(args, engine)
        with snapshot(engine) as session:
            authorize(session, args.user, BACKUP)
    finally:
        engine.dispose()
    kept = server_backup.restore(url, args.file)
    engine = open_database(url)  # it opens (upgraded when the backup is older)
    try:
        _audit(engine, args.user or _default_user(), "restore", detail=str(args.file))
    finally:
        engine.dispose()
    print(f"Restored {args.file} into {_shown(url)}. The database as it was is kept at {kept}.")
    return EXIT_OK


def _restore_allowed(args, url: str) -> None:
    """Restore replaces every record: with staff accounts, an administrator's (BACKUP)."""
    from models.db import DatabaseDamaged, open_database, snapshot, sqlite_path
    from models.errors import DomainError
    from models.security.permissions import BACKUP, authorize

    path = sqlite_path(url)
    if path is None or not path.exists():
        return
    try:
        engine = open_database(url, key=args.db_key)
    except (DatabaseDamaged, DomainError):  # a damaged file asks no login: the OS account
        return  # that may replace it is the boundary then (docs/security.md)
    try:
        _sign_in(args, engine)
        with snapshot(engine) as session:
            authorize(session, args.user, BACKUP)
    finally:
        engine.dispose()


def cmd_restore(args, url: str) -> int:
    from models import backup, cipher, db

    path = _database_file(url)
    if not args.file.is_file():
        raise _Fail(f"{args.file}: no such file")
    if args.file.resolve() == path.resolve():
        raise _Fail(f"{args.file} is the database itself")
    # encrypted stays encrypted (even from a plain copy); plain stays plain, $PERDIEM_DB_KEY
    # or not, unless the copy restored is itself encrypted
    key = args.db_key if any(cipher.is_encrypted(f) for f in (path, args.file)) else None
    kept = backup.restore(path, args.file, db.known_revisions(), key=key)
    engine = db.open_database(url, key=key)  # it opens (upgraded when it is older)
    try:  # in the restored database's own trail: the restore is its latest event
        _audit(engine, args.user or _default_user(), "restore", detail=str(args.file))
    finally:
        engine.dispose()
    print(f"Restored {args.file} as {path}."
          + (f" The database it replaced is kept at {kept}." if kept else ""))
    return EXIT_OK


def cmd_migrate_db(args, engine) -> int:
    """Copy `engine`'s pharmacy into the empty database --to (models/transfer.py)."""
    from models import transfer
    from models.db import _shown, open_database, resolve_db_url, snapshot, sqlite_path
    from models.security.permissions import BACKUP, authorize

    with snapshot(engine) as session:
        authorize(session, args.user, BACKUP)
    url = resolve_db_url(args.target)
    source_url = resolve_db_url(args.source or args.db)
    if url == source_url:
        raise _Fail("--to: is the database copied; name another (empty) database")
    path = sqlite_path(url)
    if path is not None and path.exists() and path.stat().st_size > 0:
        raise _Fail(f"--to: {path} exists; migrate-db writes a new file only, so nothing "
                    "was copied")
    try:
        target = open_database(url)  # created and migrated to the newest schema
        try:
            proof = transfer.copy_database(engine, target)
        finally:
            target.dispose()
    except BaseException:
        if path is not None:  # all or nothing: the new file goes with the failed copy
            for made in (path, path.with_name(path.name + "-wal"),
                         path.with_name(path.name + "-shm")):
                made.unlink(missing_ok=True)
        raise
    for line in proof.lines(_shown(source_url), _shown(url)):
        print(line)
    return EXIT_OK


COMMANDS = {
    "import": cmd_import,
    "export": cmd_export,
    "billable-days": cmd_billable_days,
    "billable-visits": cmd_billable_visits,
    "month": cmd_month,
    "worklist": cmd_worklist,
    "claims": cmd_claims,
    "claim-number": cmd_claim_number,
    "claim-void": cmd_claim_void,
    "claim-copy": cmd_claim_copy,
    "demo": cmd_demo,
    "packet": cmd_packet,
    "packets": cmd_packets,
    "attach": cmd_attach,
    "backup": cmd_backup,
    "migrate-db": cmd_migrate_db,
    "users": cmd_users,
    "audit": cmd_audit,
    "verify-audit": cmd_verify_audit,
}


WRITES = {"import", "claims", "claim-number", "demo", "attach", "restore", "users", "encrypt",
          "decrypt"}
# read commands that still append to the audit trail (a packet printed, an export) take no
# writer lock: their one short row waits on SQLite's own lock like any write


def _writer_lock(args, url: str) -> Any:
    """For a command that writes, the database's writer lock (models/dbfile.py): refused in
    words (DatabaseInUse) while another PerDiem writes to it. Reading commands take none."""
    from contextlib import nullcontext

    from models.db import sqlite_path
    from models.dbfile import WriterLock

    path = sqlite_path(url)
    if args.command not in WRITES or path is None:
        return nullcontext()
    return WriterLock(path, args.user or _default_user(), purpose=f"perdiem {args.command}")


class _Fail(Exception):
    """A data error found by the command line itself (exit status 1)."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "data_only", False) and args.format != "cms1500":
        parser.error("--data-only goes with --format cms1500 (it prints on pre-printed forms)")
    if args.command == "packet":
        period = (args.patient, args.start, args.end)
        if args.claim and any(x is not None for x in period):
            parser.error("--claim goes alone: a claim's packet covers its own patient and days")
        if not args.claim and any(x is None for x in period):
            parser.error("give --claim CLAIM, or --patient, --from and --to")

    from models.db import resolve_db_url

    url = resolve_db_url(getattr(args, "sub_db", None) or getattr(args, "source", None)
                         or args.db)
    if args.command is None:
        # the models before Qt: PySide6 reads the source of every module imported after it
        # (looking for `from __feature__ import`), a tenth of a second for these alone
        import models.billing.month  # noqa: F401
        import models.billing.worklist  # noqa: F401
        import models.records.clinical  # noqa: F401
        from ui.shell.app import run

        return run(url, args.user or _default_user())

    from sqlalchemy.exc import DatabaseError, OperationalError

    from models import clock
    from models.db import open_database
    from models.errors import DomainError

    try:
        clock.set_today(getattr(args, "today", None))
        clock.today()  # a bad $PERDIEM_TODAY is named before anything runs
        if getattr(args, "start", None) and getattr(args, "end", None) \
                and args.end < args.start:
            raise _Fail("--to: is before --from")
        args.db_key = _db_key(args, url)
        with _writer_lock(args, url):
            if args.command == "restore" and url.startswith("postgres"):
                return _server_restore(args, url)
            if args.command == "restore":
                _restore_allowed(args, url)
                return cmd_restore(args, url)
            if args.command in ("encrypt", "decrypt"):
                return cmd_convert(args, url)
            engine = open_database(url, report=lambda text: print(f"perdiem: {text}",
                                                                  file=sys.stderr),
                                   daily_backup=True, key=args.db_key)
            try:
                _sign_in(args, engine)
                return COMMANDS[args.command](args, engine)
            finally:
                engine.dispose()  # closing its connections refreshes the planner's statistics
    except (DomainError, _Fail, OSError) as exc:
        print(f"perdiem {args.command}: {exc}", file=sys.stderr)
        return EXIT_DATA
    except DatabaseError as exc:  # damage the check at open did not see, met while reading
        from models.db import DatabaseDamaged, sqlite_path
        from models.server import server_away

        away = server_away(exc, url)
        if away is not None:  # one line, never a traceback (issue 14)
            print(f"perdiem {args.command}: {away} Nothing was changed; run the command "
                  "again once the server is reachable.", file=sys.stderr)
            return EXIT_DATA

        path = sqlite_path(url)
        problem = " ".join(str(exc.orig).split())
        busy = isinstance(exc, OperationalError)  # locked, read-only, disk full: not damage
        text = str(DatabaseDamaged(path, problem)) if path and not busy else (
            f"the database could not be used ({problem}); nothing was changed.")
        print(f"perdiem {args.command}: {text}", file=sys.stderr)
        return EXIT_DATA
    finally:
        clock.set_today(None)  # main() is called again in the same process by tests


if __name__ == "__main__":
    sys.exit(main())
