"""Reference data dialogs: prescribers (NPI check digit), payers (modifiers, prior
authorization for R5) and the pharmacy's settings, typed into the real widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt

from models.db import unit_of_work
from models.records import reference
from models.records.tables import PharmacyBase
from models.validation import npi_with_check_digit
from ui.records.pharmacy_form import PharmacyDialog
from ui.records.reference import PayerDialog, PrescriberDialog, ReferenceListDialog
from ui.shell.context import AppContext

GOOD_NPI = npi_with_check_digit("155841238")


def bad_check_digit(npi: str) -> str:
    return npi[:9] + str((int(npi[9]) + 1) % 10)


def make_ctx(engine, url) -> AppContext:
    return AppContext(engine, "pharmacist", url)


def test_invalid_npi_is_refused_with_the_field_named_and_the_text_kept(qtbot, engine, db_url):
    ctx = make_ctx(engine, db_url)
    dlg = PrescriberDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.first_name, "Ngozi")
    qtbot.keyClicks(dlg.last_name, "Okafor")
    wrong = bad_check_digit(GOOD_NPI)
    qtbot.keyClicks(dlg.npi, wrong)
    expected = f"the check digit is wrong (the last digit should be {GOOD_NPI[9]})"
    assert dlg.npi.property("problem") == expected  # marked as soon as ten digits are typed

    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)

    assert dlg.isVisible()
    assert f"NPI: {expected}" in dlg.error_label.text()
    assert (dlg.first_name.text(), dlg.last_name.text(), dlg.npi.text()) == (
        "Ngozi", "Okafor", wrong)
    with unit_of_work(engine) as s:
        assert reference.list_prescribers(s) == []

    dlg.npi.clear()
    assert dlg.npi.property("problem") == ""
    qtbot.keyClicks(dlg.npi, GOOD_NPI)
    assert dlg.npi.property("problem") == ""
    qtbot.keyClick(dlg.npi, Qt.Key.Key_Return)  # Enter saves
    assert not dlg.isVisible()
    with unit_of_work(engine) as s:
        saved = reference.list_prescribers(s)
    assert [(d.id, d.display_name, d.npi) for d in saved] == [
        ("dr-1", "Okafor, Ngozi", GOOD_NPI)]


def test_short_npi_is_only_marked_once_the_field_is_left(qtbot, engine, db_url):
    dlg = PrescriberDialog(make_ctx(engine, db_url))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.npi, "12345")
    assert dlg.npi.property("problem") == ""
    dlg.npi.editingFinished.emit()
    assert dlg.npi.property("problem") == "an NPI is 10 digits"


def test_payer_with_prior_authorization_and_modifiers(qtbot, engine, db_url):
    ctx = make_ctx(engine, db_url)
    dlg = PayerDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.name, "Prairie Medicaid")
    qtbot.keyClicks(dlg.claim_id, "ILMCD")
    dlg.kind.setCurrentIndex(dlg.kind.findData("medicaid"))
    qtbot.mouseClick(dlg.prior_auth, Qt.MouseButton.LeftButton)  # R5 then needs an auth
    qtbot.keyClicks(dlg.modifiers, "sh, sj, u1")
    assert dlg.modifiers.property("problem") == "holds at most two modifiers"
    assert not dlg.save()
    assert "Per diem modifiers: holds at most two modifiers" in dlg.error_label.text()

    dlg.modifiers.clear()
    qtbot.keyClicks(dlg.modifiers, "sh sj")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible()
    payer = ctx.read(lambda s: reference.get_payer(s, dlg.payer_id))
    assert (payer.name, payer.payer_id, payer.kind, payer.requires_prior_auth,
            payer.per_diem_modifiers) == ("Prairie Medicaid", "ILMCD", "medicaid", True,
                                          ["SH", "SJ"])


def test_r33_payer_form_chooses_the_claim_filing_indicator(qtbot, engine, db_url):
    """R33: the blank choice names the kind's default; `other` has none and says claims are
    refused; a chosen indicator is saved and shown again."""
    ctx = make_ctx(engine, db_url)
    dlg = PayerDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.name, "Great Lakes Casualty")
    qtbot.keyClicks(dlg.claim_id, "GLCWC")
    dlg.kind.setCurrentIndex(dlg.kind.findData("tricare"))
    assert dlg.filing.itemText(0) == "the kind's default: CH TRICARE"
    dlg.kind.setCurrentIndex(dlg.kind.findData("other"))
    assert dlg.filing.itemText(0) == "none: claims are refused until one is chosen"
    dlg.filing.setCurrentIndex(dlg.filing.findData("WC"))
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible(), dlg.error_label.text()
    payer = ctx.read(lambda s: reference.get_payer(s, dlg.payer_id))
    assert (payer.kind, payer.claim_filing_indicator) == ("other", "WC")
    again = PayerDialog(ctx, payer.id)
    qtbot.addWidget(again)
    assert again.filing.currentData() == "WC"


def test_pharmacy_settings_saved_and_other_settings_kept(qtbot, engine, db_url):
    ctx = make_ctx(engine, db_url)
    with unit_of_work(engine) as s:
        reference.save_pharmacy(s, actor="t", data=PharmacyBase(
            name="Old name", npi=GOOD_NPI, tax_id="371234567", address_line1="1 Main St",
            city="Peoria", state="IL", zip="61602", submitter_id="SUB123"))
    dlg = PharmacyDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.name.text() == "Old name"
    dlg.name.clear()
    qtbot.keyClicks(dlg.name, "Riverbend Home Infusion")
    dlg.tax_id.clear()
    qtbot.keyClicks(dlg.tax_id, "37-123456")
    assert dlg.tax_id.property("problem") == "is the 9-digit employer identification number (EIN)"
    qtbot.keyClicks(dlg.tax_id, "7")
    assert dlg.tax_id.property("problem") == ""
    qtbot.keyClicks(dlg.taxonomy, "3336h0001x")
    # issue 11: the 5-digit ZIP saved before is refused for claims, and said as it is shown
    zip_ = dlg.address["zip"]
    zip_.setText("61602")
    assert "ZIP+4" in zip_.property("problem")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert dlg.isVisible() and "ZIP: needs all 9 digits (ZIP+4)" in dlg.error_label.text()
    qtbot.keyClicks(zip_, "-1234")
    assert zip_.property("problem") == ""
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible(), dlg.error_label.text()

    p = ctx.read(reference.get_pharmacy)
    assert (p.name, p.tax_id, p.taxonomy, p.zip) == ("Riverbend Home Infusion", "371234567",
                                                     "3336H0001X", "616021234")
    assert p.submitter_id == "SUB123"  # a setting this form does not show is not wiped


def test_pharmacy_form_refuses_what_a_clearinghouse_refuses_as_typed(qtbot, engine, db_url):
    """Issue 11: an NPI not beginning with 1 or 2 (though its check digit is right), an EIN
    prefix the IRS never assigns, a malformed taxonomy code and a post office box are marked as
    they are typed, and saving names each."""
    ctx = make_ctx(engine, db_url)
    dlg = PharmacyDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.npi, "9083742012")  # Luhn-valid, but NPIs begin with 1 or 2
    assert "begins with 1" in dlg.npi.property("problem")
    qtbot.keyClicks(dlg.tax_id, "071234567")
    assert "cannot begin with 07" in dlg.tax_id.property("problem")
    qtbot.keyClicks(dlg.taxonomy, "X336H0001X")
    assert "3 digits" in dlg.taxonomy.property("problem")
    qtbot.keyClicks(dlg.address["address_line1"], "PO Box 12")
    assert "post office box" in dlg.address["address_line1"].property("problem")
    qtbot.keyClicks(dlg.name, "Riverbend")
    assert not dlg.save()
    text = dlg.error_label.text()
    for expected in ("NPI: an NPI begins with 1", "Tax ID (EIN): cannot begin with 07",
                     "Taxonomy code: is 10 characters", "Address: is a post office box"):
        assert expected in text
    assert ctx.read(reference.get_pharmacy) is None


def test_pharmacy_settings_missing_fields_named(qtbot, engine, db_url):
    ctx = make_ctx(engine, db_url)
    dlg = PharmacyDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.name, "Riverbend")
    assert not dlg.save()
    text = dlg.error_label.text()
    for expected in ("NPI: is required", "Tax ID (EIN): is required", "Address: is required",
                     "City: is required", "State: is required", "ZIP: is required"):
        assert expected in text
    assert ctx.read(reference.get_pharmacy) is None
    assert dlg.name.text() == "Riverbend"


def test_reference_lists_reload_and_pass_the_model_tester(qtbot, qtmodeltester, example_engine,
                                                          db_url):
    ctx = make_ctx(example_engine, db_url)
    payers = ReferenceListDialog(ctx, "payer")
    prescribers = ReferenceListDialog(ctx, "prescriber")
    qtbot.addWidget(payers)
    qtbot.addWidget(prescribers)
    qtmodeltester.check(payers.model)
    qtmodeltester.check(prescribers.model)
    assert prescribers.model.rowCount() == 1
    assert prescribers.model.index(0, 0).data() == "Okafor, Ngozi"

    prescribers.show()
    qtbot.mouseClick(prescribers.new_button, Qt.MouseButton.LeftButton)
    form = prescribers.editor
    assert isinstance(form, PrescriberDialog) and form.isVisible()
    qtbot.keyClicks(form.first_name, "Lena")
    qtbot.keyClicks(form.last_name, "Abbott")
    qtbot.keyClicks(form.npi, GOOD_NPI)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    # the list reloads on the change notice
    assert [prescribers.model.index(r, 0).data() for r in range(2)] == [
        "Abbott, Lena", "Okafor, Ngozi"]


def test_an_error_list_grows_the_pharmacy_dialog_instead_of_squeezing_it(qtbot, engine,
                                                                         db_url):
    """Issue 16: after a refused save the dialog is tall enough for its help texts and the
    list of problems (laid out at the height its layout asks for)."""
    dlg = PharmacyDialog(make_ctx(engine, db_url))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    before = dlg.height()
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)  # everything is missing
    assert dlg.error_label.isVisible()
    assert dlg.height() > before
    assert dlg.height() >= dlg.layout().totalHeightForWidth(dlg.width())
