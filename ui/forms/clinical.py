"""The forms of a patient's clinical records (order, plan of care, preparation note, delivery,
care coordination note) and prior authorizations; the infusion log entry's is mar_form.py.

A little over 400 lines: six short forms side by side, the order's the longest (its drug,
its contract's dosing interval, its components table from components_table.py)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from models import clock, vocab
from models.errors import FieldError
from models.records import clinical, reference, registry
from models.records.checks import check_authorization
from models.records.registry import B, R
from models.records.rows import new_id
from models.records.tables import (
    AuthorizationBase,
    AuthorizationRead,
    CareNoteBase,
    CareNoteRead,
    DeliveryBase,
    DeliveryRead,
    OrderBase,
    OrderRead,
    PlanOfCareBase,
    PlanOfCareRead,
    PrepNoteBase,
    PrepNoteRead,
)
from models.vocab import DELIVERY_METHODS, NDC_BILLING_UNIT_NAMES
from ui.forms.components_table import ComponentsPart
from ui.forms.framework import RecordForm
from ui.forms.kit import (
    CheckedLineEdit,
    choice,
    date_field,
    decimal_field,
    dosing_interval_field,
    form_layout,
    group,
    line,
    parse_diagnoses,
    parse_hcpcs,
    parse_ndc,
    per_diem_items,
    select_data,
    text_box,
    time_field,
    visit_authorization_items,
)
from ui.forms.late_reason import LateReason
from ui.shell.context import AppContext


class OrderForm(ComponentsPart, RecordForm[OrderBase, OrderRead]):
    kind = registry.ORDER
    title = "Order"
    labels = {
        "prescriber_id": "Prescriber", "per_diem_code": "Per diem code", "drug_name": "Drug",
        "drug_ndc": "NDC", "drug_hcpcs": "Drug HCPCS", "drug_hcpcs_unit_amount":
        "HCPCS unit amount", "drug_dose_unit": "Dose unit", "drug_unit_charge": "Charge per unit",
        "drug_billing_unit": "NDC billing unit", "drug_package_quantity": "Dose a billing unit",
        "drug_single_dose": "Single-dose vial",
        "dose": "Dose", "route": "Route", "frequency": "Frequency",
        "dosing_interval_days": "Dosing interval", "diagnosis_codes": "Diagnoses (ICD-10)",
        "start_date": "Start date",
        "end_date": "End date", "discontinued_date": "Discontinued", "signed_date": "Signed",
        "per_diem_rate": "Per diem rate", "notes": "Notes",
    }

    def __init__(self, ctx: AppContext, patient_id: str, record: OrderRead | None = None,
                 parent: QWidget | None = None, *, order_id: str | None = None,
                 day: dt.date | None = None):
        super().__init__(ctx, patient_id, record, parent)
        prescribers = ctx.read(reference.list_prescribers)
        f = self.add_field
        self.prescriber = f("prescriber_id", choice(
            [(p.display_name, p.id) for p in prescribers], placeholder="Choose the prescriber…"))
        per_diem = f("per_diem_code", choice(per_diem_items(),
                                             placeholder="Choose the per diem code…"))
        per_diem.setMinimumContentsLength(34)
        self.prescriber.setMinimumContentsLength(
            max([24, *(len(p.display_name) for p in prescribers)]))
        f("dose", line(80, "e.g. 30 g (0.4 g/kg)"))
        route = f("route", choice([(r, r) for r in vocab.ROUTES], placeholder="e.g. IV"))
        f("frequency", line(80, "e.g. every 21 days"))
        f("dosing_interval_days", dosing_interval_field())
        f("diagnosis_codes", CheckedLineEdit(parse_diagnoses, required=True, uppercase=True,
                                             placeholder="e.g. D80.1, E11.9"))
        drug_name = f("drug_name", line(80, "e.g. Gammagard Liquid 10%"))
        ndc = f("drug_ndc", CheckedLineEdit(parse_ndc, placeholder="11 digits, e.g. 00944270005"))
        hcpcs = f("drug_hcpcs", CheckedLineEdit(parse_hcpcs, uppercase=True,
                                                placeholder="e.g. J1569"))
        f("drug_hcpcs_unit_amount", decimal_field("e.g. 500"))
        dose_unit = f("drug_dose_unit", choice([(u, u) for u in vocab.DOSE_UNITS],
                                               placeholder="e.g. mg"))
        f("drug_unit_charge", decimal_field("e.g. 92.40"))
        billing_unit = f("drug_billing_unit", choice(
            [(NDC_BILLING_UNIT_NAMES[u], u) for u in vocab.NDC_BILLING_UNITS],
            placeholder="e.g. ML"))
        billing_unit.setToolTip("The unit the NDC is billed in (837P CTP05, CMS-1500 24A "
                                "shaded line), as the payer's NDC file lists it")
        package = f("drug_package_quantity", decimal_field("e.g. 100 (mg in one mL)"))
        package.setToolTip("How much of the dose unit one billing unit holds: Gammagard 10% "
                           "100 (mg a mL), one 1 g Invanz vial 1000 (mg a vial)")
        f("drug_single_dose", QCheckBox("JW/JZ: bill waste or none")).setToolTip(
            "The drug comes in single-dose vials: its line carries JZ, or a JW line bills the "
            "amount the MAR entry records as wasted")
        self.start_date = f("start_date", date_field(required=True))
        f("end_date", date_field())
        f("discontinued_date", date_field())
        f("signed_date", date_field())
        f("per_diem_rate", decimal_field("e.g. 150.00"))
        notes_edit = f("notes", text_box(placeholder="Premedication, titration, monitoring…"))
        notes_edit.setMaximumHeight(notes_edit.fontMetrics().lineSpacing() * 5)  # 1366x768
        hcpcs.setMaxLength(5)
        drug_name.setMinimumWidth(260)
        ndc.setMinimumWidth(260)
        hcpcs.setMaximumWidth(150)
        route.setMinimumContentsLength(6)
        dose_unit.setMinimumContentsLength(6)

        rx, drug, dates = form_layout(), form_layout(), form_layout()
        for name in ("prescriber_id", "per_diem_code", "dose", "route", "frequency",
                     "dosing_interval_days", "diagnosis_codes"):
            rx.addRow(self.label(name), self.fields[name])
        for name in ("drug_name", "drug_ndc", "drug_hcpcs", "drug_hcpcs_unit_amount",
                     "drug_dose_unit", "drug_unit_charge", "drug_billing_unit",
                     "drug_package_quantity", "drug_single_dose"):
            drug.addRow(self.label(name), self.fields[name])
        for name in ("start_date", "end_date", "discontinued_date", "signed_date",
                     "per_diem_rate"):
            dates.addRow(self.label(name), self.fields[name])
        notes = QVBoxLayout()
        notes.addWidget(self.fields["notes"])
        notes_box = QGroupBox("Notes")
        notes_box.setLayout(notes)

        # three columns on a 1366x768 screen, so the components table below (a TPN formula's
        # five or six lines) shows whole: the prescription, the drug, the dates over the notes
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        grid.addWidget(group("Prescription", rx), 0, 0, 2, 1)
        grid.addWidget(group("Drug (for the drug claim line)", drug), 0, 1, 2, 1)
        grid.addWidget(group("Dates and rate", dates), 0, 2)
        grid.addWidget(notes_box, 1, 2)
        grid.addWidget(self.components_box(), 2, 0, 1, 3)  # a compound order's (issue 15)
        self.late = LateReason(self)
        grid.addWidget(self.late.box, 3, 0, 1, 3)
        grid.addWidget(self.message, 4, 0, 1, 3)
        for column in range(3):
            grid.setColumnStretch(column, 1)
        self.setMinimumWidth(1220)  # the three columns' fields whole, within 1366

        if record is not None:
            self.load(record)
        else:
            self.start_date.set_date(day or clock.today())
            if len(prescribers) == 1:
                self.prescriber.setCurrentIndex(0)

    def load(self, record: OrderRead) -> None:
        for name in self.fields:
            self.set_value(name, getattr(record, name))
        self.components.set_components(record.components)
        for name in ("drug_name", "dose"):  # a long name shows from its start
            self.fields[name].setCursorPosition(0)  # type: ignore[attr-defined]

    def data(self) -> OrderBase:
        v = self.value
        components = self.read_components()
        return self.build(
            id=self.record_id, patient_id=self.patient_id,
            prescriber_id=v("prescriber_id") or "", per_diem_code=v("per_diem_code") or "",
            drug_name=v("drug_name") or "", drug_ndc=v("drug_ndc"), drug_hcpcs=v("drug_hcpcs"),
            drug_hcpcs_unit_amount=v("drug_hcpcs_unit_amount"),
            drug_dose_unit=v("drug_dose_unit"), drug_unit_charge=v("drug_unit_charge"),
            drug_billing_unit=v("drug_billing_unit"),
            drug_package_quantity=v("drug_package_quantity"),
            drug_single_dose=v("drug_single_dose"),
            dose=v("dose"), route=v("route"), frequency=v("frequency"),
            dosing_interval_days=v("dosing_interval_days") or None,  # 0: not given
            diagnosis_codes=v("diagnosis_codes") or [], start_date=v("start_date"),
            end_date=v("end_date"), discontinued_date=v("discontinued_date"),
            signed_date=v("signed_date"), per_diem_rate=v("per_diem_rate"), notes=v("notes"),
            components=components,
        )


class _OrderDocumentForm(RecordForm[B, R]):
    """A document attached to one of the patient's orders, laid out as one form column."""

    names: tuple[str, ...] = ()

    def __init__(self, ctx: AppContext, patient_id: str, record: R | None = None,
                 parent: QWidget | None = None, *, order_id: str | None = None,
                 day: dt.date | None = None):
        super().__init__(ctx, patient_id, record, parent)
        self.add_field("order_id", self.order_combo(getattr(record, "order_id", order_id)))
        self.make_fields(day)
        self.late = LateReason(self)
        layout = form_layout()
        layout.addRow(self.label("order_id"), self.fields["order_id"])
        for name in self.names:
            layout.addRow(self.label(name), self.fields[name])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(layout)
        outer.addWidget(self.late.box)
        outer.addWidget(self.message)
        if record is not None:
            self.load(record)

    def make_fields(self, day: dt.date | None) -> None:
        raise NotImplementedError

    def load(self, record: R) -> None:
        for name in self.names:
            self.set_value(name, getattr(record, name))

    def data(self) -> B:
        values = {name: self.value(name) for name in self.names}
        return self.build(id=self.record_id, order_id=self.value("order_id") or "", **values)


