#!/usr/bin/env python3
"""A stand-in for a vLLM OpenAI-compatible server, close enough to judge an evaluation config
(adapted from the scouting prototype in shared/reference/e2e-prototype/stub/vllm_stub.py).

stdlib only (http.server), so it runs from any venv. It imitates what a config can get wrong:

* the served name: a request for any other model gets vLLM's 404 NotFoundError
  ("The model `X` does not exist.");
* --max-model-len: prompt tokens + max_tokens (or max_completion_tokens) over it gets vLLM's 400
  BadRequestError with vLLM's wording (see CONTEXT_ERRORS). Tokens are COUNTED APPROXIMATELY:
  characters / --chars-per-token (default 4) over the rendered messages plus 8 tokens of chat
  template per message, or a real tokenizer with --tokenizer-json FILE (needs `tokenizers`);
* the reasoning parser: with --reasoning-parser the reasoning goes to message.reasoning (vLLM 0.26,
  the pinned image; `--stub-reasoning-field reasoning_content` for the field older vLLM wrote),
  without it a thinking answer carries <think>...</think> in content (as vLLM does);
* the tool-call parser: with --enable-auto-tool-choice and --tool-call-parser a request that offers
  tools gets a tool call for its first tool; without them `tool_choice: auto` gets vLLM's 400;
* --api-key: a request without `Authorization: Bearer KEY` gets vLLM's 401 (its api-key middleware);
* faults a run must survive or be refused for, from $NELC_E2E_FAULT (the server inherits the job's
  environment): `die-after:N` (the process exits after N requests), `fail-share:F` (a share F of
  requests gets HTTP 500), `garbage` (a judge answers text no harness can parse);
  chat_template_kwargs.enable_thinking switches thinking per request;
* the startup log: the `non-default args: {...}` line with 'served_model_name': [...] that real
  vLLM prints, and uvicorn-style access lines ("POST /v1/chat/completions HTTP/1.1" 400 Bad Request).

Every request is appended to --log-jsonl as one JSON object: time, path, status, model and the
sampling fields the request carried (temperature, top_p, top_k, min_p, max_tokens,
max_completion_tokens, seed, n, stop, logprobs, echo, stream, chat_template_kwargs, tools count,
tool_choice, response_format, extra keys), the estimated prompt tokens, and whether an
Authorization header was present (never its value).

Answers are deterministic (sha256 of the prompt): multiple-choice prompts get "Answer: X" with a
letter from the prompt's own options, math prompts a \\boxed{} digit, a CORRECT/INCORRECT judge
prompt CORRECT two times in three, yes/no graders yes two times in three, and everything else a
short fixed sentence. So scores are non-trivial but meaningless.

Command line: the vLLM flags a deployment command carries (`vllm serve MODEL --port P
--served-model-name N --max-model-len L --reasoning-parser R ...`); unknown flags are accepted
and ignored, as the docker shim passes the whole command through.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import threading
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()

# vLLM's wording. "new" is vLLM >= 0.10 (serving_engine._validate_input / renderer), the form seen
# in the wild as {"error": {"message": ..., "type": "BadRequestError", "param": ..., "code": 400}};
# "old" is vLLM 0.6-0.9 (top-level ErrorResponse with object "error").
CONTEXT_ERRORS = {
    "new": {
        "both": ("'max_tokens' or 'max_completion_tokens' is too large: {mt}. This model's maximum context length "
                 "is {L} tokens and your request has {p} input tokens ({mt} > {L} - {p})."),
        "prompt": "This model's maximum context length is {L} tokens. However, your request has {p} input tokens. "
                  "Please reduce the length of the input messages.",
    },
    "old": {
        "both": ("This model's maximum context length is {L} tokens. However, you requested {t} tokens "
                 "({p} in the messages, {mt} in the completion). Please reduce the length of the messages or "
                 "completion."),
        "prompt": ("This model's maximum context length is {L} tokens. However, you requested {p} tokens in the "
                   "messages, Please reduce the length of the messages."),
    },
}

LOGGED_FIELDS = ("model", "temperature", "top_p", "top_k", "min_p", "max_tokens", "max_completion_tokens", "seed",
                 "n", "stop", "logprobs", "top_logprobs", "echo", "stream", "chat_template_kwargs", "tool_choice",
                 "response_format", "presence_penalty", "frequency_penalty", "repetition_penalty",
                 "skip_special_tokens", "include_stop_str_in_output", "reasoning_effort")


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    p = argparse.ArgumentParser(prog="vllm_stub", allow_abbrev=False)
    p.add_argument("model", nargs="?", default="stub-model", help="vllm serve MODEL (a path or an HF handle)")
    p.add_argument("--model", dest="model_flag", default=None)
    p.add_argument("--model-path", dest="model_flag")  # sglang spelling
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--served-model-name", nargs="+", default=None)
    p.add_argument("--max-model-len", "--context-length", dest="max_model_len", type=str, default=None)
    p.add_argument("--reasoning-parser", default=None)
    p.add_argument("--tool-call-parser", default=None)
    p.add_argument("--enable-auto-tool-choice", action="store_true")
    p.add_argument("--api-key", default=os.environ.get("VLLM_API_KEY"), help="as vLLM: require 'Authorization: Bearer KEY' on /v1")
    # stub-only flags (prefixed so they never clash with vLLM's)
    p.add_argument("--stub-log-jsonl", default=os.environ.get("STUB_LOG_JSONL", "stub_requests.jsonl"))
    p.add_argument("--stub-role", choices=("model", "judge"), default=os.environ.get("STUB_ROLE", "model"))
    p.add_argument("--stub-chars-per-token", type=float, default=float(os.environ.get("STUB_CHARS_PER_TOKEN", "4")))
    p.add_argument("--stub-tokenizer-json", default=os.environ.get("STUB_TOKENIZER_JSON"))
    p.add_argument("--stub-error-style", choices=("new", "old"), default=os.environ.get("STUB_ERROR_STYLE", "new"))
    p.add_argument("--stub-default-max-len", type=int, default=int(os.environ.get("STUB_DEFAULT_MAX_LEN", "40960")),
                   help="max_model_len when the command names none (vLLM would read config.json)")
    p.add_argument("--stub-thinks-by-default", choices=("yes", "no", "auto"),
                   default=os.environ.get("STUB_THINKS_BY_DEFAULT", "auto"),
                   help="auto: think when a --reasoning-parser is set")
    p.add_argument("--stub-length-share", type=float, default=float(os.environ.get("STUB_LENGTH_SHARE", "0")),
                   help="share of answers returned with finish_reason=length")
    p.add_argument("--stub-dump-bodies", type=int, default=int(os.environ.get("STUB_DUMP_BODIES", "3")),
                   help="write the first N request bodies next to the request log (LOG.bodies/N.json)")
    p.add_argument("--stub-delay", type=float, default=float(os.environ.get("STUB_DELAY", "0")))
    p.add_argument("--stub-reasoning-field", choices=("reasoning", "reasoning_content"),
                   default=os.environ.get("STUB_REASONING_FIELD", "reasoning"))
    p.add_argument("--stub-fault", default=os.environ.get("NELC_E2E_FAULT", ""),
                   help="die-after:N | fail-share:F | garbage (see the module docstring)")
    args, unknown = p.parse_known_args(argv)
    if args.model_flag:
        args.model = args.model_flag
    return args, unknown


def parse_len(text: str | None, default: int) -> int:
    if text is None:
        return default
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text.strip())
    if not m:
        raise SystemExit(f"vllm_stub: bad --max-model-len {text!r}")
    n = float(m.group(1))
    scale = {"": 1, "k": 1000, "K": 1024, "m": 1_000_000, "M": 1024 * 1024}[m.group(2)]
    return int(n * scale)


class Counter:
    def __init__(self, chars_per_token: float, tokenizer_json: str | None):
        self.cpt = chars_per_token
        self.tok = None
        self.kind = f"approximate: {chars_per_token:g} characters per token"
        if tokenizer_json:
            from tokenizers import Tokenizer  # optional dependency
            self.tok = Tokenizer.from_file(tokenizer_json)
            self.kind = f"tokenizer {tokenizer_json}"

    def text(self, s: str) -> int:
        if not s:
            return 0
        if self.tok is not None:
            return len(self.tok.encode(s, add_special_tokens=False).ids)
        return max(1, int(len(s) / self.cpt + 0.999))

    def messages(self, messages: list, tools: list | None) -> int:
        total = 0
        for m in messages or []:
            content = m.get("content") if isinstance(m, dict) else m
            if isinstance(content, list):  # content parts
                content = " ".join(str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content)
            total += self.text(str(content or "")) + 8  # role markers of a chat template
            if isinstance(m, dict) and m.get("tool_calls"):
                total += self.text(json.dumps(m["tool_calls"]))
        if tools:
            total += self.text(json.dumps(tools))
        return total + 2


def digest(*parts: str) -> int:
    return int(hashlib.sha256("\x00".join(parts).encode("utf-8", "replace")).hexdigest()[:12], 16)


_LETTER_OPTION = re.compile(r"(?m)^\s*\(?([A-J])[\).:]\s+\S")


def answer_for(prompt: str, role: str, system: str = "", turns: int = 1) -> str:
    h = digest(prompt)
    low = prompt.lower()
    # a user simulator (tau2-bench: its system prompt asks for ###STOP### when the goal is met)
    if "###STOP###" in system:
        if turns >= 4:
            return "Thank you, that is all I needed. ###STOP###"
        return "Hi, my phone shows no service since this morning. Can you help me fix it?"
    # judges and graders
    if "correct or incorrect" in low:
        return "CORRECT" if h % 3 else "INCORRECT"
    if re.search(r'respond with only "?yes"? or "?no"?', low) or "answer yes or no" in low:
        return "Yes" if h % 3 else "No"
    if re.search(r'"a", "b", or "c"', low):
        return "A" if h % 3 else "B"
    # MT-Bench asks for "[[rating]]" in the user prompt of a first turn, in the system prompt of a second
    if "[[rating]]" in low or "[[5]]" in low or "[[rating]]" in system.lower():
        return f"The answer is adequate. Rating: [[{3 + h % 7}]]"
    if "correct: yes" in low or "correct:" in low and "extracted_final_answer" in low:
        verdict = "yes" if h % 3 else "no"
        return (f"extracted_final_answer: stub\nreasoning: deterministic stub judge\ncorrect: {verdict}\n"
                f"confidence: 100")
    # a model answering
    letters = sorted(set(_LETTER_OPTION.findall(prompt)))
    if ("answer: $letter" in low or "answer:$letter" in low or len(letters) >= 3) and letters:
        return f"After considering the options, the answer is {letters[h % len(letters)]}.\nAnswer: {letters[h % len(letters)]}"
    if "\\boxed" in prompt or "boxed{" in low:
        return f"Working it through gives {h % 10}. The final answer is \\boxed{{{h % 10}}}."
    if role == "judge":
        return "CORRECT" if h % 3 else "INCORRECT"
    return f"Stub answer {h % 997}: the documents support this conclusion."


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "uvicorn"
    sys_version = ""
    cfg: argparse.Namespace
    counter: Counter
    names: list[str]
    max_len: int
    seen: int = 0

    # ----- plumbing -------------------------------------------------------------------------------
    def log_message(self, fmt, *args):  # uvicorn-style access line on stdout (the server log)
        pass

    def _access(self, status: int) -> None:
        phrase = HTTPStatus(status).phrase
        line = f'INFO:     {self.client_address[0]}:{self.client_address[1]} - "{self.command} {self.path} HTTP/1.1" {status} {phrase}'
        with LOCK:
            print(line, flush=True)

    def _record(self, entry: dict) -> None:
        entry = {"time": round(time.time(), 3), "server_port": self.cfg.port, "role": self.cfg.stub_role, **entry}
        with LOCK, open(self.cfg.stub_log_jsonl, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")

    def _send_json(self, status: int, body: dict, record: dict | None = None) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)
        self._access(status)
        if record is not None:
            record["status"] = status
            if status >= 400:
                err = body.get("error")
                record["error"] = (err.get("message") if isinstance(err, dict) else err) if "error" in body else body.get("message")
            self._record(record)

    def _error(self, status: int, message: str, err_type: str, param: str | None, record: dict) -> None:
        if self.cfg.stub_error_style == "new":
            body = {"error": {"message": message, "type": err_type, "param": param, "code": status}}
        else:
            body = {"object": "error", "message": message, "type": err_type, "param": param, "code": status}
        self._send_json(status, body, record)

    def _read_body(self) -> dict | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            data = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None

    # ----- GET ------------------------------------------------------------------------------------
    def do_GET(self):
        path = self.path.split("?")[0]
        if path in ("/health", "/ping"):
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self._access(200)
            return
        if path == "/version":
            self._send_json(200, {"version": "stub"})
            return
        if path == "/v1/models":
            now = int(time.time())
            data = [{"id": n, "object": "model", "created": now, "owned_by": "vllm", "root": self.cfg.model,
                     "parent": None, "max_model_len": self.max_len,
                     "permission": [{"id": f"modelperm-{uuid.uuid4().hex[:16]}", "object": "model_permission",
                                     "created": now, "allow_create_engine": False, "allow_sampling": True,
                                     "allow_logprobs": True, "allow_search_indices": False, "allow_view": True,
                                     "allow_fine_tuning": False, "organization": "*", "group": None,
                                     "is_blocking": False}]} for n in self.names]
            self._send_json(200, {"object": "list", "data": data}, {"path": path, "method": "GET"})
            return
        self._send_json(404, {"detail": "Not Found"})

    # ----- POST -----------------------------------------------------------------------------------
    def do_POST(self):
        path = self.path.split("?")[0]
        body = self._read_body()
        record: dict = {"path": path, "method": "POST",
                        "authorization": "present" if self.headers.get("Authorization") else "absent"}
        if body is None:
            self._error(400, "Invalid JSON body", "BadRequestError", None, record)
            return
        with LOCK:
            Handler.seen += 1
            seq = Handler.seen
        if seq <= self.cfg.stub_dump_bodies:
            folder = self.cfg.stub_log_jsonl + ".bodies"
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, f"{seq}.json"), "w", encoding="utf-8") as f:
                json.dump(body, f, indent=1)
        for key in LOGGED_FIELDS:
            if key in body:
                record[key] = body[key]
        known = set(LOGGED_FIELDS) | {"messages", "prompt", "tools", "extra_body", "user", "logit_bias",
                                      "stream_options", "parallel_tool_calls", "functions"}
        extra = sorted(k for k in body if k not in known)
        if extra:
            record["other_keys"] = {k: body[k] for k in extra}
        if body.get("tools"):
            record["tools"] = len(body["tools"])
        if self.cfg.api_key and self.headers.get("Authorization") != f"Bearer {self.cfg.api_key}":
            self._send_json(401, {"error": "Unauthorized"}, record)  # vLLM's api-key middleware
            return
        if path not in ("/v1/chat/completions", "/v1/completions"):
            self._send_json(404, {"detail": "Not Found"}, record)
            return
        model = body.get("model")
        if model not in self.names:
            self._error(404, f"The model `{model}` does not exist.", "NotFoundError", None, record)
            return
        chat = path.endswith("chat/completions")
        if chat:
            messages = body.get("messages") or []
            prompt_tokens = self.counter.messages(messages, body.get("tools"))
            users = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
            text = users[-1].get("content") if users else (messages[-1].get("content") if messages else "")
            if isinstance(text, list):
                text = " ".join(str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in text)
            prompt_text = str(text or "")
            system_text = " ".join(str(m.get("content") or "") for m in messages
                                   if isinstance(m, dict) and m.get("role") == "system")
            turns = len(messages)
        else:
            system_text, turns = "", 1
            prompt = body.get("prompt", "")
            if isinstance(prompt, list) and prompt and all(isinstance(x, str) for x in prompt):
                prompts = prompt  # a batch of prompts: one choice each
            else:
                prompts = [prompt if isinstance(prompt, str) else json.dumps(prompt)]
            prompt_text = prompts[0]
            prompt_tokens = max(self.counter.text(x) for x in prompts)
        record["prompt_tokens_estimate"] = prompt_tokens
        record["prompt_chars"] = len(prompt_text)
        record["prompt_sha256"] = hashlib.sha256(prompt_text.encode("utf-8", "replace")).hexdigest()[:16]
        mt = body.get("max_completion_tokens") if chat and body.get("max_completion_tokens") is not None else body.get("max_tokens")
        L = self.max_len
        style = CONTEXT_ERRORS[self.cfg.stub_error_style]
        if mt is None:
            if prompt_tokens >= L:
                self._error(400, style["prompt"].format(L=L, p=prompt_tokens), "BadRequestError", "input_tokens", record)
                return
            mt = L - prompt_tokens
        elif not isinstance(mt, int) or isinstance(mt, bool) or mt < 0:
            self._error(400, f"max_tokens must be at least 0, got {mt}.", "BadRequestError", "max_tokens", record)
            return
        elif prompt_tokens >= L:
            self._error(400, style["prompt"].format(L=L, p=prompt_tokens), "BadRequestError", "input_tokens", record)
            return
        elif prompt_tokens + mt > L:
            self._error(400, style["both"].format(L=L, p=prompt_tokens, mt=mt, t=prompt_tokens + mt),
                        "BadRequestError", "max_tokens", record)
            return
        if self.cfg.stub_delay:
            time.sleep(self.cfg.stub_delay)
        fault, _, amount = self.cfg.stub_fault.partition(":")
        if fault == "die-after" and seq > int(amount):
            with LOCK:
                print(f"ERROR {time.strftime('%m-%d %H:%M:%S')} [engine.py:1] EngineCore died unexpectedly "
                      "(nelc e2e fault die-after)", flush=True)
            os._exit(1)
        if fault == "fail-share" and digest(prompt_text, str(seq)) % 1000 < float(amount) * 1000:
            self._error(500, "EngineCore encountered an issue (nelc e2e fault fail-share)", "InternalServerError", None,
                        record)
            return
        tools = body.get("tools") if chat else None
        if tools and body.get("tool_choice", "auto") == "auto" and not (self.cfg.tool_call_parser and
                                                                          self.cfg.enable_auto_tool_choice):
            self._error(400, '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set',
                        "BadRequestError", None, record)
            return
        answer = answer_for(prompt_text, self.cfg.stub_role, system_text, turns)
        if fault == "garbage" and self.cfg.stub_role == "judge":
            answer = "I am not sure how to grade this one."
        if "###STOP###" in system_text:
            record["user_simulator"] = True
        h = digest(prompt_text, str(body.get("seed")))
        finish = "length" if self.cfg.stub_length_share and (h % 1000) < self.cfg.stub_length_share * 1000 else "stop"
        kwargs = body.get("chat_template_kwargs") or {}
        thinks = {"yes": True, "no": False}.get(self.cfg.stub_thinks_by_default, bool(self.cfg.reasoning_parser))
        if isinstance(kwargs, dict) and "enable_thinking" in kwargs:
            thinks = bool(kwargs["enable_thinking"])
        if self.cfg.stub_role == "judge":
            thinks = False
        reasoning = "Let me read the question and check each option carefully." if thinks else None
        completion_tokens = self.counter.text(answer) + (self.counter.text(reasoning) if reasoning else 0)
        if mt is not None and completion_tokens > mt:
            completion_tokens, finish = mt, "length"
        record["finish_reason"] = finish
        record["thinking"] = thinks
        rid = uuid.uuid4().hex
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                 "total_tokens": prompt_tokens + completion_tokens}
        if chat:
            message: dict = {"role": "assistant", "content": answer, "tool_calls": []}
            if tools and self.cfg.tool_call_parser and h % 2 == 0:
                function = (tools[0] or {}).get("function") or {}
                message.update(content=None, tool_calls=[{"id": f"chatcmpl-tool-{rid[:16]}", "type": "function",
                                                          "function": {"name": function.get("name", "tool"),
                                                                       "arguments": "{}"}}])
                finish = "tool_calls"
                record["finish_reason"] = finish
            if reasoning and self.cfg.reasoning_parser:
                message[self.cfg.stub_reasoning_field] = reasoning
            elif reasoning:
                message["content"] = f"<think>\n{reasoning}\n</think>\n\n{answer}"
            if body.get("stream"):
                self._stream_chat(rid, model, message, finish, usage, record)
                return
            resp = {"id": f"chatcmpl-{rid}", "object": "chat.completion", "created": int(time.time()), "model": model,
                    "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish,
                                 "stop_reason": None}],
                    "usage": usage, "prompt_logprobs": None}
        else:
            choices = []
            for index, one in enumerate(prompts):
                text = answer_for(one, self.cfg.stub_role) if index else answer
                choice: dict = {"index": index, "text": text, "logprobs": None, "finish_reason": finish, "stop_reason": None}
                if body.get("logprobs") is not None:
                    if mt is not None and mt <= 2:  # a log-prob probe: generate exactly max_tokens tokens
                        text = "the" if mt else ""
                    choice["logprobs"] = self._logprobs(one if body.get("echo") else "", text,
                                                        int(body.get("logprobs") or 1))
                    choice["text"] = (one if body.get("echo") else "") + text
                choices.append(choice)
            record["batch"] = len(prompts)
            resp = {"id": f"cmpl-{rid}", "object": "text_completion", "created": int(time.time()), "model": model,
                    "choices": choices, "usage": usage}
        self._send_json(200, resp, record)

    def _logprobs(self, prompt: str, completion: str, top: int) -> dict:
        """Deterministic per-token logprobs. echo: the prompt's tokens first (None for the very first, as
        vLLM), then the completion's. Tokens come from --stub-tokenizer-json when given (use the same
        tokenizer as the harness, so its context length lines up), else from a whitespace split."""
        def split(text: str) -> list[tuple[str, int]]:
            if not text:
                return []
            if self.counter.tok is not None:
                enc = self.counter.tok.encode(text, add_special_tokens=False)
                return [(text[a:b], a) for (a, b) in enc.offsets]
            return [(m.group(0), m.start()) for m in re.finditer(r"\s*\S+", text)]
        pieces = split(prompt) + [(t, o + len(prompt)) for t, o in split(completion)]
        tokens = [t for t, _ in pieces] or [""]
        offsets = [o for _, o in pieces] or [0]
        lps = [-(digest(t, str(i)) % 500) / 100.0 for i, t in enumerate(tokens)]
        if prompt:
            lps[0] = None
        tops = [None if lp is None else {t: lp} for t, lp in zip(tokens, lps)]
        return {"tokens": tokens, "token_logprobs": lps, "top_logprobs": tops, "text_offset": offsets}

    def _stream_chat(self, rid, model, message, finish, usage, record) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(delta: dict, reason=None, use=None):
            data = {"id": f"chatcmpl-{rid}", "object": "chat.completion.chunk", "created": int(time.time()),
                    "model": model, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": reason}]}
            if use is not None:
                data["usage"] = use
            raw = f"data: {json.dumps(data)}\n\n".encode()
            self.wfile.write(f"{len(raw):x}\r\n".encode() + raw + b"\r\n")

        chunk({"role": "assistant", "content": ""})
        field = self.cfg.stub_reasoning_field
        if message.get(field):
            chunk({field: message[field]})
        chunk({"content": message["content"]})
        chunk({}, finish, usage)
        done = b"data: [DONE]\n\n"
        self.wfile.write(f"{len(done):x}\r\n".encode() + done + b"\r\n0\r\n\r\n")
        self._access(200)
        record["status"] = 200
        self._record(record)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:  # `vllm serve MODEL ...`
        argv = argv[1:]
    args, unknown = parse_args(argv)
    names = args.served_model_name or [args.model]
    max_len = parse_len(args.max_model_len, args.stub_default_max_len)
    counter = Counter(args.stub_chars_per_token, args.stub_tokenizer_json)
    Handler.cfg, Handler.counter, Handler.names, Handler.max_len = args, counter, names, max_len
    ts = time.strftime("%m-%d %H:%M:%S")
    nondefault = {"model": args.model, "served_model_name": names, "max_model_len": max_len, "port": args.port}
    if args.reasoning_parser:
        nondefault["reasoning_parser"] = args.reasoning_parser
    if args.tool_call_parser:
        nondefault["tool_call_parser"] = args.tool_call_parser
        nondefault["enable_auto_tool_choice"] = args.enable_auto_tool_choice
    print(f"INFO {ts} [api_server.py:1] vLLM API server version 0.0.0+stub (nelc e2e vllm_stub, role={args.stub_role})")
    print(f"INFO {ts} [utils.py:1] non-default args: {nondefault!r}")
    if unknown:
        print(f"INFO {ts} [vllm_stub] ignored flags: {' '.join(unknown)}")
    print(f"INFO {ts} [vllm_stub] token counting: {counter.kind}; request log: {os.path.abspath(args.stub_log_jsonl)}")
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(f"INFO:     Started server process [{os.getpid()}]")
    print("INFO:     Waiting for application startup.")
    print("INFO:     Application startup complete.")
    print(f"INFO:     Uvicorn running on http://{args.host}:{args.port} (Press CTRL+C to quit)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
