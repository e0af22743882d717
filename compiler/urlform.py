"""Judge and user-simulator URLs come in two forms, and each harness expects one of them:
`base` ends in /v1 (the client appends /chat/completions) and `full` is the whole
/v1/chat/completions URL (recipes/benchmarks.yaml `endpoint_url_forms` says which, with sources)."""

from __future__ import annotations

from urllib.parse import urlsplit

SUFFIX = "/chat/completions"


def form_of(url: str) -> str | None:
    """`base`, `full`, or None when the path says neither (or the URL has a query or fragment).

    >>> form_of("https://j.example/v1"), form_of("https://j.example/v1/chat/completions/"), form_of("https://j/api")
    ('base', 'full', None)
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return None
    path = parts.path.rstrip("/")
    if path.endswith(SUFFIX):
        return "full"
    if path.endswith("/v1"):
        return "base"
    return None


def in_form(url: str, form: str) -> str | None:
    """`url` rewritten to `form`, or None when its form cannot be told.

    >>> in_form("https://j.example/v1/chat/completions", "base"), in_form("https://j.example/v1/", "full")
    ('https://j.example/v1', 'https://j.example/v1/chat/completions')
    """
    found = form_of(url)
    if found is None:
        return None
    stripped = url.rstrip("/")
    if found == form:
        return stripped
    return stripped[: -len(SUFFIX)] if form == "base" else stripped + SUFFIX


def has_credentials(url: str) -> bool:
    """Whether the URL carries user:password@ (it is a secret: never echoed or rewritten).

    >>> has_credentials("https://u:p@j.example/v1"), has_credentials("https://j.example/v1"), has_credentials("http://[")
    (True, False, False)
    """
    try:
        return "@" in urlsplit(url).netloc
    except ValueError:
        return False


def rstripped(url: str, chars: str) -> str | None:
    """What a harness that does `url.rstrip("/").rstrip(chars)` calls, when that differs from the
    URL with a `chars` suffix removed (it strips a set of characters, not a suffix); else None.

    >>> rstripped("https://gw.example.com/openai/chat/completions", "/chat/completions")
    'https://gw.example.'
    >>> rstripped("https://j.example/v1/chat/completions", "/chat/completions") is None
    True
    """
    url = url.rstrip("/")
    meant = url[: -len(chars)] if url.endswith(chars) else url
    got = url.rstrip(chars)
    return None if got == meant else got
