#!/usr/bin/env python3
"""Rebuild test/corpus/{logs,configs} from manifest.tsv: each row names a public repository, a commit and
a path. The bytes come from local git mirrors of those repositories (default /work/.mirror/<owner>+<name>/repo,
or --mirrors DIR); files marked "trimmed" are cut to the same number of bytes at a line end.
The corpus files themselves are not committed (they are other projects' files; see README.md)."""
import argparse, csv, os, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--mirrors", default="/work/.mirror")
args = ap.parse_args()
missing = 0
for row in csv.DictReader(open(os.path.join(here, "manifest.tsv")), delimiter="\t"):
    git_dir = os.path.join(args.mirrors, row["repository"].replace("/", "+"), "repo")
    res = subprocess.run(["git", "--git-dir", git_dir, "show", f"{row['commit']}:{row['path']}"], capture_output=True)
    if res.returncode != 0:
        print(f"missing: {row['repository']}@{row['commit'][:10]}:{row['path']}", file=sys.stderr)
        missing += 1
        continue
    data = res.stdout[: int(row["bytes"])] if row["trimmed"] else res.stdout
    dest = os.path.join(here, row["local"])
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    open(dest, "wb").write(data)
print(f"done, {missing} missing")
