"""Server flag strings: NEL takes one `deployment.extra_args` string per deployment."""

from __future__ import annotations

import re
import shlex

# One piece of a word, as shlex.split reads it (POSIX mode, no comments): a run of plain characters,
# a backslash escape, a '...' string, or a "..." string (in which a backslash escapes only '"' and
# itself). Possessive repeats keep matching linear: shlex itself builds each token a character at a
# time and took two minutes on a 1 MB served name.
_PLAIN = re.compile(r"""[^ \t\r\n'"\\]++""")
_PIECE = re.compile(r"\\(.)|'([^']*+)'|\"((?:[^\"\\]++|\\.)*+)\"", re.S)
_DQ_ESCAPE = re.compile(r"""\\([\\"])""")
_DQ_OPEN_ESCAPE = re.compile(r"""(?:[^"\\]++|\\.)*+\\""", re.S)  # an open "... that ends in a lone backslash
_SPACE = re.compile(r"[ \t\r\n]*+")


def shell_words(text: str) -> list[str]:
    """shlex.split(text) in linear time; raises ValueError as shlex does on an open quote or a trailing backslash.

    >>> shell_words("--chat-template '{% if x %}a b' --x=y \\"q t\\"")
    ['--chat-template', '{% if x %}a b', '--x=y', 'q t']
    """
    words, pos, end = [], 0, len(text)
    pos = _SPACE.match(text, pos).end()
    while pos < end:
        parts = []
        while pos < end and text[pos] not in " \t\r\n":
            plain = _PLAIN.match(text, pos)
            if plain:
                parts.append(plain.group())
                pos = plain.end()
                continue
            piece = _PIECE.match(text, pos)
            if piece is None:
                open_escape = text[pos] == "\\" or (text[pos] == '"' and _DQ_OPEN_ESCAPE.fullmatch(text, pos + 1))
                raise ValueError("No escaped character" if open_escape else "No closing quotation")
            escaped, single, double = piece.groups()
            parts.append(escaped if escaped is not None else single if single is not None else _DQ_ESCAPE.sub(r"\1", double))
            pos = piece.end()
        words.append("".join(parts))
        pos = _SPACE.match(text, pos).end()
    return words


def split(extra_args: str | list[str]) -> list[str]:
    """Tokens as a shell reads them; an unterminated quote keeps the text as one token instead of
    raising (rules report it: R130, L113)."""
    if isinstance(extra_args, (list, tuple)):
        return [str(t) for t in extra_args]
    try:
        return shell_words(str(extra_args))
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
        shell_words(extra_args)
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
    """The value given to `flag` (`--f v` or `--f=v`), the last one when it is repeated (argparse
    keeps the last), or None.

    >>> value_of(["--max_model_len=8192"], "--max-model-len"), value_of(["--x", "1", "--x", "2"], "--x")
    ('8192', '2')
    """
    wanted = flag.replace("_", "-")
    found = None
    for index, token in enumerate(tokens):
        name, _, inline = token.partition("=")
        if name.replace("_", "-") == wanted:
            found = inline or (tokens[index + 1] if index + 1 < len(tokens) else None)
    return found


_SUFFIXES = {"k": 10**3, "m": 10**6, "g": 10**9, "K": 2**10, "M": 2**20, "G": 2**30}


def token_count(text: object) -> int | None:
    """A length flag's value as the server reads it: ASCII digits, or vLLM's human-readable form
    (vllm/engine/arg_utils.py human_readable_int: `8k` = 8000, `8K` = 8192, `1.5k` = 1500), else None.

    >>> token_count("131072"), token_count("8k"), token_count("8K"), token_count("1.5k"), token_count("²"), token_count("-1")
    (131072, 8000, 8192, 1500, None, None)
    """
    if not isinstance(text, str) or not text or not text.isascii():
        return None
    if text.isdigit():
        return int(text)
    number, suffix = text[:-1], text[-1]
    if suffix not in _SUFFIXES or not number or not all(c.isdigit() or c == "." for c in number) or number.count(".") > 1:
        return None
    value = float(number) * _SUFFIXES[suffix]
    return int(value) if value == int(value) and value > 0 else None