class PlanOfCareForm(_OrderDocumentForm[PlanOfCareBase, PlanOfCareRead]):
    kind = registry.PLAN_OF_CARE
    title = "Plan of care"
    names = ("start_date", "end_date", "signed_date", "summary")
    labels = {"order_id": "Order", "start_date": "Start date", "end_date": "End date",
              "signed_date": "Signed", "summary": "Summary"}

    def make_fields(self, day: dt.date | None) -> None:
        start = self.add_field("start_date", date_field(required=True))
        self.add_field("end_date", date_field(required=True))
        self.add_field("signed_date", date_field())
        self.add_field("summary", text_box(lines=4, placeholder="Goals, monitoring, visits…"))
        start.set_date(day)


class PrepNoteForm(_OrderDocumentForm[PrepNoteBase, PrepNoteRead]):
    kind = registry.PREP_NOTE
    title = "Preparation note"
    names = ("date", "beyond_use_date", "beyond_use_time", "pharmacist", "lot", "compounding",
             "dur")
    labels = {"order_id": "Order", "date": "Prepared on", "beyond_use_date": "Beyond-use date",
              "beyond_use_time": "Beyond-use hour",
              "pharmacist": "Pharmacist", "lot": "Lot", "compounding": "Compounding",
              "dur": "Drug utilization review"}

    def make_fields(self, day: dt.date | None) -> None:
        date = self.add_field("date", date_field(required=True))
        self.add_field("beyond_use_date", date_field(required=True))
        hour = self.add_field("beyond_use_time", time_field("none"))  # R28 (USP 797)
        hour.setToolTip("The hour on the beyond-use date after which this preparation may not "
                        "be used (empty: the whole day); an infusion started later is not "
                        "covered by this note")
        pharmacist = self.add_field("pharmacist", line(60))
        self.add_field("lot", line(40))
        self.add_field("compounding", text_box(placeholder="Vials, diluent, pooling…"))
        self.add_field("dur", text_box(placeholder="Interactions, allergies, labs reviewed…"))
        date.set_date(day or clock.today())
        pharmacist.setText(self.ctx.actor)


