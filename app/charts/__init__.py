"""Charts: matplotlib Figure renderers (data in, PNG/SVG out) — see the charts issue."""
