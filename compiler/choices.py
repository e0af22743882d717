"""The spec's closed choices, in a module without imports: the CLI offers them as click choices
and `nelc --version` should not pay for loading the knowledge data to do so."""

BACKENDS = ("vllm", "sglang", "nim", "trtllm", "none")  # `none`: an endpoint NEL does not deploy
EXECUTORS = ("local", "slurm")
EXPORTS = ("none", "mlflow", "wandb")
MODEL_TYPES = ("base", "chat_reasoning")
# NEL 0.2.2's model types, the names the ModelOpt evaluation skill's questions still use.
MODEL_TYPE_ALIASES = {"chat": "chat_reasoning", "reasoning": "chat_reasoning"}
# The recipe sets of recipes/benchmarks.yaml (a test checks they agree), oldest first.
RECIPE_SETS = ("modelopt-2026.05", "modelopt-2026.08")