class DeliveryForm(_OrderDocumentForm[DeliveryBase, DeliveryRead]):
    kind = registry.DELIVERY
    title = "Delivery"
    names = ("date", "method", "received_by", "items")
    labels = {"order_id": "Order", "date": "Delivered on", "method": "Method",
              "received_by": "Received by", "items": "Items"}

    def make_fields(self, day: dt.date | None) -> None:
        date = self.add_field("date", date_field(required=True))
        self.add_field("method", choice([(m, m) for m in DELIVERY_METHODS],
                                        placeholder="Choose the method…"))
        self.add_field("received_by", line(60))
        self.add_field("items", text_box(placeholder="Drug, pump, tubing, premeds…"))
        date.set_date(day or clock.today())


class CareNoteForm(RecordForm[CareNoteBase, CareNoteRead]):
    kind = registry.CARE_NOTE
    title = "Care coordination note"
    labels = {"date": "Date", "author": "Author", "contact": "Contact", "text": "Note"}
    names = ("date", "author", "contact", "text")

    def __init__(self, ctx: AppContext, patient_id: str, record: CareNoteRead | None = None,
                 parent: QWidget | None = None, *, order_id: str | None = None,
                 day: dt.date | None = None):
        super().__init__(ctx, patient_id, record, parent)
        date = self.add_field("date", date_field(required=True))
        author = self.add_field("author", line(60))
        # the interchange format's values, so exports re-import
        self.add_field("contact", choice([(c, c) for c in vocab.CARE_NOTE_CONTACTS],
                                         placeholder="who was contacted"))
        self.add_field("text", text_box(lines=5, placeholder="Who was contacted and about what"))
        self.late = LateReason(self)
        layout = form_layout()
        for name in self.names:
            layout.addRow(self.label(name), self.fields[name])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(layout)
        outer.addWidget(self.late.box)
        outer.addWidget(self.message)
        if record is not None:
            self.load(record)
        else:
            date.set_date(day or clock.today())
            author.setText(ctx.actor)

    def load(self, record: CareNoteRead) -> None:
        for name in self.names:
            self.set_value(name, getattr(record, name))

    def data(self) -> CareNoteBase:
        return self.build(id=self.record_id, patient_id=self.patient_id,
                          date=self.value("date"), author=self.value("author") or "",
                          contact=self.value("contact"), text=self.value("text") or "")


