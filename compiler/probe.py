"""Probe stage: the only code that reads the disk, the network or the environment.

It classifies the spec's `model` (checkpoint dir or HF handle, by the ModelOpt evaluation skill's rule), reads the
small metadata files of the model (never weights) and returns frozen facts with their sources.
"""

from __future__ import annotations

import re

import errno
import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from .diagnostics import CompileError, Diagnostic, Severity
from .facts import InputFile, ModelFacts
from .safeio import NotRegular, read_regular
from .spec import Spec

JSON_FILES = ("config.json", "hf_quant_config.json", "generation_config.json", "tokenizer_config.json")
CARD = "README.md"
MAX_FILE_BYTES = 8_000_000  # tokenizer_config.json can be large; weights are never read


def probe(spec: Spec, spec_path: Path, spec_display: str, positions: Mapping) -> ModelFacts:
    """Gather facts about `spec.model`; raise CompileError when the reference itself is invalid."""
    where = positions.get(("model",), (1, 1))

    def fail(code: str, message: str, hint: str) -> CompileError:
        return CompileError([Diagnostic(spec_display, where[0], where[1], code, Severity.ERROR, message, hint, "model")])

    if spec.backend == "none":
        return ModelFacts(kind="endpoint", reference=spec.model)
    if spec.backend == "nim":  # a NIM image serves its own model; `model` names it, there is nothing to read
        return ModelFacts(kind="nim", reference=spec.model)
    try:
        kind, location = classify_model_ref(spec.model, spec_path.parent)
    except RuntimeError:  # pathlib's "Symlink loop from ..."
        raise fail("P013", f"model '{spec.model}' is a symbolic-link loop", "fix the link so it ends at the checkpoint folder") from None
    except PermissionError:
        raise fail("P014", f"model '{spec.model}' cannot be read: permission denied",
                   "fix the folder's permissions, or compile where the checkpoint is readable") from None
    except OSError as exc:
        raise fail("P014", f"model '{spec.model}' cannot be read: {exc.strerror}", "check the path") from None
    if kind == "ambiguous":
        raise fail("P001", f"model '{spec.model}' is neither a checkpoint path nor an HF handle",
                   "write a local directory as /abs/path or ./relative/path, or an HF handle as org/name[@revision]")
    if kind == "checkpoint":
        return probe_checkpoint(spec.model, location, spec_display, where)
    return _probe_handle(spec.model, spec_display, where)


def classify_model_ref(ref: str, base: Path) -> tuple[str, Path | None]:
    """The ModelOpt evaluation skill's rule (Step 1). Relative paths are relative to the spec file's directory.

    >>> classify_model_ref("meta-llama/Llama-3.1-8B-Instruct", Path("/nonexistent"))[0]
    'hf_handle'
    >>> classify_model_ref("./ckpt", Path("/nonexistent"))
    ('checkpoint', PosixPath('/nonexistent/ckpt'))
    >>> classify_model_ref("a/b/c", Path("/nonexistent"))[0], classify_model_ref("Qwen/Qwen3-8B$(id)", Path("/nonexistent"))[0]
    ('ambiguous', 'ambiguous')
    """
    handle = ref.split("@", 1)[0]
    if ref.startswith(("/", "./", "../", "~")):
        return "checkpoint", (base / Path(ref).expanduser()).resolve() if not ref.startswith("/") else Path(ref)
    local = base / ref
    if "/" not in ref and local.exists():
        return "checkpoint", local.resolve()
    if _HANDLE.fullmatch(handle) and ".." not in handle and "--" not in handle and not local.exists() \
            and (ref == handle or _REVISION.fullmatch(ref.split("@", 1)[1])):
        return "hf_handle", None
    return "ambiguous", None


# huggingface_hub's repo-id grammar (validate_repo_id): letters, digits, - _ . ; at most 96 per part.
# Anything else would make the Hub client raise instead of answer.
_HANDLE = re.compile(r"[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}")
_REVISION = re.compile(r"[\w./-]{1,255}")


