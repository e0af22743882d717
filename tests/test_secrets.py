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


# issue 22 route 8: credential shapes the scanner missed; and look-alikes that are not credentials
CREDENTIALS = ["AIzaSyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU1v", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "rk_test_abcdef0123456789ab",
               "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
               "https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/abcdefghijklmnopqrstuvwx"]
NOT_CREDENTIALS = ["meta-llama/Llama-3.1-8B-Instruct", "/lustre/fsw/portfolios/llm/users/alice/checkpoints", "eyJust-a-name",
                   "skip_live_x", "9c925d64d72725edaf899c6cb9c377fd0709d9c5"]


def test_more_credential_shapes_are_found_and_masked():
    from nelc.secretscan import contains_secret, scrubbed

    for credential in CREDENTIALS:
        assert contains_secret(credential) and contains_secret(f"--header x={credential} y"), credential
        shown = scrubbed(f"log: {credential} end")
        assert credential not in shown and credential[-20:] not in shown, shown
    for value in NOT_CREDENTIALS:
        assert not contains_secret(value) and scrubbed(value) == value, value
