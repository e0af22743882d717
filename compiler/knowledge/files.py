"""nelc's own data files (recipes/*.json, schemas/*.schema.json), read once from the installed package.

These are part of the program, like its modules; reading them is not probing. Nothing outside
`nelc.knowledge` reads them: everyone else goes through the typed accessors beside this module.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=None)
def data_file(name: str) -> Any:
    """recipes/<name>.json: the JSON copy of a recipes YAML file (scripts/build_recipes.py keeps
    them in step; parsing the YAML on every compile would cost ~70 ms), or the task registry
    snapshot, which has no YAML source."""
    return json.loads(resources.files("nelc.recipes").joinpath(f"{name}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    """A JSON Schema from schemas/, e.g. schema("nel")."""
    return json.loads(resources.files("nelc.schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8"))
