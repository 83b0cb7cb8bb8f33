"""Readers people use in Python, timed on the bench's own files (`npm run bench`, bench/ingest.ts).

Usage: python3 bench/peers.py <jsonl|tfevents> <file> <repeats>
Prints one JSON object: {"versions": {...}, "missing": [...], "results": {name: {"wallMs", "cpuMs", "rows"}}}.
`python3 bench/peers.py peak <file>` reads the file once with polars.read_ndjson in this fresh process
and prints {"peakMB": peak RSS of the process, "rows"} (or {"missing": "polars"}).
A library that is not installed is listed under "missing" (the bench says so) instead of timed.
Each contender's repeats run back to back; medians of wall time and of this process's CPU time
(user + system, all threads: polars reads with every core).
"""
import json
import resource
import statistics
import sys
import time


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn, repeats):
    walls, cpus, rows = [], [], 0
    for _ in range(repeats):
        c, t = cpu_seconds(), time.perf_counter()
        rows = fn()
        walls.append((time.perf_counter() - t) * 1000)
        cpus.append((cpu_seconds() - c) * 1000)
    return {"wallMs": statistics.median(walls), "cpuMs": statistics.median(cpus), "rows": rows}


def peak(path):
    try:
        import polars
    except ImportError:
        print(json.dumps({"missing": "polars"}))
        return
    rows = polars.read_ndjson(path).height
    # ru_maxrss is in KiB on Linux.
    print(json.dumps({"peakMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rows": rows}))


def main():
    if sys.argv[1] == "peak":
        peak(sys.argv[2])
        return
    kind, path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out = {"versions": {}, "missing": [], "results": {}}
    contenders = []
    if kind == "jsonl":
        try:
            import polars

            out["versions"]["polars"] = polars.__version__
            contenders.append(("polars.read_ndjson", lambda: polars.read_ndjson(path).height))
        except ImportError:
            out["missing"].append("polars")
        try:
            import pandas

            out["versions"]["pandas"] = pandas.__version__
            contenders.append(("pandas.read_json(lines=True)", lambda: len(pandas.read_json(path, lines=True))))
        except ImportError:
            out["missing"].append("pandas")
        try:
            import orjson

            out["versions"]["orjson"] = orjson.__version__

            def orjson_loop():
                n = 0
                with open(path, "rb") as f:
                    for line in f:
                        if orjson.loads(line).get("loss") is not None:
                            n += 1
                return n

            contenders.append(("orjson loop", orjson_loop))
        except ImportError:
            out["missing"].append("orjson")
    else:
        try:
            from tensorboard.backend.event_processing import event_accumulator
            import tensorboard

            out["versions"]["tensorboard"] = tensorboard.__version__

            def accumulate():
                # size_guidance 0 keeps every scalar (the default samples 10,000 per tag).
                acc = event_accumulator.EventAccumulator(path, size_guidance={event_accumulator.SCALARS: 0})
                acc.Reload()
                return sum(len(acc.Scalars(t)) for t in acc.Tags()["scalars"])

            contenders.append(("tensorboard EventAccumulator", accumulate))
        except ImportError:
            out["missing"].append("tensorboard")
    for name, fn in contenders:
        out["results"][name] = timed(fn, repeats)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