class AuthorizationForm(RecordForm[AuthorizationBase, AuthorizationRead]):
    """A payer's prior authorization (not versioned: saving replaces it)."""

    kind = registry.AUTHORIZATION
    title = "Prior authorization"
    labels = {"payer_id": "Payer", "number": "Authorization number", "code": "Code",
              "start_date": "Start date", "end_date": "End date",
              "units": "Units (days, or visits for 99601)"}
    names = ("payer_id", "number", "code", "start_date", "end_date", "units")

    def __init__(self, ctx: AppContext, patient_id: str,
                 record: AuthorizationRead | None = None, parent: QWidget | None = None, *,
                 order_id: str | None = None, day: dt.date | None = None,
                 code: str | None = None):
        super().__init__(ctx, patient_id, record, parent)

        def load(s: Session) -> tuple:
            order = clinical.get_record(s, registry.ORDER, order_id) if order_id else None
            return reference.get_patient(s, patient_id), reference.list_payers(s), order

        patient, payers, order = ctx.read(load)
        own = [c.payer_id for c in patient.coverages]
        # the patient's own payers first: they are the ones an authorization is for
        payers.sort(key=lambda p: (p.id not in own, p.name))
        payer = self.add_field("payer_id", choice([(p.name, p.id) for p in payers],
                                                  placeholder="Choose the payer…"))
        payer.setMinimumContentsLength(
            max([24, *(len(p.name) for p in payers)]))  # a payer's whole name, never cut
        self.add_field("number", line(50, "as the payer wrote it"))
        # a per diem code, or 99601 for nursing visits (R34: one unit a visit)
        code_box = self.add_field("code", choice(
            per_diem_items() + visit_authorization_items(), placeholder="Choose the code…"))
        code_box.setMinimumContentsLength(34)
        start = self.add_field("start_date", date_field(required=True))
        self.add_field("end_date", date_field(required=True))
        units = QSpinBox()
        units.setRange(1, 366)
        units.setMinimumWidth(90)
        self.add_field("units", units)
        layout = form_layout()
        for name in self.names:
            layout.addRow(self.label(name), self.fields[name])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(layout)
        outer.addWidget(self.message)
        if record is not None:
            self.load(record)
        else:
            day = day or clock.today()
            start.set_date(day)
            billed = next((c for c in patient.coverages
                           if c.priority == "primary" and c.covers(day)), None)
            if billed:
                select_data(payer, billed.payer_id)
            if code or order:  # the code asked for, else the order's per diem code
                select_data(code_box, code or order.per_diem_code)

    def load(self, record: AuthorizationRead) -> None:
        for name in self.names:
            self.set_value(name, getattr(record, name))

    def data(self) -> AuthorizationBase:
        v = self.value
        return self.build(id=self.record_id, patient_id=self.patient_id,
                          payer_id=v("payer_id") or "", number=v("number") or "",
                          code=v("code") or "", start_date=v("start_date"),
                          end_date=v("end_date"), units=v("units"))

    def check(self, data: AuthorizationBase) -> None:
        check_authorization(data)
        if not data.payer_id:
            raise FieldError("payer", "is required")

    def persist(self, session: Session, data: AuthorizationBase, reason: str | None
                ) -> AuthorizationRead:
        if not data.id:
            data.id = new_id(session, registry.AUTHORIZATION)
        return reference.save_authorization(session, actor=self.ctx.actor, data=data)
