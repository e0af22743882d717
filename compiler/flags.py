"""Server flag strings: NEL takes one `deployment.extra_args` string per deployment."""

from __future__ import annotations

import shlex


def split(extra_args: str | list[str]) -> list[str]:
    """Tokens as a shell reads them; an unterminated quote keeps the text as one token instead of
    raising (rules report it: R130, L113)."""
    if isinstance(extra_args, (list, tuple)):
        return [str(t) for t in extra_args]
    try:
        return shlex.split(str(extra_args))
    except ValueError:
        return [str(extra_args)]


def quoting_problem(extra_args: object) -> str | None:
    """Why `extra_args` cannot be split as a shell would, or None.

    >>> quoting_problem('--chat-template "unterminated')
    'No closing quotation'
    """
    if not isinstance(extra_args, str):
        return None
    try:
        shlex.split(extra_args)
    except ValueError as exc:
        return str(exc)
    return None


def join(tokens: list[str]) -> str:
    return " ".join(shlex.quote(t) for t in tokens)


def names(tokens: list[str]) -> set[str]:
    """Flag names present, with `--a=b` counted as `--a` and `_`/`-` spellings unified.

    >>> sorted(names(["--max-model-len", "4096", "--trust_remote_code", "--x=1"]))
    ['--max-model-len', '--trust-remote-code', '--x']
    """
    return {t.split("=", 1)[0].replace("_", "-") for t in tokens if t.startswith("--")}


def has(tokens: list[str], flag: str) -> bool:
    return flag.replace("_", "-") in names(tokens)


def append_unless_present(extra_args: str, flag: str, *values: str) -> str | None:
    """`extra_args` with `flag values...` appended, or None when the flag is already there
    (the user's own value wins).

    >>> append_unless_present("--enforce-eager", "--max-model-len", "4096")
    '--enforce-eager --max-model-len 4096'
    >>> append_unless_present("--max_model_len=8192", "--max-model-len", "4096") is None
    True
    """
    tokens = split(extra_args)
    if has(tokens, flag):
        return None
    return join([*tokens, flag, *values])


def value_of(tokens: list[str], flag: str) -> str | None:
    """The value given to `flag` (`--f v` or `--f=v`), or None.

    >>> value_of(["--max_model_len=8192"], "--max-model-len")
    '8192'
    """
    wanted = flag.replace("_", "-")
    for index, token in enumerate(tokens):
        name, _, inline = token.partition("=")
        if name.replace("_", "-") == wanted:
            return inline or (tokens[index + 1] if index + 1 < len(tokens) else None)
    return None
