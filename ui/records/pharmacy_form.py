"""The pharmacy's own settings: name, NPI, tax ID, address (printed on every claim and packet),
the clearinghouse that receives its 837P files, the audit rules' settings (R26, R27) and its
price list (its usual and customary charge per code, used when neither the payer, R32, nor
the order sets a price)."""

from __future__ import annotations

import re

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from models import vocab
from models.records import reference
from models.records.checks import (
    MAX_LATE_ENTRY_DAYS,
    X12_ID_HINT,
    X12_ID_RE,
    X12_QUALIFIER_HINT,
    X12_QUALIFIER_RE,
    billing_provider_problems,
    check_pharmacy,
)
from models.records.late import LATE_ENTRY_DAYS
from models.records.tables import PharmacyBase
from models.validation import PHONE_RE, ZIP_RE, tax_id_problem, taxonomy_problem
from models.vocab import ORDER_SIGNATURES
from ui.forms.kit import compact, digits, live_check, named_line, pattern_problem, upper_case
from ui.records.price_list import PriceListEditor
from ui.records.reference_form import RecordDialog, address_fields, address_values, live_npi
from ui.shell.context import AppContext

# what each usage indicator (vocab.USAGE_INDICATORS, ISA15) means for the files sent
USAGE_EFFECTS = {"T": "the clearinghouse only checks the files",
                 "P": "the claims go to the payers"}
assert set(USAGE_EFFECTS) == set(vocab.USAGE_INDICATORS)


