"""R40 / M7.6: the report as a printable PDF (A4, fpdf2, DejaVu Sans), all
in the language it was ordered in: a title block (title, period, who
prepared it and when), a notice when the period is not over yet, the
summary and the tables, the charts two a page each with its figures, the
signature block, and "page N of M" with the title on every page."""
from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from fpdf import FPDF

from .clock import now_local
from .roster_pdf import add_fonts

SIGNATURE_HEIGHT = 34.0
"""Millimetres kept free at the end for the signature block."""


@dataclass
class Prepared:
    """Who prepared the report and when (local time)."""

    at: datetime
    by: str = ""
    position: str = ""


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its header."""
    return struct.unpack(">II", png[16:24])


def period_text(start: date, end: date) -> str:
    return _("Period: %(start)s — %(end)s", start=f"{start:%d.%m.%Y}", end=f"{end:%d.%m.%Y}")


def unfinished_notice(as_of: datetime) -> str:
    return _("The period is not over: figures as of %(when)s (Almaty time).", when=f"{as_of:%d.%m.%Y %H:%M}")


def prepared_text(prepared: Prepared) -> str:
    return _("Prepared: %(when)s / %(name)s", when=f"{prepared.at:%d.%m.%Y %H:%M}", name=prepared.by or "—")


class _Pdf(FPDF):
    """A4 portrait; from page 2 on a running header (title and period);
    "page N of M" at the foot of every page."""

    def __init__(self, running: str, page_text: str):
        super().__init__(format="A4")
        self.running, self.page_text = running, page_text
        add_fonts(self)
        self.set_margins(15, 12, 15)
        self.set_auto_page_break(True, margin=16)

    def header(self):
        if self.page_no() == 1:
            return
        self.set_font("DejaVu", "", 7.5)
        self.set_text_color(90)
        self.multi_cell(0, 3.5, self.running, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(160)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.set_text_color(0)
        self.set_draw_color(0)
        self.ln(4)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90)
        self.cell(0, 5, self.page_text.replace("{page}", str(self.page_no())), align="C")
        self.set_text_color(0)


def _title_block(pdf: _Pdf, title: str, start: date, end: date, prepared: Prepared, unfinished: bool) -> None:
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 7, period_text(start, end), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, prepared_text(prepared), align="C", new_x="LMARGIN", new_y="NEXT")
    if unfinished:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 10)
        pdf.set_fill_color(255, 236, 179)
        pdf.set_draw_color(204, 136, 0)
        pdf.multi_cell(0, 6, unfinished_notice(prepared.at), border=1, align="C", fill=True, padding=1.5,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(0)
        pdf.set_fill_color(255)


def _cell(value) -> str:
    if value is None:
        return ""
    return format_decimal(value) if isinstance(value, float) else str(value)


def _widths(pdf: _Pdf, rows: list[list[str]]) -> list[float]:
    """Column widths from the content: each column at least as wide as its
    longest word (so no word is broken), the rest of the page shared in
    proportion to how much longer its texts are."""
    pad = 2.5
    n = len(rows[0])
    least = [max(pdf.get_string_width(w) for r in rows for w in (r[i].split() or [""])) + pad for i in range(n)]
    natural = [min(max(pdf.get_string_width(r[i]) for r in rows[1:] or rows) + pad, 90) for i in range(n)]
    natural = [max(a, b) for a, b in zip(least, natural)]
    if sum(least) >= pdf.epw:
        return [w * pdf.epw / sum(least) for w in least]
    if sum(natural) <= pdf.epw:  # all fits on one line: the first column takes what is left
        return [natural[0] + pdf.epw - sum(natural)] + natural[1:]
    spare = pdf.epw - sum(least)
    extra = [b - a for a, b in zip(least, natural)]
    return [a + spare * e / (sum(extra) or 1) for a, e in zip(least, extra)]


def _row_height(pdf: _Pdf, widths: list[float], row: list[str], line: float) -> float:
    return max(len(pdf.multi_cell(w - 1.6, line, t, dry_run=True, output="LINES")) for w, t in zip(widths, row)) * line


def _section(pdf: _Pdf, s) -> None:
    n = len(s.columns)
    size = 8.5 if n <= 5 else 7.5  # a wide table in a smaller type, so that no word has to break
    rows = [[str(c) for c in s.columns]] + [[_cell(v) for v in r] for r in s.rows or [["—"] + [""] * (n - 1)]]
    pdf.set_font("DejaVu", "B", size)
    widths = _widths(pdf, rows)
    head = _row_height(pdf, widths, rows[0], 4.2)
    pdf.set_font("DejaVu", "", size)
    first = _row_height(pdf, widths, rows[1], 4.2)
    if pdf.will_page_break(14 + head + first):  # a title never stays alone at the foot of a page
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, s.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font("DejaVu", "", size)
    numeric = [i > 0 and bool(s.rows) and all(isinstance(r[i], int | float) for r in s.rows) for i in range(n)]
    with pdf.table(col_widths=widths, text_align=["RIGHT" if x else "LEFT" for x in numeric],
                   line_height=4.2, first_row_as_headings=True, padding=0.8) as table:
        for r in rows:
            table.row(r)


def _charts(pdf: _Pdf, charts: list) -> None:
    """Two a page, each scaled into its half and its figures under it; the
    last page keeps room for the signature."""
    for i, block in enumerate(charts):
        if i % 2 == 0:
            pdf.add_page()
            top = pdf.get_y()
            slot = (pdf.h - pdf.b_margin - top - SIGNATURE_HEIGHT) / 2
        y = top + slot * (i % 2)
        pdf.set_font("DejaVu", "", 9)
        line = "  ·  ".join(f"{k}: {v}" for k, v in block.totals)
        text_h = 4.5 * len(pdf.multi_cell(pdf.epw, 4.5, line, dry_run=True, output="LINES")) + 3
        wpx, hpx = png_size(block.png)
        scale = min(pdf.epw / wpx, (slot - text_h - 7) / hpx)  # a gap before the next chart
        w, h = wpx * scale, hpx * scale
        pdf.image(io.BytesIO(block.png), x=pdf.l_margin + (pdf.epw - w) / 2, y=y, w=w, h=h)
        pdf.set_xy(pdf.l_margin, y + h + 1.5)
        pdf.multi_cell(pdf.epw, 4.5, line, align="C", new_x="LMARGIN", new_y="NEXT")


def _signed_line(pdf: _Pdf, x: float, w: float, bottom: float, text: str, caption: str) -> None:
    """``text`` standing on a line from ``x``, ``w`` wide, with ``caption`` under it."""
    pdf.set_font("DejaVu", "", 10)
    if text:
        lines = len(pdf.multi_cell(w, 5, text, dry_run=True, output="LINES"))
        pdf.set_xy(x, bottom - 5 * lines)
        pdf.multi_cell(w, 5, text, align="L")
    pdf.line(x, bottom + 0.8, x + w, bottom + 0.8)
    pdf.set_font("DejaVu", "", 7)
    pdf.set_xy(x, bottom + 1.2)
    pdf.cell(w, 3.5, f"({caption})", align="C")


def _signature(pdf: _Pdf, prepared: Prepared) -> None:
    """Position, a line to sign on, the name, and the date."""
    if pdf.will_page_break(SIGNATURE_HEIGHT):
        pdf.add_page()
    y = max(pdf.get_y() + 8, pdf.h - pdf.b_margin - SIGNATURE_HEIGHT + 6)
    cols = [(pdf.l_margin, 78, prepared.position, _("Position")), (pdf.l_margin + 84, 42, "", _("Signature")),
            (pdf.l_margin + 132, pdf.epw - 132, prepared.by, _("Full name"))]
    pdf.set_font("DejaVu", "", 10)
    bottom = max(y + 5 * len(pdf.multi_cell(w, 5, text, dry_run=True, output="LINES")) if text else y + 5
                 for _x, w, text, _c in cols)
    for x, w, text, caption in cols:
        _signed_line(pdf, x, w, bottom, text, caption)
    _signed_line(pdf, pdf.l_margin, 42, bottom + 12, "", _("Date"))


def to_pdf(title: str, sections: list, lang: str, start: date, end: date, charts: list = (),
           summary: list[str] = (), prepared: Prepared | None = None, unfinished: bool = False) -> bytes:
    """The whole report; ``charts`` are ``app.charts.report.ChartBlock``s."""
    prepared = prepared or Prepared(now_local())
    with force_locale(lang):
        running = f"{title} · {period_text(start, end)}"
        page_text = _("Page %(page)s of %(pages)s", page="{page}", pages="{nb}")
        pdf = _Pdf(running, page_text)
        pdf.set_title(title)
        pdf.set_lang(lang)
        pdf.add_page()
        _title_block(pdf, title, start, end, prepared, unfinished)
        pdf.set_font("DejaVu", "", 10)
        for paragraph in summary:
            pdf.ln(1.5)
            pdf.multi_cell(0, 5.5, paragraph, align="L", new_x="LMARGIN", new_y="NEXT")
        for s in sections:
            _section(pdf, s)
        _charts(pdf, list(charts))
        _signature(pdf, prepared)
        return bytes(pdf.output())
