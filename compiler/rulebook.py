"""The rulebook: what a rule is, what a lint finding and its fix are, and every code nelc can print.

A rule's identity lives here once: its code, name, kind, default severity, the fixes it may
offer and the rules it must follow (`after=`). Its module docstring is its documentation. The
engine stamps each report with the running rule's code, so rules never write their own code.
Codes that no rule owns (spec, probe, YAML, validation, file and internal diagnostics) are
registered in CODES with a title and a doc, so `nelc rules CODE` explains anything nelc prints.
Codes are stable and never reused (the ruff / yamllint convention).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property
from enum import StrEnum
from typing import Any, Callable

from .diagnostics import Severity
from .effective import effective_tasks
from .facts import ModelFacts
from .load import Loaded

Key = tuple[str | int, ...]


class Kind(StrEnum):
    COMPILE = "compile"  # a rewrite of the Draft (nelc compile)
    CHECK = "check"  # a compile rule that only reports, on final values: it runs after R190 apply-overrides
    LINT = "lint"  # a pure check over a loaded NEL config (nelc lint)


class Applicability(StrEnum):
    """How far a fix may be trusted (ruff's `Applicability`)."""

    SAFE = "safe"  # keeps the meaning: `--fix` applies it
    UNSAFE = "unsafe"  # may change the meaning (a guess, a new prefix): only with `--unsafe-fixes`
    DISPLAY_ONLY = "display-only"  # shown as a suggestion, never applied


@dataclass(frozen=True)
class Fix:
    """Data, not code: the fixer applies `ops` to the round-trip document.

    ops: ("set", path, value) | ("delete", path) | ("rename", path, new_key) | ("quote", path)
    """

    applicability: Applicability
    description: str
    ops: tuple[tuple, ...]


@dataclass(frozen=True)
class Finding:
    """What a lint rule reports; the lint engine adds the rule's code and the file position."""

    path: Key
    message: str
    hint: str
    fix: Fix | None = None
    severity: Severity | None = None  # None: the rule's registered severity
    at_value: bool = False  # point at the value rather than the key


@dataclass(frozen=True)
class LintContext:
    """Everything a lint rule may read: the loaded file and, for a readable local checkpoint, its facts."""

    loaded: Loaded
    facts: ModelFacts | None
    # YAML files under the config's own folder that Hydra could compose (`<group>/<option>.yaml`), relative to it
    group_files: tuple[str, ...] = ()

    @property
    def config(self) -> Any:
        return self.loaded.data

    @cached_property
    def effective(self) -> tuple:
        """Each task's effective values (nelc.effective), computed once for all the rules that read them."""
        return effective_tasks(self.config)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    fn: Callable
    kind: Kind = Kind.COMPILE
    severity: Severity | None = None  # lint rules: the default severity of their findings
    fixes: tuple[Applicability, ...] = ()  # the kinds of fix the rule may offer
    after: tuple[str, ...] = ()  # codes of rules whose results it reads; RULES must list them earlier

    @property
    def doc(self) -> str:
        """The rule module's docstring: what, why, and a runnable example."""
        return (sys.modules[self.fn.__module__].__doc__ or "").strip()

    @property
    def title(self) -> str:
        first = self.doc.splitlines()[0] if self.doc else ""
        return first.split(": ", 1)[-1]


@dataclass(frozen=True)
class Code:
    """A diagnostic code no rule owns, with a title and what to do about it."""

    code: str
    title: str
    doc: str


CODES: tuple[Code, ...] = (
    # Files and the command line
    Code("F001", "a file cannot be read", "The spec, config or file named on the command line could not be read "
         "(missing, a folder, or no permission). Check the path."),
    Code("F002", "the output file exists", "nelc never replaces a file silently: pass --force to replace it "
         "(`nelc init` never overwrites)."),
    Code("F003", "the output cannot be written", "The output folder is missing or not writable. Nothing was written."),
    Code("F004", "a symbolic link where a file is read or written", "nelc check never follows links: a link committed next "
         "to a spec could point anywhere (/proc/self/environ, a file outside the repository). Replace it with a regular file."),
    Code("F005", "not a regular file", "A FIFO, device or folder stands where a spec or compiled config belongs; reading it "
         "could hang or never end. nelc reads only regular files."),
    Code("F006", "a file is not UTF-8 text", "A spec or compiled config must be UTF-8 text."),
    Code("F007", "an output would replace an input", "-o names the spec itself, or -o and --env-example name the same file; "
         "nothing was written. Choose another output path."),
    Code("F009", "invalid nelc settings", "`.nelc.toml` or pyproject.toml `[tool.nelc]` (or --select/--ignore) must hold "
         "select and ignore as lists of codes or prefixes (L113, L1) and strict as true or false."),
    Code("F010", "--task names more than one task", "`nelc show --task NAME` and `nelc compile --task NAME` take a NEL "
         "task or the spec's recipe or bundle name; this name means different tasks of the config (the recipe gpqa is "
         "ns_gpqa, the NEL task gpqa is lm-evaluation-harness.gpqa). The message lists each; name one as the config spells it."),
    Code("F008", "the output folder does not exist", "A folder of -o or --env-example is missing; nothing was written, "
         "not even the other output. Create the folder first."),
    # YAML loading
    Code("Y001", "YAML syntax error", "The file is not valid YAML at the position shown. Fix the syntax there."),
    Code("Y002", "duplicate key", "YAML would keep only one of two equal keys silently; nelc refuses both. Remove or rename one."),
    Code("Y003", "document too deep or too large", "More than 64 levels of nesting, or more than 100,000 nodes after aliases "
         "(an alias bomb). Specs and NEL configs are small and flat."),
    Code("Y004", "file too large", "A spec or NEL config is a few KiB; the limit is 1,000,000 bytes. Check that this is the right file."),
    Code("Y005", "binary file", "The file holds NUL bytes: it is not YAML text."),
    Code("Y006", "not UTF-8", "The file is not valid UTF-8 at the position shown. Save it as UTF-8."),
    Code("Y007", "non-string mapping key", "A mapping key is a list or mapping. Use plain string keys."),
    Code("Y008", "custom YAML tag", "Specs and NEL configs use plain YAML; a tag such as !!python/object is refused."),
    # The spec
    Code("S001", "empty spec", "The spec has no content. Start from `nelc init` or README's example."),
    Code("S002", "the spec is not a mapping", "A spec is `key: value` lines at the top level."),
    Code("S003", "unknown spec key", "The key is not part of spec v1 (see `nelc schema`); the hint suggests the closest one."),
    Code("S004", "missing required spec key", "`model` and `benchmarks` are required; others are required by the choices made."),
    Code("S005", "value not among the choices", "The key takes one of a closed list of values; the hint suggests the closest one."),
    Code("S006", "value does not match its format", "Env-var names, prefixed env values (lit:/host:/runtime:) and walltimes "
         "have a fixed format; the message shows it."),
    Code("S007", "a secret where a name belongs", "Key fields take the NAME of an env var. The value looks like a key itself; it "
         "is never echoed. Export the key in your shell and write its name."),
    Code("S008", "wrong type", "The key takes another type (a string, a number, a list, a mapping); quote time values."),
    Code("S009", "invalid value", "The value breaks a constraint of spec v1 (see `nelc schema`)."),
    Code("S011", "a control, bidi or invisible character", "A spec string (or key) holds a newline where one line belongs, "
         "a control or escape character, or a bidi / zero-width character that makes text read differently than it runs "
         "(Trojan Source). NEL pastes strings into shell scripts and YAML comments, where these change meaning."),
    Code("S012", "an OmegaConf interpolation in the spec", "A spec string (or key) holds `${`. NEL's OmegaConf resolves every "
         "interpolation it reads (`${oc.env:HF_TOKEN}` reads your environment, `${a.b}` another key), so a value nelc checked "
         "as text would run as something else, and a secret could be sent in a request. A spec needs none: write the value."),
    Code("S010", "old model_type name", "chat and reasoning are NEL 0.2.2's names; NEL 0.2.6 has chat_reasoning. Accepted with this note."),
    # The probe
    Code("P001", "model is neither a path nor an HF handle", "Write a local directory as /abs/path or ./relative/path, or an HF "
         "handle as org/name[@revision]."),
    Code("P002", "checkpoint not readable here", "The checkpoint directory is not visible where nelc runs, so model facts "
         "(context length, quantization, remote code) are unknown and fall back to warned defaults."),
    Code("P003", "HF handle not readable", "config.json of the handle is not cached and the Hub cannot be reached (or "
         "HF_HUB_OFFLINE is set). Pre-fetch the small metadata files, or compile online."),
    Code("P010", "checkpoint metadata is not valid JSON", "A config.json, hf_quant_config.json, generation_config.json or "
         "tokenizer_config.json is truncated or not UTF-8. Restore it from the original checkpoint."),
    Code("P011", "checkpoint metadata file too large", "Metadata files are small; a file above the cap is not one."),
    Code("P012", "checkpoint metadata is not a JSON object", "The file holds a list, string or number where a JSON object belongs."),
    Code("P013", "the checkpoint path is a symbolic-link loop", "Resolving `model` never ends: a link points back at itself. "
         "Fix the link."),
    Code("P014", "the checkpoint cannot be read (permission)", "The checkpoint folder or one of its metadata files is not "
         "readable by you. Fix its permissions or compile where it is readable."),
    Code("P015", "a checkpoint metadata file is not a regular file", "A FIFO, device or folder stands where config.json, "
         "hf_quant_config.json, generation_config.json, tokenizer_config.json or README.md belongs; it is skipped."),
    # Validation of the emitted config
    Code("V001", "NEL config shape", "The config breaks schemas/nel.schema.json (NEL 0.2.6's config shape); usually an `overrides` entry."),
    Code("V002", "??? left in the config", "NEL would stop with 'Missing mandatory value'. nelc never emits ???."),
    Code("V003", "adapter_config in a place NEL ignores", "Only evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config "
         "(and the per-task equivalent) reaches the container."),
    Code("V004", "target endpoint versus deployment", "With a deployment NEL computes url and model_id; without one both are required."),
    Code("V005", "nodes not divisible by instances", "execution.num_nodes must be a multiple of num_instances."),
    Code("V006", "${oc.env:...} in env values", "NEL's error message would print the secret; write host:VAR."),
    Code("V007", "interpolation inside export", "The export job cannot resolve ${...}; write literal values."),
    Code("V008", "export block versus auto_export", "NEL exports only to destinations listed in execution.auto_export.destinations, "
         "and each needs its export block."),
    Code("V009", "parallel mode with a deployment", "NEL 0.2.6's local executor allows mode: parallel only with deployment none."),
    Code("V011", "a secret in the emitted config", "A value of the compiled config holds a credential or a URL with "
         "user:password@. nelc never writes secret values; pass keys by the NAME of an env var."),
    Code("V010", "vllm_ray on the local executor", "vllm_ray needs the SLURM executor, which injects PROC_ID and MASTER_IP."),
    # Comparable runs
    Code("C001", "the baseline would not be comparable", "A baseline (`baseline:` or --baseline) is compiled from the same spec "
         "with only the model swapped; the two configs must then differ only in model-specific parts (the ModelOpt "
         "compare-results skill). The message lists what differs; nothing is written."),
    Code("C002", "the baseline is the candidate itself", "`baseline:` names the same model as `model:`; both configs are the "
         "same run. Name the unquantized model (or, for a natively quantized release, the release) as the baseline."),
    Code("C003", "--baseline beside the spec's baseline:", "The spec names its own `baseline:` and the command line gives "
         "--baseline too. nelc check recompiles from the spec (and a --baseline recorded in the compiled header), so one "
         "of the two would be silently lost. Give the baseline in one place; nothing is written."),
    # Lint and the engine
    Code("L100", "not a NEL config or a spec", "nelc lint skips YAML files without NEL's sections (defaults, execution, "
         "deployment, evaluation, target) that are not nelc specs either."),
    # The runner (nelc run)
    Code("X001", "nel is not installed", "`nel` is not on PATH. Install the launcher the config was compiled for: "
         "pip install 'nemo-evaluator-launcher==0.2.6'."),
    Code("X002", "the wrong nel", "`nel --version` is not the nemo-evaluator-launcher version the config's header names "
         "(NEL's main branch installs a different `nel`, nemo-evaluator 0.4's). Nothing was submitted."),
    Code("X003", "nel status said nothing usable", "`nel status --json` printed no JSON, an empty list, or jobs without a known "
         "status (pending, running, success, failed, killed, not_found, error, unknown). The canary fails: no evidence."),
    Code("X004", "a nel command timed out", "Every call has a timeout (nel --version 60 s, status 120 s, a submission 900 s, a "
         "copy 1800 s); a hang is a failure, never a wait without end."),
    Code("X005", "unreadable nelc run state", "CONFIG.nelc-run.json is corrupt or not nelc's. Rerun with --restart to start "
         "from the dry run."),
    Code("X006", "invalid --poll or --max-wait", "Both must be positive, finite numbers; refused before anything is submitted."),
    Code("X007", "no canary can be planned", "No task of the config's evaluation.tasks matches the -t selection, or the "
         "task list lives in another file. Without a canary there is no evidence, so no full run is submitted."),
    Code("X008", "the config changed during the run", "The config file changed after its dry run and canaries; nothing "
         "further is submitted. Run `nelc run` again."),
    Code("X009", "the config does not pass nelc lint", "nelc run lints the config first, with the same rules as `nelc lint`, "
         "and submits nothing while any error stands: a hostile or broken value (a username that is an ssh option, an "
         "escape sequence, an interpolation that reads a secret) never reaches nel, ssh or the terminal."),
    Code("X010", "an ssh destination that is an option", "execution.hostname or username is empty or starts with '-': ssh "
         "would read it as an option (-oProxyCommand=...). Nothing is run."),
    Code("I001", "internal error", "A rule raised an exception. nelc reports it instead of crashing; please report it with the input."),
)
