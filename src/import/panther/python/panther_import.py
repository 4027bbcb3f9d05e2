"""rulec import panther: one long-lived python3 process for a whole import, JSON lines in and out.

Requests (one JSON object a line), answered in order:
  {"setup": {"helpers": {module: [source, file]}, "helpersDir": <dir or null>,
             "dataModels": {logType: {"mappings": [...], "module": <name or null>}}}}  -> {"ok": true}
  {"translate": {"name", "source", "file", "logType", "schema", "events"}}
      -> {"condition", "reads", "inlined", "udm"} or {"refuse", "file", "line"}
  {"load": <id>, "source", "file", "logType"}   -> the original rule module: {"ok"} or {"error"}
  {"run": <id>, "events": [...]}                 -> {"results": [true | false | {"error"}]}
  {"check": <python source>, "events": [...]}   -> rule() of a generated module, the same way
  {"unload": <id>}
Every event is wrapped in the PantherEvent stand-in (panther_event.py); rule() must return a bool,
as Panther's engine requires; anything else, or an exception, is an error (no alert).
"""

import json
import os
import sys
import traceback
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.setrecursionlimit(4000)

from panther_event import ImmutableContainerMixin, PantherEvent  # noqa: E402
import translate as tr  # noqa: E402

CTX = None
DATA_MODELS = {}
MODULES = {}


def _install_panther_core():
    """`from panther_core.immutable import ...` in helpers and `from panther_core import PantherEvent`
    in rules resolve to the stand-in."""
    import panther_event

    core = types.ModuleType("panther_core")
    core.__path__ = []
    imm = types.ModuleType("panther_core.immutable")
    imm.ImmutableCaseInsensitiveDict = panther_event.ImmutableCaseInsensitiveDict
    imm.ImmutableList = panther_event.ImmutableList
    core.immutable = imm
    # `from panther_core import PantherEvent` (type hints in rules): the stand-in's class
    core.PantherEvent = panther_event.PantherEvent
    enriched = types.ModuleType("panther_core.enriched_event")
    enriched.PantherEvent = panther_event.PantherEvent
    core.enriched_event = enriched
    sys.modules.setdefault("panther_core", core)
    sys.modules.setdefault("panther_core.immutable", imm)
    sys.modules.setdefault("panther_core.enriched_event", enriched)


class DataModel:
    def __init__(self, mappings, module):
        self.paths = {}
        self.methods = {}
        for m in mappings:
            if "Path" in m:
                p = m["Path"]
                self.paths[m["Name"]] = p[2:].split(".") if p.startswith("$.") else p.split(".")
            elif "Method" in m and module is not None:
                fn = getattr(module, m["Method"], None)
                if fn is not None:
                    self.methods[m["Name"]] = fn


class UdmEvent(PantherEvent):
    """PantherEvent with udm(): a data model path reads like deep_get, a method is called."""

    def udm(self, *key, default=None):
        dm = self.data_model
        if dm is None:
            raise Exception("a data model hasn't been specified for this log type")
        name = key[0]
        if name in dm.paths:
            value = self.deep_get(*dm.paths[name])
        elif name in dm.methods:
            value = dm.methods[name](self)
        else:
            return default
        if len(key) > 1:
            value = PantherEvent(value).deep_get(*key[1:], default=default) if isinstance(value, dict) else default
        return default if value is None else value


def error(exc):
    return {"error": f"{type(exc).__name__}: {exc}"}


def run_rule(fn, events, dm):
    out = []
    for event in events:
        try:
            value = fn(UdmEvent(event, dm))
            out.append(value if type(value) is bool else {"error": f"rule() returned {type(value).__name__}, not bool"})
        except Exception as exc:  # noqa: BLE001
            out.append(error(exc))
    return out


def handle(req):
    global CTX
    if "setup" in req:
        s = req["setup"]
        helpers = {k: tuple(v) for k, v in s["helpers"].items()}
        CTX = tr.Context(helpers, s["dataModels"])
        if s.get("helpersDir"):
            for d in s["helpersDir"]:
                if d not in sys.path:
                    sys.path.insert(1, d)
        _install_panther_core()
        DATA_MODELS.clear()
        for lt, dm in s["dataModels"].items():
            module = None
            if dm.get("module"):
                try:
                    module = __import__(dm["module"])
                except Exception:  # noqa: BLE001
                    module = None
            DATA_MODELS[lt] = DataModel(dm["mappings"], module)
        return {"ok": True}
    if "translate" in req:
        t = req["translate"]
        return tr.translate(CTX, t["name"], t["source"], t["file"], t.get("logType"), t.get("schema"), t.get("events", []))
    if "load" in req:
        ns = {"__name__": f"panther_rule_{req['load']}", "__file__": req.get("file", "<rule>")}
        try:
            exec(compile(req["source"], req.get("file", "<rule>"), "exec"), ns)
        except BaseException as exc:  # noqa: BLE001
            return error(exc)
        if not callable(ns.get("rule")):
            return {"error": "the module defines no rule()"}
        MODULES[req["load"]] = (ns, DATA_MODELS.get(req.get("logType")))
        return {"ok": True}
    if "run" in req:
        ns, dm = MODULES[req["run"]]
        return {"results": run_rule(ns["rule"], req["events"], dm)}
    if "outputs" in req:
        return tr.translate_outputs(req["outputs"]["source"], req["outputs"]["file"])
    if "call" in req:
        # title() / dedup() of the original module ("id") or of a generated one ("source")
        if "source" in req:
            ns = {"__name__": "rulec_generated"}
            try:
                exec(compile(req["source"], "<generated>", "exec"), ns)
            except Exception as exc:  # noqa: BLE001
                return error(exc)
            dm = None
        else:
            ns, dm = MODULES[req["call"]]
        fn = ns.get(req["function"])
        if not callable(fn):
            return {"error": f"no {req['function']}()"}
        out = []
        for event in req["events"]:
            try:
                out.append(fn(UdmEvent(event, dm)))
            except Exception as exc:  # noqa: BLE001
                out.append(error(exc))
        return {"results": out}
    if "check" in req:
        ns = {"__name__": "rulec_generated"}
        try:
            exec(compile(req["check"], "<generated>", "exec"), ns)
        except Exception as exc:  # noqa: BLE001
            return error(exc)
        return {"results": run_rule(ns["rule"], req["events"], None)}
    if "unload" in req:
        MODULES.pop(req["unload"], None)
        return {"ok": True}
    return {"error": "unknown request"}


def encode(obj):
    if isinstance(obj, ImmutableContainerMixin):
        return obj._container
    return repr(obj)


def main():
    out = sys.stdout
    sys.stdout = sys.stderr  # a rule that prints must not break the protocol
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            response = handle(json.loads(line))
        except BaseException as exc:  # noqa: BLE001
            response = {"error": f"internal: {type(exc).__name__}: {exc}", "trace": traceback.format_exc(limit=5)}
        out.write(json.dumps(response, default=encode, ensure_ascii=True) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
