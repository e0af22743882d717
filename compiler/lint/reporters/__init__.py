"""Lint reporters: a name -> render function table, one small module each."""

from __future__ import annotations

import os

from . import github, json_format, sarif, text

REPORTERS = {"text": text.render, "json": json_format.render, "github": github.render, "sarif": sarif.render}


def pick(name: str) -> str:
    """`auto` is github under GitHub Actions, text elsewhere."""
    if name == "auto":
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return name
