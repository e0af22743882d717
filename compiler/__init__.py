"""nelc: a pure compiler from a small evaluation spec to a NeMo Evaluator Launcher 0.2.6 config."""

__version__ = "0.1.0"
NEL_VERSION = "0.2.6"