class PharmacyDialog(RecordDialog):
    """The pharmacy's own settings, printed on every claim and packet, and the clearinghouse
    that receives its 837P files."""

    labels = {"name": "Pharmacy name", "npi": "NPI", "tax_id": "Tax ID (EIN)",
              "taxonomy": "Taxonomy code", "address_line1": "Address", "city": "City",
              "state": "State", "zip": "ZIP", "phone": "Phone",
              "submitter_id": "Submitter ID", "submitter_id_qualifier": "Submitter qualifier",
              "submitter_name": "Submitter name", "submitter_contact_name": "Contact name",
              "submitter_contact_phone": "Contact phone", "receiver_id": "Receiver ID",
              "receiver_id_qualifier": "Receiver qualifier", "receiver_name": "Receiver name",
              "usage_indicator": "Usage", "prices": "Price list"}
    CLEARINGHOUSE_TEXT = ("submitter_id", "submitter_id_qualifier", "submitter_name",
                          "submitter_contact_name", "receiver_id", "receiver_id_qualifier",
                          "receiver_name")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, "Pharmacy settings", parent)
        intro = QLabel("These details appear on every claim and documentation packet.", self)
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.name = self.add_field("name", "Pharmacy &name", named_line(self, 60, "name"))
        self.npi = self.add_field("npi", "&NPI", named_line(self, 10, "npi"))
        live_npi(self.npi)
        self.tax_id = self.add_field("tax_id", "Tax &ID (EIN)", named_line(self, 10, "tax_id"))
        self.tax_id.setPlaceholderText("9 digits")
        self.taxonomy = self.add_field("taxonomy", "Ta&xonomy code",
                                       named_line(self, 10, "taxonomy"))
        self.taxonomy.setPlaceholderText("e.g. 3336H0001X (home infusion pharmacy)")
        upper_case(self.taxonomy)
        self.address = address_fields(self)
        self.phone = self.add_field("phone", "&Phone", named_line(self, 14, "phone"))
        self.phone.setPlaceholderText("10 digits")
        self.prices = PriceListEditor((("code", "Code"), ("charge", "Charge")), self, tip=(
            "The pharmacy's usual and customary charge a unit per HCPCS or CPT code: used when "
            "neither the payer's contract (R32) nor the order sets a price"))
        self.add_field("prices", "Price &list", self.prices)
        # what a clearinghouse refuses in the billing provider is said as it is typed
        live_check(self.tax_id, lambda: compact(self.tax_id.text()) and tax_id_problem(
            compact(self.tax_id.text())))
        live_check(self.taxonomy, lambda: self.taxonomy.text().strip() and taxonomy_problem(
            self.taxonomy.text().strip().upper()))
        zip_, line1 = self.address["zip"], self.address["address_line1"]
        live_check(zip_, lambda: pattern_problem(compact(zip_.text()), ZIP_RE,
                                                 "is 5 or 9 digits") or self._provider("zip"))
        live_check(line1, lambda: self._provider("address_line1"))
        live_check(self.phone, lambda: pattern_problem(
            digits(self.phone.text()), PHONE_RE, "is 10 digits"))
        self._build_clearinghouse()
        self.existing = ctx.read(reference.get_pharmacy)
        if self.existing:
            p = self.existing
            self.name.setText(p.name)
            self.npi.setText(p.npi)
            self.tax_id.setText(p.tax_id)
            self.taxonomy.setText(p.taxonomy or "")
            for key, widget in self.address.items():
                widget.setText(getattr(p, key) or "")
            self.phone.setText(p.phone or "")
            for key in self.CLEARINGHOUSE_TEXT:
                self.fields[key].setText(getattr(p, key) or "")
            self.contact_phone.setText(p.submitter_contact_phone or "")
            self.usage.setCurrentIndex(max(self.usage.findData(p.usage_indicator or "T"), 0))
            self.late_days.setValue(p.late_entry_days)
            self.prices.set_items(p.prices or [])
            self.order_signature.setCurrentIndex(
                max(self.order_signature.findData(p.order_signature), 0))
        self.name.setFocus()

    def _provider(self, fld: str) -> str | None:
        """A billing provider problem of `fld` in what is typed (ZIP+4, a post office box)."""
        values = address_values(self.address)
        return billing_provider_problems(PharmacyBase.model_construct(**values)).get(fld)

    def _build_clearinghouse(self) -> None:
        """The 837P envelope's submitter and receiver, in a group beside the pharmacy's
        details; every field may stay blank."""
        group = QGroupBox("Clearinghouse (837P)", self)
        group.setObjectName("clearinghouse")
        form = QFormLayout(group)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        note = QLabel("Only needed once a clearinghouse is set up. Blank fields default to the "
                      "pharmacy (its NPI as submitter ID, its name and phone) and to each "
                      "claim's payer (its payer ID as receiver ID).", group)
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        form.addRow(note)

        def text_field(name: str, label: str, size: int, placeholder: str,
                       hint: str | None = None, regex: re.Pattern | None = None,
                       upper: bool = False) -> QLineEdit:
            edit = self.add_field(name, label, named_line(self, size, name), form)
            edit.setPlaceholderText(placeholder)
            if upper:
                upper_case(edit)
            if regex is not None and hint is not None:
                live_check(edit, lambda: pattern_problem(edit.text().strip(), regex, hint))
            return edit

        text_field("submitter_id", "Su&bmitter ID", 15, "blank: the pharmacy's NPI",
                   X12_ID_HINT, X12_ID_RE)
        qualifier = text_field("submitter_id_qualifier", "Submitter &qualifier", 2,
                               "ZZ", X12_QUALIFIER_HINT, X12_QUALIFIER_RE, upper=True)
        qualifier.setMaximumWidth(80)
        qualifier.setToolTip("ISA05: ZZ (mutually defined) unless the clearinghouse says "
                             "otherwise")
        text_field("submitter_name", "Submitter na&me", 60, "blank: the pharmacy's name")
        text_field("submitter_contact_name", "C&ontact name", 60,
                   "blank: the pharmacy's name")
        self.contact_phone = text_field("submitter_contact_phone", "Contact p&hone", 14,
                                        "blank: the pharmacy's phone")
        live_check(self.contact_phone, lambda: pattern_problem(
            digits(self.contact_phone.text()), PHONE_RE, "is 10 digits"))
        text_field("receiver_id", "&Receiver ID", 15, "blank: each claim's payer ID",
                   X12_ID_HINT, X12_ID_RE)
        qualifier = text_field("receiver_id_qualifier", "Receiver q&ualifier", 2, "ZZ",
                               X12_QUALIFIER_HINT, X12_QUALIFIER_RE, upper=True)
        qualifier.setMaximumWidth(80)
        qualifier.setToolTip("ISA07: ZZ (mutually defined) unless the clearinghouse says "
                             "otherwise")
        text_field("receiver_name", "Recei&ver name", 60, "blank: the receiver ID or payer")
        self.usage = QComboBox(self)
        for code, word in vocab.USAGE_INDICATORS.items():  # "Test (T): the clearinghouse..."
            self.usage.addItem(f"{word.capitalize()} ({code}): {USAGE_EFFECTS[code]}", code)
        self.usage.setToolTip("ISA15: send test files until the clearinghouse approves "
                              "production")
        self.add_field("usage_indicator", "Usa&ge", self.usage, form)

        # the pharmacy's details on the left, the clearinghouse on the right
        outer = self.layout()
        assert isinstance(outer, QVBoxLayout)
        outer.removeItem(self.form)
        columns = QHBoxLayout()
        columns.setSpacing(20)
        columns.addLayout(self.form, 1)
        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(group)
        right.addWidget(self._build_audit())
        right.addStretch(1)
        columns.addLayout(right, 1)
        outer.insertLayout(0, columns)
        self.setMinimumWidth(900)

    def _build_audit(self) -> QGroupBox:
        """The rules an auditor reads the records by: R26's late entry days and R27's order
        signature (the defaults leave billing as Part 1 of the rule book has it)."""
        group = QGroupBox("Audit rules", self)
        group.setObjectName("audit-rules")
        form = QFormLayout(group)
        form.setHorizontalSpacing(12)
        self.late_days = QSpinBox(self)
        self.late_days.setRange(0, MAX_LATE_ENTRY_DAYS)
        self.late_days.setValue(LATE_ENTRY_DAYS)
        self.late_days.setSuffix(" days")
        self.late_days.setToolTip(
            "R26: a record first saved more than this many days after its own date is a late "
            "entry and needs a reason (1: saved the next day is on time)")
        self.add_field("late_entry_days", "&Late entry after", self.late_days, form)
        self.order_signature = QComboBox(self)
        for value, label in ORDER_SIGNATURES.items():
            self.order_signature.addItem(label, value)
        self.order_signature.setToolTip(
            "R27: before the claim, an order signed at any time counts (R7 as written); before "
            "the service day, a day served before the signed date is held (order-signed-late)")
        self.add_field("order_signature", "Order &signed", self.order_signature, form)
        return group

    def build(self) -> PharmacyBase:
        # settings this form does not show (the clearinghouse's) are kept as they are
        kept = self.existing.model_dump(exclude={"id"}) if self.existing else {}
        return PharmacyBase.model_construct(**{
            **kept,
            "name": self.name.text().strip(),
            "npi": self.npi.text().strip(),
            "tax_id": compact(self.tax_id.text()),
            "taxonomy": self.taxonomy.text().strip().upper() or None,
            **address_values(self.address),
            "phone": digits(self.phone.text()) or None,
            **{key: self.fields[key].text().strip() or None
               for key in self.CLEARINGHOUSE_TEXT},
            "submitter_id_qualifier":
                self.fields["submitter_id_qualifier"].text().strip().upper() or None,
            "receiver_id_qualifier":
                self.fields["receiver_id_qualifier"].text().strip().upper() or None,
            "submitter_contact_phone": digits(self.contact_phone.text()) or None,
            "usage_indicator": self.usage.currentData(),
            "late_entry_days": self.late_days.value(),
            "order_signature": self.order_signature.currentData(),
            "prices": self.prices.items(),
        })

    def check(self, data: PharmacyBase) -> None:
        check_pharmacy(data, entry=True)

    def write(self, session: Session, data: PharmacyBase) -> str:
        return reference.save_pharmacy(session, actor=self.ctx.actor, data=data).name
