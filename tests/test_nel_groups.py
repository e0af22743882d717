"""recipes/nel_groups.yaml against the installed NEL 0.2.6: its packaged config groups, their options and
the defaults its own default.yaml picks, as Hydra would find them (L138 reads the list)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from nelc.knowledge import nel_groups


def test_the_group_list_is_nels_packaged_configs():
    root = Path(str(resources.files("nemo_evaluator_launcher") / "configs"))
    found: dict[str, list[str]] = {}
    for file in sorted(root.rglob("*.yaml")):
        relative = file.relative_to(root).with_suffix("")
        if len(relative.parts) == 1:
            continue  # default.yaml: the primary config, not a group option
        group, option = relative.parts[0], "/".join(relative.parts[1:])
        if group == "watcher":  # watcher/<group>/<option>: one more level
            group, option = "/".join(relative.parts[:2]), "/".join(relative.parts[2:])
        found.setdefault(group, []).append(option)
    assert {group: sorted(options) for group, options in found.items()} == {g: sorted(o) for g, o in nel_groups()["groups"].items()}
    picks = yaml.safe_load((root / "default.yaml").read_text())["defaults"]
    assert {k: v for item in picks if isinstance(item, dict) for k, v in item.items()} == nel_groups()["defaults"]
