"""Offline Hugging Face datasets for the harnesses that load theirs from the Hub (adapted from the
scouting prototype's datasets/make_synthetic.py and make_hf_cache.py).

The rows are synthetic with the real schemas of the Hub datasets (NOT the real data: scores of runs
on them are meaningless; the mechanics - prompts, sampling, limits, repeats, parsing, results - are
the real harness code's). AA-LCR, tau2, RULER, MT-Bench and BFCL need none of this: their data ship in
the wheels.

Run with the python of the image's venv, since the cache format is that `datasets` version's:

    VENV/bin/python tests/e2e/hub_data.py --home HOME simple-evals

It pre-populates HOME/.cache/huggingface/datasets so that the harness's own
`load_dataset("org/name", CONFIG, split=SPLIT)` resolves with HF_DATASETS_OFFLINE=1, then runs that
load_dataset call to prove it.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import sys
import tempfile


def aime2025(part: str) -> list[dict]:
    """opencompass/AIME2025, configs AIME2025-I / AIME2025-II, split test: question, answer."""
    base = 1 if part == "I" else 2
    return [{"question": f"[synthetic AIME2025-{part} #{i + 1}] Compute ({3 * i + base} * {7 + i}) mod 10.",
             "answer": str(((3 * i + base) * (7 + i)) % 10)} for i in range(15)]


def gsm8k() -> list[dict]:
    """gsm8k, config main: question, answer ("... #### N")."""
    return [{"question": f"[synthetic gsm8k #{i + 1}] Tom has {i + 2} boxes with {3 * i + 1} pens each. How many pens?",
             "answer": f"{i + 2} * {3 * i + 1} = {(i + 2) * (3 * i + 1)}\n#### {(i + 2) * (3 * i + 1)}"} for i in range(20)]


def arc(split: str, n: int) -> list[dict]:
    """allenai/ai2_arc, config ARC-Challenge: id, question, choices {text, label}, answerKey."""
    return [{"id": f"syn-{split}-{i}", "question": f"[synthetic ARC {split} #{i + 1}] Which number is {i % 4 + 1}?",
             "choices": {"text": ["one", "two", "three", "four"], "label": ["A", "B", "C", "D"]},
             "answerKey": "ABCD"[i % 4]} for i in range(n)]


# venv -> [(repo, config, {split: rows})]
DATASETS = {
    "simple-evals": [("opencompass/AIME2025", f"AIME2025-{p}", {"test": aime2025(p)}) for p in ("I", "II")],
    "lm-eval": [("gsm8k", "main", {"test": gsm8k(), "train": gsm8k()}),
                ("allenai/ai2_arc", "ARC-Challenge", {"test": arc("test", 20), "train": arc("train", 5),
                                                      "validation": arc("validation", 5)})],
}


def build(home: str, repo: str, config: str, splits: dict[str, list[dict]]) -> None:
    from datasets import load_dataset
    from datasets.naming import camelcase_to_snakecase
    from datasets.packaged_modules.json.json import Json

    cache = os.path.join(home, ".cache", "huggingface", "datasets")
    with tempfile.TemporaryDirectory() as rows_dir:
        data_files = {}
        for split, rows in splits.items():
            path = os.path.join(rows_dir, f"{split}.jsonl")
            with open(path, "w", encoding="utf-8") as f:
                f.writelines(json.dumps(row) + "\n" for row in rows)
            data_files[split] = [path]
        # datasets refuses local data_files under a repo id, so build under a scratch name and move the
        # prepared folder to where CachedDatasetModuleFactory looks: <org>___<name>/<config>/<version>/<hash>
        scratch = os.path.join(cache, "_nelc_e2e_scratch")
        shutil.rmtree(scratch, ignore_errors=True)
        builder = Json(cache_dir=scratch, dataset_name="scratch", config_name=config, data_files=data_files,
                       hash="nelce2e")
        builder.download_and_prepare()
    org, _, name = repo.rpartition("/")
    snake = camelcase_to_snakecase(name)
    target_root = os.path.join(cache, f"{org}___{snake}" if org else snake)
    rel = os.path.relpath(builder.cache_dir, os.path.join(scratch, "scratch"))
    target = os.path.join(target_root, config, *rel.split(os.sep)[1:])  # drop the data-files suffix of the config id
    shutil.rmtree(target, ignore_errors=True)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.move(builder.cache_dir, target)
    for arrow in glob.glob(os.path.join(target, "*.arrow")):  # file names carry the builder name
        base = os.path.basename(arrow)
        if base.startswith("scratch-"):
            os.rename(arrow, os.path.join(target, snake + base[len("scratch"):]))
    shutil.rmtree(scratch, ignore_errors=True)
    for split, rows in splits.items():
        loaded = load_dataset(repo, config, split=split)
        if len(loaded) != len(rows):
            raise SystemExit(f"load_dataset({repo!r}, {config!r}, split={split!r}) gave {len(loaded)} rows, not {len(rows)}")
        print(f"check: load_dataset({repo!r}, {config!r}, split={split!r}) -> {len(loaded)} rows")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, help="the HOME the docker stand-in gives this image")
    parser.add_argument("venv", choices=sorted(DATASETS))
    args = parser.parse_args()
    home = os.path.abspath(args.home)
    os.environ.update(HF_HOME=os.path.join(home, ".cache", "huggingface"), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1",
                      HF_DATASETS_CACHE=os.path.join(home, ".cache", "huggingface", "datasets"))
    for repo, config, splits in DATASETS[args.venv]:
        build(home, repo, config, splits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