def probe_checkpoint(ref: str, path: Path, display: str, where: tuple[int, int]) -> ModelFacts:
    prefix = ref.rstrip("/")
    diagnostics: list[Diagnostic] = []
    files: dict[str, Any] = {}
    inputs: list[InputFile] = []
    missing: list[str] = []

    def fail(code: str, message: str, hint: str) -> CompileError:
        return CompileError([Diagnostic(display, where[0], where[1], code, Severity.ERROR, message, hint, "model")])

    try:
        is_dir = path.is_dir()
        if is_dir:
            os.listdir(path)  # a folder we may not list gives no facts, only misleading "missing" ones
    except PermissionError:
        raise fail("P014", f"checkpoint directory '{ref}' cannot be read: permission denied",
                   "fix its permissions, or compile where the checkpoint is readable") from None
    except OSError as exc:
        code = "P013" if exc.errno == errno.ELOOP else "P014"
        raise fail(code, f"checkpoint directory '{ref}' cannot be read: {exc.strerror}", "fix the path or the link") from None
    if not is_dir:
        diagnostics.append(Diagnostic(
            display, where[0], where[1], "P002", Severity.WARNING,
            f"checkpoint directory '{ref}' is not readable here; model facts are unknown",
            "compile where the checkpoint is visible to get context length, quantization and remote-code facts",
            "model"))
        return ModelFacts(kind="checkpoint", reference=ref, checkpoint_path=str(path),
                          missing=JSON_FILES + (CARD,), diagnostics=tuple(diagnostics))
    for name in (*JSON_FILES, CARD):
        shown = f"{prefix}/{name}"
        try:
            raw = read_regular(path / name, MAX_FILE_BYTES)
        except FileNotFoundError:
            missing.append(name)
            continue
        except NotRegular:
            missing.append(name)
            diagnostics.append(Diagnostic(display, where[0], where[1], "P015", Severity.WARNING,
                                          f"{shown} is not a regular file (a FIFO, device or folder): skipped",
                                          "replace it with the file from the original checkpoint", "model"))
            continue
        except PermissionError:
            raise fail("P014", f"{shown} cannot be read: permission denied", "fix the file's permissions") from None
        except OSError as exc:
            code = "P013" if exc.errno == errno.ELOOP else "P014"
            raise fail(code, f"{shown} cannot be read: {exc.strerror}", "restore the file from the original checkpoint") from None
        inputs.append(InputFile(shown, hashlib.sha256(raw).hexdigest()))
        files[name] = _parse(raw, name, shown)
    return _facts("checkpoint", ref, files, inputs, missing, diagnostics, checkpoint_path=str(path))


