"""Secrets: what looks like one, and how nelc names a value without echoing it.

A nelc spec and a NEL config never need a secret value: keys are passed by the NAME of an env
var (`host:NAME`). So any string that contains a credential-shaped token, or a URL with a
`user:password@` part, is refused wherever it appears, spec keys included. Messages name such a
value only by its key path and at most its first 3 characters (git-secrets / detect-secrets do
the same), and a secret-shaped path segment is masked too.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

# Vendor token shapes, anchored on a whole token.
_VENDOR = re.compile(r"^(hf_[A-Za-z0-9]{20,}|nvapi-[A-Za-z0-9_\-]{16,}|sk-[A-Za-z0-9_\-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}"
                     r"|github_pat_[A-Za-z0-9_]{20,}|xox[abpr]-[A-Za-z0-9\-]{10,}|AKIA[0-9A-Z]{16}|glpat-[A-Za-z0-9_\-]{20,}"
                     # Google API keys, Stripe live/test keys, a JWT's base64 JSON header ('{"' is eyJ)
                     r"|AIza[0-9A-Za-z_\-]{35}|[sr]k_(?:live|test)_[0-9A-Za-z]{16,}|eyJ[A-Za-z0-9_\-]{16,})$")
# A Slack incoming-webhook URL is itself the credential
_WEBHOOK = re.compile(r"hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9]{6,}/")
# A long random token: names and paths have separators; hex digests and revisions are lowercase.
_RANDOM = re.compile(r"^(?=.*\d)(?=.*[a-z])(?=.*[A-Z])[A-Za-z0-9]{32,}$")
_TOKEN = re.compile(r"[A-Za-z0-9_\-]{10,}")
# URLs are found from each "://" (str.find), never by a pattern that could start at every position:
# a scheme-first pattern rescans a long run of letters from each of its characters (quadratic; a
# 160 KB value took a minute). Each pattern below is matched only at the position just after "://",
# and each of its repeats stops at '/', which every later "://" holds, or is bounded.
_SCHEME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-")
_NETLOC = re.compile(r"[^\s\"'<>/?#]*")  # urlsplit's netloc ends at '/', '?' or '#'; the text's URL at a space or quote
# user:password@ after a scheme, whatever the password holds ('/', '#', '?', quotes), up to the '@'.
_USERINFO = re.compile(r"[^\s@/?#]{1,256}:[^@\n]{0,256}@")


def _credentialed_url(text: str) -> bool:
    """A URL with a `user[:password]@` part anywhere in `text`, in time linear in its length."""
    at = text.find("://")
    while at != -1:
        if at > 0 and text[at - 1] in _SCHEME_CHARS:
            netloc = _NETLOC.match(text, at + 3).group()
            if "@" in netloc or _USERINFO.match(text, at + 3):
                return True
        at = text.find("://", at + 3)
    return False


def looks_like_secret(value: str) -> bool:
    """The whole value is a credential.

    >>> looks_like_secret("hf_" + "a1B2" * 6), looks_like_secret("JUDGE_API_KEY"), looks_like_secret("meta-llama/Llama-3.1-8B")
    (True, False, False)
    """
    return bool(_VENDOR.match(value) or _RANDOM.match(value))


def contains_secret(text: str) -> bool:
    """A credential anywhere in `text`: a token (`lit:hf_…`, `--api-key nvapi-…`) or URL userinfo.

    >>> contains_secret("lit:hf_" + "x" * 24), contains_secret("https://u:pw@host/v1"), contains_secret("host:HF_TOKEN")
    (True, True, False)
    """
    if any(looks_like_secret(token) for token in _TOKEN.findall(text)) or _WEBHOOK.search(text):
        return True
    return _credentialed_url(text)


_BEARER = re.compile(r"(?i)\b(bearer|token|api[_-]?key|password|secret)(\s*[:=]\s*|\s+)(\S{8,})")
_URL_USER = re.compile(r"(://)[^\s@/?#]{1,256}@")
_JWT = re.compile(r"eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]*+\.?[A-Za-z0-9_\-]*+")
_WEBHOOK_PATH = re.compile(r"(hooks\.slack\.com/(?:services|workflows)/)[^\s\"'<>]+")


def scrubbed(text: str) -> str:
    """`text` (a log line, a tool's output) with what looks like a credential masked: vendor and random
    tokens, a URL's user:password@, and the value after Bearer / token= / api_key= / password=.

    >>> scrubbed("Authorization: Bearer nvapi-AbCdEfGh12345678 at https://u:pw@h/v1 key=hf_" + "a1B2" * 6)
    'Authorization: Bearer nva… at https://…@h/v1 key=hf_…'
    """
    text = _URL_USER.sub(lambda m: m.group(1) + "…@", text)
    text = _WEBHOOK_PATH.sub(lambda m: m.group(1) + "…", text)
    text = _JWT.sub("eyJ…", text)  # header.payload.signature: the signature alone is no token shape
    text = _BEARER.sub(lambda m: m.group(1) + m.group(2) + mask(m.group(3)), text)
    return _TOKEN.sub(lambda m: mask(m.group()) if looks_like_secret(m.group()) else m.group(), text)


def masked_text(text: str, secrets: list[str]) -> str:
    """`text` with every occurrence of each secret (longest first) replaced by its mask."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = text.replace(secret, mask(secret))
    return text


def secret_strings(tree: Any) -> list[str]:
    """The keys and string values of `tree` that hold a secret (what must never be printed)."""
    out = []
    for path, _ in find_secrets(tree):
        node = tree
        for part in path[:-1]:
            node = node[part]
        key = path[-1] if path else None
        if isinstance(node, dict) and isinstance(key, str) and contains_secret(key):
            out.append(key)
        value = node[key] if path else node
        if isinstance(value, str):
            out.append(value)
    return out


def mask(value: str) -> str:
    """At most the first 3 characters, then an ellipsis.

    >>> mask("nvapi-abcdefghijklmnop")
    'nva…'
    """
    return value[:3] + "…"


def masked_path(path: tuple) -> str:
    """A dotted key path whose secret-shaped segments are masked."""
    parts = []
    for part in path:
        text = str(part)
        shown = mask(text) if isinstance(part, str) and contains_secret(text) else text
        parts.append(f"[{shown}]" if isinstance(part, int) else shown)
    return ".".join(parts).replace(".[", "[")


def find_secrets(tree: Any, prefix: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path, what) for every key or string value holding a secret, in document order."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            path = (*prefix, key)
            if isinstance(key, str) and contains_secret(key):
                yield path, "a key that looks like a secret"
            yield from find_secrets(value, path)
    elif isinstance(tree, (list, tuple)):
        for index, value in enumerate(tree):
            yield from find_secrets(value, (*prefix, index))
    elif isinstance(tree, str) and contains_secret(tree):
        what = "a URL with credentials (user:password@)" if _credentialed_url(tree) else "a secret"
        yield prefix, what
