"""Everything nelc knows that is not code: typed, read-only accessors over recipes/*.json.

One home per fact. Benchmark recipes, bundles and judge needs (`benchmarks`); NEL's task registry
snapshot (`registry`); backends, pinned images, quantization flags and the adapter schema
(`serving`); model families (`models`). Rules, lint, the validator and the runner read these,
never the data files.
"""

from __future__ import annotations

from .benchmarks import (RISK_ORDER, BundleAlias, Recipe, Risk, Role, Score, bundle_alias, bundle_model_types, bundles,
                         context_minimums, judge_key_field, needs_role, recipe_for_task, recipe_named, recipes, risk_of,
                         RecipeSet, default_recipe_set, gated_dataset, needs_tool_calling, recipe_knowledge, recipe_set, recipe_sets, generation_cap_field, hardwired_judge, reasoning_judge, fixed_generation_cap, judge_model_name, startup_download, prompt_fill, LONG_BACKOFF, TimeoutMeaning, timeout_meaning, tokenizer_backends, url_form, url_strips)
from .files import schema
from .models import ModelFamily, families, family_named, match_family
from .registry import Lookup, Task, all_tasks, lookup, same_task
from .serving import (BACKENDS, EXECUTORS, EXPORTS, MODEL_TYPE_ALIASES, MODEL_TYPES, AdapterSchema, Backend, SensitiveBenchmark,
                      ShellClass, ShellSurface, SurfaceKey, adapter_schema, backend, backend_fact, image_version, is_pinned, nel_groups, serving_default, quantization_advice, QuantizationAdvice,
                      sglang_quantization, shell_surface)

__all__ = [
    "RISK_ORDER", "BundleAlias", "Recipe", "Risk", "Role", "Score", "bundle_alias", "bundle_model_types", "bundles",
    "context_minimums", "judge_key_field", "needs_role", "recipe_for_task", "recipe_named", "recipes", "risk_of",
    "RecipeSet", "default_recipe_set", "gated_dataset", "needs_tool_calling", "recipe_knowledge", "recipe_set", "recipe_sets", "generation_cap_field", "hardwired_judge", "reasoning_judge", "fixed_generation_cap", "judge_model_name", "startup_download", "prompt_fill", "LONG_BACKOFF", "TimeoutMeaning", "timeout_meaning", "tokenizer_backends", "url_form", "url_strips", "schema",
    "ModelFamily", "families", "family_named", "match_family", "Lookup", "Task", "all_tasks", "lookup", "same_task", "BACKENDS", "EXECUTORS", "EXPORTS",
    "MODEL_TYPE_ALIASES", "MODEL_TYPES", "AdapterSchema", "Backend", "SensitiveBenchmark", "adapter_schema", "backend", "backend_fact", "image_version",
    "is_pinned", "nel_groups", "serving_default", "quantization_advice", "QuantizationAdvice", "sglang_quantization", "ShellClass", "ShellSurface", "SurfaceKey", "shell_surface",
]