def _probe_handle(ref: str, display: str, where: tuple[int, int]) -> ModelFacts:
    handle, _, revision = ref.partition("@")
    hub = _Hub(handle, revision or None,
               offline=os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"))
    files: dict[str, Any] = {}
    inputs: list[InputFile] = []
    missing: list[str] = []
    for name in (*JSON_FILES, CARD):
        raw = hub.read(name)
        if raw is None:
            missing.append(name)
            continue
        shown = f"hf://{handle}{'@' + revision if revision else ''}/{name}"
        inputs.append(InputFile(shown, hashlib.sha256(raw).hexdigest()))
        files[name] = _parse(raw, name, shown)
    diagnostics: list[Diagnostic] = []
    if "config.json" in missing:
        why = "offline (HF_HUB_OFFLINE) and not cached" if hub.offline else (
            "not cached and the Hub is unreachable" if hub.unreachable else "not found on the Hub")
        diagnostics.append(Diagnostic(
            display, where[0], where[1], "P003", Severity.WARNING,
            f"could not read config.json of '{handle}' ({why}); missing: {', '.join(missing)}",
            f"pre-fetch with `hf download {handle} config.json tokenizer_config.json` or compile online; "
            "until then, facts from these files are unknown", "model"))
    return _facts("hf_handle", ref, files, inputs, missing, diagnostics, hf_handle=handle, revision=revision or None)


class _Hub:
    """Small metadata files of one Hub repo: the local cache first, then at most one failed network try."""

    def __init__(self, handle: str, revision: str | None, offline: bool):
        self.handle, self.revision, self.offline = handle, revision, offline
        self.unreachable = False

    def read(self, name: str) -> bytes | None:
        # 110 ms to import (measured cold on this 2-core machine): only HF handles pay it, never a local checkpoint or lint
        from huggingface_hub import hf_hub_download, try_to_load_from_cache

        cached = try_to_load_from_cache(self.handle, name, cache_dir=_hub_cache(), revision=self.revision)
        if isinstance(cached, str):
            return _cached(Path(cached))
        if self.offline or self.unreachable or cached is not None:  # non-None, non-str: cached as absent
            return None
        if not self._reachable(name):
            return None
        try:
            local = hf_hub_download(self.handle, name, revision=self.revision, cache_dir=_hub_cache(), etag_timeout=10)
        except Exception:  # noqa: BLE001 - any hub failure means "not available"; the caller warns
            return None
        return _cached(Path(local))

    def _reachable(self, name: str) -> bool:
        """One HEAD without retries, so an unreachable Hub costs one failed request, not minutes of backoff."""
        # 110 ms to import, as in read(): only an uncached HF handle pays it
        from huggingface_hub import get_hf_file_metadata, hf_hub_url
        from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError  # part of the same 110 ms

        try:
            get_hf_file_metadata(hf_hub_url(self.handle, name, revision=self.revision), timeout=10)
        except (EntryNotFoundError, HfHubHTTPError):
            return True  # the Hub answered (404, 401...); hf_hub_download will say the same
        except Exception:  # noqa: BLE001 - DNS, connection, timeout
            self.unreachable = True
            return False
        return True


def _cached(file: Path) -> bytes | None:
    """A file from the Hugging Face cache; unreadable counts as not cached."""
    try:
        return read_regular(file, MAX_FILE_BYTES)
    except OSError:
        return None


def _facts(kind, ref, files, inputs, missing, diagnostics, **where) -> ModelFacts:
    card = files.pop(CARD, None)
    tokenizer = files.get("tokenizer_config.json")
    has_template = None
    if isinstance(tokenizer, dict):
        has_template = bool(tokenizer.get("chat_template"))
    return ModelFacts(
        kind=kind, reference=ref, files=MappingProxyType(files), model_card=card,
        has_chat_template=has_template, inputs=tuple(inputs), missing=tuple(missing),
        diagnostics=tuple(diagnostics), **where)


def _parse(raw: bytes, name: str, shown: str) -> Any:
    if name == CARD:
        return raw.decode("utf-8", errors="replace")
    if len(raw) > MAX_FILE_BYTES:
        raise CompileError([Diagnostic(shown, 1, 1, "P011", Severity.ERROR, f"{name} is larger than {MAX_FILE_BYTES:,} bytes",
                                       "this is not a model metadata file")])
    try:
        value = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CompileError([Diagnostic(shown, 1, 1, "P010", Severity.ERROR, f"{name} is not UTF-8 text",
                                       "restore the file from the original checkpoint")]) from None
    except json.JSONDecodeError as exc:
        raise CompileError([Diagnostic(shown, exc.lineno, exc.colno, "P010", Severity.ERROR,
                                       f"{name} is not valid JSON: {exc.msg}",
                                       "restore the file from the original checkpoint (truncated copy?)")]) from None
    if not isinstance(value, dict):
        raise CompileError([Diagnostic(shown, 1, 1, "P012", Severity.ERROR,
                                       f"{name} must hold a JSON object, not {type(value).__name__}",
                                       "restore the file from the original checkpoint")])
    return value


@contextmanager
def offline_hub(hf_home: Path | None = None):
    """Probe without the network (lint, check): HF_HUB_OFFLINE=1 and optionally a pinned HF_HOME,
    restored afterwards."""
    wanted = {"HF_HUB_OFFLINE": "1", **({"HF_HOME": str(hf_home)} if hf_home else {})}
    saved = {key: os.environ.get(key) for key in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _hub_cache() -> str:
    """Read at call time: huggingface_hub reads these variables only once, at import."""
    if os.environ.get("HF_HUB_CACHE"):
        return os.environ["HF_HUB_CACHE"]
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "huggingface")
    return os.path.join(home, "hub")


MAX_GROUP_FILES = 200  # a config folder with more group files than this is not listed whole


def group_files(config_file: Path, groups: set[str]) -> tuple[str, ...]:
    """The YAML files Hydra could compose from a NEL config's own folder: `<group>/<option>.yaml` under
    each group folder named in `groups` (relative, sorted; links are listed, never followed)."""
    root = config_file.parent
    found: list[str] = []
    for group in sorted(groups):
        base = root / group
        if not base.is_dir() or base.is_symlink():
            continue
        for folder, dirs, files in os.walk(base, followlinks=False):
            dirs.sort()
            for name in sorted(files):
                if name.endswith((".yaml", ".yml")):
                    found.append(os.path.relpath(os.path.join(folder, name), root))
                    if len(found) >= MAX_GROUP_FILES:
                        return tuple(found)
    return tuple(found)
