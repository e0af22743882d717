"""Write recipes/<name>.json from recipes/<name>.yaml.

The YAML files are the source people edit (comments, sources, anchors); nelc loads the JSON
copies at run time because a pure-Python YAML parse of them costs ~70 ms per compile and JSON
~2 ms. `--check` exits 1 when a JSON copy is stale (a test runs it).

    python scripts/build_recipes.py [--check]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ruamel.yaml import YAML

RECIPES = Path(__file__).resolve().parents[1] / "recipes"


def rendered(source: Path) -> str:
    data = YAML(typ="safe", pure=True).load(source.read_text(encoding="utf-8"))
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for source in sorted(RECIPES.glob("*.yaml")):
        target = source.with_suffix(".json")
        text = rendered(source)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(target.name)
        if not check:
            target.write_text(text, encoding="utf-8")
    if check and stale:
        print(f"stale: {', '.join(stale)}; run python scripts/build_recipes.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
