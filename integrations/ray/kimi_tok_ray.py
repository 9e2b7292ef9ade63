"""Audit served turns with `kimi-tok audit` on a Ray cluster.

The logs are read line by line with their file and line number (`TurnLines`), cut into
batches that an actor pool audits: each actor keeps one `kimi-tok audit --jsonl -` process
and feeds it through stdin, one envelope per turn and a summary request per batch, so every
record is exactly what the single-process run writes for that line. The records are written
as the lines kimi-tok wrote (``JSONLines``); the partial summaries (counts only) are merged by `kimi-tok audit
--merge-summaries`, which is the summary the single-process run writes.

    python -m kimi_tok_ray --kimi-tok BIN --model-dir DIR --out OUT --summary SUMMARY FILE...

On a cluster, start Ray there first and pass --address (docs/scale.md).
"""
import argparse
import json
import os
import subprocess
import tempfile

import ray
import ray.data
from ray.data._internal.delegating_block_builder import DelegatingBlockBuilder
from ray.data.datasource import BlockBasedFileDatasink, FileBasedDatasource


class TurnLines(FileBasedDatasource):
    """Each non-blank line of the logs with its path and 1-based line number. Lines are cut at
    newlines only (not at the other line breaks Python's splitlines knows), as kimi-tok does."""

    def _read_stream(self, f, path):
        builder = DelegatingBlockBuilder()
        for number, line in enumerate(f.readall().split(b"\n"), start=1):
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line.strip(b" \t\r"):
                continue
            builder.add({"path": path, "line": number, "text": line.decode("utf-8", errors="replace")})
        yield builder.build()


class JSONLines(BlockBasedFileDatasink):
    """Writes the `json` column's strings as they are, one per line. `write_json` would pass the
    records through Arrow, which gives a column one type: an `id` that is 7 on one line and
    "turn-8" on the next comes out as "7"."""

    def __init__(self, path):
        super().__init__(path, file_format="jsonl")

    def write_block_to_file(self, block, file):
        for row in block.iter_rows(public_row_format=False):
            file.write(row["json"].encode() + b"\n")


class Auditor:
    """One `kimi-tok audit --jsonl -` process, fed one batch at a time."""

    def __init__(self, binary, arguments, named):
        self.named = named
        # One worker thread: the actor holds one CPU of the cluster.
        self.process = subprocess.Popen([binary, "audit", "--jsonl", "--threads", "1", *arguments],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def __call__(self, batch):
        count = len(batch["line"])
        for path, number, text in zip(batch["path"], batch["line"], batch["text"]):
            envelope = {"line": int(number), "text": str(text)}
            if self.named:
                envelope["file"] = str(path)
            self.process.stdin.write(json.dumps(envelope, ensure_ascii=False).encode() + b"\n")
        self.process.stdin.write(b'{"summary": true}\n')
        self.process.stdin.flush()
        kinds, payloads = [], []
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"kimi-tok audit exited with {self.process.wait()} during a batch of {count} turns")
            if line.startswith(b'{"summary":'):
                kinds.append("summary")
                payloads.append(json.dumps(json.loads(line)["summary"]))
                break
            kinds.append("record")
            payloads.append(line.decode().rstrip("\n"))
        return {"kind": kinds, "json": payloads}


def audit(paths, binary, arguments, out, summary, concurrency=None, batch_size=1024):
    """Audits `paths` on the running Ray cluster: records to the directory `out`
    (write_json), the merged summary to the file `summary`. Returns the summary."""
    named = len(paths) > 1
    turns = ray.data.read_datasource(TurnLines(paths))
    cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
    # A pool from one actor up to one per CPU: a fixed pool of every CPU would leave none for
    # the read tasks that feed it.
    audited = turns.map_batches(
        Auditor, fn_constructor_args=(binary, arguments, named), batch_size=batch_size, batch_format="numpy",
        num_cpus=1, compute=ray.data.ActorPoolStrategy(min_size=1, max_size=concurrency or cpus),
    ).materialize()
    audited.filter(lambda row: row["kind"] == "record").select_columns(["json"]).write_datasink(JSONLines(out))
    partials = [row["json"] for row in audited.filter(lambda row: row["kind"] == "summary").take_all()]
    with tempfile.TemporaryDirectory() as scratch:
        files = []
        for index, partial in enumerate(partials):
            files.append(os.path.join(scratch, f"part-{index}.json"))
            with open(files[-1], "w") as handle:
                handle.write(partial)
        subprocess.run([binary, "audit", "--merge-summaries", *files, "--summary", summary], check=True)
    with open(summary) as handle:
        return json.load(handle)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+")
    parser.add_argument("--kimi-tok", default="kimi-tok")
    parser.add_argument("--out", required=True, help="directory for the records (JSON lines)")
    parser.add_argument("--summary", required=True)
    parser.add_argument("--address", help="a Ray cluster to join (default: start a local one)")
    parser.add_argument("--num-cpus", type=int, help="CPUs of the local cluster")
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--audit-arg", action="append", default=[], help="an argument for kimi-tok audit, e.g. --audit-arg=--engine=vllm")
    args = parser.parse_args()
    ray.init(address=args.address, num_cpus=None if args.address else args.num_cpus, include_dashboard=False)
    paths = [os.path.abspath(path) for path in args.files]
    summary = audit(paths, args.kimi_tok, args.audit_arg, args.out, args.summary, batch_size=args.batch_size)
    print(f"kimi_tok_ray: {summary['turns']} turns, {summary['turns_with_findings']} with findings")


if __name__ == "__main__":
    main()
