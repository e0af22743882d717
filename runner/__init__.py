"""nelc.runner: execution, kept apart from the pure compiler.

`run` drives the real `nel` (dry run -> one canary per risk class -> full run) through `nel`
(subprocesses with timeouts, the shapes of what NEL prints); `verify` judges a finished run from
what NEL wrote, with `report` (the untrusted-file readers) and `logs` (failure signatures, the
served model, the launcher version); `images` lists the images a run pulls and the registry
credentials it needs. It reads only the compiler's public API (load, nelconfig, knowledge),
never a rule module.
"""
