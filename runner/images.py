"""The images a NEL run pulls, their registries, and the credentials a cluster holds for them
(the ModelOpt evaluation skill's Step 7.5: only private or restricted images need a credentials check)."""

from __future__ import annotations

import json
import re

from nelc.knowledge import lookup
from nelc.nelconfig import deployment_type, dig, tasks_of

# enroot (pyxis) credentials, then the docker client's, in one ssh round trip.
CREDENTIALS_COMMAND = ("grep -E '^\\s*machine\\s+' ~/.config/enroot/.credentials 2>/dev/null; echo ---docker---; "
                       "cat ~/.docker/config.json 2>/dev/null")
DOCKER_HOSTS = {"https://index.docker.io/v1/": "auth.docker.io", "index.docker.io": "auth.docker.io", "docker.io": "auth.docker.io"}


def credential_hosts(output: str) -> set[str]:
    """Registry hosts with stored credentials: enroot `machine` lines and docker `auths` keys.

    >>> sorted(credential_hosts('machine nvcr.io login x\\n---docker---\\n{"auths": {"https://index.docker.io/v1/": {}}}'))
    ['auth.docker.io', 'nvcr.io']
    """
    enroot, _, docker = output.partition("---docker---")
    hosts = set(re.findall(r"machine\s+(\S+)", enroot))
    try:
        auths = json.loads(docker).get("auths", {}) if docker.strip() else {}
    except (json.JSONDecodeError, AttributeError):
        auths = {}
    hosts |= {DOCKER_HOSTS.get(key, key.replace("https://", "").rstrip("/")) for key in auths}
    return hosts


DEFAULT_IMAGES = {"vllm": "vllm/vllm-openai:latest", "vllm_ray": "vllm/vllm-openai:latest", "sglang": "lmsysorg/sglang:latest",
                  "trtllm": "nvcr.io/nvidia/tensorrt-llm/release:1.0.0"}
PUBLIC_PREFIXES = ("nvcr.io/nvidia/eval-factory/", "nvcr.io/nvidia/vllm", "nvcr.io/nvidia/tensorrt-llm/", "nvcr.io/nvidia/pytorch",
                   "vllm/vllm-openai", "lmsysorg/sglang", "haproxy", "python")
PUBLIC_ALTERNATIVES = {"DockerHub": "nvcr.io/nvidia/vllm:<YY.MM>-py3 (public on NGC)", "GHCR": "a public NGC image, e.g. nvcr.io/nvidia/vllm:<YY.MM>-py3"}


def registry_of(image: str) -> str:
    first = image.split("/", 1)[0]
    if "/" not in image or ("." not in first and ":" not in first and first != "localhost") or first == "docker.io":
        return "DockerHub"
    return {"nvcr.io": "NGC", "ghcr.io": "GHCR"}.get(first, first)


def registry_host(registry: str, image: str) -> str:
    return {"NGC": "nvcr.io", "DockerHub": "auth.docker.io", "GHCR": "ghcr.io"}.get(registry, image.split("/", 1)[0])


def images_of(config: dict) -> dict[str, tuple[str, bool]]:
    """Every image the run pulls -> (registry, known public)."""
    images = []
    kind = deployment_type(config)
    if kind not in (None, "none"):
        images.append(dig(config, ("deployment", "image")) or DEFAULT_IMAGES.get(kind, ""))
    for _, task in tasks_of(config):
        found = lookup(str(task.get("name", ""))).task
        images.append(task.get("container") or (found.container if found else ""))
    if (dig(config, ("execution", "num_instances")) or 1) > 1:
        images.append(dig(config, ("execution", "proxy", "image")) or "haproxy:latest")
    if dig(config, ("execution", "auto_export", "destinations")):
        images.append(dig(config, ("execution", "auto_export", "export_image")) or "python:3.12.7-slim")
    out = {}
    for image in (i for i in images if i and not i.endswith(".sqsh") and not i.startswith("/")):
        out[image] = (registry_of(image), image.startswith(PUBLIC_PREFIXES))
    return out
