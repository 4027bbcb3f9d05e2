"""Runs generated Panther rules for the tests: one long-lived process, JSON lines in and out.

Requests (one JSON object a line):
  {"load": <id>, "source": <python source>}                 -> {"ok": true} or {"error": ...}
  {"run": <id>, "events": [<event>, ...]}                    -> {"results": [true|false|{"error"}]}
  {"call": <id>, "function": <name>, "events": [...]}        -> {"results": [<json value>|{"error"}]}
  {"check": <python source>, "events": [...]}              -> rule() of a throw-away module
  {"exec": <python source>}                                  -> {"result": <json value>} (stand-in tests)
Every event is wrapped in the PantherEvent stand-in, never passed as a plain dict.
"""

import json
import os
import sys
import traceback

# The PantherEvent stand-in is part of the product (rulec import panther runs rules on it).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "src", "import", "panther", "python"))

from panther_event import ImmutableContainerMixin, PantherEvent  # noqa: E402

MODULES = {}


def encode(obj):
    if isinstance(obj, ImmutableContainerMixin):
        return obj._container
    raise TypeError(f"not JSON serializable: {type(obj)}")


def error(exc):
    return {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc(limit=3)}


def handle(request):
    if "load" in request:
        namespace = {"__name__": f"rule_{request['load']}"}
        try:
            exec(compile(request["source"], f"<rule {request['load']}>", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001
            return error(exc)
        MODULES[request["load"]] = namespace
        return {"ok": True}
    if "run" in request or "call" in request:
        key = request.get("run", request.get("call"))
        function = MODULES[key][request.get("function", "rule")]
        results = []
        for event in request["events"]:
            try:
                value = function(PantherEvent(event))
                if "run" in request and type(value) is not bool:
                    value = {"error": f"rule returned {type(value).__name__}, not bool"}
                results.append(value)
            except Exception as exc:  # noqa: BLE001
                results.append(error(exc))
        return {"results": results}
    if "check" in request:
        namespace = {"__name__": "rule_check"}
        try:
            exec(compile(request["check"], "<rule>", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001
            return error(exc)
        results = []
        for event in request["events"]:
            try:
                value = namespace["rule"](PantherEvent(event))
                results.append(value if type(value) is bool else {"error": f"returned {value!r}"})
            except Exception as exc:  # noqa: BLE001
                results.append(error(exc))
        return {"results": results}
    if "exec" in request:
        namespace = {"PantherEvent": PantherEvent}
        try:
            exec(request["exec"], namespace)
            return {"result": namespace.get("result")}
        except Exception as exc:  # noqa: BLE001
            return error(exc)
    if "unload" in request:
        MODULES.pop(request["unload"], None)
        return {"ok": True}
    return {"error": "unknown request"}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        response = handle(json.loads(line))
        sys.stdout.write(json.dumps(response, default=encode, ensure_ascii=True) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
