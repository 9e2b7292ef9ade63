"""`kimi-tok audit` on generated turns, and the Ray integration against it on a real local
Ray cluster.

Generates turns with planted defects (scripts/generate-turns) and audits them with
`kimi-tok audit`; requires (1) exactly the planted finding codes on every turn, (2) K2VV's
metrics equal to the generator's own count and to K2VV's algorithm run here (its
`validate_tool_call` with the `jsonschema` package, the trigger F1 of its README), then (3)
audits them again through `kimi_tok_ray.audit` on `ray.init(num_cpus=2)` and requires every
record and the merged summary to be identical to the single-process run's.

    python integrations/ray/test_kimi_tok_ray.py --kimi-tok BIN --model-dir DIR [--count N]
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema
import ray

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kimi_tok_ray  # noqa: E402


def k2vv_valid(call, tools):
    """K2VV's validate_tool_call, as tool_calls_eval.py writes it."""
    try:
        name = call["function"]["name"]
        schema = next((t["function"]["parameters"] for t in tools if t["function"]["name"] == name), None)
        if not schema:
            return False
        arguments = call["function"]["arguments"]
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments)
            except json.JSONDecodeError:
                return False
        jsonschema.validate(instance=arguments, schema=schema)
        return True
    except Exception:
        return False


def k2vv_metrics(turns_path, reference_path):
    """K2VV's counts over the turns' responses, and its README's trigger metrics."""
    def key(record, number):
        for field in ("id", "data_index"):
            if record.get(field) is not None:
                return json.dumps(record[field])
        return f"line {number}"

    def finish(record):
        choices = (record.get("response") or {}).get("choices") or []
        return choices[0].get("finish_reason") if choices else None

    reference = {}
    with open(reference_path) as handle:
        for number, line in enumerate(handle, 1):
            record = json.loads(line)
            reference[key(record, number)] = finish(record) == "tool_calls"
    counts = dict(responses=0, tool_calls=0, valid=0, tp=0, fp=0, fn=0, tn=0)
    with open(turns_path) as handle:
        for number, line in enumerate(handle, 1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if record.get("response") is None:
                continue
            counts["responses"] += 1
            reason = finish(record)
            if reason == "tool_calls":
                counts["tool_calls"] += 1
                calls = record["response"]["choices"][0].get("message", {}).get("tool_calls", [])
                tools = record["request"].get("tools", [])
                if calls and all(k2vv_valid(call, tools) for call in calls):
                    counts["valid"] += 1
            called, expected = reason == "tool_calls", reference.get(key(record, number))
            if expected is not None:
                counts[{(True, True): "tp", (True, False): "fp", (False, True): "fn", (False, False): "tn"}[(called, expected)]] += 1
    return counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kimi-tok", required=True)
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--count", type=int, default=10000)
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([sys.executable, os.path.join(root, "scripts", "generate-turns"), "--count", str(args.count), "--out", work,
                        "--kimi-tok", args.kimi_tok, "--model-dir", args.model_dir], check=True)
        turns = os.path.join(work, "turns.jsonl")
        common = ["--model-dir", args.model_dir, "--reference", os.path.join(work, "reference.jsonl")]
        single = subprocess.run([args.kimi_tok, "audit", turns, *common, "--summary", os.path.join(work, "single.json")],
                                capture_output=True)
        if single.returncode not in (0, 1):
            sys.exit(f"test: kimi-tok audit failed: {single.stderr.decode()}")
        expected = [json.loads(line) for line in single.stdout.decode().splitlines()]
        failures = []
        with open(os.path.join(work, "expected.jsonl")) as handle:
            planted = [json.loads(line) for line in handle]
        wrong = [(p["line"], p["codes"], sorted({f["code"] for f in r["findings"]})) for p, r in zip(planted, expected)
                 if p["codes"] != sorted({f["code"] for f in r["findings"]})]
        if len(planted) != len(expected) or wrong:
            sys.exit(f"test: FAILED: {len(wrong)} of {len(planted)} turns without exactly their planted codes, e.g. {wrong[:3]}")
        with open(os.path.join(work, "single.json")) as handle:
            single_summary = json.load(handle)
        with open(os.path.join(work, "expected-summary.json")) as handle:
            generated = json.load(handle)
        ours = single_summary["k2vv"]
        theirs = k2vv_metrics(turns, os.path.join(work, "reference.jsonl"))
        mine = dict(responses=ours["responses"], tool_calls=ours["count_finish_reason_tool_calls"], valid=ours["count_successful_tool_call"],
                    **{k: ours["reference"][k] for k in ("tp", "fp", "fn", "tn")})
        generated_counts = dict(responses=generated["responses"], tool_calls=generated["count_finish_reason_tool_calls"],
                                valid=generated["count_successful_tool_call"], **{k: generated[k] for k in ("tp", "fp", "fn", "tn")})
        if not (mine == theirs == generated_counts) or ours["reference"]["tool_call_f1"] != generated["tool_call_f1"] \
                or ours["schema_accuracy"] != generated["schema_accuracy"]:
            sys.exit(f"test: FAILED: K2VV counts: kimi-tok {mine}, K2VV's algorithm {theirs}, the generator {generated_counts}")
        print(f"test: {len(planted)} turns, each with exactly its planted codes; K2VV counts identical three ways: {mine}, "
              f"schema_accuracy {ours['schema_accuracy']:.4f}, tool_call_f1 {ours['reference']['tool_call_f1']:.4f}")
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        merged = kimi_tok_ray.audit([turns], args.kimi_tok, common, os.path.join(work, "ray-out"), os.path.join(work, "ray.json"))
        ray.shutdown()
        records = []
        for path in sorted(glob.glob(os.path.join(work, "ray-out", "*.jsonl"))):
            with open(path) as handle:
                records += [json.loads(line) for line in handle if line.strip()]
        records.sort(key=lambda record: record["line"])
        if len(records) != len(expected):
            failures.append(f"{len(records)} records from Ray, {len(expected)} from the single process")
        for mine, theirs in zip(records, expected):
            if mine != theirs:
                failures.append(f"line {theirs['line']}: Ray wrote {json.dumps(mine, sort_keys=True)[-300:]}, the single process {json.dumps(theirs, sort_keys=True)[-300:]}")
                break
        if merged != single_summary:
            failures.append(f"merged summary differs: {json.dumps(merged)[:400]} vs {json.dumps(single_summary)[:400]}")
        if failures:
            sys.exit("test: FAILED\n  " + "\n  ".join(failures))
        print(f"test: Ray on 2 CPUs wrote {len(records)} records identical to the single process's, "
              f"and the merged summary of {merged['turns']} turns is identical")


if __name__ == "__main__":
    main()
