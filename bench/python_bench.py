"""Times generated Panther rules on NDJSON events under the PantherEvent stand-in.

usage: python3 bench/python_bench.py <rules-dir> <events.ndjson> <max-events>
Prints JSON: events, rules, seconds (rule() calls only), matches.
"""

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src", "import", "panther", "python"))

from panther_event import PantherEvent  # noqa: E402


def main():
    rules_dir, events_file, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rules = []
    for name in sorted(os.listdir(rules_dir)):
        if name.endswith(".py"):
            namespace = {"__name__": name[:-3]}
            with open(os.path.join(rules_dir, name), encoding="utf-8") as f:
                exec(compile(f.read(), name, "exec"), namespace)
            rules.append(namespace["rule"])
    seconds = 0.0
    matches = 0
    count = 0
    batch = []

    def run(batch):
        nonlocal seconds, matches
        events = [PantherEvent(e) for e in batch]
        start = time.perf_counter()
        for event in events:
            for rule in rules:
                if rule(event):
                    matches += 1
        seconds += time.perf_counter() - start

    with open(events_file, encoding="utf-8") as f:
        for line in f:
            if count >= limit:
                break
            batch.append(json.loads(line))
            count += 1
            if len(batch) == 20000:
                run(batch)
                batch = []
    run(batch)
    print(json.dumps({"events": count, "rules": len(rules), "seconds": seconds, "matches": matches}))


main()
