"""The transparency report as a PDF: the tables of the page, their bars drawn as
rectangles. The bytes depend on the report alone (and fpdf2's version): the creation
date is the day after the period, never the clock, so the same report prints the same
file and two copies can be compared by their hash."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from mailcover.oversight.transparency import TransparencyReport, Version
from mailcover.oversight.transparency_tables import Table, tables, version_statement

LABEL_WIDTH = 100.0  # mm
VALUE_WIDTH = 22.0
BAR_WIDTH = 60.0
LINE = 5.5
BAR_FILL = (0, 94, 162)  # USWDS primary, as on the page
BAND_FILL = (197, 213, 230)


def render_pdf(report: TransparencyReport) -> bytes:
    pdf = FPDF(format="letter")
    pdf.set_creation_date(datetime.combine(report.end + timedelta(days=1), time.min, tzinfo=UTC))
    pdf.set_producer("mailcover")
    pdf.set_title(f"Transparency report {report.start} to {report.end} ({report.version})")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    _text(pdf, "mailcover transparency report", size=16, style="B")
    _text(pdf, f"Period: {report.start.isoformat()} to {report.end.isoformat()} (UTC, inclusive)")
    _text(pdf, f"Version: {report.version.value}", style="B")
    _text(pdf, version_statement(report.version), size=9)
    for table in tables(report):
        _table(pdf, table)
    if report.version is Version.PUBLIC:
        pdf.ln(2)
        _text(
            pdf,
            "0-9: fewer than 10, zero included. withheld: 10 or more, hidden so that a "
            "small count beside it cannot be worked out by subtraction.",
            size=9,
        )
    return bytes(pdf.output())


def _table(pdf: FPDF, table: Table) -> None:
    if pdf.will_page_break(LINE * (len(table.rows) + 3)):
        pdf.add_page()
    pdf.ln(3)
    _text(pdf, table.title, size=12, style="B")
    pdf.set_font("Helvetica", size=10)
    for row in table.rows:
        x, y = pdf.get_x(), pdf.get_y()
        pdf.cell(LABEL_WIDTH, LINE, _latin1(row.label))
        pdf.cell(VALUE_WIDTH, LINE, row.text, align="R")
        if row.bar is not None:
            width = max(row.bar * BAR_WIDTH, 0.3)
            pdf.set_fill_color(*(BAND_FILL if row.banded else BAR_FILL))
            pdf.rect(x + LABEL_WIDTH + VALUE_WIDTH + 3, y + 1, width, LINE - 2, style="F")
        pdf.ln(LINE)
    if table.note:
        _text(pdf, table.note, size=9)


def _text(pdf: FPDF, text: str, size: int = 10, style: str = "") -> None:
    pdf.set_font("Helvetica", style=style, size=size)
    pdf.multi_cell(0, size * 0.5, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _latin1(text: str) -> str:
    """The core fonts draw Latin-1 only; the report's own texts are ASCII."""
    return text.encode("latin-1", "replace").decode("latin-1")
