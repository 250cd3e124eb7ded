"""What a PDF says and where, read with poppler's tools (poppler-utils):
its text page by page, its words with their boxes, its images per page."""
import html
import re
import subprocess
import tempfile
from collections import Counter


def _run(tool: str, data: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        return subprocess.run([tool, *args, fh.name, "-"] if tool != "pdfimages" else [tool, *args, fh.name],
                              capture_output=True, check=True, text=True).stdout


def pages(data: bytes) -> list[str]:
    """The text of each page, its lines joined by single spaces."""
    return [" ".join(page.split()) for page in _run("pdftotext", data, "-layout").split("\f")[:-1]]


def words(data: bytes) -> list[dict]:
    """Every word with its page's size and its box, in points."""
    out, page = [], None
    for line in _run("pdftotext", data, "-bbox").splitlines():
        m = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', line)
        if m:
            page = (float(m.group(1)), float(m.group(2)))
            continue
        m = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            x0, y0, x1, y1 = (float(m.group(i)) for i in range(1, 5))
            out.append({"text": html.unescape(m.group(5)), "x0": x0, "y0": y0, "x1": x1, "y1": y1,
                        "width": page[0], "height": page[1]})
    return out


def images_per_page(data: bytes) -> Counter:
    """page number → how many images it shows."""
    rows = _run("pdfimages", data, "-list").splitlines()[2:]
    return Counter(int(r.split()[0]) for r in rows if r.strip() and r.split()[2] == "image")
