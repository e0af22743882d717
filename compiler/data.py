"""nelc's own data files (recipes/, schemas/), read once from the installed package.

These are part of the program, like its modules; reading them is not probing.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from ruamel.yaml import YAML


@lru_cache(maxsize=None)
def recipe(name: str) -> Any:
    """A YAML file from recipes/, e.g. recipe("backends")."""
    text = resources.files("nelc.recipes").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return YAML(typ="safe", pure=True).load(text)


@lru_cache(maxsize=None)
def recipe_json(name: str) -> Any:
    """A JSON file from recipes/, e.g. recipe_json("tasks_registry") (large data is JSON: it loads fast)."""
    return json.loads(resources.files("nelc.recipes").joinpath(f"{name}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    """A JSON Schema from schemas/, e.g. schema("nel")."""
    return json.loads(resources.files("nelc.schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8"))
