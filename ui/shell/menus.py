"""The main window's actions, menus and toolbar: each command's words, shortcut and tip.

What a command does is a method of the window (ui.shell.main_window) or of its commands
(ui.shell.window_commands); this mixin only builds `action_*`, the menu bar and the toolbar.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QToolBar


class WindowMenus:
    """Mixin for `MainWindow` (a QMainWindow): its actions, menus and toolbar."""

    def _action(self, text: str, slot: Callable[[], None], shortcut: QKeySequence | str | None
                = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        self.action_new_db = self._action("&New database…", self._on_new_database,
                                          tip="Create an empty database file and open it")
        self.action_open_db = self._action("&Open database…", self._on_open_database,
                                           QKeySequence.StandardKey.Open,
                                           "Open another PerDiem database file")
        self.action_connect = self._action("Connect to the pharmacy &server…",
                                           self.open_connect_dialog,
                                           tip="Work on the pharmacy's shared PostgreSQL "
                                           "database (several desks at once)")
        self.action_import = self._action("&Import…", self.import_export.ask_import, "Ctrl+I",
                                          "Import an interchange file (all or nothing)")
        self.action_export = self._action("&Export…", self.import_export.ask_export,
                                          "Ctrl+Shift+E", "Export everything as an "
                                          "interchange file")
        self.action_quit = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.action_pharmacy = self._action("P&harmacy settings…", self._on_pharmacy_settings,
                                            tip="Name, NPI, tax ID and address of the pharmacy")
        self.action_payers = self._action("P&ayers…", lambda: self._open_list("payer"),
                                          tip="Payers, prior authorization and modifiers")
        self.action_prescribers = self._action("P&rescribers…",
                                               lambda: self._open_list("prescriber"),
                                               tip="Prescribers and their NPIs")
        self.action_new_patient = self._action("&New patient…", self._on_new_patient,
                                               "Ctrl+N", "Add a patient and coverages")
        self.action_edit_patient = self._action("&Edit patient…", self._on_edit_patient,
                                                "Ctrl+E", "Edit the selected patient and "
                                                "coverages")
        self.action_find = self._action("&Find patient", self._on_find_patient,
                                        QKeySequence.StandardKey.Find,
                                        "Search the patient list")
        self.action_patients_page = self._action(
            "&Patients", lambda: self.show_page(self.PATIENTS_PAGE), "Ctrl+1",
            "Patients and their records")
        self.action_month_page = self._action(
            "&Billing month", lambda: self.show_page(self.MONTH_PAGE), "Ctrl+2",
            "Every patient's billing days for a month")
        self.action_today_page = self._action(
            "&Today", lambda: self.show_page(self.TODAY_PAGE), "Ctrl+0",
            "What needs doing today: entries to log, holds, authorizations, beyond-use dates, "
            "care notes, unsigned orders, claims")
        self.page_group = QActionGroup(self)
        for action in (self.action_today_page, self.action_patients_page,
                       self.action_month_page):
            action.setCheckable(True)
            self.page_group.addAction(action)
        self.action_patients_page.setChecked(True)
        self.action_refresh = self._action("&Refresh", self.refresh,
                                           QKeySequence.StandardKey.Refresh,
                                           "Reload everything from the database")
        self.action_about = self._action("&About PerDiem", self._on_about)
        self.action_shortcuts = self._action("&Keyboard shortcuts", self.open_shortcuts,
                                             QKeySequence.StandardKey.HelpContents,
                                             "Every shortcut of the menus, forms and dates")
        self.action_claims = self._action(
            "&Claim drafts…", self.open_claims, "Ctrl+Shift+C",
            "Preview a period's claims (837P, CMS-1500 or CSV), see their problems, save them")
        self.action_packet = self._action(
            "Documentation &packet…", self.open_packet_dialog, "Ctrl+Shift+P",
            "One PDF with the selected patient's records for a period, for an auditor or a "
            "claim")
        self.action_month_packets = self._action(
            "Packets for a &month…", self.open_month_packets_dialog, "Ctrl+Shift+M",
            "One documentation packet per patient with service days in a month")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.action_new_db, self.action_open_db, self.action_connect])
        file_menu.addSeparator()
        file_menu.addActions([self.action_import, self.action_export])
        file_menu.addSeparator()
        file_menu.addActions(self.security.actions)
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.action_pharmacy, self.action_payers, self.action_prescribers])
        edit_menu.addSeparator()
        edit_menu.addActions([self.action_new_patient, self.action_edit_patient,
                              self.action_find])
        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.action_today_page, self.action_patients_page,
                              self.action_month_page])
        view_menu.addSeparator()
        view_menu.addAction(self.action_refresh)
        billing_menu = bar.addMenu("Bi&lling")
        billing_menu.addAction(self.action_claims)
        billing_menu.addSeparator()
        billing_menu.addActions([self.action_packet, self.action_month_packets])
        self.billing_menu = billing_menu
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.action_shortcuts, self.action_about])

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main toolbar", self)
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addActions([self.action_today_page, self.action_patients_page,
                        self.action_month_page])
        bar.addSeparator()
        bar.addActions([self.action_new_patient, self.action_edit_patient])
        bar.addSeparator()
        bar.addAction(self.action_claims)
        bar.addSeparator()
        bar.addActions([self.action_import, self.action_export, self.action_refresh])
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar
