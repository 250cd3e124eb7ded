"""Accessibility checked on every page a journey visits: the page declares
its language, every form field has a label, axe-core finds no critical or
serious violation (nor a missing landmark or page heading), the page has
exactly one ``<h1>``, and an action can be reached and triggered with the
keyboard alone."""
from __future__ import annotations

# axe-core's own script as the pinned axe-playwright-python wheel ships it
# (axe.min.js inside the package): nothing is downloaded when the tests run.
from axe_playwright_python.base import AXE_SCRIPT

FAILING_IMPACTS = frozenset({"critical", "serious"})
# Moderate rules the layout guarantees on every page (baselayout.html):
# one banner, one main landmark, all content inside landmarks, a page heading.
LAYOUT_RULES = frozenset({
    "landmark-one-main", "landmark-no-duplicate-main", "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo", "landmark-unique", "region", "page-has-heading-one",
    "bypass", "skip-link",
})
AXE_RUN_JS = "(options) => axe.run(document, options).then((r) => r.violations)"
AXE_OPTIONS = {"resultTypes": ["violations"]}

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
    """``<html lang>`` is the UI locale, no visible field lacks a label, the
    page has one ``<h1>`` and axe-core finds nothing that fails it."""
    declared = page.evaluate("() => document.documentElement.getAttribute('lang')")
    assert declared == lang, f"{page.url}: <html lang={declared!r}>, the UI speaks {lang!r}"
    unlabelled = page.evaluate(UNLABELLED_JS)
    assert not unlabelled, f"{page.url}: form fields without a label: {unlabelled}"
    headings = page.evaluate("() => Array.from(document.querySelectorAll('h1'), (h) => h.textContent.trim())")
    assert len(headings) == 1 and headings[0], f"{page.url}: a page has exactly one non-empty <h1>, found {headings}"
    check_axe(page)


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (every rule it runs by default)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    return page.evaluate(AXE_RUN_JS, AXE_OPTIONS)


def failing(violations: list[dict]) -> list[dict]:
    """The violations that fail a page: critical or serious, or a layout rule."""
    return [v for v in violations if v.get("impact") in FAILING_IMPACTS or v["id"] in LAYOUT_RULES]


def report(url: str, violations: list[dict], max_nodes: int = 5) -> str:
    """One line per rule (id, impact, help), then its target nodes."""
    lines = [f"{url}: axe-core finds {len(violations)} failing rule(s)"]
    for v in violations:
        lines.append(f"  {v['id']} ({v.get('impact')}): {v['help']} — {len(v['nodes'])} node(s)")
        for node in v["nodes"][:max_nodes]:
            target = " ".join(" >>> ".join(t) if isinstance(t, list) else t for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")[:220]
            lines.append(f"      {target}  {node['html'][:140]}  {summary}")
        if len(v["nodes"]) > max_nodes:
            lines.append(f"      … and {len(v['nodes']) - max_nodes} more")
    return "\n".join(lines)


def check_axe(page) -> None:
    """No critical or serious axe-core violation, nor a layout one."""
    bad = failing(axe_violations(page))
    assert not bad, report(page.url, bad)


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
