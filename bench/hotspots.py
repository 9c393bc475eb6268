"""Summarise py-spy raw (collapsed) stacks: where the server's CPU samples go.

.venv/bin/python bench/hotspots.py bench/results/profile-create.collapsed
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*)\)$")
_GROUPS = ("retour", "sqlalchemy", "psycopg", "pydantic", "fastapi", "starlette", "uvicorn")


def read(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        if frames and count.isdigit():
            stacks.append((frames.split(";"), int(count)))
    return stacks


def group_of(frame: str) -> str:
    match = _FRAME.match(frame)
    file = match.group("file") if match else frame
    top = file.split("/")[0].removesuffix(".py")
    if top in _GROUPS or top.startswith("anyio"):
        return top
    return "stdlib/other" if file.endswith(".py") else "native/other"


def summarise(path: Path, top: int = 25) -> str:
    stacks = read(path)
    total = sum(count for _, count in stacks) or 1
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    groups: Counter[str] = Counter()
    for frames, count in stacks:
        for frame in set(frames):
            inclusive[frame] += count
        leaf[frames[-1]] += count
        groups[group_of(frames[-1])] += count
    out = [f"{path.name}: {total} samples", "", "self time by package:"]
    out += [f"  {share(n, total)}  {name}" for name, n in groups.most_common()]
    out += ["", f"top {top} inclusive (function and everything it calls):"]
    out += [f"  {share(n, total)}  {frame}" for frame, n in inclusive.most_common(top)]
    ours = [(frame, n) for frame, n in inclusive.most_common() if "(retour/" in frame]
    out += ["", f"top {top} Retour functions, inclusive:"]
    out += [f"  {share(n, total)}  {frame}" for frame, n in ours[:top]]
    out += ["", f"top {top} self (the leaf frame itself):"]
    out += [f"  {share(n, total)}  {frame}" for frame, n in leaf.most_common(top)]
    return "\n".join(out)


def share(count: int, total: int) -> str:
    return f"{100 * count / total:5.1f}%"


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        print(summarise(Path(argument)), end="\n\n")
