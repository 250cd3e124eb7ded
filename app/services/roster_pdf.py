"""R8: the approved roster of a place and month, in Kazakh and Russian, as a
PDF — fpdf2 with DejaVu Sans (every Kazakh letter), from Debian's
fonts-dejavu-core or, failing that, the copy inside matplotlib."""
from __future__ import annotations

import os
from datetime import date

from fpdf import FPDF

FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
]


def _fonts() -> tuple[str, str]:
    for regular, bold in FONT_CANDIDATES:
        if os.path.exists(regular) and os.path.exists(bold):
            return regular, bold
    import matplotlib

    base = os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "fonts", "ttf")
    return os.path.join(base, "DejaVuSans.ttf"), os.path.join(base, "DejaVuSans-Bold.ttf")


def roster_pdf(texts: dict, rows: list[dict]) -> bytes:
    """``texts``: the titles in both languages; ``rows``: day, time, name,
    position_kk, position_ru."""
    regular, bold = _fonts()
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("DejaVu", "", regular)
    pdf.add_font("DejaVu", "B", bold)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, texts["title_kk"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 8, texts["title_ru"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 6, f"{texts['place_kk']}\n{texts['place_ru']}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = (24, 26, 66, 80, 80)
    pdf.set_font("DejaVu", "B", 8)
    for w, head in zip(widths, texts["columns"]):
        pdf.cell(w, 12, head, border=1, align="C")
    pdf.ln(12)
    pdf.set_font("DejaVu", "", 9)
    for r in rows:
        cells = [r["day"], r["time"], r["name"], r["position_kk"], r["position_ru"]]
        heights = [pdf.multi_cell(w, 5, str(c), dry_run=True, output="LINES") for w, c in zip(widths, cells)]
        height = 5 * max(len(h) for h in heights)
        if pdf.get_y() + height > pdf.h - 15:
            pdf.add_page()
        y = pdf.get_y()
        x = pdf.l_margin
        for w, c in zip(widths, cells):
            pdf.set_xy(x, y)
            pdf.multi_cell(w, 5, str(c), border=0, align="L")
            pdf.rect(x, y, w, height)
            x += w
        pdf.set_xy(pdf.l_margin, y + height)
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_x(pdf.l_margin)
    pdf.multi_cell(0, 5, texts["footer"], new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def month_name(month: int, lang: str) -> str:
    from babel.dates import format_date

    return format_date(date(2000, month, 1), "LLLL", locale=lang)
