"""L138 check-composed-files: no file beside the config takes part in what NEL composes.

Why: `nel run --config DIR/run.yaml` composes with DIR first on Hydra's search path (NEL 0.2.6
api/types.py:70-90). So DIR/deployment/vllm.yaml replaces NEL's packaged deployment/vllm.yaml,
and a defaults entry naming an option NEL does not ship (`- something@deployment: tuning`) is
composed from DIR too: whatever that file sets (a server command included) runs, and nothing nelc
checked in this file says so. Each is an error: the defaults entry that is not NEL's, and every
file in the config's folder that Hydra would compose for the options chosen (recipes/nel_groups.yaml
lists NEL's own). Keep a NEL config in a folder of its own. Runs in `nelc lint`, which `nelc run`
runs first.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L138", "defaults:\\n  - execution: local\\n  - tuning@deployment: fast\\n  - _self_\\n"))
3:5 error[L138]: defaults entry tuning@deployment: fast is not one of NEL 0.2.6's packaged options: Hydra composes tuning/fast.yaml from the config's own folder
"""

from __future__ import annotations

from nelc.knowledge import nel_groups
from nelc.nelconfig import defaults_entries
from nelc.rulebook import Finding, LintContext


def check_composed_files(ctx: LintContext) -> list[Finding]:
    known = nel_groups()
    packaged = known["groups"]
    chosen = dict(known["defaults"])  # NEL's own default.yaml picks these unless the config names others
    out = []
    for index, group, option in defaults_entries(ctx.config):
        name = group.split("@")[0]
        if not isinstance(option, str):
            continue  # `group: null` composes nothing
        chosen[name] = option
        if option not in packaged.get(name, ()):
            out.append(Finding(("defaults", index), f"defaults entry {group}: {option} is not one of NEL 0.2.6's packaged "
                               f"options: Hydra composes {name}/{option}.yaml from the config's own folder",
                               f"use one of NEL's {name} options ({', '.join(packaged.get(name, ())) or 'none'}) and set "
                               "values in this file, where they are checked"))
    present = set(ctx.group_files)
    for name, option in sorted(chosen.items()):
        for file in (f"{name}/{option}.yaml", f"{name}/{option}.yml"):
            if file in present:
                out.append(Finding(("defaults",), f"{file} beside this config replaces NEL's packaged {name}/{option}.yaml "
                                   "(Hydra searches the config's folder first): what it sets, a command included, is "
                                   "composed unchecked", "remove it, or keep this config in a folder of its own"))
    return out
