"""One shell-safe string policy for every value NEL 0.2.6 pastes into a script, shared by compile
rule R196 and lint rule L118.

NEL writes `run.sh`, sbatch scripts and `.secrets.env` from config strings without quoting them
(recipes/shell_surface.yaml lists the keys, with the NEL file and line of each). Quoting on output
is not ours to do, so each value is validated on input against its field class, and every string
anywhere must be free of control, bidi and zero-width characters (one line, unless it is a command
or a prompt). `extra_args` and `pre_cmd` are shell by design; extra_args is still checked for
command separators and substitutions outside quotes, which server flags never need.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Iterator

from .diagnostics import INVISIBLE, printable
from .knowledge import ShellClass, shell_surface

SHELL_SEPARATORS = "a command separator, pipe, redirection or substitution"


@dataclass(frozen=True)
class Problem:
    path: tuple
    message: str
    hint: str


def escaped(char: str) -> str:
    r"""A character as the user can read it in a message.

    >>> print(escaped(";"), escaped("\n"), escaped("\u202e"))
    ';' '\n' U+202E (RIGHT-TO-LEFT OVERRIDE)
    """
    if char in "\n\t\r":
        return repr(char)
    if char.isprintable() and char not in INVISIBLE and not char.isspace():
        return f"'{char}'"
    if char == " ":
        return "' ' (a space)"
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'control character')})"


def bad_control(value: str, multiline: bool) -> str | None:
    """The first control, bidi or invisible character (a newline only where one is not allowed)."""
    for char in value:
        if char == "\n" and multiline:
            continue
        if char == "\t" and multiline:
            continue
        if char in INVISIBLE or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co") and char != "\u00ad":
            return char
    return None


def bad_for_class(value: str, cls: ShellClass) -> str | None:
    """The first character `value` may not hold in its class, or None."""
    if cls.name == "shell":
        return None
    if cls.name == "env_value":
        prefix, _, rest = value.partition(":")
        if prefix in ("host", "runtime"):  # `${NAME}` and `export NAME` in NEL's scripts: an identifier
            return next((c for c in rest if not re.fullmatch(r"[A-Za-z0-9_]", c)), None if rest[:1] and not rest[0].isdigit() else (rest[:1] or ":"))
        if prefix != "lit":
            return None  # not NEL's env grammar at all: NEL refuses it (L105, S006)
    if cls.pattern is not None:
        if re.fullmatch(cls.pattern, value):
            return None
        return next((c for c in value if not re.fullmatch(r"[A-Za-z0-9_]", c)), value[:1] or " ")
    if cls.no_leading_dash and value.startswith("-"):
        return "-"
    if cls.allowed is not None:
        return next((c for c in value if not re.fullmatch(f"[{cls.allowed}]", c)), None)
    return next((c for c in value if c in cls.forbidden or c == "\n"), None)


def shell_operators(text: str) -> str | None:
    """A separator, pipe, redirection or substitution that a POSIX shell would act on, or None.

    >>> shell_operators("--max-model-len 8192 --chat-template '{% if x %};{% endif %}'") is None
    True
    >>> shell_operators("--port 1; touch /tmp/x"), shell_operators('--x "$(id)"')
    (';', '$(')
    """
    quote = ""
    index = 0
    while index < len(text):
        char = text[index]
        pair = text[index:index + 2]
        if quote == "'":
            quote = "" if char == "'" else quote
        elif char == "\\":
            index += 1  # the next character is escaped
        elif quote == '"':
            if pair in ("$(", "${") or char == "`":
                return pair if char == "$" else char
            quote = "" if char == '"' else quote
        elif char in "'\"":
            quote = char
        elif pair in ("$(", "${") or char in ";&|<>`\n":
            return pair if char == "$" else char
        index += 1
    return None


def _matches(path: tuple, pattern: tuple[str, ...]) -> bool:
    return len(path) == len(pattern) and all(p == "*" or fnmatchcase(str(k), p) for k, p in zip(path, pattern))


def _walk(tree: Any, prefix: tuple = ()) -> Iterator[tuple[tuple, Any, bool]]:
    """(path, value, is_key) for every mapping key and every scalar, in document order."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield (*prefix, key), key, True
            yield from _walk(value, (*prefix, key))
    elif isinstance(tree, (list, tuple)):
        for index, value in enumerate(tree):
            yield from _walk(value, (*prefix, index))
    else:
        yield prefix, tree, False


