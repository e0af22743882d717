"""Build what the end-to-end harness runs on, from PyPI only, into $NELC_E2E_HOME (default
~/.cache/nelc-e2e): one venv per evaluation image (tests/e2e/images.yaml, installed from its lock
in tests/e2e/locks/), the image table the docker stand-in reads, each image's offline Hugging Face
datasets (hub_data.py) or NLTK data (nltk_data.py), and a weightless local checkpoint. Idempotent:
a venv whose lock has not changed is kept.

    python tests/e2e/build.py            # build what is missing or stale (CI does this)
    python tests/e2e/build.py --relock   # resolve images.yaml's requirements again and rewrite the locks
    python tests/e2e/build.py --relock mtbench bfcl   # only these venvs' locks (the others stay as they are)

A cold build downloads about 1.5 GB (lm-eval's CPU torch comes from this machine's disk) and
takes 3-5 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

HERE = Path(__file__).resolve().parent
LOCKS = HERE / "locks"
CHECKPOINT = "llama2-base-fp8"
# venv -> the script (and its arguments) that writes what the image carries offline into its HOME
DATA_MAKERS = {"simple-evals": ("hub_data.py", "simple-evals"), "lm-eval": ("hub_data.py", "lm-eval"),
               "long-context-eval": ("nltk_data.py",)}


def e2e_home() -> Path:
    return Path(os.environ.get("NELC_E2E_HOME") or Path.home() / ".cache" / "nelc-e2e").resolve()


def table() -> dict:
    return YAML(typ="safe").load((HERE / "images.yaml").read_text(encoding="utf-8"))


def requirement(line: str) -> str:
    return line.split("#", 1)[0].strip()


def pip(venv: Path, *args: str) -> None:
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "-q", "--disable-pip-version-check", *args], check=True)


def relock(name: str, spec: dict, python: str) -> None:
    """Resolve the venv's requirements in a scratch venv and write `pip freeze` as its lock."""
    with tempfile.TemporaryDirectory() as scratch:
        venv = Path(scratch) / name
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        pip(venv, "install", *[requirement(r) for r in spec["requires"]])
        frozen = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "freeze", "--exclude-editable"],
                                capture_output=True, text=True, check=True).stdout
    header = ["# Written by `python tests/e2e/build.py --relock` from tests/e2e/images.yaml; do not edit.",
              "# requires: " + ", ".join(requirement(r) for r in spec["requires"])]
    (LOCKS / f"{name}.txt").write_text("\n".join(header + sorted(frozen.splitlines(), key=str.lower)) + "\n",
                                       encoding="utf-8")
    print(f"locked {name}: {len(frozen.splitlines())} packages")


def build_venv(home: Path, name: str, python: str) -> bool:
    """Create or refresh venvs/<name> from its lock; True when it was (re)built."""
    lock = LOCKS / f"{name}.txt"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    venv = home / "venvs" / name
    marker = venv / ".nelc-lock-sha256"
    if marker.is_file() and marker.read_text().strip() == digest:
        return False
    shutil.rmtree(venv, ignore_errors=True)
    started = time.monotonic()
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    pip(venv, "install", "--no-deps", "-r", str(lock))
    marker.write_text(digest + "\n")
    print(f"built venvs/{name} in {time.monotonic() - started:.0f} s")
    return True


def wheel_file(venv: Path, package: str, relative: str) -> Path:
    """A file the installed harness wheel ships (site-packages/<relative>)."""
    found = list((venv / "lib").glob(f"python3*/site-packages/{relative}"))
    if not found:
        raise SystemExit(f"{package}: {relative} not found in {venv}")
    return found[0]


def build_checkpoint(home: Path) -> None:
    """A local ModelOpt FP8 Llama "checkpoint" without weights: config.json and the Llama-2
    tokenizer that nvidia-lm-eval ships (lm_eval/models/llama_tokenizer), enough for the server
    stand-in and for lm-eval's client-side tokenizing."""
    folder = home / "checkpoints" / CHECKPOINT
    folder.mkdir(parents=True, exist_ok=True)
    source = wheel_file(home / "venvs" / "lm-eval", "nvidia-lm-eval", "lm_eval/models/llama_tokenizer")
    for name in ("tokenizer.json", "tokenizer.model", "tokenizer_config.json"):
        shutil.copyfile(source / name, folder / name)
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "max_position_embeddings": 4096,
              "vocab_size": 32000, "hidden_size": 4096, "num_hidden_layers": 32, "num_attention_heads": 32,
              "num_key_value_heads": 32, "torch_dtype": "bfloat16",
              "quantization_config": {"quant_method": "modelopt", "quant_algo": "FP8"}}
    (folder / "config.json").write_text(json.dumps(config, indent=1) + "\n")


def image_key(image: str) -> str:
    return image.replace("/", "_").replace(":", "_")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relock", nargs="*", metavar="VENV", default=None,
                        help="resolve the requirements again and rewrite the locks (of these venvs only, when named)")
    parser.add_argument("--python", default=os.environ.get("NELC_E2E_PYTHON", sys.executable),
                        help="the interpreter the venvs are made from (the containers run Python 3.11/3.12)")
    args = parser.parse_args()
    spec = table()
    if args.relock is not None:
        unknown = sorted(set(args.relock) - set(spec["venvs"]))
        if unknown:
            parser.error(f"--relock: no venv {', '.join(unknown)} in images.yaml (venvs: {', '.join(spec['venvs'])})")
        LOCKS.mkdir(exist_ok=True)
        for name, venv_spec in spec["venvs"].items():
            if not args.relock or name in args.relock:
                relock(name, venv_spec, args.python)
    home = e2e_home()
    (home / "venvs").mkdir(parents=True, exist_ok=True)
    rebuilt = {name for name in spec["venvs"] if build_venv(home, name, args.python)}
    images = {}
    for image, entry in spec["images"].items():
        venv = home / "venvs" / entry["venv"]
        images[image] = {"venv": str(venv), "env": entry.get("env") or {}, "home": image_key(image)}
        data_home = home / "homes" / image_key(image)
        data_home.mkdir(parents=True, exist_ok=True)
        marker = data_home / ".nelc-datasets"
        maker = DATA_MAKERS.get(entry["venv"])
        if maker and (entry["venv"] in rebuilt or not marker.exists()):
            subprocess.run([str(venv / "bin" / "python"), str(HERE / maker[0]), "--home", str(data_home), *maker[1:]],
                           check=True)
            marker.touch()
    (home / "images.json").write_text(json.dumps(images, indent=1, sort_keys=True) + "\n")
    build_checkpoint(home)
    print(f"end-to-end environment ready in {home}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
