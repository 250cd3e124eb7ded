"""R8: the roster of a place and month, in Kazakh and Russian, as a PDF —
fpdf2 with DejaVu Sans (every Kazakh letter), from Debian's
fonts-dejavu-core or, failing that, the copy inside matplotlib.

Its approval mark says who approved it and when (R7-R8: the roster is
approved) — or, boldly, that it is a draft; every page carries its number
and the count of pages, and the table's header again on each page. Long
names and positions wrap inside their cells, never past the page."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from sqlalchemy import select

from app.extensions import db
from app.models import Official, RosterApproval

FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
]
WIDTHS = (24, 26, 66, 80, 80)
"""Date, time, full name, position (kk), position (ru) — 276 of A4 landscape's 277 mm."""
LINE = 5.0
DRAFT_RED = (190, 30, 30)


def _fonts() -> tuple[str, str]:
    for regular, bold in FONT_CANDIDATES:
        if os.path.exists(regular) and os.path.exists(bold):
            return regular, bold
    import matplotlib

    base = os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "fonts", "ttf")
    return os.path.join(base, "DejaVuSans.ttf"), os.path.join(base, "DejaVuSans-Bold.ttf")


def add_fonts(pdf: FPDF) -> None:
    """DejaVu Sans, regular and bold, as the family "DejaVu" of ``pdf``."""
    regular, bold = _fonts()
    pdf.add_font("DejaVu", "", regular)
    pdf.add_font("DejaVu", "B", bold)


@dataclass
class Approver:
    """Who approved a month's roster: their name, and their position in both
    languages when they are an official of the register."""

    name: str
    position_kk: str = ""
    position_ru: str = ""


def approval_of(place_id: int, year: int, month: int) -> RosterApproval | None:
    return db.session.execute(select(RosterApproval).where(
        RosterApproval.place_id == place_id, RosterApproval.year == year, RosterApproval.month == month)
    ).scalar_one_or_none()


def approver(approval: RosterApproval) -> Approver:
    user = approval.approved_by
    if user is None:
        return Approver("—")
    official = db.session.execute(select(Official).where(Official.user_id == user.id)).scalars().first()
    name = official.full_name if official else user.get_full_name().strip()
    return Approver(name, official.position_kk if official else "", official.position_ru if official else "")


class _RosterPdf(FPDF):
    def __init__(self, texts: dict):
        super().__init__(orientation="L", format="A4")
        self.texts = texts
        add_fonts(self)
        self.set_margins(10, 10, 10)
        self.set_auto_page_break(True, margin=14)

    def header(self):
        if self.page_no() == 1:
            return
        t = self.texts
        self.set_font("DejaVu", "", 7.5)
        self.set_text_color(90)
        self.multi_cell(self.epw - 70, 3.5, f"{t['title_kk']}\n{t['title_ru']}", new_x="LMARGIN", new_y="NEXT")
        below = self.get_y()
        if not t["approved"]:
            self.set_xy(self.w - self.r_margin - 68, self.t_margin)
            _draft_box(self, 68, 7.5)
            below = max(below, self.get_y())
        self.set_text_color(0)
        self.set_xy(self.l_margin, below + 3)

    def footer(self):
        self.set_y(-11)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90)
        page = str(self.page_no())
        self.cell(0, 5, f"{self.texts['page_kk'].replace('{page}', page)} / {self.texts['page_ru'].replace('{page}', page)}",
                  align="C")
        self.set_text_color(0)


def _draft_box(pdf: FPDF, width: float, size: float) -> None:
    """The draft mark: red, boxed, in both languages."""
    x = pdf.get_x()
    pdf.set_font("DejaVu", "B", size)
    pdf.set_text_color(*DRAFT_RED)
    pdf.set_draw_color(*DRAFT_RED)
    pdf.set_line_width(0.6)
    pdf.multi_cell(width, size * 0.55, f"{pdf.texts['draft_kk']}\n{pdf.texts['draft_ru']}", border=1, align="C",
                   padding=1.2, new_x="LEFT", new_y="NEXT")
    pdf.set_x(x)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0)
    pdf.set_text_color(0)


def _approval_block(pdf: _RosterPdf) -> None:
    """Top right of the first page: approved by whom and when, or the draft mark."""
    t = pdf.texts
    width = 100
    x = pdf.w - pdf.r_margin - width
    pdf.set_xy(x, pdf.t_margin)
    if not t["approved"]:
        _draft_box(pdf, width, 11)
        return
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(width, 5, f"{t['approved_kk']} / {t['approved_ru']}", align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for line in (t["approver_position_kk"], t["approver_position_ru"], t["approver_name"], t["approved_on"]):
        if line:
            pdf.multi_cell(width, 4.5, line, align="L", new_x="LEFT", new_y="NEXT")


def _height(pdf: _RosterPdf, cells: list[str], bold: bool) -> float:
    pdf.set_font("DejaVu", "B" if bold else "", 8 if bold else 9)
    return LINE * max(len(pdf.multi_cell(w, LINE, str(c), dry_run=True, output="LINES")) for w, c in zip(WIDTHS, cells))


def _row(pdf: _RosterPdf, cells: list[str], bold: bool = False) -> None:
    height = _height(pdf, cells, bold)
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
        if not bold:
            _row(pdf, pdf.texts["columns"], bold=True)  # the header again on each page
            height = _height(pdf, cells, bold)
    y = pdf.get_y()
    x = pdf.l_margin
    for w, c in zip(WIDTHS, cells):
        pdf.set_xy(x, y)
        pdf.multi_cell(w, LINE, str(c), border=0, align="C" if bold else "L")
        pdf.rect(x, y, w, height)
        x += w
    pdf.set_xy(pdf.l_margin, y + height)


def roster_pdf(texts: dict, rows: list[dict]) -> bytes:
    """``texts``: the titles, the approval mark and the page line in both
    languages; ``rows``: day, time, name, position_kk, position_ru."""
    pdf = _RosterPdf(texts)
    pdf.add_page()
    _approval_block(pdf)
    pdf.set_y(max(pdf.get_y(), pdf.t_margin + 10) + 4)
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 7, texts["title_kk"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 7, texts["title_ru"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10.5)
    pdf.multi_cell(0, 5.5, f"{texts['place_kk']}\n{texts['place_ru']}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    cells = [[r["day"], r["time"], r["name"], r["position_kk"], r["position_ru"]] for r in rows]
    if cells and pdf.get_y() + _height(pdf, texts["columns"], True) + _height(pdf, cells[0], False) > pdf.page_break_trigger:
        pdf.add_page()  # the table's header never stays alone at the foot of the first page
    _row(pdf, texts["columns"], bold=True)
    for r in cells:
        _row(pdf, r)
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, texts["footer"], new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def month_name(month: int, lang: str) -> str:
    """The month's name as it stands inside a title: "желтоқсан", "декабрь"
    (lower case, as both languages write it after the year or the word)."""
    from babel.dates import format_date

    return format_date(date(2000, month, 1), "LLLL", locale=lang).lower()
