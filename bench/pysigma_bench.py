"""pySigma with its Athena backend over Sigma rule files, timed in process (imports excluded).

Usage: python3 pysigma_bench.py <file with one Sigma rule path per line>
Prints JSON: rules, converted, failed, seconds (conversion only), and the first failure.
"""
import json
import sys
import time

from sigma.backends.athena import athenaBackend
from sigma.collection import SigmaCollection


def main() -> None:
    paths = [p for p in open(sys.argv[1], encoding="utf-8").read().split("\n") if p]
    texts = [open(p, encoding="utf-8").read() for p in paths]
    backend = athenaBackend()
    converted = 0
    failures = []
    start = time.perf_counter()
    for path, text in zip(paths, texts):
        try:
            backend.convert(SigmaCollection.from_yaml(text))
            converted += 1
        except Exception as e:  # a rule pySigma cannot convert: counted, as pySigma reports it
            failures.append(f"{path}: {type(e).__name__}: {e}")
    seconds = time.perf_counter() - start
    print(json.dumps({"rules": len(paths), "converted": converted, "failed": len(failures), "seconds": seconds, "firstFailure": failures[0] if failures else None}))


if __name__ == "__main__":
    main()
