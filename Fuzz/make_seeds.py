#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target from the real data in ../shared.

usage: make_seeds.py SHARED_DIR MODEL_DIR OUT_DIR

Needs the oracle venv (transformers, tiktoken) to turn text into real token IDs for the decode target.
Seeds are derived at run time and never committed: ../shared stays the only copy of the data.
"""
import hashlib
import json
import os
import random
import struct
import sys

SPECIALS = ["<|im_end|>", "<|im_user|>", "<|im_assistant|>", "<|im_system|>", "<|im_middle|>",
            "<|tool_calls_section_begin|>", "<|tool_calls_section_end|>", "<|tool_call_begin|>",
            "<|tool_call_argument_begin|>", "<|tool_call_end|>", "[BOS]", "[EOS]"]


def write(out, target, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    folder = os.path.join(out, target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def slices(text, size, count, rng):
    """`count` slices of about `size` characters, starting at line starts."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    for _ in range(count):
        start = rng.choice(starts)
        yield text[start:start + rng.randint(1, size)]


def load_tokenizer(shared, model_dir):
    """The reference tokenizer: the oracle's tiktoken Encoding (no tokenization_kimi.py needed)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import warnings
    warnings.filterwarnings("ignore")
    sys.path.insert(0, os.path.join(shared, "oracle"))
    from kimi_oracle import KimiTokenizer
    tokenizer = KimiTokenizer(os.path.abspath(model_dir))
    return tokenizer.encoding, tokenizer.encoding.n_vocab


def main(shared, model_dir, out):
    rng = random.Random(20261125)
    corpus_dir = os.path.join(shared, "corpus")
    texts = {}
    for name in sorted(os.listdir(corpus_dir)):
        if name != "SOURCES.md":
            with open(os.path.join(corpus_dir, name), encoding="utf-8") as f:
                texts[name] = f.read()
    encoding, token_count = load_tokenizer(shared, model_dir)

    # encode: slices of every corpus file, special-token strings, long runs of one class.
    for name, text in texts.items():
        for piece in slices(text, 2000, 40, rng):
            write(out, "encode", piece)
    for special in SPECIALS:
        write(out, "encode", f"a{special}b {special}{special}\n")
    for run in [" " * 300, "\n" * 50 + " x", "9" * 200, "🙂" * 100, "漢" * 300, "a" * 500, "'s'S'll " * 30]:
        write(out, "encode", run)

    # decode: real ID streams, as binary (first byte 1: IDs folded into the vocabulary; see
    # DecodeFuzzTarget) and as the JSON shapes engines send.
    for name, text in texts.items():
        for piece in slices(text, 600, 10, rng):
            ids = encoding.encode(piece, allowed_special="all")
            write(out, "decode", b"\x01" + b"".join(struct.pack("<I", i) for i in ids))
            write(out, "decode", json.dumps(ids))
            write(out, "decode", json.dumps({"count": len(ids), "max_model_len": 131072, "tokens": ids}))
    write(out, "decode", b"\x00" + struct.pack("<iii", -1, token_count, 2**31 - 1))

    # json and tool-calls: the BFCL records as chat requests and tools, and model output
    # calling those tools.
    for name in ("json_bfcl_multi_turn_base.jsonl", "json_bfcl_live_irrelevance_head.jsonl"):
        for line in texts[name].splitlines()[:60]:
            record = json.loads(line)
            write(out, "json", line)
            tools = [{"type": "function", "function": f} for f in record.get("function", [])]
            messages = [m for turn in record.get("question", []) for m in turn]
            if tools:
                write(out, "json", json.dumps(tools, ensure_ascii=rng.random() < 0.5))
            calls, output = [], []
            for index, tool in enumerate(tools[:3]):
                function = tool["function"]
                arguments = {key: "x" for key in function.get("parameters", {}).get("properties", {})}
                call_id = f"functions.{function['name']}:{index}" if rng.random() < 0.7 else f"{function['name']}:{index}"
                calls.append({"id": call_id, "type": "function",
                              "function": {"name": function["name"], "arguments": json.dumps(arguments)}})
                output.append(f"<|tool_call_begin|>{call_id}<|tool_call_argument_begin|>{json.dumps(arguments)}<|tool_call_end|>")
            if calls:
                history = messages[:1] + [{"role": "assistant", "content": rng.choice(["", None, [{"type": "text", "text": ""}]]),
                                           "tool_calls": calls}]
                history += [{"role": "tool", "tool_call_id": c["id"], "content": "ok"} for c in calls]
                write(out, "json", json.dumps({"messages": history, "tools": tools}))
                write(out, "json", json.dumps(history))
                text = "Let me check." + "<|tool_calls_section_begin|>" + "".join(output) + "<|tool_calls_section_end|>"
                write(out, "tool-calls", text)
                write(out, "tool-calls", text[: rng.randint(1, len(text))])

    # template: every published Kimi template, and the model directory's own.
    templates = os.path.join(shared, "templates")
    for name in sorted(os.listdir(templates)):
        path = os.path.join(templates, name)
        if name.endswith(".jinja"):
            write(out, "template", open(path, "rb").read())
        elif name.endswith(".json"):
            template = json.load(open(path)).get("chat_template")
            if isinstance(template, str):
                write(out, "template", template)
    write(out, "template", json.load(open(os.path.join(model_dir, "tokenizer_config.json")))["chat_template"])


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
