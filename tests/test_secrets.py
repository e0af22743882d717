"""No secret ever reaches an output: every golden output is scanned for secret-shaped tokens
(`hf_…`, `nvapi-…`, `sk-…`, long random strings); fuzzed outputs are scanned in test_properties."""

from __future__ import annotations

import re
from pathlib import Path

from nelc.spec import looks_like_secret

ROOT = Path(__file__).resolve().parents[1]


def secret_tokens(text: str) -> list[str]:
    return [t for t in re.findall(r"[A-Za-z0-9_\-]{8,}", text) if looks_like_secret(t)]


def test_goldens_hold_no_secrets():
    outputs = sorted((ROOT / "golden").glob("*/expected.*")) + sorted((ROOT / "tests" / "lint").glob("*.golden"))
    assert outputs
    for path in outputs:
        assert secret_tokens(path.read_text()) == [], path


def test_the_scanner_finds_what_it_looks_for():
    assert secret_tokens("key: nvapi-Zx8Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8L and hf_AbCdEfGhIjKlMnOpQrStUv") == [
        "nvapi-Zx8Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8L", "hf_AbCdEfGhIjKlMnOpQrStUv"]
    assert secret_tokens("hf_model_handle: host:HF_TOKEN") == []
    assert secret_tokens("sha256:" + "ab12" * 16) == []
