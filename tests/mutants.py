"""Guards are tested on their blocking branch: each ``raise WorkflowError(...)``
of a domain module is replaced by ``pass`` in turn (each ``return
WorkflowError(...)`` of a blocker by ``return None``), and the module's tests
must then fail. ``make mutants`` runs it over the workflow, the receptions
and the M9 guards; a surviving mutant names a guard no test makes fire.

    python tests/mutants.py app/domain/workflow.py tests/domain/test_workflow.py
"""
import pathlib
import re
import subprocess
import sys

path = pathlib.Path(sys.argv[1])
tests = sys.argv[2:]
src = path.read_text()
lines = src.split("\n")
targets = [i for i, line in enumerate(lines) if re.match(r"\s*(raise|return) WorkflowError\(", line)]
survived = []
try:
    for i in targets:
        mutated = list(lines)
        indent = re.match(r"(\s*)", lines[i]).group(1)
        # a raise may span several lines: replace the statement's first line, comment out continuation lines
        j = i
        depth = lines[i].count("(") - lines[i].count(")")
        mutated[i] = indent + ("return None  # MUTANT" if lines[i].strip().startswith("return") else "pass  # MUTANT")
        while depth > 0:
            j += 1
            depth += lines[j].count("(") - lines[j].count(")")
            mutated[j] = indent + "# " + lines[j].strip()
        path.write_text("\n".join(mutated))
        r = subprocess.run([".venv/bin/python", "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:xdist", *tests],
                           capture_output=True, text=True)
        if r.returncode == 0:
            survived.append((i + 1, lines[i].strip()))
finally:
    path.write_text(src)
print(f"{path}: {len(targets)} guards mutated, {len(survived)} survived")
for line, text in survived:
    print(f"SURVIVED {path}:{line} {text}")
sys.exit(1 if survived else 0)
