#!/usr/bin/env python3
"""Pre-tokenizer probe: the piece boundaries that tiktoken's own regex engine finds.

tiktoken does not expose its regex split, so this builds, for each batch of probe strings, a
tiktoken.Encoding with the Kimi pattern (read from tokenization_kimi.py) and a vocabulary in
which every code-point-aligned substring of every probe is one token, and nothing that crosses
a code point is. Byte-pair merging then joins each piece into exactly one token and never joins
across pieces, so the decoded tokens are the pieces.

Requests on stdin, one JSON object per line: {"strings": ["...", ...]}
Answers on stdout, one per line:            {"pieces": [["...", ...], ...]}

Usage: pretokenizer_probe.py --model-dir DIR   (DIR holds tokenization_kimi.py)
"""
import argparse, ast, json, os, sys

import tiktoken


def kimi_pattern(model_dir):
    """The pat_str of TikTokenTokenizer, read from the source without importing transformers."""
    source = open(os.path.join(model_dir, "tokenization_kimi.py"), encoding="utf-8").read()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "pat_str" for t in node.targets):
            return eval(compile(ast.Expression(node.value), "pat_str", "eval"), {})
    raise SystemExit("pat_str not found in tokenization_kimi.py")


def pieces(pattern, strings):
    ranks = {bytes([i]): i for i in range(256)}

    def add(token):
        if token not in ranks:
            ranks[token] = len(ranks)

    for text in strings:
        scalars = [c.encode("utf-8") for c in text]
        for scalar in scalars:
            for i in range(len(scalar)):
                for j in range(i + 2, len(scalar) + 1):
                    add(scalar[i:j])
        for i in range(len(scalars)):
            for j in range(i + 2, len(scalars) + 1):
                add(b"".join(scalars[i:j]))
    encoding = tiktoken.Encoding("probe", pat_str=pattern, mergeable_ranks=ranks, special_tokens={})
    tokens = {rank: token for token, rank in ranks.items()}
    return [[tokens[t].decode("utf-8") for t in encoding.encode_ordinary(text)] for text in strings]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", required=True)
    pattern = kimi_pattern(parser.parse_args().model_dir)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        sys.stdout.write(json.dumps({"pieces": pieces(pattern, request["strings"])}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
