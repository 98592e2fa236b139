#!/usr/bin/env python3
"""The generated parts of README.md: the vfpa option tables (from `bin/vfpa -help`) and the tables of
snapshot and checkpoint attributes (from a real run), between <!-- BEGIN generated NAME --> and
<!-- END generated NAME --> markers. `readme.py --write` regenerates them (make readme);
`readme.py --check` exits 1 when README.md differs from what the current binary produces."""
import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py

ROOT = Path(__file__).resolve().parents[2]
VFPA = ROOT / "bin" / "vfpa"
README = ROOT / "README.md"
OPTION = re.compile(r"^\s+(-\w+):? <(.*?)>:? (.*) \((Vfpa\w+)\)$")

# Attributes that are not run parameters, with their meaning.
SNAPSHOT_ATTRIBUTES = {
    "time": "simulated time of the snapshot",
    "step": "time step number",
    "versions": "vfpa, PETSc, HDF5 and p4est versions of the binary",
}
CHECKPOINT_ATTRIBUTES = {
    "format_version": "checkpoint format (this vfpa writes and reads 1)",
    "vfpa_version": "vfpa version that wrote it",
    "versions": "vfpa, PETSc, HDF5 and p4est versions",
    "time": "simulated time",
    "step": "time step number",
    "dt": "next step size (the step-size controller's state)",
    "rejected": "rejected steps so far",
    "snapshot_count": "snapshots written so far (numbering continues after a restart)",
    "snapshot_times": "their times (absent when there are none)",
    "ranks": "number of MPI ranks that wrote it",
    "ranks_x": "ranks along x",
    "ranks_v": "ranks along v",
    "options": "the options of the run, as text (the base of a restart's options)",
    "parameters": "every run parameter as lines `name = value` (checked on restart)",
    "checksum_f": "checksum of dataset f (64-bit position-keyed hash sum)",
    "checksum_s": "checksum of dataset s (s-model only)",
}


def cell(text):
    return str(text).replace("|", "\\|")


def default_of(text):
    """The default in PETSc's '<now X : formerly Y>', '<X : Y>' or '<X>'."""
    text = re.sub(r"^now ", "", text)
    return text.split(" : ")[0].split(" : formerly ")[0].strip()


def options_markdown():
    """One table per vfpa option group of `bin/vfpa -help`."""
    help_text = subprocess.run([str(VFPA), "-help"], capture_output=True, text=True, check=True).stdout
    groups, seen, group = {}, set(), None
    for line in help_text.splitlines():
        if line.startswith("vfpa ") and line.endswith(":"):
            group = line[:-1]
            continue
        m = OPTION.match(line)
        if m and group and m.group(1) not in seen:
            seen.add(m.group(1))
            groups.setdefault(group, []).append((m.group(1), default_of(m.group(2)), m.group(3)))
    out = []
    for group, rows in groups.items():
        title = group[5:]
        out += [f"**{title[0].upper() + title[1:]}**", "", "| option | default | meaning |", "|---|---|---|"]
        out += [f"| `{name}` | {cell(default) or '(none)'} | {cell(text)} |" for name, default, text in rows]
        out.append("")
    return "\n".join(out).rstrip()


def kind(value):
    if isinstance(value, (bytes, str)):
        return "string"
    if hasattr(value, "shape") and value.shape:
        return "float array"
    return "integer" if "int" in type(value).__name__ else "float"


def attributes_markdown():
    """Tables of the attributes of a snapshot and of a checkpoint of a small s-model run."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(VFPA), "-protocol", "smodel", "-nx", "8", "-nv", "8", "-ts_max_steps", "2", "-monitor_interval", "0",
                        "-output_dir", tmp], capture_output=True, check=True)
        with h5py.File(sorted(Path(tmp).glob("snap_*.h5"))[-1], "r") as h:
            snap = {k: kind(v) for k, v in h.attrs.items()}
        with h5py.File(sorted(Path(tmp).glob("checkpoint_*.h5"))[-1], "r") as h:
            ckpt = {k: kind(v) for k, v in h.attrs.items()}
    parameters = [k for k in snap if k not in SNAPSHOT_ATTRIBUTES]
    missing = [k for k in ckpt if k not in CHECKPOINT_ATTRIBUTES and k not in parameters]
    if missing:
        raise SystemExit(f"readme.py: describe the checkpoint attributes {missing} in CHECKPOINT_ATTRIBUTES")
    out = ["Snapshot attributes:", "", "| attribute | type | meaning |", "|---|---|---|"]
    out += [f"| `{k}` | {snap[k]} | {v} |" for k, v in SNAPSHOT_ATTRIBUTES.items()]
    out.append("| every run parameter | | " + ", ".join(f"`{k}` ({snap[k]})" for k in parameters) +
               ": the value used, named like its option without the dash (`average` is the averaging rule in effect: "
               "the protocol's own, or `-smodel_average`) |")
    out += ["", "Checkpoint attributes (besides every run parameter, as in snapshots):", "", "| attribute | type | meaning |", "|---|---|---|"]
    out += [f"| `{k}` | {ckpt.get(k, 'float array')} | {v} |" for k, v in CHECKPOINT_ATTRIBUTES.items()]
    return "\n".join(out)


GENERATORS = {"options": options_markdown, "attributes": attributes_markdown}


def render(text):
    for name, generate in GENERATORS.items():
        pattern = re.compile(rf"(<!-- BEGIN generated {name} -->\n).*?(<!-- END generated {name} -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"readme.py: README.md has no '<!-- BEGIN generated {name} -->' block")
        text = pattern.sub(lambda m: m.group(1) + generate() + "\n" + m.group(2), text)
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite the generated blocks of README.md")
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is out of date")
    args = parser.parse_args()
    current = README.read_text()
    fresh = render(current)
    if args.write:
        README.write_text(fresh)
        print("readme.py: README.md regenerated")
        return 0
    if fresh != current:
        print("readme.py: README.md's generated blocks are out of date: run `make readme`")
        return 1
    print("readme.py: README.md is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
