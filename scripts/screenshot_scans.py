"""Take the screenshot of the documents tab's scans (docs/screenshots/documents_scans.png) at
the size of a small laptop screen, on the demo data (today 2026-11-27, seed 1) with three
scans attached (one of them voided, shown with "Show voided"):

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python scripts/screenshot_scans.py [OUT_DIR]

A temporary database and settings file are used; nothing of the user's is touched.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.screenshots import SEED, TODAY, settle  # noqa: E402

SCREEN = (1366, 768)


def pdf_scan(text: str) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, invariant=1)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def png_scan() -> bytes:
    from PySide6.QtCore import QBuffer, Qt
    from PySide6.QtGui import QImage

    image = QImage(850, 1100, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def main(out_dir: Path) -> int:
    from PySide6.QtCore import QSettings

    from models import demo
    from models.db import open_database, unit_of_work
    from models.records import attachments, clinical, registry
    from ui.shell.app import make_application
    from ui.shell.context import AppContext
    from ui.shell.main_window import MainWindow

    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="perdiem-shots-"))
    url = f"sqlite:///{tmp / 'perdiem-demo.sqlite'}"
    engine = open_database(url)
    with unit_of_work(engine) as session:
        demo.load_demo(session, actor="demo", seed=SEED, today=TODAY)
    app = make_application(["perdiem"])  # before the PNG is drawn with Qt
    with unit_of_work(engine) as s:
        order = clinical.list_records(s, registry.ORDER)[0]
        patient = order.patient_id
        delivery = next(iter(clinical.list_records(s, registry.DELIVERY, order_id=order.id)),
                        None)
        add = attachments.add_attachment
        add(s, actor="Jordan Reyes, RN", patient_id=patient, record_kind="order",
            record_id=order.id, filename="Signed order - Dr signature page.pdf",
            content=pdf_scan("Signed physician order"), description="faxed by the clinic")
        if delivery is not None:
            add(s, actor="Sam Ortiz", patient_id=patient, record_kind="delivery",
                record_id=delivery.id, filename="delivery receipt.png", content=png_scan())
        wrong = add(s, actor="Sam Ortiz", patient_id=patient,
                    filename="insurance card (other patient).pdf",
                    content=pdf_scan("Insurance card"))
        attachments.void_attachment(s, actor="Jordan Reyes, RN", attachment_id=wrong.id,
                                    reason="Card of another patient, scanned by mistake")

    ctx = AppContext(engine, "Jordan Reyes, RN", url)
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ctx, settings, today=lambda: TODAY)
    window.resize(*SCREEN)
    window.showMaximized()
    settle(app)
    window.select_patient(patient, "DocumentsTab")
    settle(app)
    tab = next(w for w in window.tab_widgets if type(w).__name__ == "DocumentsTab")
    tab.show_section("attachment")
    tab.scans.show_voided.setChecked(True)
    settle(app)
    tab.scans.view.selectRow(0)
    settle(app)
    path = out_dir / "documents_scans.png"
    window.grab().save(str(path))
    window.close()
    engine.dispose()
    print(f"Saved {path}")
    return 0


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    sys.exit(main(target))
