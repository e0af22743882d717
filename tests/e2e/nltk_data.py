"""NLTK's sentence-splitter data for RULER, as an evaluation image that can run it offline carries.

RULER's command starts with `nltk.download('punkt_tab'); nltk.download('punkt')`
(core_evals/long_context_eval/framework.yml:9): with no network those only print an error, and the
essay-haystack tasks then fail in `sent_tokenize` (data/synthetic/niah.py:143). nltk.download's
data cannot be fetched here, so this trains a Punkt model with nltk's own trainer on the essays the
wheel ships (data/synthetic/json/PaulGrahamEssays.json) and saves it with nltk's own
save_punkt_params, in the punkt_tab layout nltk.data.find looks for (NOT the real punkt data: the
sentence splits differ, the mechanics are nltk's). Run with the python of the image's venv:

    VENV/bin/python tests/e2e/nltk_data.py --home HOME
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, help="the HOME the docker stand-in gives this image")
    args = parser.parse_args()
    root = os.path.join(os.path.abspath(args.home), "nltk_data")
    os.environ["NLTK_DATA"] = root
    import nltk
    from nltk.tokenize.punkt import PunktTrainer, save_punkt_params

    (essays,) = glob.glob(os.path.join(os.path.dirname(nltk.__file__), "..", "long_context_eval", "data", "synthetic", "json",
                                       "PaulGrahamEssays.json"))
    trainer = PunktTrainer()
    trainer.train(json.load(open(essays, encoding="utf-8"))["text"], finalize=True)
    target = os.path.join(root, "tokenizers", "punkt_tab", "english")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    save_punkt_params(trainer.get_params(), dir=target)
    os.makedirs(os.path.join(root, "tokenizers", "punkt"), exist_ok=True)  # evaluate.py only checks that it exists
    sentences = nltk.tokenize.sent_tokenize("This is one sentence. Here is another one.")
    if len(sentences) != 2:
        raise SystemExit(f"sent_tokenize with the saved model gave {sentences!r}")
    print(f"check: nltk punkt_tab in {target} splits {len(sentences)} sentences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
