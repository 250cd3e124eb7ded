"""Accessibility basics checked on every page a journey visits: the page
declares its language, every form field has a label, and an action can be
reached and triggered with the keyboard alone."""
from __future__ import annotations

UNLABELLED_JS = """
() => {
  const skip = new Set(["hidden", "submit", "button", "reset", "image"]);
  const out = [];
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (skip.has((el.getAttribute("type") || "").toLowerCase())) continue;
    if (el.name === "csrf_token") continue;
    if (el.getClientRects().length === 0) continue;  // not rendered
    const style = window.getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    const id = el.id;
    const byFor = id && document.querySelector('label[for="' + CSS.escape(id) + '"]');
    const labelled = (byFor && byFor.textContent.trim())
      || (el.getAttribute("aria-label") || "").trim()
      || (el.getAttribute("aria-labelledby") || "").split(/\\s+/).some(
           (ref) => ref && document.getElementById(ref) && document.getElementById(ref).textContent.trim())
      || (el.closest("label") && el.closest("label").textContent.trim());
    if (!labelled) out.push(el.outerHTML.slice(0, 160));
  }
  return out;
}
"""


def check_page(page, lang: str) -> None:
    """``<html lang>`` is the UI locale and no visible field lacks a label."""
    declared = page.evaluate("() => document.documentElement.getAttribute('lang')")
    assert declared == lang, f"{page.url}: <html lang={declared!r}>, the UI speaks {lang!r}"
    unlabelled = page.evaluate(UNLABELLED_JS)
    assert not unlabelled, f"{page.url}: form fields without a label: {unlabelled}"


def tab_to(page, locator, max_tabs: int = 250) -> None:
    """Press Tab from the top of the page until ``locator`` has the focus:
    proof that the keyboard reaches it in the natural tab order."""
    target = locator.element_handle()
    assert target is not None, f"{locator} is not on the page"
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.focus(); }")
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", target):
            return
    raise AssertionError(f"{locator} is not reachable with Tab within {max_tabs} presses")


def press(page, locator, key: str = "Enter", max_tabs: int = 250) -> None:
    """Reach ``locator`` with Tab and trigger it with ``key`` (no mouse)."""
    tab_to(page, locator, max_tabs)
    page.keyboard.press(key)