def control_problems(tree: Any) -> list[Problem]:
    """Keys and strings holding a control, bidi or invisible character (or a newline outside a command or prompt)."""
    multiline_keys = shell_surface().multiline_keys
    out: list[Problem] = []
    for path, value, is_key in _walk(tree):
        if not isinstance(value, str):
            continue
        multiline = not is_key and bool(path) and str(path[-1]) in multiline_keys
        char = bad_control(value, multiline)
        if char is not None:
            dotted = printable(".".join(map(str, path)))
            out.append(Problem(path, f"{dotted}: the {'key' if is_key else 'value'} holds {escaped(char)}",
                               "write it on one line with printable characters only" if not multiline
                               else "remove the control or invisible character"))
    return out


def interpolation_problems(tree: Any) -> list[Problem]:
    """Keys and strings holding `${`: NEL's OmegaConf resolves every interpolation it reads (an environment
    variable, another key, a resolver), so the text nelc checks is not the text that runs. A spec needs none."""
    out = []
    for path, value, is_key in _walk(tree):
        if isinstance(value, str) and "${" in value:
            dotted = printable(".".join(map(str, path)))
            out.append(Problem(path, f"{dotted}: the {'key' if is_key else 'value'} holds an OmegaConf interpolation ${{...}}, "
                               "which NEL resolves (from your environment, another key or a resolver) before it runs anything",
                               "write the value itself; pass secrets by env-var NAME (api_key_name, host:NAME)"))
    return out


def problems(config: Any) -> list[Problem]:
    """Every string of a NEL config that a script or a terminal would misread."""
    out = control_problems(config)
    flagged = {p.path for p in out}
    surface = shell_surface()
    for path, value, is_key in _walk(config):
        if not isinstance(value, str) or path in flagged or value == "???":
            continue  # ??? is NEL's "missing mandatory value": V002 and L104 report it
        dotted = ".".join(map(str, path))
        for entry in surface.keys:
            if entry.is_key != is_key or not _matches(path[:-1] if is_key else path, entry.pattern):
                continue
            cls = surface.classes[entry.cls]
            if cls.name == "shell":
                if path[-1] in ("extra_args", "extra_docker_args") and "${" in value:
                    out.append(Problem(path, f"{dotted} holds an OmegaConf interpolation ${{...}}: NEL resolves it before "
                                       f"pasting the flags into a shell script ({entry.source}), so no quoting here can "
                                       "contain what it brings in", "write the value itself"))
                elif path[-1] in ("extra_args", "extra_docker_args") and (op := shell_operators(value)):
                    out.append(Problem(path, f"{dotted} holds {escaped(op) if len(op) == 1 else repr(op)} "
                                       f"({SHELL_SEPARATORS}); NEL {entry.source} runs it through a shell",
                                       "server flags never need these; quote the flag's value if it is literal text"))
                continue
            char = bad_for_class(value, cls)
            if char is not None:
                where = "as a key " if is_key else ""
                out.append(Problem(path, f"{dotted} holds {escaped(char)}, which NEL 0.2.6 writes {where}unescaped into a "
                                   f"shell script ({entry.source})", _hint(cls)))
            break
    return out


def _hint(cls: ShellClass) -> str:
    kind = cls.name.replace("_", " ")
    article = "an" if kind[0] in "aeiou" else "a"
    if cls.pattern is not None:
        return "an env var name uses letters, digits and underscores, and does not start with a digit"
    if cls.allowed is not None:
        others = " ".join(cls.allowed.replace("A-Za-z0-9", ""))
        lead = "; it may not start with '-'" if cls.no_leading_dash else ""
        return f"{article} {kind} may use letters, digits and {others}{lead}"
    return f"{article} {kind} may not hold any of {' '.join(cls.forbidden)} or a newline"
