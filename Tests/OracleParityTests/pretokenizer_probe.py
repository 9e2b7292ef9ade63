#!/usr/bin/env python3
"""Pre-tokenizer probe: the piece boundaries that tiktoken's own regex engine finds.

tiktoken does not expose its regex split, so this builds, for each batch of probe strings, a
tiktoken.Encoding with the Kimi pattern (KIMI_PAT_STR of the oracle, kimi_oracle.py) and a vocabulary in
which every code-point-aligned substring of every probe is one token, and nothing that crosses
a code point is. Byte-pair merging then joins each piece into exactly one token and never joins
across pieces, so the decoded tokens are the pieces.

Requests on stdin, one JSON object per line: {"strings": ["...", ...]}
Answers on stdout, one per line:            {"pieces": [["...", ...], ...]}

Usage: pretokenizer_probe.py --oracle PATH   (PATH is ../shared/oracle/kimi_oracle.py)
"""
import argparse, ast, json, sys

import tiktoken


def kimi_pattern(oracle_path):
    """The oracle's KIMI_PAT_STR, read from its source without importing it (or transformers)."""
    source = open(oracle_path, encoding="utf-8").read()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "KIMI_PAT_STR" for t in node.targets):
            return eval(compile(ast.Expression(node.value), "KIMI_PAT_STR", "eval"), {})
    raise SystemExit(f"KIMI_PAT_STR not found in {oracle_path}")


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
    parser.add_argument("--oracle", required=True)
    pattern = kimi_pattern(parser.parse_args().oracle)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        sys.stdout.write(json.dumps({"pieces": pieces(pattern, request["strings"])}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
