"""Frozen facts about the model, each with where it came from. Produced only by the probe."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Mapping

from .diagnostics import Diagnostic
from .spec import Spec

ModelKind = Literal["checkpoint", "hf_handle", "endpoint", "nim"]


@dataclass(frozen=True)
class InputFile:
    """A file the probe read; its hash goes into the output header."""

    name: str  # as shown to the user: "<model as written>/config.json" or "hf://org/name@rev/config.json"
    sha256: str


@dataclass(frozen=True)
class Quantization:
    """A ModelOpt checkpoint's algorithms and the file and field they were read from."""

    algo: str  # e.g. FP8, NVFP4
    kv_cache_algo: str | None
    source: str


@dataclass(frozen=True)
class ModelFacts:
    kind: ModelKind
    reference: str  # the spec's `model`, as written
    checkpoint_path: str | None = None  # absolute
    hf_handle: str | None = None
    revision: str | None = None
    files: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))  # parsed JSON by file name
    model_card: str | None = None
    has_chat_template: bool | None = None
    inputs: tuple[InputFile, ...] = ()
    missing: tuple[str, ...] = ()  # files looked for and not found or not reachable
    diagnostics: tuple[Diagnostic, ...] = ()

    def json(self, name: str) -> Mapping[str, Any] | None:
        value = self.files.get(name)
        return value if isinstance(value, Mapping) else None

    def modelopt(self) -> Quantization | None:
        """The ModelOpt algorithm and where it was read: `quantization_config.quant_method: modelopt`
        in config.json, else the legacy hf_quant_config.json; None for an unquantized or foreign checkpoint."""
        config = self.json("config.json") or {}
        qc = config.get("quantization_config") if isinstance(config.get("quantization_config"), Mapping) else {}
        kv = self.kv_cache_quantization()
        if qc.get("quant_method") == "modelopt" and qc.get("quant_algo"):
            return Quantization(str(qc["quant_algo"]), kv[0] if kv else None,
                                self.where("config.json", "quantization_config.quant_algo"))
        legacy = (self.json("hf_quant_config.json") or {}).get("quantization")
        if isinstance(legacy, Mapping) and legacy.get("quant_algo"):
            return Quantization(str(legacy["quant_algo"]), kv[0] if kv else None,
                                self.where("hf_quant_config.json", "quantization.quant_algo"))
        return None

    def kv_cache_quantization(self) -> tuple[str, str] | None:
        """The KV-cache quantization a checkpoint declares (FP8, NVFP4, ...) and where: config.json's
        `quantization_config` (`kv_cache_scheme` or `kv_cache_quant_algo`, also under its `quantization`),
        else hf_quant_config.json's `quantization.kv_cache_quant_algo`. The places and the reading of a
        scheme mapping are vLLM's (vllm/utils/torch_utils.py get_kv_cache_quant_algo_string): 8-bit float
        is FP8, 4-bit float NVFP4. None when neither file names one.

        >>> ModelFacts("checkpoint", "./m", files={"hf_quant_config.json": {"quantization": {"kv_cache_quant_algo": "FP8"}}}).kv_cache_quantization()
        ('FP8', 'hf_quant_config.json:quantization.kv_cache_quant_algo')
        """
        qc = (self.json("config.json") or {}).get("quantization_config")
        legacy = (self.json("hf_quant_config.json") or {}).get("quantization")
        places = []
        if isinstance(qc, Mapping):
            inner = qc.get("quantization") if isinstance(qc.get("quantization"), Mapping) else {}
            places = [("config.json", f"quantization_config.{prefix}{key}", (inner if prefix else qc).get(key))
                      for key in ("kv_cache_scheme", "kv_cache_quant_algo") for prefix in ("quantization.", "")]
        if isinstance(legacy, Mapping):
            places.append(("hf_quant_config.json", "quantization.kv_cache_quant_algo", legacy.get("kv_cache_quant_algo")))
        for name, field_path, value in places:
            if isinstance(value, Mapping) and value.get("type") == "float" and value.get("num_bits") in (8, 4):
                return ("FP8" if value["num_bits"] == 8 else "NVFP4"), self.where(name, field_path)
            if isinstance(value, str) and value.strip():
                return value.strip().upper(), self.where(name, field_path)
        return None

    def foreign_quantization(self) -> str | None:
        """A `quant_method` other than ModelOpt's (compressed-tensors, fp8 block, awq, ...), which the server reads itself."""
        qc = (self.json("config.json") or {}).get("quantization_config")
        if isinstance(qc, Mapping) and qc.get("quant_method") not in (None, "modelopt"):
            return str(qc["quant_method"])
        return None

    def context_window(self) -> tuple[int, str] | None:
        """config.json's max_position_embeddings (or a vision-language config's text part) and where it is."""
        config = self.json("config.json") or {}
        for path in (("max_position_embeddings",), ("text_config", "max_position_embeddings"),
                     ("llm_config", "max_position_embeddings")):
            node: Any = config
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
            if isinstance(node, int) and not isinstance(node, bool) and node > 0:
                return node, self.where("config.json", ".".join(path))
        return None

    def attention_heads(self) -> tuple[int, int, str, str] | None:
        """config.json's attention heads and KV heads (a vision-language config's text part, as vLLM's
        hf_text_config reads it) and where each is; no num_key_value_heads means one KV head per attention head."""
        config = self.json("config.json") or {}
        for part in ((), ("text_config",), ("llm_config",)):
            node: Any = config
            for key in part:
                node = node.get(key) if isinstance(node, dict) else None
            heads = node.get("num_attention_heads") if isinstance(node, dict) else None
            if not (isinstance(heads, int) and not isinstance(heads, bool) and heads > 0):
                continue
            kv = node.get("num_key_value_heads")
            where = self.where("config.json", ".".join((*part, "num_attention_heads")))
            if isinstance(kv, int) and not isinstance(kv, bool) and kv > 0:
                return heads, kv, where, self.where("config.json", ".".join((*part, "num_key_value_heads")))
            return heads, heads, where, where
        return None

    def reads_images(self) -> bool | None:
        """Whether config.json describes a vision part (a vision-language model); None when it cannot be read.
        Transformers' vision-language configs nest the image encoder as `vision_config` (Qwen-VL's older ones as `visual`)."""
        config = self.json("config.json")
        if config is None:
            return None
        return any(isinstance(config.get(key), Mapping) for key in ("vision_config", "visual"))

    def routed_experts(self, fields: tuple[str, ...]) -> tuple[int, str] | None:
        """A mixture-of-experts model's routed expert count from config.json (its first field of
        `fields` above 1, in the config or a vision-language config's text part) and where it is."""
        config = self.json("config.json") or {}
        for part in ((), ("text_config",), ("llm_config",)):
            node: Any = config
            for key in part:
                node = node.get(key) if isinstance(node, dict) else None
            for name in fields:
                count = node.get(name) if isinstance(node, dict) else None
                if isinstance(count, int) and not isinstance(count, bool) and count > 1:
                    return count, self.where("config.json", ".".join((*part, name)))
        return None

    def where(self, name: str, field_path: str = "") -> str:
        """A human source string such as `./ckpt/config.json:max_position_embeddings`."""
        base = next((f.name for f in self.inputs if f.name.endswith("/" + name)), name)
        return f"{base}:{field_path}" if field_path else base


@dataclass(frozen=True)
class Context:
    """Everything a rule may read. Rules never touch the disk, the network or the environment."""

    spec: Spec
    facts: ModelFacts
    spec_file: str
    positions: Mapping[tuple, tuple[int, int]]
    spec_dir: str = ""  # absolute folder of the spec: host-side files (e.g. parser plugins) go beside it

    def source(self, *path: str | int) -> str:
        """`spec.yaml:LINE` for a key the user wrote, or `spec default` for one they did not."""
        pos = self.positions.get(tuple(path))
        return f"{self.spec_file}:{pos[0]}" if pos else f"spec default ({'.'.join(map(str, path))})"

    def wrote(self, *path: str | int) -> bool:
        return tuple(path) in self.positions

    def at(self, *path: str | int) -> dict:
        """Location keywords for `Draft.report`: the key, or its nearest written parent."""
        key = tuple(path)
        for end in range(len(key), -1, -1):
            if key[:end] in self.positions:
                line, col = self.positions[key[:end]]
                break
        else:
            line, col = 1, 1
        return {"file": self.spec_file, "line": line, "col": col, "path": ".".join(map(str, key))}
