"""README.md: its generated tables match the binary, and its worked study reproduces its figures."""
import re
import subprocess

import numpy as np
from matplotlib import image

from vfpatest import ENV, ROOT, check, test


@test
def readme_generated_tables_are_current():
    proc = subprocess.run(["/usr/bin/python3", str(ROOT / "tests" / "docs" / "readme.py"), "--check"], capture_output=True, text=True, env=ENV)
    check(proc.returncode == 0, proc.stdout + proc.stderr)


@test
def readme_worked_study_reproduces_its_figures():
    """Runs the README's worked-study block as written, then compares each figure it makes with the
    copy the README shows (postprocess/study/), pixel by pixel."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- BEGIN worked study -->\n```sh\n(.*?)```\n<!-- END worked study -->", text, re.S)
    check(block, "README.md has no worked-study block")
    proc = subprocess.run(["bash", "-e", "-c", block.group(1)], cwd=ROOT, capture_output=True, text=True, env=ENV, timeout=600)
    check(proc.returncode == 0, f"the worked study's commands failed:\n{proc.stdout[-1500:]}\n{proc.stderr[-1500:]}")
    check("rate 1.9667 (fit of l1 over t in [1.75, 10])" in proc.stdout, f"the fitted rate differs from the README's:\n{proc.stdout}")
    check("drift -3.507e-07" in proc.stdout, f"the momentum drift differs from the README's:\n{proc.stdout}")
    for shown in sorted((ROOT / "postprocess" / "study").glob("*.png")):
        made = ROOT / "output" / "relax1d" / "figures" / shown.name
        check(made.exists(), f"the worked study did not make {made}")
        a, b = image.imread(shown), image.imread(made)
        check(a.shape == b.shape and np.abs(a - b).mean() < 1e-3, f"{made.name} differs from the README's copy")
