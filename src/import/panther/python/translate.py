"""Panther Python rule() -> a condition of the rule language, by symbolic evaluation of Python's ast.

Every expression is evaluated to a symbolic value: a constant, the event, a field of the event
(a path, the value a missing field reads as, a transform such as lower()), or a boolean given as
three conditions of the language: t (the value is truthy and nothing raised), r (the value is
exactly True: what Panther's rule() must return to alert) and e (evaluation raised; Panther counts
a rule error as no alert). Statements are evaluated with early returns as continuations. Anything
not modelled raises Refuse with the construct and its line: the rule is then not imported.
See docs/import-panther.md for each idiom and the condition it becomes.
"""

import ast
import copy
import json
import re

MAX_TEXT = 60000
MAX_DEPTH = 12


class Refuse(Exception):
    def __init__(self, message, node=None, file=None):
        super().__init__(message)
        self.message = message
        self.line = getattr(node, "lineno", None)
        self.file = file


# ---------------------------------------------------------------- conditions (IR) and printing

TRUE = ("T",)
FALSE = ("F",)


def AND(*xs):
    out = []
    for x in xs:
        if x == FALSE:
            return FALSE
        if x == TRUE:
            continue
        for y in x[1] if x[0] == "and" else [x]:
            if y not in out:
                out.append(y)
    if not out:
        return TRUE
    if _contradiction(out):
        return FALSE
    return out[0] if len(out) == 1 else ("and", tuple(out))


def OR(*xs):
    out = []
    for x in xs:
        if x == TRUE:
            return TRUE
        if x == FALSE:
            continue
        for y in x[1] if x[0] == "or" else [x]:
            # `a or (not a and b)` is `a or b`: a later item may assume every earlier one false
            if y[0] == "and":
                earlier = [_neg(o) for o in out] + _neg_of_all(out)
                kept = [c for c in y[1] if c not in earlier]
                if len(kept) != len(y[1]):
                    y = AND(*kept)
                    if y == TRUE:
                        return TRUE
            elif y in [_neg(o) for o in out]:
                return TRUE
            if _absorbed(y, out):
                continue
            if y not in out:
                out.append(y)
    if not out:
        return FALSE
    return out[0] if len(out) == 1 else ("or", tuple(out))


def _contradiction(out):
    """`a and not a` (also `a and b and not (a and b)`) is false."""
    for y in out:
        if y[0] == "not":
            z = y[1]
            if z in out or (z[0] == "and" and all(c in out for c in z[1])):
                return True
    return False


def _absorbed(y, out):
    """`a or (a and b)` is `a`: a conjunction that holds an earlier item adds nothing."""
    return y[0] == "and" and any(c in out for c in y[1])


def _neg_of_all(out):
    """`(a or b) or (not (a or b) and c)` is `(a or b) or c` too: the negation of everything so far."""
    return [("not", ("or", tuple(out)))] if len(out) > 1 else []


def _neg(x):
    """Negation without rewriting (for comparisons inside OR)."""
    return x[1] if x[0] == "not" else ("not", x)


def NOT(x):
    if x == TRUE:
        return FALSE
    if x == FALSE:
        return TRUE
    if x[0] == "not":
        return x[1]
    # De Morgan where it removes negations: not (not a and not b) -> a or b
    if x[0] in ("and", "or") and sum(1 for y in x[1] if y[0] == "not") * 2 > len(x[1]):
        parts = [NOT(y) for y in x[1]]
        return OR(*parts) if x[0] == "and" else AND(*parts)
    return ("not", x)


def P(text):
    return ("p", text)


CONTINUE = ("p", "\x00continue")  # a loop body that goes on to the next element


def _atoms(x, out):
    if x[0] == "p":
        if x not in out:
            out.append(x)
    elif x[0] == "not":
        _atoms(x[1], out)
    elif x[0] in ("and", "or"):
        for y in x[1]:
            _atoms(y, out)
    return out


def _tautology(x, budget=None):
    """True when x holds whatever each predicate's value (predicates taken as independent: a
    sound test, which may miss a tautology that needs their meaning). Shannon expansion."""
    budget = budget if budget is not None else [4096]
    if x == TRUE:
        return True
    if x == FALSE:
        return False
    budget[0] -= 1
    if budget[0] < 0:
        return False
    a = _atoms(x, [])[0]
    return _tautology(_subst(x, a, TRUE), budget) and _tautology(_subst(x, a, FALSE), budget)


def _subst(x, atom, value):
    """x with the atom replaced by value, simplified again."""
    if x == atom:
        return value
    if x[0] == "not":
        return NOT(_subst(x[1], atom, value))
    if x[0] in ("and", "or"):
        parts = [_subst(y, atom, value) for y in x[1]]
        return AND(*parts) if x[0] == "and" else OR(*parts)
    return x


def render(x, ctx=0):
    """ctx: 0 top/or operand, 1 and operand, 2 not operand."""
    k = x[0]
    if k == "T":
        raise Refuse("the rule is always true (no condition of the language says that)")
    if k == "F":
        raise Refuse("the rule is never true")
    if k == "p":
        return x[1]
    if k == "not":
        return "not " + render(x[1], 2)
    if k == "and":
        s = " and ".join(render(y, 1) for y in x[1])
        return f"({s})" if ctx >= 2 else s
    if k == "or":
        s = " or ".join(render(y, 0) for y in x[1])
        return f"({s})" if ctx >= 1 else s
    raise AssertionError(k)


def size(x):
    if x[0] in ("and", "or"):
        return sum(size(y) for y in x[1]) + 1
    if x[0] == "not":
        return size(x[1]) + 1
    return 1


KEYWORDS = {"not", "and", "or", "exists", "empty", "true", "false"}


def seg(s, first):
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", s) and not (s in KEYWORDS):
        return s
    if s == "":
        raise Refuse("a field name that is the empty string")
    return "`" + s.replace("`", "``") + "`"


def path_text(path):
    return ".".join(seg(s, i == 0) for i, s in enumerate(path))


def lit(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            raise Refuse("a non-finite number")
        return json.dumps(v)
    if isinstance(v, str):
        out = ['"']
        for ch in v:
            if ch == '"':
                out.append('\\"')
            elif ch == "\\":
                out.append("\\\\")
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\r":
                out.append("\\r")
            elif ch == "\t":
                out.append("\\t")
            elif ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or 0xD800 <= ord(ch) < 0xE000:
                out.append("\\u%04x" % ord(ch))
            else:
                out.append(ch)
        out.append('"')
        return "".join(out)
    raise Refuse(f"a constant of type {type(v).__name__} in a comparison")


def lits(vs):
    return "[" + ", ".join(lit(v) for v in vs) + "]"


# ---------------------------------------------------------------- symbolic values

RAISE = object()  # the default of event["k"]: a missing key raises KeyError


class Const:
    def __init__(self, v):
        self.v = v


class EventV:
    pass


class FieldV:
    def __init__(self, path, default=None, tr=None, guard=FALSE):
        self.path = tuple(path)
        self.default = default
        self.tr = tr
        self.guard = guard  # raises before the value is read (e.g. .get on a missing parent)


class BoolV:
    def __init__(self, t, r, e=FALSE):
        self.t, self.r, self.e = t, r, e


class FuncV:
    def __init__(self, node, module):
        self.node, self.module = node, module


class Builtin:
    def __init__(self, name):
        self.name = name


class ModuleV:
    def __init__(self, module):
        self.module = module


class ReV:
    def __init__(self, pattern, flags):
        self.pattern, self.flags = pattern, flags


class SplitV:
    """field.split(sep), before it is indexed."""

    def __init__(self, field, sep):
        self.field, self.sep = field, sep


class SeqV:
    """A list or tuple literal with elements read from the event: only iterated (unrolled)."""

    def __init__(self, vals):
        self.vals = list(vals)


def _carry(src, dst):
    """A transformed field keeps what is known of the value it came from: an element of a list of
    strings (ekinds), a value deep_walk found (walked)."""
    for a in ("ekinds", "walked"):
        if hasattr(src, a):
            setattr(dst, a, getattr(src, a))
    return dst


class SetV:
    """set(x) of a list field x (elements scalars), or its intersection with constants (consts)."""

    def __init__(self, field, consts=None):
        self.field, self.consts = field, consts


class StrLenV:
    """len(x) of a string field, before it is compared with a whole number."""

    def __init__(self, field):
        self.field = field


class SetLenV:
    """len() of a SetV, before it is compared with 0 or 1."""

    def __init__(self, s):
        self.s = s


class LenV:
    """len(x.split(sep)), before it is compared with a number."""

    def __init__(self, split):
        self.split = split


def _re_char(ch):
    """ch as a regex literal (outside a class)."""
    return ("\\" + ch) if ch in "\\.^$|?*+()[]{}" else ch


def _re_sep(ch):
    """The separator ch for the patterns over split parts: (literal, literal inside [^...])."""
    return _re_char(ch), ("\\" + ch) if ch in "\\]^-[" else ch


class WalkV:
    """event.deep_walk through a list (lst, the field that holds it), to rest with default: the
    distinct values found, read only through the idioms that normalize them to a list."""

    def __init__(self, lst, rest, default, empty, normal=False):
        self.lst, self.rest, self.default, self.empty, self.normal = lst, rest, default, empty, normal

    def normalized(self):
        """[w] when one value is found, w when several; with none, the default ([d], or d if a list)."""
        return WalkV(self.lst, self.rest, self.default, self.empty, True)


class WalkOneV:
    """The one value a deep_walk through a list found (in the branch where it is not a list), read
    by the name it is bound to."""

    def __init__(self, w, name):
        self.w, self.name = w, name


def _walk_test_name(test, env):
    """(name, negated) for `isinstance(name, list)` / `not isinstance(name, list)` where name is a
    deep_walk through a list (not yet normalized), else None."""
    neg = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    name = _isinstance_list_of(test.operand if neg else test)
    if name is None or not isinstance(env.get(name), WalkV) or env[name].normal:
        return None
    return name, neg


def _empty_container_cmp(a, b):
    """A field compared with the constant [] or {}."""
    return (isinstance(a, FieldV) and isinstance(b, Const) or isinstance(b, FieldV) and isinstance(a, Const)) and (
        (b.v if isinstance(b, Const) else a.v) in ([], {}) and isinstance(b.v if isinstance(b, Const) else a.v, (list, dict))
    )


def _isinstance_list_of(node):
    """The name n of `isinstance(n, list)`, else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance" and len(node.args) == 2 and not node.keywords:
        a, b = node.args
        if isinstance(a, ast.Name) and isinstance(b, ast.Name) and b.id == "list":
            return a.id
    return None


def _call_of(node, fn, name):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == fn and len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.Name) and node.args[0].id == name


class OuterV:
    """A value read from the event before a loop over a list, seen inside the loop's element body:
    only iterated there (a loop over another list, decided by the outer interpreter)."""

    def __init__(self, v):
        self.v = v


class ElemV:
    """An element of a list field, inside any()/all() over it."""

    def __init__(self, path):
        self.path = tuple(path)


class IpV:
    """ipaddress.ip_address(field) / ip_network(field): an address (or a one-address network) read
    from a field the schema types as ip; e: the value is not an address (ValueError)."""

    def __init__(self, field, network, e):
        self.field, self.network, self.e = field, network, e


class ChoiceV(BoolV):
    """One of several values by condition: (cond, value) pairs whose conds exclude each other and
    imply that computing the value did not raise (e). A helper with several returns, a constant dict
    looked up with a key read from the event. As a boolean it is the t, r, e of its values."""

    def __init__(self, choices, t, r, e):
        super().__init__(t, r, e)
        self.choices = choices


# ---------------------------------------------------------------- modules (rule, helpers, data models)


def _findall_as_search(tree):
    """len(re.findall(p, s)) > 0 (>= 1, != 0) becomes bool(re.search(p, s)), == 0 (< 1) becomes
    not re.search(p, s): findall finds a match exactly when search does, and both raise alike (a
    value that is not a string, a bad pattern). Only with `import re` and `re` never rebound."""
    if not any(isinstance(n, ast.Import) and any(a.name == "re" and a.asname is None for a in n.names) for n in tree.body):
        return
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and n.id in ("re", "len", "bool") and not isinstance(n.ctx, ast.Load) or isinstance(n, ast.arg) and n.arg in ("re", "len", "bool"):
            return
        if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name in ("re", "len", "bool") or isinstance(n, ast.alias) and ((n.asname or n.name) in ("len", "bool") or (n.asname or n.name) == "re" and n.name != "re"):
            return
    yes = {(ast.Gt, 0), (ast.GtE, 1), (ast.NotEq, 0)}
    no = {(ast.Eq, 0), (ast.Lt, 1), (ast.LtE, 0)}

    class T(ast.NodeTransformer):
        def visit_Compare(self, node):
            self.generic_visit(node)
            if len(node.ops) != 1:
                return node
            a, b = node.left, node.comparators[0]
            if not (isinstance(b, ast.Constant) and type(b.value) is int):
                return node
            k = (type(node.ops[0]), b.value)
            if k not in yes and k not in no:
                return node
            if not (isinstance(a, ast.Call) and isinstance(a.func, ast.Name) and a.func.id == "len" and len(a.args) == 1 and not a.keywords):
                return node
            c = a.args[0]
            if not (isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and c.func.attr == "findall" and isinstance(c.func.value, ast.Name) and c.func.value.id == "re" and len(c.args) == 2 and not c.keywords and not any(isinstance(x, ast.Starred) for x in c.args)):
                return node
            search = ast.Call(func=ast.Attribute(value=c.func.value, attr="search", ctx=ast.Load()), args=c.args, keywords=[])
            out = ast.Call(func=ast.Name(id="bool", ctx=ast.Load()), args=[search], keywords=[]) if k in yes else ast.UnaryOp(op=ast.Not(), operand=search)
            return ast.copy_location(out, node)

    T().visit(tree)
    ast.fix_missing_locations(tree)


class Module:
    def __init__(self, name, source, file, ctx):
        self.name, self.file, self.ctx = name, file, ctx
        self.tree = ast.parse(source, filename=file)
        _findall_as_search(self.tree)
        self.env = {}
        self.lazy = {}
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef,)):
                self.env[node.name] = FuncV(node, self)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    self.lazy[a.asname or a.name.split(".")[0]] = ("module", a.name)
            elif isinstance(node, ast.ImportFrom):
                for a in node.names:
                    self.lazy[a.asname or a.name] = ("from", node.module, a.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if len(targets) == 1 and isinstance(targets[0], ast.Name) and node.value is not None:
                    self.lazy[targets[0].id] = ("assign", node.value)

    def lookup(self, name, node):
        if name in self.env:
            return self.env[name]
        if name in self.lazy:
            how = self.lazy.pop(name)
            try:
                if how[0] == "module":
                    v = self.ctx.module_value(how[1], node)
                elif how[0] == "from":
                    v = self.ctx.from_import(how[1], how[2], node)
                else:
                    try:
                        v = self.ctx.interp(self).eval(how[1], {})
                    except Refuse as r:
                        raise Refuse(f"module constant {name}: {r.message}", how[1], self.file)
            except Refuse:
                # the module is shared by every rule of the import: the next one gets the same reason
                self.lazy[name] = how
                raise
            self.env[name] = v
            return v
        if name in TYPES:
            return Const(TYPES[name])
        if name in BUILTINS:
            return Builtin(name)
        if any(isinstance(n, ast.ClassDef) and n.name == name for n in self.tree.body):
            raise Refuse(f"the class {name} (classes are not translated)", node)
        import builtins
        if callable(getattr(builtins, name, None)):
            raise Refuse(f"the builtin {name}()", node)
        if name == "__name__":
            raise Refuse("the module's __name__", node)
        raise Refuse(f"name '{name}' is not defined in {self.name}", node)


BUILTINS = {"any", "all", "len", "str", "int", "set", "frozenset", "list", "tuple", "isinstance", "bool", "dict", "sorted"}
TYPES = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict, "tuple": tuple, "set": set, "bytes": bytes}
HELPER_MODELS = {"deep_get", "deep_walk"}


class Context:
    """Everything one import knows: global helper sources, data models, the schema of each log type."""

    def __init__(self, helpers, data_models):
        self.helpers = helpers  # module name -> (source, file)
        self.data_models = data_models  # log type -> {"mappings": [...], "module": name or None}
        self.modules = {}

    def module(self, name):
        if name not in self.modules:
            if name not in self.helpers:
                return None
            src, file = self.helpers[name]
            self.modules[name] = Module(name, src, file, self)
        return self.modules[name]

    def module_value(self, name, node):
        if name in ("re", "fnmatch", "ipaddress"):
            return ModuleV(name)
        m = self.module(name)
        if m is None:
            return ModuleV(name)  # opaque: using it refuses
        return ModuleV(m)

    def from_import(self, modname, name, node):
        if modname == "re" and name in ("match", "search", "fullmatch", "compile", "IGNORECASE", "I"):
            return Builtin("re." + name) if name not in ("IGNORECASE", "I") else Const(re.IGNORECASE)
        if name in HELPER_MODELS:
            return Builtin(name)
        if modname == "fnmatch" and name in ("fnmatch", "fnmatchcase"):
            return Builtin("fnmatch." + name)
        if modname == "ipaddress" and name in ("ip_address", "ip_network"):
            return Builtin("ipaddress." + name)
        m = self.module(modname)
        if m is None:
            return Builtin(f"{modname}.{name}")  # opaque
        return m.lookup(name, node)

    def interp(self, module, info=None):
        return Interp(self, module, info)


# ---------------------------------------------------------------- the interpreter


class Info:
    def __init__(self, types, log_type, prefix=(), parent=None):
        self.types = types  # path (tuple, lower case) -> set of kinds: string number boolean array object null
        self.log_type = log_type
        self.prefix = prefix  # inside a loop over a list of objects: the list's path and "[]"
        self.reads = parent.reads if parent else {}  # path tuple -> set of literal values compared with it
        self.inlined = parent.inlined if parent else set()
        self.udm = False
        self.outer = None  # inside a loop over a list of objects: (the interpreter of the loop, its env)
        self.placeholders = []  # (returns True, raises, their conditions) of loops over event lists in the body


class ElemRootV(EventV):
    """An element (an object) of a list field, inside a loop or any() over the list."""


def kind_of(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


class Interp:
    def __init__(self, ctx, module, info=None):
        self.ctx, self.module, self.info, self.depth = ctx, module, info, 0

    def refuse(self, msg, node):
        raise Refuse(msg, node, self.module.file)

    # ------------------------------------------------------------ names

    def name(self, n, env, node):
        if n in env:
            return env[n]
        if self.info is not None:
            self.info.inlined.add(n)
        return self.module.lookup(n, node)

    # ------------------------------------------------------------ field reads

    def read(self, path, lits=()):
        if self.info is not None:
            s = self.info.reads.setdefault(tuple(self.info.prefix) + tuple(path), set())
            for v in lits:
                try:
                    json.dumps(v)
                    s.add(json.dumps(v))
                except (TypeError, ValueError):
                    pass

    def kinds(self, path):
        if self.info is None:
            return None
        return self.info.types.get(tuple(p.lower() for p in path))

    def field(self, path, default, node):
        for p in path:
            if not isinstance(p, str):
                self.refuse("a field name that is not a constant string", node)
        self.read(path)
        return FieldV(path, default)

    # ------------------------------------------------------------ predicates on fields

    def pred(self, f, op, arg, node):
        """A boolean over field f: t, r (= t), e; the missing case is computed by running Python."""
        pt = path_text(f.path)
        ex = TRUE if getattr(f, "ekinds", None) is not None else P(f"{pt} exists")
        if getattr(f, "walk_list", False):
            ex = NOT(P(f"{pt} empty"))  # deep_walk: an empty list reads as the default
        kinds = self.fkinds(f)
        lits_ = []
        if op in ("eq", "contains", "startswith", "endswith", "lt", "gt", "le", "ge"):
            lits_ = list(arg) if isinstance(arg, (tuple, list)) else [arg]
        elif op == "in":
            lits_ = list(arg)
        self.read(f.path, [x for x in lits_ if isinstance(x, (str, int, float, bool))])

        def py(v):
            if f.tr == "lower":
                v = v.lower()
            elif f.tr == "upper":
                v = v.upper()
            elif f.tr == "str":
                v = v.s if isinstance(v, _Str) else str(v)
            elif f.tr == "strlower":
                v = (v.s if isinstance(v, _Str) else str(v)).lower()
            elif f.tr == "int":
                v = int(v)
            if getattr(f, "alt", None):
                v = v.replace(*f.alt)
            if getattr(f, "split", None):
                v = v.split(f.split[0])[f.split[1]]
            if getattr(f, "strip", False):
                v = v.strip()
            if getattr(f, "words", None) is not None:
                v = v.split(f.words)
            if op == "eq":
                return v == arg
            if op == "in":
                return v in arg
            if op == "contains":
                return arg in v
            if op == "startswith":
                return v.startswith(arg)
            if op == "endswith":
                return v.endswith(arg)
            if op == "truthy":
                return bool(v)
            if op == "istrue":
                return v is True
            if op == "isnone":
                return v is None
            if op in ("search", "match", "fullmatch"):
                return getattr(re, op)(arg.pattern, v, arg.flags) is not None
            if op == "fnmatch":
                import fnmatch as _fn
                return _fn.fnmatchcase(v, arg) if isinstance(v, str) else _fn.fnmatch(v, arg)
            if op in ("lt", "gt", "le", "ge"):
                return {"lt": v < arg, "gt": v > arg, "le": v <= arg, "ge": v >= arg}[op]
            raise AssertionError(op)

        if f.default is RAISE:
            missing = "error"
        else:
            try:
                missing = bool(py(f.default))
            except Exception:  # noqa: BLE001
                missing = "error"
        present, perr = self.present(f, op, arg, pt, kinds, node)
        # every present-value condition implies `exists`, so it needs no guard of its own
        t = OR(present, AND(NOT(ex), TRUE if missing is True else FALSE))
        e = OR(f.guard, AND(ex, perr), AND(NOT(ex), TRUE if missing == "error" else FALSE))
        t = AND(NOT(f.guard), t)
        return BoolV(t, t if op != "truthy" else None, e)

    def fixed(self, path):
        """Kinds the log type's typed schema fixes for path (None: free-form, any JSON type)."""
        if self.info is None:
            return None
        return schema_kinds(self.info.types.schema, path)

    def fkinds(self, f):
        return f.ekinds if getattr(f, "ekinds", None) is not None else self.kinds(f.path)

    def ffixed(self, f):
        return f.ekinds if getattr(f, "ekinds", None) is not None else self.fixed(f.path)

    def present(self, f, op, arg, pt, kinds, node):
        """The condition for a present (non-null) value, and when reading it raises.

        `kinds` are the schema's, else the Tests' (they decide string vs list); `fixed` only the
        schema's: where it is None the value may be of any scalar type, so Python's cross-type
        meanings (0 == False, "a" < 1 raising, truth of 0) are spelled out."""
        if getattr(f, "words", None) is not None:
            return self.present_words(f, op, arg, pt, node)
        if getattr(f, "strip", False) or getattr(f, "alt", None):
            return self.present_rx(f, op, arg, pt, node)
        if getattr(f, "split", None):
            return self.present_split(f, op, arg, pt, node)
        if f.tr == "upper":
            return self.present_upper(f, op, arg, pt, node)
        if f.tr == "str":
            return self.present_str(f, op, arg, pt, node)
        if f.tr == "strlower":
            return self.present_strlower(f, op, arg, pt, node)
        if f.tr == "int":
            return self.present_int(f, op, arg, pt, node)
        lower = f.tr == "lower"
        fixed = self.ffixed(f)
        is_str = P(f"{pt} like \"*\"")
        is_num = AND(NOT(is_str), OR(P(f"{pt} ge 0"), P(f"{pt} lt 0")))
        is_bool = OR(P(f"{pt} eq true"), P(f"{pt} eq false"))
        is_container = AND(NOT(is_str), NOT(OR(P(f"{pt} ge 0"), P(f"{pt} lt 0"))), NOT(is_bool))
        only_str = fixed is not None and fixed <= {"string"}
        str_err = FALSE if only_str else NOT(is_str)
        listy = kinds is not None and kinds - {"null"} and kinds <= {"array", "null"}
        if op == "isnone":
            return FALSE, FALSE
        if op == "truthy" or op == "istrue":
            if lower:
                return NOT(P(f"{pt} empty")), str_err
            if op == "istrue":
                if fixed is not None and fixed <= {"boolean"}:
                    return P(f"{pt} eq true"), FALSE
                if listy:
                    return FALSE, FALSE
                return P(f"{pt} eq true"), FALSE
            if listy or (fixed is not None and fixed <= {"string", "array", "object"}):
                return NOT(P(f"{pt} empty")), FALSE
            if fixed is not None and fixed <= {"number"}:
                return AND(NOT(P(f"{pt} empty")), NOT(P(f"{pt} eq 0"))), FALSE
            if fixed is not None and fixed <= {"boolean"}:
                return P(f"{pt} eq true"), FALSE
            return AND(NOT(P(f"{pt} empty")), NOT(P(f"{pt} eq 0")), NOT(P(f"{pt} eq false"))), FALSE
        if op in ("eq", "in"):
            items = [arg] if op == "eq" else [x for x in arg]
            items = [x for x in items if x is not None]
            for x in items:
                if not isinstance(x, (str, int, float, bool)):
                    self.refuse(f"comparison with a constant of type {type(x).__name__}", node)
            hashing = op == "in" and getattr(self, "hashing", False)
            if lower:
                items = [x for x in items if isinstance(x, str) and x == x.lower()]
                if not items:
                    return FALSE, str_err
                items = sorted(set(items))
                return P(f"{pt} ieq {lit(items[0])}" if len(items) == 1 else f"{pt} iin {lits(items)}"), str_err
            if kinds is not None and "array" in kinds and items and all(isinstance(x, str) and x == "" for x in items):
                # x == "": the language's eq is existential over a list, but `empty` tells the string
                # "" (empty) from a list that holds "" (not empty); a list never equals ""
                if op == "in" and getattr(self, "hashing", False):
                    self.refuse(f"'in' a set or dict on {pt}, which holds a list in the Tests (a list is unhashable: Python raises)", node)
                return AND(P(f"{pt} eq \"\""), P(f"{pt} empty")), FALSE
            if kinds is not None and "array" in kinds:
                self.refuse(f"== or 'in' a constant collection on {pt}, which holds a list in the Tests (the language's eq is true for a list that holds the value)", node)
            if fixed is None:
                # Python: 0 == False == 0.0, 1 == True == 1.0
                more = []
                for x in items:
                    if isinstance(x, bool):
                        more.append(int(x))
                    elif isinstance(x, (int, float)) and x in (0, 1):
                        more.append(bool(x))
                items = items + more
            uniq = []
            for x in sorted(items, key=lambda v: (type(v).__name__, str(v))):
                if not any(type(x) is type(y) and x == y for y in uniq):
                    uniq.append(x)
            if not uniq:
                return FALSE, FALSE
            c = P(f"{pt} eq {lit(uniq[0])}") if len(uniq) == 1 else P(f"{pt} in {lits(uniq)}")
            # `x in {set}` hashes x: a dict or a list raises
            # (a value deep_walk found is never a container: deep_walk spreads a list and raises on an object)
            # an element's field whose Tests show only scalars: the proof's events keep that shape
            scalar_elem = bool(self.info is not None and self.info.prefix and kinds is not None and kinds <= {"string", "number", "boolean", "null"})
            return c, (is_container if hashing and fixed is None and not getattr(f, "walked", False) and not scalar_elem else FALSE)
        if op == "contains":
            if not isinstance(arg, str):
                self.refuse("'in' on a field with a constant that is not a string", node)
            if (kinds is None or not kinds - {"null"}) and not lower:
                self.refuse(f"'{arg}' in {pt}: the Tests do not show whether {pt} is a string or a list", node)
            if lower or kinds <= {"string", "null"}:
                err = str_err
                if lower:
                    if arg != arg.lower():
                        return FALSE, err
                    return P(f"{pt} icontains {lit(arg)}"), err
                # Python: `"a" in 5` raises; `"a" in {...}` looks at keys, which the language cannot
                return P(f"{pt} contains {lit(arg)}"), err
            if kinds <= {"array", "null"}:
                return P(f"{pt} eq {lit(arg)}"), FALSE
            if fixed is not None and fixed <= {"object"}:
                return self.key_in_object(f, arg), FALSE
            if fixed is None and kinds <= {"object", "null"} and not lower and f.tr is None and not getattr(f, "split", None):
                # a free-form object (the Tests show only objects): "k" in x is k a key of it, null or
                # not; the language's exists is false for null, so only where the Tests show no null there
                sub = self.kinds(tuple(f.path) + (arg,))
                if sub is not None and "null" in sub:
                    self.refuse(f"'{arg}' in {pt}, where the Tests show {pt}.{arg} as null (present, but the language's exists is false)", node)
                self.read(tuple(f.path) + (arg,))
                return P(f"{path_text(tuple(f.path) + (arg,))} exists"), FALSE
            self.refuse(f"'in' on {pt}, which is a string in some Tests and not in others", node)
        if op in ("startswith", "endswith"):
            items = list(arg) if isinstance(arg, tuple) else [arg]
            if not all(isinstance(x, str) for x in items):
                self.refuse(f"{op} with an argument that is not a string or tuple of strings", node)
            if lower:
                items = [x for x in items if x == x.lower()]
                if not items:
                    return FALSE, str_err
                return P(f"{pt} i{op} {lits(items) if len(items) > 1 else lit(items[0])}"), str_err
            return P(f"{pt} {op} {lits(items) if len(items) > 1 else lit(items[0])}"), str_err
        if op in ("search", "match", "fullmatch"):
            pat, flags = arg.pattern, arg.flags
            if not isinstance(pat, str):
                self.refuse("a bytes regular expression", node)
            if flags & re.MULTILINE and re.search(r"[$^]", re.sub(r"\\.|\[(?:\\.|[^\]])*\]", "", pat)):
                self.refuse("re.MULTILINE with ^ or $ in the pattern (the language's anchors are the whole value's)", node)
            if flags & ~(re.IGNORECASE | re.UNICODE | re.MULTILINE):
                self.refuse("regular expression flags other than IGNORECASE", node)
            pat = _py_dollar(pat)
            if op == "match":
                pat = f"^(?:{pat})"
            elif op == "fullmatch":
                pat = f"^(?:{pat})$"
            icase = bool(flags & re.IGNORECASE)
            if lower:
                stripped = re.sub(r"\\.", "", pat)
                if any(c.isupper() for c in stripped):
                    self.refuse("a regular expression with upper-case letters over a lower-cased value", node)
                icase = True
            opname = "imatches" if icase else "matches"
            q = "'" + pat.replace("'", "''") + "'"
            if "\n" in pat or "\r" in pat:
                self.refuse("a regular expression spanning lines", node)
            return P(f"{pt} {opname} {q}"), str_err
        if op == "fnmatch":
            if "[" in arg:
                self.refuse("an fnmatch pattern with a [set]", node)
            glob = arg.replace("\\", "\\\\")
            self.read(f.path, [arg.replace("*", "").replace("?", "a"), arg.replace("*", "zz").replace("?", "b"), arg.replace("*", "\n").replace("?", ".")])
            if lower:
                if glob != glob.lower():
                    return FALSE, str_err
                return P(f"{pt} ilike {lit(glob)}"), str_err
            return P(f"{pt} like {lit(glob)}"), str_err
        if op in ("lt", "gt", "le", "ge"):
            if lower or isinstance(arg, bool) or not isinstance(arg, (int, float)):
                self.refuse("an ordering comparison that is not between a field and a number", node)
            c = P(f"{pt} {op} {lit(arg)}")
            if fixed is not None and fixed <= {"number"}:
                return c, FALSE
            cmp = {"lt": lambda a: a < arg, "gt": lambda a: a > arg, "le": lambda a: a <= arg, "ge": lambda a: a >= arg}[op]
            # Python raises comparing a string or a container with a number; True counts as 1
            t = OR(AND(c, is_num), AND(P(f"{pt} eq true"), TRUE if cmp(1) else FALSE), AND(P(f"{pt} eq false"), TRUE if cmp(0) else FALSE))
            return t, OR(is_str, is_container)
        self.refuse(f"operation {op}", node)

    def key_in_object(self, f, key):
        """'k' in x where the log type's schema types x as an object: k is one of its fields and
        present (the parsers write no null in a typed object, and drop keys the schema lacks)."""
        path = tuple(f.path) + (key,)
        if self.fixed(path) is None:
            return FALSE
        self.read(path)
        return P(f"{path_text(path)} exists")

    def present_split(self, f, op, arg, pt, node):
        """x.split(sep)[-1] == c: x is c or ends with sep + c; [0]: x is c or starts with c + sep
        (c without sep). After .lower(), the case-insensitive forms."""
        sep, idx = f.split
        if idx not in (0, -1):
            return self.present_split_at(f, op, arg, pt, node)
        lower = f.tr == "lower"
        fixed = self.ffixed(f)
        str_err = FALSE if fixed is not None and fixed <= {"string"} else NOT(P(f"{pt} like \"*\""))
        if op == "truthy":
            if idx == -1:
                return AND(NOT(P(f"{pt} endswith {lit(sep)}")), NOT(P(f"{pt} eq \"\"")), NOT(P(f"{pt} empty"))), str_err
            return AND(NOT(P(f"{pt} startswith {lit(sep)}")), NOT(P(f"{pt} empty"))), str_err
        if op in ("istrue", "isnone"):
            return FALSE, str_err  # a part is a string: never True, never None
        if op not in ("eq", "in"):
            self.refuse(f"{op} over a part of a split field", node)
        items = [arg] if op == "eq" else list(arg)
        alts = []
        for c in items:
            if not isinstance(c, str):
                continue
            if sep in c:
                continue  # a part never holds the separator
            if lower and c != c.lower():
                continue
            i = "i" if lower else ""
            whole = P(f"{pt} {i}eq {lit(c)}")
            edge = P(f"{pt} {i}endswith {lit(sep + c)}") if idx == -1 else P(f"{pt} {i}startswith {lit(c + sep)}")
            alts.append(OR(whole, edge))
            # the proof's values: the part alone, behind / before the separator, and with it doubled
            self.read(f.path, [sep + c, c + sep, "a" + sep + c, c + sep + "a", sep, c + sep + sep + c])
        return OR(*alts), str_err

    def seq_in(self, a, b, node):
        """(x, y) in {("a", "b"), ...}: some constant tuple equal position by position. The tuple is
        built first (each element's error counts) and, for a set or dict, hashed."""
        if isinstance(b.v, str):
            self.refuse("a tuple of fields 'in' a string", node)
        coll = list(b.v.keys()) if isinstance(b.v, dict) else list(b.v)
        n = len(a.vals)
        if not all(isinstance(v, FieldV) for v in a.vals):
            self.refuse("a tuple 'in' a collection, with an element that is not a field", node)
        items = [x for x in coll if isinstance(x, tuple) and len(x) == n]  # a list never equals a tuple
        self.hashing = isinstance(b.v, (set, frozenset, dict))
        try:
            errs = []
            for i, f in enumerate(a.vals):
                vals = tuple(x[i] for x in items) or ("",)
                errs.append(self.pred(f, "in", vals, node).e)
            alts = [AND(*[self.pred(f, "eq", x[i], node).t for i, f in enumerate(a.vals)]) for x in items]
        finally:
            self.hashing = False
        e = OR(*errs)
        t = AND(NOT(e), OR(*alts))
        return BoolV(t, t, e)

    def split_count_ge(self, f, m):
        """x holds at least m separators (x.split(sep) has more than m parts), for a one-character sep."""
        if m <= 0:
            return TRUE
        c, k = _re_sep(f.sep)
        pat = f"^(?:[^{k}]*{c}){{{m}}}" if m > 1 else f"^[^{k}]*{c}"
        return P(f"{path_text(f.field.path if isinstance(f, SplitV) else f.path)} matches '{pat}'")

    def split_len_compare(self, op, a, b, node):
        """len(x.split(sep)) compared with a whole number: how many separators x holds (a regex);
        .split() of something other than a string raises."""
        flip = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE, ast.Eq: ast.Eq, ast.NotEq: ast.NotEq}
        if isinstance(b, LenV):
            a, b = b, a
            if type(op) not in flip:
                self.refuse("a comparison with len() of a split field", node)
            op = flip[type(op)]()
        if not (isinstance(b, Const) and isinstance(b.v, int) and not isinstance(b.v, bool)) or type(op) not in flip:
            self.refuse("len() of a split field compared with something other than a whole number", node)
        sp = a.split
        if len(sp.sep) != 1:
            self.refuse("len() of a field split on more than one character", node)
        f = sp.field
        n = b.v
        # len(parts) >= n: at least n - 1 separators
        ge = lambda k: self.split_count_ge(sp, k - 1)  # noqa: E731
        c = {ast.GtE: lambda: ge(n), ast.Gt: lambda: ge(n + 1), ast.Lt: lambda: NOT(ge(n)), ast.LtE: lambda: NOT(ge(n + 1)), ast.Eq: lambda: AND(ge(n), NOT(ge(n + 1))), ast.NotEq: lambda: AND(ge(n), NOT(ge(n + 1)))}[type(op)]()
        # the value the field reads as when missing: split its default in Python
        r = self.pred(FieldV(f.path, f.default, f.tr, f.guard), "truthy", None, node)  # the error of reading it (.lower() of a number, ...)
        pt = path_text(f.path)
        fixed = self.ffixed(f)
        str_err = FALSE if fixed is not None and fixed <= {"string"} else AND(P(f"{pt} exists"), NOT(P(f"{pt} like \"*\"")))
        ex = P(f"{pt} exists")
        d = f.default
        if d is RAISE or not isinstance(d, str):
            missing = "error"
        else:
            # != is computed as == here: the caller negates it (as every `!=`)
            missing = _py_compare(ast.Eq() if isinstance(op, ast.NotEq) else op, len(d.split(sp.sep)), n)
        e = OR(f.guard, str_err, r.e, AND(NOT(ex), TRUE if missing == "error" else FALSE))
        t = AND(NOT(e), OR(AND(ex, c), AND(NOT(ex), TRUE if missing is True else FALSE)))
        self.read(f.path, [sp.sep * k for k in range(max(0, n - 1), n + 2)])
        return BoolV(t, t, e)

    def present_split_at(self, f, op, arg, pt, node):
        """x.split(sep)[k], k other than 0 and -1, sep one character: regexes over the parts
        (`^(?:[^/]*/){k}c(?:/|$)`); fewer parts than k raises IndexError."""
        sep, idx = f.split
        lower = f.tr == "lower"
        fixed = self.ffixed(f)
        str_err = FALSE if fixed is not None and fixed <= {"string"} else NOT(P(f"{pt} like \"*\""))
        c, n = _re_sep(sep)
        k = idx if idx >= 0 else -idx - 1
        few = NOT(P(f"{pt} matches '^(?:[^{n}]*{c}){{{k}}}'")) if k > 0 else FALSE
        err = OR(str_err, AND(NOT(str_err), few))

        def part(body):
            if idx >= 0:
                return f"^(?:[^{n}]*{c}){{{k}}}{body}(?:{c}|$)" if k > 0 else f"^{body}(?:{c}|$)"
            return f"(?:^|{c}){body}(?:{c}[^{n}]*){{{k}}}$" if k > 0 else f"(?:^|{c}){body}$"

        opname = "imatches" if lower else "matches"
        if op == "truthy":
            # the part is not empty: a character other than the separator starts (ends) it
            pat = f"^(?:[^{n}]*{c}){{{k}}}[^{n}]" if idx >= 0 else f"[^{n}](?:{c}[^{n}]*){{{k}}}$"
            return P(f"{pt} matches '{pat}'"), err
        if op in ("istrue", "isnone"):
            return FALSE, err  # a part is a string: never True, never None
        if op not in ("eq", "in"):
            self.refuse(f"{op} over a part of a split field", node)
        items = [arg] if op == "eq" else list(arg)
        alts = []
        for x in items:
            if not isinstance(x, str) or sep in x or (lower and x != x.lower()):
                continue
            if any(ch in x for ch in "\n\r"):
                self.refuse("a part of a split field compared with a string that spans lines", node)
            alts.append("".join(_re_char(ch) for ch in x))
            self.read(f.path, [sep.join(["a"] * k + [x] + ["b"]), sep.join(["a"] * k + [x]), sep.join(["a"] * (k + 1) + [x, "b"]), sep.join([x] + ["b"] * k)])
        if not alts:
            return FALSE, err
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(sorted(set(alts))) + ")"
        q = part(body).replace("'", "''")
        return P(f"{pt} {opname} '{q}'"), err

    def str_of_string(self, f):
        """str(x) is x itself where the log type's schema types x as a string and x reads as a string
        when missing (a default string, or event[...] raising): typed fields are never null."""
        if f.tr not in (None, "lower", "upper") or getattr(f, "split", None) or getattr(f, "ekinds", None) is not None:
            return False
        fixed = self.fixed(f.path)
        return fixed is not None and fixed <= {"string"} and (f.default is RAISE or isinstance(f.default, str))

    def present_str_truthy(self, f, pt):
        """bool(str(x)): only the empty string prints as "" (None prints "None", a list "[...]")."""
        kinds = self.kinds(f.path)
        fx = self.fixed(f.path)
        if kinds is not None and kinds & {"array", "object"} and not (fx is not None and fx <= {"string"}):
            return None
        return NOT(P(f"{pt} eq \"\"")), FALSE

    def field_text_method(self, base, attr, args, node):
        """x.replace(a, b) before .split(b) (a split at a or b), x.strip() or x.split(sep)[0].strip()
        compared with constants: exact as regular expressions over x (present_rx)."""
        if attr == "replace":
            ok = len(args) == 2 and all(isinstance(a, Const) and isinstance(a.v, str) and len(a.v) == 1 for a in args)
            if not ok or base.tr not in (None, "lower") or getattr(base, "split", None) or getattr(base, "alt", None) or getattr(base, "strip", False):
                self.refuse("the method .replace() of a field other than one character by another", node)
            a, b = args[0].v, args[1].v
            if a == b or a.lower() != a.upper() or b.lower() != b.upper():
                self.refuse(".replace() of a letter (or of a character by itself)", node)
            nf = FieldV(base.path, base.default, base.tr, base.guard)
            nf.alt = (a, b)
            return nf
        if args or base.tr not in (None, "lower") or getattr(base, "strip", False) or getattr(base, "alt", None):
            self.refuse("the method .strip() with arguments or of a transformed field", node)
        if getattr(base, "split", None) and base.split[1] != 0:
            self.refuse("the method .strip() of a part of a split field other than the first", node)
        nf = FieldV(base.path, base.default, base.tr, base.guard)
        nf.split = getattr(base, "split", None)
        nf.strip = True
        return nf

    def present_rx(self, f, op, arg, pt, node):
        """Conditions over x for a value computed from x by .replace(a, b).split(b)[i] or
        [.split(sep)[0]].strip(), compared with constant strings. Whitespace is str.isspace()'s."""
        fixed = self.ffixed(f)
        str_err = FALSE if fixed is not None and fixed <= {"string"} else NOT(P(f"{pt} like \"*\""))
        lower = f.tr == "lower"
        i = "i" if lower else ""
        if getattr(f, "alt", None):
            if not getattr(f, "split", None) and op == "truthy":
                return NOT(P(f"{pt} empty")), str_err  # replacing one character by another keeps the length
            if not getattr(f, "split", None) or f.split[0] != f.alt[1]:
                self.refuse("a .replace()d field used other than split at the replacement", node)
            seps = [f.split[0], f.alt[0]]
            idx = f.split[1]
            if op == "truthy":
                return AND(*[NOT(P(f"{pt} {'endswith' if idx == -1 else 'startswith'} {lit(s_)}")) for s_ in seps], NOT(P(f"{pt} eq \"\"")), NOT(P(f"{pt} empty"))), str_err
            if op not in ("eq", "in"):
                self.refuse(f"{op} over a part of a .replace()d split field", node)
            alts = []
            for c in ([arg] if op == "eq" else list(arg)):
                if not isinstance(c, str) or any(s_ in c for s_ in seps) or (lower and c != c.lower()):
                    continue
                edges = [P(f"{pt} {i}endswith {lit(s_ + c)}") if idx == -1 else P(f"{pt} {i}startswith {lit(c + s_)}") for s_ in seps]
                alts.append(OR(P(f"{pt} {i}eq {lit(c)}"), *edges))
                self.read(f.path, [s_ + c for s_ in seps] + [c + s_ for s_ in seps] + ["a" + seps[1] + "b" + seps[0] + c, c + seps[1] + "b" + seps[0] + "a"])
            return OR(*alts), str_err
        sp = getattr(f, "split", None)
        ws = "[" + "".join(_rx_char(ch) for ch in _WS) + "]*"
        tail = "$" if not sp else "(?:" + _rx_char(sp[0]) + "|$)"
        if sp and sp[0] in _WS:
            self.refuse(".strip() of a part split at whitespace", node)
        if op == "truthy":
            # something other than whitespace before the end (or the separator)
            other = "[^" + "".join(_rx_char(ch) for ch in _WS) + (_rx_char(sp[0]) if sp else "") + "]"
            return P(f"{pt} matches {lit('^' + ws + other)}"), str_err
        if op not in ("eq", "in"):
            self.refuse(f"{op} over a .strip()ped field", node)
        bodies = []
        for c in ([arg] if op == "eq" else list(arg)):
            if not isinstance(c, str) or c != c.strip() or not c or (sp and sp[0] in c) or (lower and c != c.lower()):
                continue  # strip() never leaves edge whitespace (nor the separator in the first part)
            bodies.append("".join(_rx_char(ch) for ch in c))
            self.read(f.path, [" " + c + " ", c + "\u00a0", "\t" + c] + ([c + sp[0] + "x", " " + c + " " + sp[0]] if sp else []))
        if not bodies:
            return FALSE, str_err
        body = bodies[0] if len(bodies) == 1 else "(?:" + "|".join(bodies) + ")"
        return P(f"{pt} {i}matches {lit('^' + ws + body + ws + tail)}"), str_err

    def present_strlower(self, f, op, arg, pt, node):
        """str(x).lower() compared with lower-case strings: a string by the i-forms; a boolean prints
        "true"/"false" and a number its digits, so each is spelled out by what Python answers for it;
        a list or an object (the Tests show none) would print its repr."""
        if op not in ("eq", "in", "contains", "startswith", "endswith"):
            self.refuse(f"{op} over str(...).lower() of a field", node)
        kinds = self.kinds(f.path)
        fixed = self.ffixed(f)
        if (kinds is None or kinds & {"array", "object"}) and not (fixed is not None and fixed <= {"string"}):
            self.refuse(f"str() of {pt}, which the Tests do not show as only scalars", node)
        items = [arg] if op in ("eq", "contains") else list(arg) if isinstance(arg, (tuple, list, set, frozenset)) else [arg]
        if not all(isinstance(c, str) for c in items):
            self.refuse(f"str(...).lower() compared with something other than strings", node)
        items = [c for c in items if c == c.lower()]
        if not items:
            return FALSE, FALSE
        name = {"eq": "ieq", "in": "ieq", "contains": "icontains", "startswith": "istartswith", "endswith": "iendswith"}[op]
        test = {"eq": lambda v, c: v == c, "in": lambda v, c: v == c, "contains": lambda v, c: c in v, "startswith": lambda v, c: v.startswith(c), "endswith": lambda v, c: v.endswith(c)}[op]
        alts = [P(f"{pt} {name} {lit(items[0]) if len(items) == 1 else lits(items)}")]
        if not (fixed is not None and fixed <= {"string"}):
            for b in (True, False):
                if any(test(str(b).lower(), c) for c in items):
                    alts.append(P(f"{pt} eq {lit(b)}"))
            if any(c and all(ch in "0123456789.-+einfa" for ch in c) for c in items) or any(c == "" for c in items):
                self.refuse(f"str(...).lower() of {pt} compared with '{items[0]}', which a number may print", node)
        return OR(*alts), FALSE

    def in_split(self, c, sv, node):
        """'c' in x.split(sep): c is one of the parts."""
        f = sv.field
        if getattr(f, "alt", None) or getattr(f, "strip", False) or f.tr not in (None, "lower"):
            self.refuse("'in' over the parts of a transformed split field", node)
        nf = FieldV(f.path, f.default, f.tr, f.guard)
        nf.words = sv.sep
        return self.pred(nf, "contains", c, node)

    def present_words(self, f, op, arg, pt, node):
        """c in x.split(sep): x is c, starts with c + sep, ends with sep + c, or holds sep + c + sep
        (c without sep; after .lower(), the i-forms and c in lower case)."""
        sep, c = f.words, arg
        fixed = self.ffixed(f)
        str_err = FALSE if fixed is not None and fixed <= {"string"} else NOT(P(f"{pt} like \"*\""))
        if op != "contains" or not isinstance(c, str):
            self.refuse(f"{op} over the parts of a split field", node)
        lower = f.tr == "lower"
        if sep in c or (lower and c != c.lower()):
            return FALSE, str_err  # a part never holds the separator
        i = "i" if lower else ""
        self.read(f.path, [c, c + sep + "a", "a" + sep + c, "a" + sep + c + sep + "b", "a" + c + sep, sep + c + "a"])
        return OR(P(f"{pt} {i}eq {lit(c)}"), P(f"{pt} {i}startswith {lit(c + sep)}"), P(f"{pt} {i}endswith {lit(sep + c)}"), P(f"{pt} {i}contains {lit(sep + c + sep)}")), str_err

    def present_int(self, f, op, arg, pt, node):
        """int(x) == c (c whole): a number x truncates to c, a boolean is 0 or 1, and a string is
        what int() parses: str.isspace() whitespace around, a sign, decimal digits of any script
        (Unicode Nd) with single underscores between them. Anything else raises (no alert)."""
        if op == "truthy":
            zero, err = self.present_int(f, "eq", 0, pt, node)
            return AND(NOT(zero), NOT(err)), err
        if op in ("gt", "ge") and isinstance(arg, int) and not isinstance(arg, bool) and (arg >= 0 if op == "gt" else arg >= 1):
            return self.present_int_gt(f, arg if op == "gt" else arg - 1, pt, node)
        if op not in ("eq", "in"):
            self.refuse(f"{op} over int() of a field", node)
        kinds = self.kinds(f.path)
        fixed = self.ffixed(f)
        if (kinds is None or kinds & {"array", "object"}) and not (fixed is not None and fixed <= {"string", "number", "boolean"}):
            self.refuse(f"int() of {pt}, which the Tests do not show as only scalars", node)
        cs = []
        for c in ([arg] if op == "eq" else list(arg)):
            if isinstance(c, (bool, int)) or isinstance(c, float) and c == c and c not in (float("inf"), float("-inf")) and c == int(c):
                if int(c) not in cs:
                    cs.append(int(c))
        ws = "[" + "".join(_rx_char(ch) for ch in _WS) + "]*"
        digit = "[" + "".join(_rx_char(ch) for k in range(10) for ch in _DIGITS[k]) + "]"
        parses = P(f"{pt} matches {lit('^' + ws + '[+-]?' + digit + '(?:_?' + digit + ')*' + ws + '$')}")
        is_str = P(f"{pt} like \"*\"")
        num_ok = fixed is None or "number" in fixed
        bool_ok = fixed is None or "boolean" in fixed
        str_ok = fixed is None or "string" in fixed
        is_num = AND(NOT(is_str), OR(P(f"{pt} ge 0"), P(f"{pt} lt 0"))) if num_ok else FALSE
        is_bool = OR(P(f"{pt} eq true"), P(f"{pt} eq false")) if bool_ok else FALSE
        alts = []
        for c in cs:
            if str_ok:
                zero = "[" + "".join(_rx_char(ch) for ch in _DIGITS[0]) + "]"
                if c == 0:
                    body = "[+-]?" + zero + "(?:_?" + zero + ")*"
                else:
                    ds = str(abs(c))
                    body = ("-" if c < 0 else "\\+?") + "(?:" + zero + "_?)*" + "_?".join("[" + "".join(_rx_char(ch) for ch in _DIGITS[int(d)]) + "]" for d in ds)
                alts.append(P(f"{pt} matches {lit('^' + ws + body + ws + '$')}"))
                self.read(f.path, [" " + str(c) + " ", "+" + str(c), "0_" + str(c), str(c) + ".5", "٠" + str(c)])
            if num_ok:
                lo, hi = (c, c + 1) if c > 0 else (c - 1, c) if c < 0 else (-1, 1)
                lo_op = "ge" if c > 0 else "gt"
                hi_op = "le" if c < 0 else "lt"
                alts.append(AND(NOT(is_str), P(f"{pt} {lo_op} {lo}"), P(f"{pt} {hi_op} {hi}")))
            if bool_ok and c in (0, 1):
                alts.append(P(f"{pt} eq {lit(bool(c))}"))
        err = AND(NOT(is_num), NOT(is_bool), NOT(AND(is_str, parses)) if str_ok else TRUE)
        return OR(*alts), err

    def int_of_value(self, v, node):
        """int() of one value of a choice: a field (as int(field)) or a constant."""
        if isinstance(v, Const):
            try:
                return Const(int(v.v))
            except Exception:  # noqa: BLE001
                return BoolV(FALSE, FALSE, TRUE)
        return self.builtin("int", [v], {}, node)

    def present_int_gt(self, f, c, pt, node):
        """int(x) > c (c >= 0): a number at least c + 1 (int() truncates toward zero), True where
        c is 0, a string int() parses to more than c: no minus sign, and after the leading zeros
        more digits than c has, or as many and greater at the first digit that differs."""
        kinds = self.kinds(f.path)
        fixed = self.ffixed(f)
        if (kinds is None or kinds & {"array", "object"}) and not (fixed is not None and fixed <= {"string", "number", "boolean"}):
            self.refuse(f"int() of {pt}, which the Tests do not show as only scalars", node)
        cls = lambda ks: "[" + "".join(_rx_char(ch) for k in ks for ch in _DIGITS[k]) + "]"
        ws = "[" + "".join(_rx_char(ch) for ch in _WS) + "]*"
        any_d = cls(range(10))
        ds = [int(d) for d in str(c)]
        n = len(ds)
        alts = [cls(range(1, 10)) + "(?:_?" + any_d + "){" + str(n) + ",}"]
        for i in range(n):
            if ds[i] == 9:
                continue
            parts = [cls([d]) for d in ds[:i]] + [cls(range(ds[i] + 1, 10))] + [any_d] * (n - i - 1)
            if i == 0 and ds[0] == 0:
                parts[0] = cls(range(1, 10))
            alts.append("_?".join(parts))
        body = "\\+?(?:" + cls([0]) + "_?)*(?:" + "|".join(alts) + ")"
        fixed_ = fixed
        num_ok = fixed_ is None or "number" in fixed_
        bool_ok = fixed_ is None or "boolean" in fixed_
        str_ok = fixed_ is None or "string" in fixed_
        is_str = P(f"{pt} like \"*\"")
        digit = any_d
        parses = P(f"{pt} matches {lit('^' + ws + '[+-]?' + digit + '(?:_?' + digit + ')*' + ws + '$')}")
        is_num = AND(NOT(is_str), OR(P(f"{pt} ge 0"), P(f"{pt} lt 0"))) if num_ok else FALSE
        is_bool = OR(P(f"{pt} eq true"), P(f"{pt} eq false")) if bool_ok else FALSE
        alts_c = []
        if str_ok:
            alts_c.append(P(f"{pt} matches {lit('^' + ws + body + ws + '$')}"))
            self.read(f.path, [str(c), str(c + 1), " " + str(c + 1) + " ", "0_" + str(c + 1), "+" + str(c + 1), str(c) + "0", "-" + str(c + 1)])
        if num_ok:
            alts_c.append(AND(NOT(is_str), P(f"{pt} ge {c + 1}")))
        if bool_ok and c == 0:
            alts_c.append(P(f"{pt} eq true"))
        err = AND(NOT(is_num), NOT(is_bool), NOT(AND(is_str, parses)) if str_ok else TRUE)
        return OR(*alts_c), err

    def present_str(self, f, op, arg, pt, node):
        """str(x) == "5": x is the string "5" or the number 5 (events are JSON: a number that is
        whole prints without a fraction), "True"/"False" the booleans."""
        if op == "truthy" and self.present_str_truthy(f, pt) is not None:
            return self.present_str_truthy(f, pt)
        if op not in ("eq", "in"):
            self.refuse(f"{op} over str() of a field", node)
        items = [arg] if op == "eq" else list(arg)
        alts = []
        kinds = self.kinds(f.path)
        if kinds is not None and kinds & {"array", "object"}:
            self.refuse(f"str() of {pt}, which holds a list or an object in the Tests", node)
        fixed = self.ffixed(f)
        for c in items:
            if not isinstance(c, str):
                continue
            alts.append(c)
            if fixed is not None and fixed <= {"string"}:
                continue  # a typed string field: str() changes nothing
            if c in ("True", "False"):
                alts.append(c == "True")
            elif re.fullmatch(r"-?(0|[1-9][0-9]{0,14})", c):
                alts.append(int(c))
            elif re.fullmatch(r"-?(0|[1-9][0-9]{0,14})\.[0-9]{1,6}", c) and str(float(c)) == c and not c.endswith(".0"):
                alts.append(float(c))
            elif c.startswith(("{", "[")) or c in ("None",):
                self.refuse(f"str() of a field compared with '{c}'", node)
        uniq = []
        for x in alts:
            if not any(type(x) is type(y) and x == y for y in uniq):
                uniq.append(x)
        if not uniq:
            return FALSE, FALSE
        return (P(f"{pt} eq {lit(uniq[0])}") if len(uniq) == 1 else P(f"{pt} in {lits(uniq)}")), FALSE

    def present_upper(self, f, op, arg, pt, node):
        """x.upper() compared with constants: a regex over the characters whose upper case is each
        constant's character (exact: 'ı' -> 'I', 'ſ' -> 'S', 'ß' -> 'SS', 'ﬅ' -> 'ST' included)."""
        fixed = self.fixed(f.path)
        str_err = FALSE if fixed is not None and fixed <= {"string"} else NOT(P(f"{pt} like \"*\""))
        if op == "truthy":
            return NOT(P(f"{pt} empty")), str_err
        if op in ("eq", "in", "contains", "startswith", "endswith"):
            items = [arg] if op in ("eq", "contains") else list(arg) if isinstance(arg, (tuple, list)) else [arg]
            if op == "in" and not isinstance(arg, (tuple, list)):
                items = list(arg)
            items = [x for x in items if x is not None]
            regs = []
            for x in items:
                if not isinstance(x, str):
                    continue
                r = upper_regex(x)
                if r is None:
                    if x == x.upper():
                        self.refuse(f".upper() compared with '{x}', whose letters have overlapping upper-case expansions", node)
                    continue  # no value's upper() equals a string with lower-case letters
                regs.append(r)
            if not regs:
                return FALSE, str_err
            body = regs[0] if len(regs) == 1 else "(?:" + "|".join(regs) + ")"
            pat = {"eq": f"^{body}$", "in": f"^{body}$", "contains": body, "startswith": f"^{body}", "endswith": f"{body}$"}[op]
            return P(f"{pt} matches " + "'" + pat.replace("'", "''") + "'"), str_err
        self.refuse(f"{op} over .upper()", node)

    # ------------------------------------------------------------ truth of any value

    def truth(self, v, node):
        """(t, r, e) of a value used as a boolean."""
        if isinstance(v, BoolV):
            return v.t, v.r if v.r is not None else v.t, v.e
        if isinstance(v, Const):
            try:
                b = bool(v.v)
            except Exception:  # noqa: BLE001
                self.refuse("truth of a constant", node)
            return (TRUE if b else FALSE), (TRUE if v.v is True else FALSE), FALSE
        if isinstance(v, FieldV):
            a = self.pred(v, "truthy", None, node)
            b = self.pred(v, "istrue", None, node) if v.tr is None else BoolV(FALSE, FALSE)
            return a.t, b.t, a.e
        if isinstance(v, IpV):
            # an address or network object is truthy (no __bool__ or __len__)
            return AND(NOT(v.e), TRUE), FALSE, v.e
        if isinstance(v, SplitV):
            return self.truth_split(v, node)
        if isinstance(v, SetV):
            b = self.set_truth(v, node)
            return b.t, FALSE, b.e
        if isinstance(v, EventV):
            # Panther hands a rule no empty event: every event carries p_log_type, p_row_id,
            # p_event_time and p_parse_time, so the event is truthy (and is never True itself).
            return TRUE, FALSE, FALSE
        if isinstance(v, WalkOneV):
            b = self.walk_one_expr(v, ast.Name(id=v.name, ctx=ast.Load(), lineno=getattr(node, "lineno", 0), col_offset=0), {v.name: v})
            return b.t, b.r, b.e
        if isinstance(v, (WalkV, SeqV)):
            self.refuse(f"the truth of {_desc(v)}", node)
        self.refuse(f"the truth of {type(v).__name__}", node)

    def error_of(self, v, node):
        """When computing v raised (v itself is dropped: an expression statement)."""
        if isinstance(v, (Const, Builtin, ModuleV, FuncV, ReV, EventV)) or isinstance(v, tuple) and v and v[0] == "method":
            return FALSE
        if isinstance(v, (BoolV, IpV)):
            return v.e
        if isinstance(v, SeqV):
            return OR(*[self.error_of(x, node) for x in v.vals])
        if isinstance(v, (FieldV, SplitV, SetV)):
            return self.truth(v, node)[2]
        self.refuse(f"an expression statement whose value is {_desc(v)}", node)

    def truth_split(self, v, node):
        """x.split(sep) is a list of at least one part: truthy wherever splitting does not raise
        (it raises where x, or its default, is not a string)."""
        e = self.pred(v.field, "truthy", None, node).e
        return NOT(e), FALSE, e

    # ------------------------------------------------------------ expressions

    def eval(self, node, env):
        m = getattr(self, "e_" + type(node).__name__, None)
        if m is None:
            self.refuse(f"Python construct {type(node).__name__}", node)
        return m(node, env)

    def e_NamedExpr(self, node, env):
        """`(x := value)`: the value, and x bound to it for what follows (the statement's env is its
        own copy: see walrus_env)."""
        v = self.eval(node.value, env)
        env[node.target.id] = v
        return v

    def walrus_env(self, s, env):
        """env, copied where statement s binds names with `:=` in its own expressions (so the binding
        reaches the statements after it on this path only). A `:=` that runs only sometimes (after
        `and`/`or`, in a branch of `a if c else b`, in a comprehension or lambda, further along a
        chained comparison) is refused: the name would be bound on some paths only."""
        if isinstance(s, ast.If):
            roots = [s.test]
        elif isinstance(s, ast.For):
            roots = [s.iter]
        elif isinstance(s, (ast.Return, ast.Expr, ast.Assign, ast.AnnAssign)):
            roots = [s.value] if s.value is not None else []
        else:
            roots = []
        found = []

        def visit(n, cond):
            if isinstance(n, ast.NamedExpr):
                if cond:
                    self.refuse("an assignment expression (:=) that runs only on some paths", n)
                if not isinstance(n.target, ast.Name):
                    self.refuse("an assignment expression (:=) to something other than a name", n)
                found.append(n)
                visit(n.value, cond)
            elif isinstance(n, ast.BoolOp):
                visit(n.values[0], cond)
                for v in n.values[1:]:
                    visit(v, True)
            elif isinstance(n, ast.IfExp):
                visit(n.test, cond)
                visit(n.body, True)
                visit(n.orelse, True)
            elif isinstance(n, ast.Compare) and len(n.ops) > 1:
                visit(n.left, cond)
                visit(n.comparators[0], cond)
                for c in n.comparators[1:]:
                    visit(c, True)
            elif isinstance(n, (ast.Lambda, ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
                for c in ast.iter_child_nodes(n):
                    visit(c, True)
            else:
                for c in ast.iter_child_nodes(n):
                    visit(c, cond)

        for r in roots:
            visit(r, False)
        return dict(env) if found else env

    def e_Constant(self, node, env):
        return Const(node.value)

    def e_Name(self, node, env):
        return self.name(node.id, env, node)

    def e_List(self, node, env):
        return self.sequence(node, env, list)

    def e_Tuple(self, node, env):
        return self.sequence(node, env, tuple)

    def sequence(self, node, env, kind):
        """A list or tuple literal: a constant, or (some element read from the event) a SeqV, which
        only a loop or any()/all() may go through (each element in turn)."""
        vals = [self.eval(e, env) for e in node.elts]
        if all(isinstance(v, Const) for v in vals):
            return Const(kind(v.v for v in vals))
        return self.seq_of(vals, node)

    def seq_of(self, vals, node):
        """A SeqV; Python builds the whole list first, so an element that may raise then is refused
        (unrolled, it would raise only where the loop reaches it)."""
        for v in vals:
            if isinstance(v, FieldV) and (v.guard != FALSE or v.default is RAISE) or isinstance(v, BoolV) and v.e != FALSE:
                self.refuse("a list of values read from the event, one of which may raise when the list is built", node)
        return SeqV(vals)

    def e_ListComp(self, node, env):
        """[f(x) for x in CONSTANTS if g(x)] with each g(x) a constant: the list of the f(x)."""
        if len(node.generators) != 1:
            self.refuse("a list comprehension with several for clauses", node)
        comp = node.generators[0]
        if comp.is_async or not isinstance(comp.target, ast.Name):
            self.refuse("a list comprehension with an unusual target", node)
        vals = []
        for x in self.items_of(self.eval(comp.iter, env), "a list comprehension", node):
            env2 = dict(env)
            env2[comp.target.id] = x
            keep = True
            for c in comp.ifs:
                cv = self.eval(c, env2)
                if not isinstance(cv, Const):
                    self.refuse("a list comprehension whose condition reads the event", c)
                keep = keep and bool(cv.v)
            if keep:
                vals.append(self.eval(node.elt, env2))
        if all(isinstance(v, Const) for v in vals):
            return Const([v.v for v in vals])
        return self.seq_of(vals, node)

    def items_of(self, it, what, node, limit=500):
        """The elements of a constant collection or a SeqV, each a symbolic value."""
        if isinstance(it, SeqV):
            return list(it.vals)
        if not isinstance(it, Const):
            self.refuse(f"{what} over {_desc(it)} (only constant collections are unrolled)", node)
        try:
            items = list(it.v)
        except TypeError:
            self.refuse(f"{what} over a constant that is not iterable", node)
        if len(items) > limit:
            self.refuse(f"{what} over more than {limit} constants", node)
        return [Const(x) for x in items]

    def e_Set(self, node, env):
        return Const(frozenset(self.const(e, env) for e in node.elts))

    def e_Dict(self, node, env):
        if any(k is None for k in node.keys):
            self.refuse("a dict with ** unpacking", node)
        return Const({self.const(k, env): self.const(v, env) for k, v in zip(node.keys, node.values)})

    def const(self, node, env):
        v = self.eval(node, env)
        if not isinstance(v, Const):
            self.refuse("a collection that holds something other than constants", node)
        return v.v

    def e_Attribute(self, node, env):
        base = self.eval(node.value, env)
        if node.attr in ("is_global", "is_private") and (isinstance(base, IpV) or isinstance(base, Const) and isinstance(base.v, _IP_TYPES) or self.as_choice(base, node) is not None):
            return self.ip_property(base, node.attr, node)
        if isinstance(base, Const) and isinstance(base.v, _IP_TYPES) and node.attr in ("network_address", "broadcast_address", "version", "prefixlen", "max_prefixlen"):
            return Const(getattr(base.v, node.attr))
        if isinstance(base, IpV) and node.attr in ("network_address", "version"):
            return self.ip_attribute(base, node.attr, node)
        if isinstance(base, ModuleV):
            if base.module == "fnmatch" and node.attr in ("fnmatch", "fnmatchcase"):
                return Builtin("fnmatch." + node.attr)
            if base.module == "ipaddress" and node.attr in ("ip_address", "ip_network"):
                return Builtin("ipaddress." + node.attr)
            if base.module == "re":
                if node.attr in ("IGNORECASE", "I"):
                    return Const(re.IGNORECASE)
                if node.attr in ("MULTILINE", "M"):
                    return Const(re.MULTILINE)
                if node.attr in ("match", "search", "fullmatch", "compile"):
                    return Builtin("re." + node.attr)
                self.refuse(f"re.{node.attr}", node)
            if isinstance(base.module, Module):
                if node.attr in HELPER_MODELS:
                    return Builtin(node.attr)
                return base.module.lookup(node.attr, node)
            self.refuse(f"module {base.module} (not a global helper of this repository)", node)
        return ("method", base, node.attr)

    def e_Subscript(self, node, env):
        base = self.eval(node.value, env)
        idx = node.slice
        key = self.eval(idx, env)
        if isinstance(base, Const) and isinstance(base.v, dict) and isinstance(key, FieldV):
            return self.const_get(base.v, [key, RAISE], {}, node)
        if not isinstance(key, Const):
            self.refuse("a subscript that is not a constant", node)
        if isinstance(base, SplitV):
            if key.v not in (0, -1) and not (isinstance(key.v, int) and not isinstance(key.v, bool) and len(base.sep) == 1 and -20 <= key.v <= 20):
                self.refuse("a part of a split field other than the first ([0]) or the last ([-1])", node)
            f = base.field
            nf = _carry(f, FieldV(f.path, f.default, f.tr, f.guard))
            nf.split = (base.sep, key.v)
            nf.alt = getattr(f, "alt", None)
            return nf
        if isinstance(base, EventV):
            return self.field((key.v,), RAISE, node)
        if isinstance(base, FieldV) and base.tr is None and isinstance(key.v, str):
            self.read(base.path)
            return FieldV(base.path + (key.v,), RAISE, None, OR(base.guard, NOT(P(f"{path_text(base.path)} exists"))))
        if isinstance(base, Const):
            try:
                return Const(base.v[key.v])
            except Exception:  # noqa: BLE001
                self.refuse("a subscript of a constant that raises", node)
        if self.as_choice(base, node) is not None and isinstance(key.v, int) and not isinstance(key.v, bool):
            return self.distribute(self.as_choice(base, node), lambda v: self.subscript_of_value(v, key, node), node)
        self.refuse("a subscript of a computed value", node)

    def subscript_of_value(self, v, key, node):
        """value[i] for one value of a choice: the first or last part of a split field."""
        if isinstance(v, SplitV):
            if key.v not in (0, -1):
                self.refuse("a part of a split field other than the first ([0]) or the last ([-1])", node)
            f = v.field
            nf = FieldV(f.path, f.default, f.tr, f.guard)
            nf.split = (v.sep, key.v)
            nf.alt = getattr(f, "alt", None)
            return nf
        self.refuse("a subscript of a computed value", node)

    def e_UnaryOp(self, node, env):
        v = self.eval(node.operand, env)
        if isinstance(node.op, ast.Not):
            if isinstance(v, Const):
                return Const(not v.v)
            t, r, e = self.truth(v, node)
            f = AND(NOT(t), NOT(e))
            return BoolV(f, f, e)
        if isinstance(node.op, ast.USub) and isinstance(v, Const) and isinstance(v.v, (int, float)):
            return Const(-v.v)
        self.refuse(f"unary {type(node.op).__name__}", node)

    def e_BoolOp(self, node, env):
        vals = [self.eval(x, env) for x in node.values]
        is_or = isinstance(node.op, ast.Or)
        # `event.get("x") or ""`: the field, reading as "" when missing or falsy
        if is_or and len(vals) == 2 and isinstance(vals[0], FieldV) and isinstance(vals[1], Const) and vals[0].tr is None:
            f = vals[0]
            kinds = self.kinds(f.path)
            if isinstance(vals[1].v, (str, list, dict)) and not vals[1].v and kinds is not None and kinds <= {"string", "array", "object", "null"}:
                return FieldV(f.path, vals[1].v, None, f.guard)
        if all(isinstance(v, Const) for v in vals):
            out = vals[0].v
            for v in vals[1:]:
                out = (out or v.v) if is_or else (out and v.v)
            return Const(out)
        t, r, e = self.truth(vals[0], node)
        for v in vals[1:]:
            t2, r2, e2 = self.truth(v, node)
            f = AND(NOT(t), NOT(e))
            if is_or:
                if e == FALSE:
                    f = NOT(t)
                    t, r, e = OR(t, t2), OR(r, AND(f, r2)), OR(e, AND(f, e2))
                else:
                    t, r, e = OR(t, AND(f, t2)), OR(r, AND(f, r2)), OR(e, AND(f, e2))
            else:
                t, r, e = AND(t, t2), AND(t, r2), OR(e, AND(t, e2))
        out = BoolV(t, r, e)
        out.lazy = lambda: self.boolop_value(vals, is_or, node)
        return out

    def e_BinOp(self, node, env):
        """Arithmetic and concatenation of constants (module constants computed from others)."""
        a = self.eval(node.left, env)
        b = self.eval(node.right, env)
        if isinstance(a, Const) and isinstance(b, Const):
            import operator
            ops = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.BitOr: operator.or_}
            fn = ops.get(type(node.op))
            if fn is not None:
                try:
                    v = fn(a.v, b.v)
                except Exception:  # noqa: BLE001
                    self.refuse("arithmetic on constants that raises", node)
                if isinstance(v, str) and len(v) > 100000:
                    self.refuse("a constant string too large", node)
                return Const(v)
        if isinstance(node.op, ast.BitAnd) and (isinstance(a, SetV) or isinstance(b, SetV)):
            return self.set_and(a, b, node)
        self.refuse(f"Python construct BinOp ({type(node.op).__name__} of {_desc(a)} and {_desc(b)})", node)

    def e_JoinedStr(self, node, env):
        """An f-string of constants is a constant; one that formats a value read from the event is
        refused (the language compares a field with a constant or another field, never with a
        string built from a field)."""
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(part.value)
                continue
            v = self.eval(part.value, env)
            if not isinstance(v, Const):
                self.refuse(f"an f-string that formats {_desc(v)}", node)
            spec = ""
            if part.format_spec is not None:
                sv = self.eval(part.format_spec, env)
                spec = sv.v if isinstance(sv, Const) else ""
            conv = {-1: lambda x: x, 115: str, 114: repr, 97: ascii}.get(part.conversion)
            try:
                out.append(format(conv(v.v), spec))
            except Exception:  # noqa: BLE001
                self.refuse("an f-string of constants that raises", node)
        return Const("".join(out))

    def e_IfExp(self, node, env):
        w = self.walk_idiom_ifexp(node, env)
        if w is not None:
            return w
        c = self.eval(node.test, env)
        if isinstance(c, Const):
            return self.eval(node.body if c.v else node.orelse, env)  # the other branch never runs
        tc, _, ec = self.truth(c, node)
        if ec == FALSE and tc in (TRUE, FALSE):
            return self.eval(node.body if tc == TRUE else node.orelse, env)
        a = self.eval(node.body, env)
        b = self.eval(node.orelse, env)
        ta, ra, ea = self.truth(a, node)
        tb, rb, eb = self.truth(b, node)
        fc = AND(NOT(tc), NOT(ec))
        out = BoolV(OR(AND(tc, ta), AND(fc, tb)), OR(AND(tc, ra), AND(fc, rb)), OR(ec, AND(tc, ea), AND(fc, eb)))
        out.lazy = lambda: ([(tc, a), (fc, b)], ec)  # as a value: a where the test holds, else b
        return out

    def e_Compare(self, node, env):
        if len(node.ops) != 1:
            # a < b < c: (a < b) and (b < c), b read once (reading a field has no effect)
            parts = []
            left = node.left
            for op, right in zip(node.ops, node.comparators):
                parts.append(ast.Compare(left=left, ops=[op], comparators=[right], lineno=node.lineno, col_offset=node.col_offset))
                left = right
            return self.e_BoolOp(ast.BoolOp(op=ast.And(), values=parts, lineno=node.lineno, col_offset=node.col_offset), env)
        op = node.ops[0]
        a = self.eval(node.left, env)
        b = self.eval(node.comparators[0], env)
        if isinstance(a, Const) and isinstance(b, Const):
            try:
                return Const(_py_compare(op, a.v, b.v))
            except Exception:  # noqa: BLE001
                self.refuse("a comparison of constants that raises", node)
        neg = isinstance(op, (ast.NotEq, ast.NotIn, ast.IsNot))
        res = None
        if isinstance(a, WalkOneV) or isinstance(b, WalkOneV):
            return self.walk_one_expr(a if isinstance(a, WalkOneV) else b, node, env)
        if isinstance(op, (ast.In, ast.NotIn)) and isinstance(a, Const) and isinstance(b, WalkV) and b.normal:
            test = ast.Compare(left=ast.Name(id="_v", ctx=ast.Load()), ops=[ast.Eq()], comparators=[ast.Constant(value=a.v)], lineno=node.lineno, col_offset=0)
            nonempty = self.walk_nonempty(b)
            found = self.walk_exists(b, "_v", None, test, {}, node)
            try:
                empty = a.v in b.empty
            except Exception:  # noqa: BLE001
                self.refuse("'in' the values of event.deep_walk through a list, with an unusual constant", node)
            t = OR(AND(nonempty, found.t), AND(NOT(nonempty), TRUE if empty else FALSE))
            res = BoolV(t, t, FALSE)
        elif isinstance(op, (ast.Eq, ast.NotEq)) and _empty_container_cmp(a, b):
            res = self.eq_empty_container(a if isinstance(a, FieldV) else b, (b if isinstance(a, FieldV) else a).v, node)
        elif isinstance(a, StrLenV) or isinstance(b, StrLenV):
            res = self.str_len_compare(op, a, b, node)
        elif isinstance(a, SetLenV) or isinstance(b, SetLenV):
            res = self.set_len_compare(op, a, b, node)
        elif isinstance(a, LenV) or isinstance(b, LenV):
            res = self.split_len_compare(op, a, b, node)
        elif isinstance(op, (ast.Eq, ast.NotEq)) and (isinstance(a, WalkV) and isinstance(b, Const) or isinstance(b, WalkV) and isinstance(a, Const)):
            res = self.walk_eq(a if isinstance(a, WalkV) else b, b if isinstance(a, WalkV) else a, node)
        elif isinstance(op, (ast.Eq, ast.NotEq)):
            if isinstance(b, FieldV) and isinstance(a, Const):
                a, b = b, a
            if isinstance(a, FieldV) and isinstance(b, Const):
                res = self.pred(a, "eq", b.v, node)
            elif isinstance(a, BoolV) and isinstance(b, Const) and isinstance(b.v, bool) and a.r is not None:
                # a boolean == True / == False
                t = a.r if b.v else AND(NOT(a.t), NOT(a.e))
                res = BoolV(t, t, a.e)
            elif isinstance(a, FieldV) and isinstance(b, FieldV):
                res = self.field_eq(a, b, node)
        elif isinstance(op, (ast.In, ast.NotIn)) and isinstance(a, SeqV) and isinstance(b, Const):
            res = self.seq_in(a, b, node)
        elif isinstance(op, (ast.In, ast.NotIn)):
            if isinstance(a, FieldV) and isinstance(b, Const):
                if isinstance(b.v, str):
                    self.refuse("a field 'in' a constant string (a substring test of the constant)", node)
                coll = list(b.v.keys()) if isinstance(b.v, dict) else list(b.v)
                self.hashing = isinstance(b.v, (set, frozenset, dict))
                try:
                    res = self.pred(a, "in", tuple(coll), node)
                finally:
                    self.hashing = False
            elif isinstance(a, Const) and isinstance(b, FieldV):
                res = self.pred(b, "contains", a.v, node)
        elif isinstance(op, (ast.Is, ast.IsNot)) and isinstance(a, WalkV) and not a.normal and isinstance(b, Const) and b.v is None:
            # deep_walk gives None only when it finds nothing and its default is None
            t = AND(NOT(self.walk_nonempty(a)), TRUE if a.default is None else FALSE)
            res = BoolV(t, t, FALSE)
        elif isinstance(op, (ast.Is, ast.IsNot)):
            if isinstance(b, FieldV) and isinstance(a, Const):
                a, b = b, a
            if isinstance(a, FieldV) and isinstance(b, Const) and b.v is None:
                res = self.pred(a, "isnone", None, node)
            elif isinstance(a, FieldV) and isinstance(b, Const) and isinstance(b.v, bool) and a.tr is None:
                # `x is True` / `x is False`: identity, so only the boolean itself (never 1 or 0)
                if b.v:
                    res = self.pred(a, "istrue", None, node)
                else:
                    r0 = self.pred(a, "eq", False, node)
                    t = AND(r0.t, P(f"{path_text(a.path)} eq false")) if a.default is not False else r0.t
                    res = BoolV(t, t, r0.e)
            elif isinstance(a, BoolV) and not getattr(a, "match", False) and isinstance(b, Const) and b.v is True and a.r is not None:
                # `v is True`: exactly True, which r says of any value (a comparison's, a helper's)
                res = BoolV(a.r, a.r, a.e)
            elif isinstance(a, BoolV) and getattr(a, "match", False) and isinstance(b, Const) and b.v is None:
                # re.match(...) is None: a match object is never None, and always truthy
                f = AND(NOT(a.t), NOT(a.e))
                res = BoolV(f, f, a.e)
        elif isinstance(op, (ast.Lt, ast.Gt, ast.LtE, ast.GtE)):
            name = {ast.Lt: "lt", ast.Gt: "gt", ast.LtE: "le", ast.GtE: "ge"}[type(op)]
            if isinstance(b, FieldV) and isinstance(a, Const):
                a, b = b, a
                name = {"lt": "gt", "gt": "lt", "le": "ge", "ge": "le"}[name]
            if isinstance(a, FieldV) and isinstance(b, Const):
                res = self.pred(a, name, b.v, node)
        if res is None and (self.as_choice(a, node) is not None or self.as_choice(b, node) is not None):
            return self.compare_choice(node, a, b, env)
        if res is None and isinstance(op, (ast.In, ast.NotIn)) and isinstance(a, Const) and isinstance(a.v, str) and isinstance(b, SplitV):
            res = self.in_split(a.v, b, node)
        if res is None and isinstance(op, (ast.In, ast.NotIn)) and isinstance(a, Const) and isinstance(a.v, str) and isinstance(b, ElemRootV):
            res = self.key_in_element(a.v, node)
        if res is None and isinstance(op, (ast.In, ast.NotIn)) and isinstance(a, Const) and isinstance(a.v, str) and type(b) is EventV:
            res = self.key_in_event(a.v, node)
        if res is None and isinstance(op, (ast.In, ast.NotIn)) and isinstance(a, IpV) and not a.network and isinstance(b, Const) and isinstance(b.v, _NET_TYPES):
            c = AND(NOT(a.e), P(f"{path_text(a.field.path)} cidr {lit(str(b.v))}"))
            res = BoolV(c, c, a.e)
        if res is None:
            self.refuse(f"comparison {type(op).__name__} between {_desc(a)} and {_desc(b)}", node)
        if neg:
            f = AND(NOT(res.t), NOT(res.e))
            return BoolV(f, f, res.e)
        return res

    def e_Call(self, node, env):
        fn = self.eval(node.func, env)
        if any(isinstance(a, ast.Starred) for a in node.args):
            node = self.unstar(node, env)
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            self.refuse("a call with * or ** arguments", node)
        if isinstance(fn, Const) and isinstance(fn.v, type) and fn.v in TYPES.values():
            fn = Builtin(fn.v.__name__)
        if isinstance(fn, Builtin) and fn.name in ("any", "all"):
            return self.any_all(fn.name, node, env)
        args = [self.eval(a, env) for a in node.args]
        kwargs = {k.arg: self.eval(k.value, env) for k in node.keywords}
        if isinstance(fn, tuple) and fn[0] == "method":
            return self.method(fn[1], fn[2], args, kwargs, node)
        if isinstance(fn, FuncV):
            return self.inline(fn, args, kwargs, node)
        if isinstance(fn, Builtin):
            return self.builtin(fn.name, args, kwargs, node)
        self.refuse(f"a call of {_desc(fn)}", node)

    def builtin(self, name, args, kwargs, node):
        if name == "deep_get":
            if not args:
                self.refuse("deep_get without arguments", node)
            base = args[0]
            keys = [self.keyconst(a, node) for a in args[1:]]
            if "default" in kwargs and not isinstance(kwargs["default"], Const) and set(kwargs) == {"default"}:
                return self.computed_default(self.deep(base, keys, None, node), kwargs["default"], node)
            default = self.kwconst(kwargs, "default", None, node)
            return self.deep(base, keys, default, node)
        if name in ("fnmatch.fnmatch", "fnmatch.fnmatchcase"):
            # on POSIX fnmatch is fnmatchcase: a glob over the whole value
            if len(args) != 2 or kwargs or not isinstance(args[1], Const) or not isinstance(args[1].v, str):
                self.refuse(f"{name}() with a computed pattern", node)
            if isinstance(args[0], Const):
                import fnmatch as _fn
                return Const(_fn.fnmatchcase(args[0].v, args[1].v))
            if not isinstance(args[0], FieldV):
                self.refuse(f"{name}() of {_desc(args[0])}", node)
            return self.pred(args[0], "fnmatch", args[1].v, node)
        if name.startswith("re."):
            op = name[3:]
            if op == "compile":
                if not args or not isinstance(args[0], Const):
                    self.refuse("re.compile of a computed pattern", node)
                flags = args[1].v if len(args) > 1 and isinstance(args[1], Const) else self.kwconst(kwargs, "flags", 0, node)
                return ReV(args[0].v, flags)
            if len(args) < 2 or not isinstance(args[0], (Const, ReV)):
                self.refuse(f"re.{op} with a computed pattern", node)
            pat = args[0] if isinstance(args[0], ReV) else ReV(args[0].v, 0)
            flags = args[2].v if len(args) > 2 and isinstance(args[2], Const) else self.kwconst(kwargs, "flags", 0, node)
            if flags:
                pat = ReV(pat.pattern, pat.flags | flags)
            return self.regex(op, pat, args[1], node)
        if name in ("set", "frozenset") and len(args) == 1 and not kwargs and isinstance(args[0], FieldV):
            return self.set_of(args[0], node)
        if name == "len" and len(args) == 1 and not kwargs and isinstance(args[0], SetV):
            return SetLenV(args[0])
        if name in ("set", "frozenset", "list", "tuple") and len(args) == 1 and isinstance(args[0], Const):
            return Const({"set": frozenset, "frozenset": frozenset, "list": list, "tuple": tuple}[name](args[0].v))
        if name == "bool" and len(args) == 1:
            t, r, e = self.truth(args[0], node)
            return BoolV(t, t, e)
        if name == "isinstance" and len(args) == 2 and isinstance(args[1], Builtin) and args[1].name.endswith(".MagicMock"):
            # `if isinstance(CONSTANT, MagicMock)`: the Tests' mocking hook; a constant is never a mock
            if isinstance(args[0], Const):
                return Const(False)
            self.refuse("isinstance(..., MagicMock) of a computed value", node)
        if name == "isinstance" and len(args) == 2 and isinstance(args[0], ElemRootV):
            return self.isinstance_element(args[1], node)
        mapping = False
        if name == "isinstance" and len(args) == 2 and isinstance(args[1], Builtin) and args[1].name in ("collections.abc.Mapping", "typing.Mapping", "collections.abc.MutableMapping"):
            # every JSON object is a Mapping (and a dict), nothing else is
            mapping = args[1].name != "collections.abc.MutableMapping"
            args = [args[0], Const(dict)]
        if name == "isinstance" and len(args) == 2 and isinstance(args[1], Const) and isinstance(args[0], FieldV) and args[0].tr is None:
            return self.isinstance_field(args[0], args[1].v if isinstance(args[1].v, tuple) else (args[1].v,), node, mapping)
        if name == "isinstance" and len(args) == 2 and isinstance(args[1], Const):
            types_ = args[1].v if isinstance(args[1].v, tuple) else (args[1].v,)
            if not all(isinstance(x, type) for x in types_):
                self.refuse("isinstance() with a second argument that is not a type", node)
            if isinstance(args[0], Const):
                return Const(isinstance(args[0].v, types_))
            if isinstance(args[0], FieldV) and args[0].tr is None and types_ == (str,):
                f = args[0]
                pt = path_text(f.path)
                self.read(f.path)
                fixed = self.fixed(f.path)
                missing = isinstance(f.default, str)
                if f.default is RAISE:
                    self.refuse("isinstance() of event[...]", node)
                t = OR(P(f"{pt} like \"*\"") if not (self.kinds(f.path) and "array" in self.kinds(f.path)) else FALSE, AND(NOT(P(f"{pt} exists")), TRUE if missing else FALSE))
                if fixed is not None and fixed <= {"string"}:
                    t = OR(P(f"{pt} exists"), AND(NOT(P(f"{pt} exists")), TRUE if missing else FALSE))
                return BoolV(AND(NOT(f.guard), t), AND(NOT(f.guard), t), f.guard)
            self.refuse(f"isinstance() of {_desc(args[0])}", node)
        if name == "str" and len(args) == 1 and isinstance(args[0], FieldV) and self.str_of_string(args[0]):
            return args[0]
        if name == "str" and len(args) == 1 and isinstance(args[0], FieldV) and args[0].tr is None:
            f = args[0]
            d = f.default if f.default is RAISE else _Str(f.default)
            return FieldV(f.path, d, "str", f.guard)
        if name == "str" and len(args) == 1 and isinstance(args[0], Const):
            return Const(str(args[0].v))
        if name == "int" and len(args) == 1 and not kwargs and not isinstance(args[0], (FieldV, Const)) and self.as_choice(args[0], node) is not None:
            return self.distribute(self.as_choice(args[0], node), lambda v: self.int_of_value(v, node), node)
        if name == "int" and len(args) == 1 and not kwargs and isinstance(args[0], FieldV) and args[0].tr is None and not getattr(args[0], "split", None) and getattr(args[0], "ekinds", None) is None:
            f = args[0]
            return FieldV(f.path, f.default, "int", f.guard)
        if name == "float" and len(args) == 1 and not kwargs:
            return self.float_of(args[0], node)
        if name in ("ipaddress.ip_address", "ipaddress.ip_network") and len(args) == 1 and not kwargs:
            return self.ip_of(args[0], name.endswith("network"), node)
        if name == "len" and len(args) == 1 and isinstance(args[0], FieldV) and not kwargs and args[0].tr is None and not getattr(args[0], "split", None) and getattr(args[0], "ekinds", None) is None and not getattr(args[0], "walk_list", False):
            return StrLenV(args[0])
        if name == "len" and len(args) == 1 and isinstance(args[0], SplitV) and not kwargs:
            return LenV(args[0])
        if name == "len" and len(args) == 1 and isinstance(args[0], Const) and not kwargs:
            try:
                return Const(len(args[0].v))
            except TypeError:
                self.refuse("len() of a constant without a length", node)
        self.refuse(f"a call of {name}()", node)

    def field_eq(self, a, b, node):
        """Two fields of the event: `a eq b` when both are present; a missing one reads as its default."""
        for f in (a, b):
            if f.tr is not None or getattr(f, "split", None) or f.default is RAISE or getattr(f, "ekinds", None) is not None:
                self.refuse("a comparison of two fields, one of them transformed", node)
            k = self.kinds(f.path)
            if k is not None and k & {"array", "object"}:
                self.refuse(f"a comparison of two fields where {path_text(f.path)} holds a list or an object", node)
            if not isinstance(f.default, (str, int, float, bool, type(None))):
                self.refuse("a comparison of two fields with an unusual default", node)
        self.read(a.path)
        self.read(b.path)
        pa, pb = path_text(a.path), path_text(b.path)
        ea, eb = P(f"{pa} exists"), P(f"{pb} exists")
        both = OR(P(f"{pa} eq {pb}"), self.bool_num_eq(a, b))

        def one(f, value):
            if value is None:
                return FALSE
            return self.present(f, "eq", value, path_text(f.path), self.kinds(f.path), node)[0]

        t = OR(
            both,  # eq between two fields implies both exist
            AND(NOT(ea), eb, one(b, a.default)),
            AND(ea, NOT(eb), one(a, b.default)),
            AND(NOT(ea), NOT(eb), TRUE if a.default == b.default else FALSE),
        )
        e = OR(a.guard, b.guard)
        t = AND(NOT(e), t)
        return BoolV(t, t, e)

    def bool_num_eq(self, a, b):
        """Python's True == 1 == 1.0 and False == 0 == 0.0 between two fields, where no typed schema
        rules out a boolean on one side and a number on the other (the language's eq never equates a
        boolean with a number)."""
        fa, fb = self.fixed(a.path), self.fixed(b.path)
        if not (fa is None or "boolean" in fa or "number" in fa) or not (fb is None or "boolean" in fb or "number" in fb):
            return FALSE
        if fa is not None and fb is not None and (fa | fb) <= {"boolean"} or fa is not None and fb is not None and (fa | fb) <= {"number"}:
            return FALSE
        pa, pb = path_text(a.path), path_text(b.path)
        return OR(*[AND(P(f"{x} eq {u}"), P(f"{y} eq {v}")) for x, y in ((pa, pb), (pb, pa)) for u, v in (("true", "1"), ("false", "0"))])

    def isinstance_element(self, tv, node):
        """isinstance(elem, T) for an element of a list of objects (the schema or the Tests fix its
        shape): a Mapping, whichever way the list was read; a dict only where the list was read raw
        (deep_walk) and not through Panther's read-only wrappers, so a test for dict or
        MutableMapping without Mapping is refused. Any other type (str, list, ...) is false."""
        parts = tv.vals if isinstance(tv, SeqV) else list(tv.v) if isinstance(tv, Const) and isinstance(tv.v, tuple) else [tv]
        mapping, dictlike = False, False
        for p in parts:
            if isinstance(p, Builtin) and p.name in ("collections.abc.Mapping", "typing.Mapping"):
                mapping = True
            elif isinstance(p, Builtin) and p.name == "collections.abc.MutableMapping" or isinstance(p, Const) and p.v is dict:
                dictlike = True
            elif isinstance(p, Const) and isinstance(p.v, type) and not issubclass(dict, p.v):
                continue
            elif isinstance(p, type) and not issubclass(dict, p):
                continue
            else:
                self.refuse("isinstance() of a list element with a second argument that is not a type", node)
        if mapping:
            return Const(True)
        if dictlike:
            self.refuse("isinstance(..., dict) of a list element (Panther's read-only mapping is not a dict, a raw one is)", node)
        return Const(False)

    def isinstance_field(self, f, types_, node, mapping=False):
        """isinstance(field, types): scalar types by the value; list and dict by the field's shape,
        which the schema (or, free-form, the Tests) fixes."""
        if not all(isinstance(x, type) for x in types_):
            self.refuse("isinstance() with a second argument that is not a type", node)
        if f.default is RAISE:
            self.refuse("isinstance() of event[...]", node)
        pt = path_text(f.path)
        self.read(f.path)
        ex = P(f"{pt} exists")
        kinds = self.kinds(f.path)
        shape = None if kinds is None or not (kinds - {"null"}) else ("array" if kinds - {"null"} <= {"array"} else "object" if kinds - {"null"} <= {"object"} else "scalar" if not (kinds & {"array", "object"}) else "mixed")
        is_str = P(f"{pt} like \"*\"")
        is_num = AND(NOT(is_str), OR(P(f"{pt} ge 0"), P(f"{pt} lt 0")))
        is_bool = OR(P(f"{pt} eq true"), P(f"{pt} eq false"))
        parts = []
        for ty in set(types_):
            if ty is dict and mapping and shape == "mixed" and "array" not in kinds:
                # isinstance(x, Mapping) where the Tests show x as an object and as a scalar (no list):
                # an object is what is neither a string, a number nor a boolean
                parts.append(AND(ex, NOT(is_str), NOT(OR(P(f"{pt} ge 0"), P(f"{pt} lt 0"))), NOT(is_bool)))
                continue
            if ty in (list, tuple, dict):
                want = "array" if ty is not dict else "object"
                if shape is None or shape == "mixed":
                    self.refuse(f"isinstance({pt}, {ty.__name__}): the Tests do not show the shape of {pt}", node)
                parts.append(ex if shape == want and ty is not tuple else FALSE)
            elif shape in ("array", "object") or ty is bytes:
                parts.append(FALSE)  # JSON holds no bytes
            elif ty is str:
                parts.append(is_str)
            elif ty is bool:
                parts.append(is_bool)
            elif ty is int and float in types_:
                parts.append(OR(is_num, is_bool))
            elif ty is float and int in types_:
                continue
            else:
                self.refuse(f"isinstance({pt}, {ty.__name__}): JSON does not tell an int from a float", node)
        present = OR(*parts)
        missing = isinstance(f.default, types_)
        t = AND(NOT(f.guard), OR(present, AND(NOT(ex), TRUE if missing else FALSE)))
        return BoolV(t, t, f.guard)

    def regex(self, op, pat, subject, node):
        if isinstance(subject, Const):
            return Const(getattr(re, op)(pat.pattern, subject.v, pat.flags) is not None)
        if not isinstance(subject, FieldV):
            self.refuse(f"re.{op} over {_desc(subject)}", node)
        b = self.pred(subject, op, pat, node)
        b.match = True
        b.r = FALSE  # a match object is truthy but not True: rule() returning it is an error
        return b

    def keyconst(self, a, node):
        if not isinstance(a, Const) or not isinstance(a.v, str):
            self.refuse("a key that is not a constant string", node)
        return a.v

    def kwconst(self, kwargs, name, default, node):
        extra = set(kwargs) - {name}
        if extra:
            self.refuse(f"keyword argument {sorted(extra)[0]}", node)
        if name not in kwargs:
            return default
        v = kwargs[name]
        if not isinstance(v, Const):
            self.refuse(f"a computed {name}=", node)
        return v.v

    def deep(self, base, keys, default, node):
        if isinstance(base, EventV):
            return self.field(tuple(keys), default, node)
        if isinstance(base, FieldV) and base.tr is None:
            # deep_get over a value read with a default: missing parents read as missing
            self.read(base.path)
            return self.field(base.path + tuple(keys), default, node) if _empty_default(base.default) else self.refuse("deep_get over a field with a non-empty default", node)
        self.refuse(f"deep_get over {_desc(base)}", node)

    def method(self, base, attr, args, kwargs, node):
        if isinstance(base, IpV):
            return self.ip_method(base, attr, args, kwargs, node)
        if isinstance(base, EventV) and self.info is not None and self.info.prefix and not isinstance(base, ElemRootV):
            self.refuse("the event read inside a loop over a list", node)
        if isinstance(base, ElemRootV) and attr not in ("get",):
            self.refuse(f"the method .{attr}() of a list element", node)
        if isinstance(base, (EventV, FieldV)) and attr == "get" and len(args) == 1 and set(kwargs) == {"default"}:
            # Mapping.get(key, default=...): the event (and each object in it) is a Mapping
            args, kwargs = [args[0], kwargs["default"]], {}
        if isinstance(base, EventV):
            if attr == "get":
                if len(args) not in (1, 2) or kwargs:
                    self.refuse("event.get with unusual arguments", node)
                key = self.keyconst(args[0], node)
                d = args[1] if len(args) == 2 else Const(None)
                if not isinstance(d, Const):
                    self.refuse("event.get with a computed default", node)
                return self.field((key,), d.v, node)
            if attr == "deep_get":
                keys = [self.keyconst(a, node) for a in args]
                return self.field(tuple(keys), self.kwconst(kwargs, "default", None, node), node)
            if attr == "udm":
                return self.udm(args, kwargs, node)
            if attr == "deep_walk":
                return self.deep_walk(args, kwargs, node)
            self.refuse(f"event.{attr}()", node)
        if isinstance(base, FieldV):
            if attr == "get" and base.tr is None:
                if len(args) not in (1, 2) or kwargs:
                    self.refuse(".get with unusual arguments", node)
                key = self.keyconst(args[0], node)
                d = args[1] if len(args) == 2 else Const(None)
                if not isinstance(d, Const):
                    self.refuse(".get with a computed default", node)
                self.read(base.path)
                guard = base.guard
                ppt = path_text(base.path)
                if not isinstance(base.default, dict) or base.default:
                    # .get on a missing parent that reads as None (or a non-dict) raises
                    guard = OR(guard, NOT(P(f"{ppt} exists")))
                pf = self.fixed(base.path)
                if pf is None or not pf <= {"object"}:
                    # .get on a string, number or boolean raises
                    scalar = OR(P(f"{ppt} like \"*\""), P(f"{ppt} ge 0"), P(f"{ppt} lt 0"), P(f"{ppt} eq true"), P(f"{ppt} eq false"))
                    guard = OR(guard, scalar)
                return FieldV(base.path + (key,), d.v, None, guard)
            if getattr(base, "split", None) and attr in ("lower", "upper", "casefold"):
                if attr != "lower" or args or base.tr is not None:
                    self.refuse(f"the method .{attr}() of a part of a split field", node)
                # the separator has no letters: x.split(s)[k].lower() is x.lower().split(s)[k]
                nf = FieldV(base.path, base.default.lower() if isinstance(base.default, str) else base.default if base.default is RAISE else _Lowered(base.default), "lower", base.guard)
                nf.split = base.split
                _carry(base, nf)
                return nf
            if attr == "lower" and not args and base.tr == "str" and not kwargs:
                return FieldV(base.path, base.default, "strlower", base.guard)
            if attr == "upper" and not args and base.tr is None:
                return _carry(base, FieldV(base.path, base.default.upper() if isinstance(base.default, str) else base.default if base.default is RAISE else _Lowered(base.default), "upper", base.guard))
            if attr in ("lower", "casefold") and not args and base.tr is None:
                if attr == "casefold":
                    self.refuse("casefold()", node)
                return _carry(base, FieldV(base.path, base.default.lower() if isinstance(base.default, str) else base.default if base.default is RAISE else _Lowered(base.default), "lower", base.guard))
            if attr in ("startswith", "endswith") and len(args) == 1 and isinstance(args[0], Const) and not kwargs:
                if getattr(base, "split", None):
                    self.refuse(f".{attr}() of a part of a split field", node)
                return self.pred(base, attr, args[0].v, node)
            if attr == "split" and len(args) == 1 and isinstance(args[0], Const) and not kwargs and not getattr(base, "split", None) and base.tr in (None, "lower"):
                sep = args[0].v
                if not isinstance(sep, str) or sep == "" or sep != sep.lower() or sep != sep.upper():
                    self.refuse(".split() with a separator that has letters (or is empty)", node)
                return SplitV(base, sep)
            if attr in ("replace", "strip") and not kwargs:
                return self.field_text_method(base, attr, args, node)
            if attr in ("startswith", "endswith") and len(args) == 1 and not isinstance(args[0], Const):
                what = f"a part of the field {path_text(args[0].path)}" if isinstance(args[0], FieldV) and getattr(args[0], "split", None) else _desc(args[0])
                self.refuse(f".{attr}() of a field with {what} (the language compares a field with another only as it is)", node)
            self.refuse(f"the method .{attr}() of a field", node)
        if isinstance(base, ReV):
            if attr in ("match", "search", "fullmatch") and len(args) == 1:
                return self.regex(attr, base, args[0], node)
            self.refuse(f"the regex method .{attr}()", node)
        if attr == "intersection" and len(args) == 1 and not kwargs and (isinstance(base, SetV) or isinstance(args[0], SetV)):
            return self.set_and(base, args[0], node)
        if isinstance(base, Const) and isinstance(base.v, dict) and attr == "get" and args and not isinstance(args[0], Const):
            return self.const_get(base.v, args, kwargs, node)
        if self.as_choice(base, node) is not None:
            return self.distribute(self.as_choice(base, node), lambda v: self.method_of_value(v, attr, args, kwargs, node), node)
        if isinstance(base, Const):
            try:
                fn = getattr(base.v, attr)
                if attr not in ("lower", "upper", "startswith", "endswith", "get", "keys", "values", "strip", "split", "format", "join", "items"):
                    raise Refuse(f"the method .{attr}() of a constant", node)
                if not all(isinstance(a, Const) for a in args) or kwargs:
                    raise Refuse(f"the method .{attr}() of a constant with computed arguments", node)
                return Const(fn(*[a.v for a in args]))
            except Refuse:
                raise
            except Exception:  # noqa: BLE001
                self.refuse(f"the method .{attr}() of a constant", node)
        self.refuse(f"the method .{attr}() of {_desc(base)}", node)

    def deep_walk(self, args, kwargs, node):
        """event.deep_walk(*keys): where no key on the way holds a list (the field's shape is fixed
        by the schema or the Tests), it reads as deep_get; through lists it collects values, which
        the language cannot say."""
        keys = tuple(self.keyconst(a, node) for a in args)
        extra = set(kwargs) - {"default", "return_val"}
        if extra or not keys:
            self.refuse("event.deep_walk with unusual arguments", node)
        for k in ("default", "return_val"):
            if k in kwargs and not isinstance(kwargs[k], Const):
                self.refuse(f"event.deep_walk with a computed {k}=", node)
        default = kwargs["default"].v if "default" in kwargs else None
        for i in range(1, len(keys) + 1):
            kinds = self.kinds(keys[:i])
            if kinds is not None and "array" in kinds:
                if i == len(keys):
                    return self.walk_to_list(keys, kinds, default, node)
                return self.walk_through_list(keys[:i], keys[i:], kinds, kwargs, default, node)
        return self.field(keys, default, node)

    def walk_through_list(self, lpath, rest, kinds, kwargs, default, node):
        """event.deep_walk(*lpath, *rest) where lpath holds a list: the distinct values of rest in
        its elements (an element without one gives the default, unless it is None), one value when
        one is found, a list when several, the default when none. Only the idioms that read them as
        a list are translated (WalkV); the language cannot count distinct values."""
        where = f"event.deep_walk through {path_text(lpath)}, which holds a list"
        rv = kwargs["return_val"].v if "return_val" in kwargs else "all"
        if rv != "all":
            self.refuse(f"{where}, with return_val='{rv}' (the language cannot say which element is the {rv})", node)
        if self.info is None or (kinds - {"null"}) and not (kinds - {"null"}) <= {"array"}:
            self.refuse(where, node)
        if not (default is None or isinstance(default, (str, int, float, bool)) or default == []):
            self.refuse(f"{where}, with an unusual default", node)
        elems = []
        for ev in self.info.types.events:
            v = _walk(ev, lpath)
            if isinstance(v, list):
                elems.extend(v)
        if any(not isinstance(x, dict) for x in elems):
            self.refuse(f"{where}, whose elements the Tests do not show as all objects", node)
        et = Types(schema_items(self.info.types.schema, lpath), elems)
        for j in range(1, len(rest) + 1):
            k = et.get(tuple(p.lower() for p in rest[:j]))
            if k is not None and "array" in k:
                self.refuse(f"{where}, and through {path_text(lpath + rest[:j])}, another list", node)
            if j == len(rest) and k is not None and "object" in k:
                self.refuse(f"{where}, to {path_text(lpath + rest)}, which holds objects (unhashable: deep_walk raises)", node)
        lst = self.field(lpath, None, node)
        return WalkV(lst, tuple(rest), default, [] if default == [] else [default])

    def walk_nonempty(self, w):
        """Some value is found: an element whose rest of the path has a value (with a default other
        than None, any element: a missing one gives the default)."""
        pt = path_text(w.lst.path)
        if w.default is None or w.default == []:
            return P(f"{pt}[{path_text(w.rest)} exists]")
        return NOT(P(f"{pt} empty"))

    def walk_exists(self, w, var, body, test, env, node):
        """Some found value for which a loop body returns True (or a test holds)."""
        return self.exists_in_list(w.lst, var, [], test, env, node, body=body, elem=(w.rest, w.default))

    def walk_idiom_if(self, s, env):
        """`if not isinstance(w, list): w = [w]`: w, a deep_walk through a list, becomes the list of
        its values (WalkV.normal); None when s is not that statement."""
        t = s.test
        if not (isinstance(t, ast.UnaryOp) and isinstance(t.op, ast.Not) and not s.orelse and len(s.body) == 1):
            return None
        name = _isinstance_list_of(t.operand)
        if name is None or not isinstance(env.get(name), WalkV):
            return None
        b = s.body[0]
        if not (isinstance(b, ast.Assign) and len(b.targets) == 1 and isinstance(b.targets[0], ast.Name) and b.targets[0].id == name):
            return None
        if not (isinstance(b.value, ast.List) and len(b.value.elts) == 1 and isinstance(b.value.elts[0], ast.Name) and b.value.elts[0].id == name):
            return None
        env = dict(env)
        env[name] = env[name].normalized()
        return env

    def walk_idiom_ifexp(self, node, env):
        """`w if isinstance(w, list) else [w]` (the list of the values) and `any(w) if isinstance(w,
        list) else bool(w)` (some value is truthy); None when node is neither."""
        name = _isinstance_list_of(node.test)
        if name is None or not isinstance(env.get(name), WalkV):
            return None
        w = env[name]
        a, b = node.body, node.orelse
        if isinstance(a, ast.Name) and a.id == name and isinstance(b, ast.List) and len(b.elts) == 1 and isinstance(b.elts[0], ast.Name) and b.elts[0].id == name:
            return w.normalized()
        if _call_of(a, "any", name) and _call_of(b, "bool", name):
            nonempty = self.walk_nonempty(w)
            found = self.walk_exists(w, "_v", None, ast.Name(id="_v", ctx=ast.Load(), lineno=node.lineno, col_offset=0), {}, node)
            d = w.default
            empty = TRUE if (any(d) if isinstance(d, list) else bool(d)) else FALSE
            t = OR(AND(nonempty, found.t), AND(NOT(nonempty), empty))
            return BoolV(t, t, FALSE)
        self.refuse(f"isinstance() of event.deep_walk through {path_text(w.lst.path)}: true when several distinct values are found, which the language cannot count", node)

    def walk_list_loop(self, w, s, body, rest, env):
        """for x in (the values of a deep_walk through a list, normalized to a list)."""
        nonempty = self.walk_nonempty(w)
        found = self.walk_exists(w, s.target.id, body, None, env, s)
        found = BoolV(found.t, found.t, FALSE)  # deep_walk never raises for a missing list: none found
        t1, r1, e1 = self.block(rest, env)
        t1, r1, e1 = OR(found.t, AND(NOT(found.t), t1)), OR(found.t, AND(NOT(found.t), r1)), OR(found.e, AND(NOT(found.t), e1))
        t2, r2, e2 = self.block(self.unroll(s, s.target.id, [Const(x) for x in w.empty]) + rest, env)
        ne = NOT(nonempty)
        return OR(AND(nonempty, t1), AND(ne, t2)), OR(AND(nonempty, r1), AND(ne, r2)), OR(AND(nonempty, e1), AND(ne, e2))

    def walk_any_all(self, name, w, comp, g, env, node):
        """any(f(x) for x in values), any(values), all(values) over a normalized deep_walk."""
        nonempty = self.walk_nonempty(w)
        if comp is None:
            var, test = "_v", ast.Name(id="_v", ctx=ast.Load(), lineno=node.lineno, col_offset=0)
            if name == "all":
                test = ast.UnaryOp(op=ast.Not(), operand=test, lineno=node.lineno, col_offset=0)
            empty = (any if name == "any" else all)(w.empty)
        else:
            if name != "any" or comp.ifs:
                self.refuse(f"{name}() over the values of event.deep_walk through a list, with a condition", node)
            var, test = comp.target.id, g.elt
            t2, _, e2 = self.truth(self.any_all(name, ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=[ast.GeneratorExp(elt=g.elt, generators=[ast.comprehension(target=comp.target, iter=ast.Constant(value=tuple(w.empty)), ifs=[], is_async=0)])], keywords=[], lineno=node.lineno, col_offset=0), env), node)
            found = self.walk_exists(w, var, None, test, env, node)
            ne = NOT(nonempty)
            t = OR(AND(nonempty, found.t), AND(ne, t2))
            return BoolV(t, t, AND(ne, e2))
        found = self.walk_exists(w, var, None, test, env, node)
        inner = found.t if name == "any" else NOT(found.t)
        t = OR(AND(nonempty, inner), AND(NOT(nonempty), TRUE if empty else FALSE))
        return BoolV(t, t, FALSE)

    def walk_case_split(self, s, rest, env):
        """if isinstance(w, list): A else: B, w a deep_walk through a list: A runs when several
        distinct values are found (w is their list), B when one is (w is that value) or none (w is
        the default). The language cannot count the values, so A and B must give the same condition
        over the values found: some value for which ... (`list[...]`); otherwise refused."""
        name, negated = _walk_test_name(s.test, env)
        w = env[name]
        many, one = (s.orelse, s.body) if negated else (s.body, s.orelse)
        em = dict(env)
        em[name] = w.normalized()
        eo = dict(env)
        eo[name] = WalkOneV(w, name)
        ee = dict(env)
        ee[name] = Const(w.default)
        d_is_list = isinstance(w.default, list)
        ne = self.walk_nonempty(w)
        # both cases find a value (ne): compared, and used, under ne
        rm = tuple(AND(ne, x) for x in self.block(list(many) + rest, em))
        ro = tuple(AND(ne, x) for x in self.block(list(one) + rest, eo))
        if rm != ro:
            self.refuse(f"isinstance() of {_desc(w)}: the branches for one value and for several differ", s)
        re_ = self.block(list(many if d_is_list else one) + rest, ee)
        return tuple(OR(x, AND(NOT(ne), y)) for x, y in zip(rm, re_))

    def walk_one_expr(self, v, node, env):
        """An expression over the one value a deep_walk through a list found: every element's value
        is that value, so the expression holds of it when it holds of some element's value."""
        found = self.walk_exists(v.w, v.name, None, node, {}, node)
        return BoolV(found.t, found.t, FALSE)

    def walk_eq(self, w, c, node):
        """deep_walk(...) == C, C a scalar: one value is found and it is C (several: a list, never
        equal to C), so every element's value is C; none found: the default is C."""
        if w.normal or not isinstance(c.v, (str, int, float, bool)):
            self.refuse(f"comparison of {_desc(w)} with {_desc(c)}", node)
        nonempty = self.walk_nonempty(w)
        test = ast.Compare(left=ast.Name(id="_v", ctx=ast.Load()), ops=[ast.NotEq()], comparators=[ast.Constant(value=c.v)], lineno=node.lineno, col_offset=0)
        other = self.walk_exists(w, "_v", None, test, {}, node)
        try:
            empty = w.default == c.v
        except Exception:  # noqa: BLE001
            self.refuse(f"comparison of {_desc(w)} with {_desc(c)}", node)
        t = OR(AND(nonempty, NOT(other.t)), AND(NOT(nonempty), TRUE if empty else FALSE))
        return BoolV(t, t, FALSE)

    def walk_to_list(self, keys, kinds, default, node):
        """event.deep_walk(*keys) where only the last key holds a list: the list itself (deep_walk
        collects nothing), but an empty list (or null) reads as the default. The field is marked so
        that its `exists` is `not empty`."""
        if kinds - {"null"} and not (kinds - {"null"}) <= {"array"}:
            self.refuse(f"event.deep_walk to {path_text(keys)}, which is a list in some Tests and not in others", node)
        f = self.field(keys, default, node)
        f.walk_list = True
        return f

    def exists_in_list(self, lst, var, pre, test, env, node, body=None, elem=None):
        """Some element of the list field satisfies test: `path[cond]` over objects, the path's own
        existential predicates over strings. An element whose test raises is refused (Python stops
        at it, in order, which the language cannot say)."""
        if lst.tr is not None or lst.guard != FALSE:
            self.refuse("a loop over a transformed list", node)
        kinds = self.kinds(lst.path)
        if kinds is None or not (kinds - {"null"}) or not (kinds - {"null"}) <= {"array"}:
            self.refuse(f"a loop over {path_text(lst.path)}, which the Tests do not show as a list", node)
        if not (lst.default is None or lst.default == [] or lst.default == ()):
            self.refuse("a loop over a list field with an unusual default", node)
        missing_err = lst.default is None  # iterating None raises
        pt = path_text(lst.path)
        absent = P(f"{pt} empty") if getattr(lst, "walk_list", False) else NOT(P(f"{pt} exists"))
        elems = []
        for ev in self.info.types.events:
            v = _walk(ev, lst.path)
            if isinstance(v, list):
                elems.extend(v)
        ekinds = {kind_of(x) for x in elems}
        self.read(lst.path)
        if not ekinds and schema_items(self.info.types.schema, lst.path) is not None:
            ekinds = {"object"}  # the typed schema's list of objects, empty in every Test
        if ekinds and ekinds <= {"object"}:
            items_schema = schema_items(self.info.types.schema, lst.path)
            sub_info = Info(Types(items_schema, [x for x in elems if isinstance(x, dict)]), self.info.log_type, tuple(self.info.prefix) + tuple(lst.path) + ("[]",), self.info)
            sub = Interp(self.ctx, self.module, sub_info)
            sub.depth = self.depth + 1
            # values read from the event before the loop: seen in the body only as lists to loop over
            env2 = {k: (OuterV(v) if isinstance(v, (FieldV, BoolV, SeqV, WalkV)) else v) for k, v in env.items()}
            sub_info.outer = (self, env)
            env2[var] = ElemRootV() if elem is None else sub.field(elem[0], elem[1], node)
            if elem is not None:
                env2[var].walked = True
            for b in pre:
                sub.walrus_env(b, env2)
                env2[b.targets[0].id] = sub.eval(b.value, env2)
            if body is not None:
                t, e = sub.loop_body_found(body, env2, node)
            else:
                t, _, e = sub.truth(sub.eval(test, env2), test)
            if elem is not None and (elem[1] is None or elem[1] == []):
                # deep_walk collects only the elements where the rest of the path has a value
                t = AND(P(f"{path_text(elem[0])} exists"), t)
                e = AND(P(f"{path_text(elem[0])} exists"), e)

            def some(x):
                return FALSE if x == FALSE else NOT(P(f"{pt} empty")) if x == TRUE else P(f"{pt}[{render(x)}]")

            inner, elem_err = self.expand_outer(sub_info.placeholders, t, e, some, node)
        elif ekinds and ekinds <= {"string"}:
            f = FieldV(lst.path, None)
            f.ekinds = {"string"}
            env2 = dict(env)
            env2[var] = f
            for b in pre:
                # each test of the element stays existential over the list: exact for a disjunction
                self.walrus_env(b, env2)
                env2[b.targets[0].id] = self.eval(b.value, env2)
            if body is not None:
                t, e = self.loop_body_found(body, env2, node)
            else:
                t, _, e = self.truth(self.eval(test, env2), test)
            elem_err = FALSE
            if e != FALSE or not _positive_or(t):
                self.refuse("a test over list elements that is not a disjunction of tests of the element", node)
            inner = t
        else:
            self.refuse(f"a loop over {pt}, whose elements the Tests do not show as all objects or all strings", node)
        # exclusive: a missing list has no element, and where an element may raise none returns True
        e = OR(AND(absent, TRUE if missing_err else FALSE), elem_err)
        return BoolV(inner, inner, e)

    def loop_body_found(self, body, env, node):
        """The condition on one element under which a loop body returns True. The body may only
        return True or go on to the next element (`continue`, or its end) for every element: an
        element whose body returns anything else or raises stops the loop there, and which element
        comes first is an order the language cannot say."""
        t, r, e = self.block(list(body) + [("continue",)], env)
        found = _subst(r, CONTINUE, FALSE)
        if not _tautology(OR(_subst(r, CONTINUE, TRUE), e)):
            self.refuse("a loop over a list field whose body may return something other than True (Python stops at the first such element, in order)", node)
        return found, e

    def expand_outer(self, placeholders, t, e, some, node):
        """Some element returns True (t), some raises (e): over a list, where the body may also loop
        over a list read before the loop (a placeholder pair: that inner loop returns True, raises, or
        neither, conditions on the event, not on the element). In each of those cases the element
        conditions are the body's with the case filled in; where, in one case, an element may return
        True and another raise, the first in order decides, which the language cannot say."""
        worlds = [([], TRUE)]
        for xr, xe, rr, ee in placeholders:
            worlds = [
                (subs + extra, AND(c, cond))
                for subs, c in worlds
                for extra, cond in (([(xr, TRUE), (xe, FALSE)], AND(rr, NOT(ee))), ([(xr, FALSE), (xe, TRUE)], ee), ([(xr, FALSE), (xe, FALSE)], AND(NOT(rr), NOT(ee))))
            ]
            if len(worlds) > 81:
                self.refuse("too many loops over event lists inside a loop over a list", node)
        found, err = FALSE, FALSE
        for subs, c in worlds:
            if c == FALSE:
                continue
            ts, es = t, e
            for a, v in subs:
                ts, es = _subst(ts, a, v), _subst(es, a, v)
            if ts != FALSE and es != FALSE:
                self.refuse("a test over list elements that may raise", node)
            found = OR(found, AND(c, some(ts)))
            err = OR(err, AND(c, some(es)))
        return found, err

    def outer_loop(self, s, rest, env):
        """`for y in L` inside the body of a loop over list elements, L read from the event before the
        outer loop: the inner loop does not depend on the element, so the outer interpreter decides
        when it returns True or raises; the body sees those as placeholders (expand_outer)."""
        o = self.info.outer if self.info is not None else None
        if o is None:
            self.refuse("a for loop over a value read from the event outside the loop it is in", s)
        parent, penv = o
        oenv = {}
        for k, v in env.items():
            if isinstance(v, OuterV):
                oenv[k] = v.v
            elif k in penv and penv[k] is v:
                oenv[k] = v
        used = {n.id for n in ast.walk(s) if isinstance(n, ast.Name)}
        if used & (set(env) - set(oenv)):
            self.refuse("a loop over an event list inside a loop over a list, reading the outer loop's element", s)
        t0, r0, e0 = parent.block([s], oenv)
        if AND(t0, NOT(r0)) != FALSE:
            self.refuse("a loop over an event list inside a loop over a list, whose body may return something other than True", s)
        n = len(self.info.placeholders)
        xr, xe = P(f"\x00outer{n}r"), P(f"\x00outer{n}e")
        self.info.placeholders.append((xr, xe, r0, e0))
        t1, r1, e1 = self.block(rest, env)
        go = AND(NOT(xr), NOT(xe))
        return OR(xr, AND(go, t1)), OR(xr, AND(go, r1)), OR(xe, AND(go, e1))

    def loop_over_list(self, lst, s, body, rest, env):
        """for x in list: a body of guards, `continue`, assignments and `return True`: some element
        for which the body returns True (`list[cond]`), else the statements after the loop."""
        found = self.exists_in_list(lst, s.target.id, [], None, env, s, body=body)
        t, r, e = self.block(rest, env)
        return OR(found.t, AND(NOT(found.t), NOT(found.e), t)), OR(found.t, AND(NOT(found.t), NOT(found.e), r)), OR(found.e, AND(NOT(found.t), e))

    def udm(self, args, kwargs, node):
        if len(args) == 1 and set(kwargs) == {"default"} and isinstance(kwargs["default"], Const) and kwargs["default"].v is not None:
            return self.udm_default(args, kwargs["default"].v, node)
        if len(args) != 1 or kwargs or not isinstance(args[0], Const):
            self.refuse("event.udm with unusual arguments", node)
        name = args[0].v
        if self.info is None or self.info.log_type is None:
            self.refuse("event.udm outside a rule", node)
        self.info.udm = True
        dm = self.ctx.data_models.get(self.info.log_type)
        if dm is None:
            self.refuse(f"event.udm('{name}'): no data model for {self.info.log_type}", node)
        for m in dm["mappings"]:
            if m.get("Name") == name:
                if "Path" in m:
                    p = m["Path"]
                    if p.startswith("$."):
                        p = p[2:]
                    if not re.fullmatch(r"[A-Za-z0-9_@\-]+(\.[A-Za-z0-9_@\-]+)*", p):
                        self.refuse(f"event.udm('{name}'): the data model path {m['Path']} is not a plain path", node)
                    return self.field(tuple(p.split(".")), None, node)
                if "Method" in m:
                    mod = self.ctx.module(dm["module"]) if dm.get("module") else None
                    if mod is None:
                        self.refuse(f"event.udm('{name}'): the data model's Python is missing", node)
                    fn = mod.lookup(m["Method"], node)
                    return self.inline(fn, [EventV()], {}, node)
        self.refuse(f"event.udm('{name}'): the data model of {self.info.log_type} has no mapping {name}", node)

    def any_all(self, name, node, env):
        if len(node.args) != 1 or node.keywords:
            self.refuse(f"{name}() with unusual arguments", node)
        g = node.args[0]
        if isinstance(g, (ast.List, ast.Tuple)):
            # any([a, b]) / all([a, b]): every element is evaluated first (an error in any raises)
            parts = [self.truth(self.eval(x, env), x) for x in g.elts]
            e = OR(*[p[2] for p in parts])
            ts = [p[0] for p in parts]
            t = AND(NOT(e), OR(*ts) if name == "any" else AND(*ts))
            return BoolV(t, t, e)
        if not isinstance(g, (ast.GeneratorExp, ast.ListComp)) or len(g.generators) != 1:
            it = self.eval(g, env)
            if isinstance(it, Const):
                return Const(any(it.v) if name == "any" else all(it.v))
            if isinstance(it, WalkV) and it.normal:
                return self.walk_any_all(name, it, None, None, env, node)
            self.refuse(f"{name}() over something other than a generator", node)
        comp = g.generators[0]
        if comp.is_async or not isinstance(comp.target, ast.Name):
            self.refuse(f"{name}() with an unusual generator", node)
        it = self.eval(comp.iter, env)
        if isinstance(it, WalkV) and it.normal:
            return self.walk_any_all(name, it, comp, g, env, node)
        if isinstance(it, FieldV) and name == "any" and not comp.ifs:
            return self.exists_in_list(it, comp.target.id, [], g.elt, env, node)
        items = self.items_of(it, f"{name}()", node)
        t, e = (FALSE, FALSE) if name == "any" else (TRUE, FALSE)
        for x in items:
            env2 = dict(env)
            env2[comp.target.id] = x
            conds = [self.truth(self.eval(c, env2), c) for c in comp.ifs]
            ti, _, ei = self.truth(self.eval(g.elt, env2), g.elt)
            guard_t, guard_e = TRUE, FALSE
            for ct, _, ce in conds:
                guard_e = OR(guard_e, AND(guard_t, ce))
                guard_t = AND(guard_t, ct)
            ti, ei = AND(guard_t, ti), OR(guard_e, AND(guard_t, ei))
            if name == "any":
                go = AND(NOT(t), NOT(e))
                t, e = OR(t, AND(go, ti)), OR(e, AND(go, ei))
            else:
                go = AND(t, NOT(e))
                fi = AND(guard_t, NOT(ti), NOT(ei))
                # all(): true when no element is false; a filtered-out element counts as true
                t = AND(t, NOT(fi), NOT(ei))
                e = OR(e, AND(go, ei))
        return BoolV(t, t, e)

    # ------------------------------------------------------------ values chosen by conditions

    def as_choice(self, v, node):
        """v as a ChoiceV: itself, or the values a multi-statement helper returns; None otherwise."""
        if isinstance(v, ChoiceV):
            return v
        if isinstance(v, BoolV) and getattr(v, "lazy", None) is not None:
            lazy, v.lazy = v.lazy, None
            try:
                choices, e = lazy()
            except Refuse as r:
                if r.file is None:
                    r.file = getattr(v, "lazy_file", None)
                raise
            c = self.make_choice(choices, e, node)
            if not isinstance(c, ChoiceV):
                # one value whatever the path: a choice of one
                try:
                    t, r, e1 = self.truth(c, node)
                except Refuse:
                    return None
                c = ChoiceV([(TRUE, c)], t, r, e1)
            v.choice = c
        return getattr(v, "choice", None)

    def make_choice(self, choices, e, node, exclusive=False):
        """The ChoiceV of (cond, value) pairs (nested choices flattened), or the one value.
        exclusive: each cond already implies that e is false."""
        flat = []
        for c, v in choices:
            if c == FALSE:
                continue
            if isinstance(v, ChoiceV):
                e = OR(e, AND(c, v.e))
                flat.extend((AND(c, ci), vi) for ci, vi in v.choices if AND(c, ci) != FALSE)
            else:
                flat.append((c, v))
        if e == FALSE and len(flat) == 1 and flat[0][0] == TRUE:
            return flat[0][1]
        ok = TRUE if exclusive else NOT(e)
        flat = [(AND(ok, c), v) for c, v in flat]
        t, r, ee = FALSE, FALSE, e
        for c, v in flat:
            ti, ri, ei = self.truth(v, node)
            t, r, ee = OR(t, AND(c, ti)), OR(r, AND(c, ri)), OR(ee, AND(c, ei))
        if size(t) + size(ee) > 4000:
            self.refuse("the rule's branches expand to too large a condition", node)
        return ChoiceV(flat, t, r, ee)

    def distribute(self, ch, f, node):
        """f(value) for each value of the choice ch: the choice of the results."""
        # a value that always raises stays an error, whatever is done with it
        return self.make_choice([(c, v if _raises(v) else f(v)) for c, v in ch.choices], ch.e, node, True)

    def compare_choice(self, node, a, b, env):
        """A comparison with a choice on either side: the comparison of each of its values."""
        side = "a" if self.as_choice(a, node) is not None else "b"
        ch = self.as_choice(a if side == "a" else b, node)

        def one(v):
            env2 = dict(env)
            env2["\0a"], env2["\0b"] = (v, b) if side == "a" else (a, v)
            synthetic = ast.Compare(left=ast.Name(id="\0a", ctx=ast.Load()), ops=node.ops, comparators=[ast.Name(id="\0b", ctx=ast.Load())], lineno=node.lineno, col_offset=node.col_offset)
            return self.e_Compare(synthetic, env2)

        return self.distribute(ch, one, node)

    def const_get(self, d, args, kwargs, node):
        """CONST.get(key, default) with the key read from the event: the value of each of the dict's
        keys the key may equal (as `==` compares, which is how a dict finds a key), else the default;
        an unhashable key (a list or an object) raises."""
        if len(args) not in (1, 2) or kwargs:
            self.refuse("the method .get() of a constant with unusual arguments", node)
        key = args[0]
        default = args[1] if len(args) == 2 else Const(None)
        if not isinstance(key, FieldV):
            self.refuse(f"the method .get() of a constant with the key {_desc(key)}", node)
        if len(d) > 200:
            self.refuse("the method .get() of a constant with more than 200 keys", node)
        keys = list(d.keys())
        if not all(isinstance(k, str) or k is None for k in keys):
            self.refuse("the method .get() of a constant whose keys are not all strings (or None)", node)
        self.hashing = True
        try:
            found = self.pred(key, "in", tuple(k for k in keys if k is not None), node)
        finally:
            self.hashing = False
        choices = []
        for k in keys:
            if k is None:
                # the key None: a missing (or null) field that reads as None
                isnone = self.pred(key, "isnone", None, node)
                choices.append((AND(isnone.t, NOT(isnone.e)), Const(d[k])))
                found = BoolV(OR(found.t, AND(isnone.t, NOT(isnone.e))), None, found.e)
                continue
            # equal to a string key: the key is a string (or a transform of one), so nothing raised
            choices.append((self.pred(key, "eq", k, node).t, Const(d[k])))
        if default is RAISE:
            # CONST[key]: a key the dict does not hold raises KeyError
            return self.make_choice(choices, OR(found.e, AND(NOT(found.t), NOT(found.e))), node, True)
        choices.append((AND(NOT(found.t), NOT(found.e)), default))
        return self.make_choice(choices, found.e, node, True)

    def try_statements(self, s, rest, env):
        """try/except in rule() itself whose handlers all return a value that is not True, or `pass` on
        to statements that never return True (evaluated as they run after the handler: without what
        the body bound): an error in the body means no alert whether a handler catches it or not
        (Panther counts a rule error as no alert), so the body runs as if the try were not there. Any
        other try is refused: which errors a handler catches, and what runs after it, the language
        cannot follow."""
        if not getattr(self, "top", False):
            self.refuse(f"a try statement in a helper{_try_around(s)} (its handler's value would be used)", s)
        if s.finalbody or s.orelse:
            self.refuse("a try statement with finally or else", s)
        for h in s.handlers:
            body = [b for b in h.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
            if len(body) == 1 and isinstance(body[0], ast.Pass) and self.never_true_after(s, rest, env):
                continue
            if not (len(body) == 1 and isinstance(body[0], ast.Return) and (body[0].value is None or isinstance(body[0].value, ast.Constant) and body[0].value.value is not True)):
                self.refuse("a try statement whose handler does more than return a value that is not True", h)
        return list(s.body)

    def never_true_after(self, s, rest, env):
        """The statements after try statement s (what a handler that passes runs) never return True,
        with the names as they were before the try (they read none the try's body binds)."""
        bound = {n.id for b in s.body for n in ast.walk(b) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
        read = {n.id for b in rest if isinstance(b, ast.AST) for n in ast.walk(b) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        if bound & read:
            return False
        try:
            _, r, _ = self.block(list(rest), env)
        except Refuse:
            return False
        return r == FALSE

    def block_over_choice(self, s, ch, rest, env):
        """`for x in <choice>: ...`: the statements run with each of the choice's values."""
        loop = ast.For(target=s.target, iter=ast.Name(id="\0it", ctx=ast.Load()), body=s.body, orelse=[], lineno=s.lineno, col_offset=s.col_offset)
        t, r, e = FALSE, FALSE, ch.e
        for c, v in ch.choices:
            if isinstance(v, ChoiceV) or getattr(v, "lazy", None) is not None:
                self.refuse("a for loop over a value chosen among computed values", s)
            env2 = dict(env)
            env2["\0it"] = v
            if _not_iterable(v):
                t, e = t, OR(e, c)  # iterating over None (a dict's .get default) raises TypeError
                continue
            ti, ri, ei = self.block([loop] + rest, env2)
            t, r, e = OR(t, AND(c, ti)), OR(r, AND(c, ri)), OR(e, AND(c, ei))
        return t, r, e

    def boolop_value(self, vals, is_or, node):
        """The value of `a or b` (a when a is truthy, else b) and `a and b` (a when a is falsy, else b)."""
        choices, e, go = [], FALSE, TRUE
        for i, v in enumerate(vals):
            if i == len(vals) - 1:
                choices.append((go, v))
                break
            t, _, ei = self.truth(v, node)
            e = OR(e, AND(go, ei))
            stop = t if is_or else AND(NOT(t), NOT(ei))
            choices.append((AND(go, stop), v))
            go = AND(go, NOT(ei), NOT(t) if is_or else t)
        return choices, e

    def float_of(self, v, node):
        """float(x): a field the typed schema fixes as a number is that number (JSON numbers are
        floats or whole numbers that float() keeps); a missing one raises unless its default converts."""
        if isinstance(v, Const):
            try:
                return Const(float(v.v))
            except Exception:  # noqa: BLE001
                self.refuse("float() of a constant that raises", node)
        if not isinstance(v, FieldV) or v.tr is not None or getattr(v, "split", None) or getattr(v, "ekinds", None) is not None:
            self.refuse(f"float() of {_desc(v)}", node)
        fixed = self.fixed(v.path)
        if fixed is None or not fixed <= {"number"}:
            self.refuse(f"float() of {path_text(v.path)}, which the log type's schema does not fix as a number (float() parses strings)", node)
        if v.default is RAISE:
            return v
        if isinstance(v.default, (int, float)) and not isinstance(v.default, bool):
            return FieldV(v.path, float(v.default), None, v.guard)
        # float(None) raises TypeError: the missing field raises
        return FieldV(v.path, RAISE, None, v.guard)

    def udm_default(self, args, default, node):
        """event.udm(name, default=d): the mapped value, or d where it is None."""
        v = self.udm(args, {}, node)
        if isinstance(v, FieldV) and v.tr is None and v.default is None and not getattr(v, "split", None):
            return FieldV(v.path, default, None, v.guard)
        self.refuse("event.udm with default= over a data model method", node)

    def eq_empty_container(self, f, empty, node):
        """x == [] (x == {}): x is an empty list (object). The field's shape is fixed by the schema or,
        free-form, by the Tests; the language's `empty` is true for both, and for "" and missing."""
        if f.tr is not None or getattr(f, "split", None) or getattr(f, "ekinds", None) is not None:
            self.refuse(f"comparison of {_desc(f)} with an empty {type(empty).__name__}", node)
        want = "array" if isinstance(empty, list) else "object"
        kinds = self.kinds(f.path)
        pt = path_text(f.path)
        shown = (kinds or set()) - {"null"}
        mixed = shown == {"array", "object"}
        if not shown or not (shown <= {want} or mixed):
            self.refuse(f"{pt} == {empty!r}: the Tests do not show {pt} as always a {'list' if want == 'array' else 'dict'}", node)
        self.read(f.path)
        ex = P(f"{pt} exists")
        missing = f.default is not RAISE and f.default == empty and type(f.default) is type(empty)
        is_empty = P(f"{pt} empty")
        if mixed:
            # a list in some Tests, an object in others: `empty` holds for [] and {} alike; a lone
            # object counts as one element for `x[...]`, an empty list has none (nor "": not empty)
            one = P(f"{pt}[_ empty or not _ empty]")
            is_empty = AND(is_empty, NOT(P(f'{pt} eq ""')), NOT(one) if want == "array" else one)
        t = AND(NOT(f.guard), OR(AND(ex, is_empty), AND(NOT(ex), TRUE if missing else FALSE)))
        e = OR(f.guard, AND(NOT(ex), TRUE if f.default is RAISE else FALSE))
        return BoolV(t, t, e)

    def key_in_event(self, key, node):
        """`"k" in event`: the key is there, null or not. The language's `exists` is false for null,
        so only where the events hold no null at k: a field of a typed schema (Panther's parsers leave
        out a typed field without a value), or a free-form log type whose Tests show no null there.
        A key a typed schema does not have is never in an event of that log type: false."""
        if self.info is None or self.info.prefix:
            self.refuse("'in' the event inside a loop over a list", node)
        path = (key,)
        schema = self.info.types.schema
        if schema is not None:
            if not any(k.lower() == key.lower() for k in schema):
                # An event of a typed log type holds the schema's fields and no other (the
                # language refuses a field its schema lacks): the key is never there.
                return BoolV(FALSE, FALSE, FALSE)
            self.read(path)
            if self.fixed(path) is None:
                self.refuse(f"'{key}' in the event: {key} is free-form (json) in the log type's schema, and may hold null", node)
        else:
            self.read(path)
            kinds = self.kinds(path)
            if kinds is not None and "null" in kinds:
                self.refuse(f"'{key}' in the event, where the Tests show {key} as null (present, but the language's exists is false)", node)
        c = P(f"{path_text(path)} exists")
        return BoolV(c, c, FALSE)

    def set_of(self, f, node):
        """set(x) of a list field whose elements are scalars (the typed schema's, else the Tests'): the
        set of its elements. set() of None (a missing x read as None) or of a number raises; of a
        string it is its characters, of an object its keys, so the field's shape must be a list."""
        if f.tr is not None or getattr(f, "split", None) or getattr(f, "ekinds", None) is not None or getattr(f, "walk_list", False):
            self.refuse(f"set() of {_desc(f)}", node)
        pt = path_text(f.path)
        kinds = self.kinds(f.path)
        if kinds is None or not (kinds - {"null"}) or not (kinds - {"null"}) <= {"array"}:
            self.refuse(f"set() of {pt}, which the Tests do not show as a list", node)
        items = _schema_node(self.info.types.schema, f.path) if self.info is not None else None
        if items is not None and items.get("type") == "array":
            ok = items.get("items", {}).get("type") in ("string", "number", "boolean", "timestamp", "ip")
        else:
            elems = [x for ev in (self.info.types.events if self.info is not None else []) for x in (_walk(ev, f.path) or []) if isinstance(_walk(ev, f.path), list)]
            ok = bool(elems) and all(not isinstance(x, (dict, list)) for x in elems)
        if not ok:
            self.refuse(f"set() of {pt}, whose elements the schema or the Tests do not show as scalars (a list or an object is unhashable)", node)
        if not (f.default is RAISE or f.default is None or isinstance(f.default, (list, tuple)) and all(isinstance(x, (str, int, float, bool)) for x in f.default)):
            self.refuse(f"set() of {pt} with an unusual default", node)
        self.read(f.path)
        return SetV(f)

    def set_and(self, a, b, node):
        """set(x) & C, C & set(x), .intersection(): the elements of x that are one of the constant strings C."""
        s, c = (a, b) if isinstance(a, SetV) else (b, a)
        if not isinstance(s, SetV) or not isinstance(c, Const) or not isinstance(c.v, (set, frozenset, list, tuple)):
            self.refuse(f"the intersection of {_desc(a)} and {_desc(b)}", node)
        cs = frozenset(c.v)
        if not all(isinstance(x, str) for x in cs):
            self.refuse("the intersection of set() of a field with constants that are not all strings (1 == True == 1.0)", node)
        return SetV(s.field, cs if s.consts is None else s.consts & cs)

    def set_truth(self, s, node):
        """The set is not empty: x holds an element (one of the constants, for an intersection); x
        missing reads as its default, and set(None) raises."""
        f = s.field
        pt = path_text(f.path)
        ex = P(f"{pt} exists")
        if s.consts is None:
            present = NOT(P(f"{pt} empty"))
        else:
            items = sorted(s.consts)
            self.read(f.path, items)
            present = FALSE if not items else P(f"{pt} eq {lit(items[0])}") if len(items) == 1 else P(f"{pt} in {lits(items)}")
        if f.default is RAISE or f.default is None:
            missing, missing_err = FALSE, TRUE
        else:
            d = set(f.default)
            missing, missing_err = (TRUE if (d if s.consts is None else d & s.consts) else FALSE), FALSE
        t = AND(NOT(f.guard), OR(AND(ex, present), AND(NOT(ex), missing)))
        e = OR(f.guard, AND(NOT(ex), missing_err))
        return BoolV(t, t, e)

    def str_len_compare(self, op, a, b, node):
        """len(x) compared with a whole number, x a string field (the typed schema's, or free-form
        where the Tests show only strings): how many characters (code points, as the language counts
        them) as a regular expression; len() of a number or a boolean raises, of None too."""
        flip = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE, ast.Eq: ast.Eq, ast.NotEq: ast.NotEq}
        if isinstance(b, StrLenV):
            if type(op) not in flip:
                self.refuse("a comparison with len() of a field", node)
            a, b, op = b, a, flip[type(op)]()
        if not (isinstance(b, Const) and type(b.v) is int) or type(op) not in flip:
            self.refuse("len() of a field compared with something other than a whole number", node)
        f, n = a.field, b.v
        pt = path_text(f.path)
        kinds = self.kinds(f.path)
        fixed = self.fixed(f.path)
        only_str = fixed is not None and fixed <= {"string"}
        if not only_str and (kinds is None or not (kinds - {"null"}) or not (kinds - {"null"}) <= {"string"}):
            self.refuse(f"len() of {pt}, which the Tests do not show as a string (len() of a list counts its elements)", node)
        if n > 1000 or n < -1000:
            self.refuse("len() of a field compared with too large a number", node)

        def ge(k):  # at least k characters
            return TRUE if k <= 0 else P(f"{pt} matches '^(?:.|\\n){{{k}}}'")

        # != is computed as == here: the caller negates it (as every `!=`)
        c = {ast.GtE: lambda: ge(n), ast.Gt: lambda: ge(n + 1), ast.Lt: lambda: NOT(ge(n)), ast.LtE: lambda: NOT(ge(n + 1)), ast.Eq: lambda: AND(ge(n), NOT(ge(n + 1))), ast.NotEq: lambda: AND(ge(n), NOT(ge(n + 1)))}[type(op)]()
        ex = P(f"{pt} exists")
        str_err = FALSE if only_str else AND(ex, NOT(P(f"{pt} like \"*\"")))
        d = f.default
        if d is RAISE or not isinstance(d, (str, list, tuple, dict)):
            missing = "error"
        else:
            missing = _py_compare(ast.Eq() if isinstance(op, ast.NotEq) else op, len(d), n)
        e = OR(f.guard, str_err, AND(NOT(ex), TRUE if missing == "error" else FALSE))
        t = AND(NOT(e), OR(AND(ex, c), AND(NOT(ex), TRUE if missing is True else FALSE)))
        self.read(f.path, ["a" * max(0, k) for k in (n - 1, n, n + 1)] + ["\n" * max(0, n), "é" * max(0, n + 1)])
        return BoolV(t, t, e)

    def set_len_compare(self, op, a, b, node):
        """len(set(...)) compared with 0 or 1 as a test of emptiness: > 0, >= 1 (not empty); == 0,
        < 1, <= 0 (empty; != 0 is its negation). Other counts refused (distinct elements cannot be counted)."""
        flip = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE, ast.Eq: ast.Eq, ast.NotEq: ast.NotEq}
        if isinstance(b, SetLenV):
            if type(op) not in flip:
                self.refuse("a comparison with len() of a set", node)
            a, b, op = b, a, flip[type(op)]()
        if not (isinstance(b, Const) and type(b.v) is int):
            self.refuse("len() of a set compared with something other than a whole number", node)
        # != is computed as == here: the caller negates it (as every `!=`)
        k = (ast.Eq if isinstance(op, ast.NotEq) else type(op), b.v)
        nonempty = {(ast.Gt, 0), (ast.GtE, 1)}
        empty = {(ast.Eq, 0), (ast.Lt, 1), (ast.LtE, 0)}
        if k not in nonempty and k not in empty:
            self.refuse("len() of a set compared other than with 0 (distinct elements cannot be counted)", node)
        x = self.set_truth(a.s, node)
        if k in nonempty:
            return x
        f = AND(NOT(x.t), NOT(x.e))
        return BoolV(f, f, x.e)

    def key_in_element(self, key, node):
        """`"k" in elem` for an element of a list of objects: the key is there, null or not. As for
        the event: `k exists` where the elements hold no null at k (a typed element's field; free-form
        where the Tests show no null there); a key a typed element lacks is never there."""
        path = (key,)
        self.read(path)
        if self.info.types.schema is not None:
            if self.fixed(path) is None:
                return BoolV(FALSE, FALSE, FALSE)
        else:
            kinds = self.kinds(path)
            if kinds is not None and "null" in kinds:
                self.refuse(f"'{key}' in a list element, where the Tests show {key} as null (present, but the language's exists is false)", node)
        c = P(f"{path_text(path)} exists")
        return BoolV(c, c, FALSE)

    def method_of_value(self, v, attr, args, kwargs, node):
        """A method of one value of a choice: a constant whose method raises in Python (None.lower())
        is an error under that value's condition, which the path may exclude."""
        if isinstance(v, Const) and all(isinstance(a, Const) for a in args) and not kwargs and attr in ("lower", "upper", "startswith", "endswith", "get", "strip", "split"):
            try:
                getattr(v.v, attr)(*[a.v for a in args])
            except Exception:  # noqa: BLE001
                return BoolV(FALSE, FALSE, TRUE)
        return self.method(v, attr, args, kwargs, node)

    def ip_of(self, v, network, node):
        """ip_address(x) / ip_network(x) of a field the log type's schema types as ip: an address
        when x is one (the language's cidr reads the same strict forms: dotted quads without leading
        zeros, RFC 4291 IPv6), ValueError otherwise. A value with a prefix length or a zone id, which
        Python would also parse, is not an address a field typed ip holds."""
        if isinstance(v, Const):
            import ipaddress
            try:
                return Const((ipaddress.ip_network if network else ipaddress.ip_address)(v.v))
            except Exception:  # noqa: BLE001
                return BoolV(FALSE, FALSE, TRUE)
        ch = self.as_choice(v, node)
        if ch is not None:
            return self.distribute(ch, lambda x: self.ip_of(x, network, node), node)
        if not isinstance(v, FieldV) or v.tr is not None or getattr(v, "split", None) or getattr(v, "ekinds", None) is not None:
            self.refuse(f"ipaddress.ip_{'network' if network else 'address'}() of {_desc(v)}", node)
        if self.info is None or _schema_type(self.info.types.schema, v.path) != "ip":
            self.refuse(f"ipaddress.ip_{'network' if network else 'address'}() of {path_text(v.path)}, which the log type's schema does not type as ip", node)
        self.read(v.path, ["10.0.0.1", "8.8.8.8", "100.64.0.1", "::1", "2606:4700::1111", "::ffff:10.0.0.1", "010.0.0.1"])
        pt = path_text(v.path)
        valid = P(f'{pt} cidr ["0.0.0.0/0", "::/0"]')
        if v.default is not RAISE:
            import ipaddress
            try:
                (ipaddress.ip_network if network else ipaddress.ip_address)(v.default)
                self.refuse("ipaddress of a field whose default is an address", node)
            except Refuse:
                raise
            except Exception:  # noqa: BLE001
                pass  # the missing field raises
        # an address exists: a missing field (None, or a default that is no address) raises too
        e = OR(v.guard, NOT(valid))
        return IpV(v, network, e)

    def ip_attribute(self, base, attr, node):
        """.network_address of a one-address network (ip_network of an address) is that address;
        .version is 6 where the value is an IPv6 address (`cidr "::/0"`, IPv4-mapped ones too, as
        Python reads them), else 4."""
        if attr == "network_address":
            if not base.network:
                self.refuse("the attribute .network_address of an address", node)
            return IpV(base.field, False, base.e)
        v6 = AND(NOT(base.e), P(f'{path_text(base.field.path)} cidr "::/0"'))
        v4 = AND(NOT(base.e), NOT(v6))
        return self.make_choice([(v4, Const(4)), (v6, Const(6))], base.e, node, True)

    def ip_method(self, base, attr, args, kwargs, node):
        """ip_network(x).subnet_of(N), .supernet_of(N) with N a constant network, x an address (a
        one-address network): x in N (`cidr`); networks of different versions raise TypeError."""
        if attr not in ("subnet_of", "supernet_of") or not base.network or len(args) != 1 or kwargs or not isinstance(args[0], Const) or not isinstance(args[0].v, _NET_TYPES):
            self.refuse(f"the method .{attr}() of an address read from a field", node)
        net = args[0].v
        pt = path_text(base.field.path)
        v6 = AND(NOT(base.e), P(f'{pt} cidr "::/0"'))
        same = v6 if net.version == 6 else AND(NOT(base.e), NOT(v6))
        if attr == "subnet_of":
            inside = P(f"{pt} cidr {lit(str(net))}")
        else:
            # a one-address network is a supernet of N only where N is that one address
            inside = P(f"{pt} cidr {lit(str(net))}") if net.num_addresses == 1 else FALSE
        e = OR(base.e, AND(NOT(base.e), NOT(same)))
        t = AND(NOT(e), inside)
        return BoolV(t, t, e)

    def ip_property(self, base, attr, node):
        """.is_private / .is_global of an address (or one-address network): cidr over the networks
        python3's ipaddress lists (checked against ipaddress itself on the networks' edges)."""
        if isinstance(base, Const):
            return Const(getattr(base.v, attr))
        if isinstance(base, ChoiceV) or not isinstance(base, IpV):
            ch = self.as_choice(base, node)
            return self.distribute(ch, lambda x: x if _raises(x) else self.ip_property(x, attr, node), node)
        private, public4, netprivate = _ip_lists()
        pt = path_text(base.field.path)
        nets = (netprivate if base.network else private) + (public4 if attr == "is_global" else [])
        inside = P(f"{pt} cidr {lits(nets)}")
        c = AND(NOT(base.e), inside if attr == "is_private" else NOT(inside))
        return BoolV(c, c, base.e)

    def unpack(self, s, env):
        """`a, b = x, y`, `a, b = CONST`, `a, b = helper(event)` where every return of the helper is a
        tuple of that length: element i is the helper with each `return (..)` cut to its i-th part."""
        names = [e.id if isinstance(e, ast.Name) else None for e in s.targets[0].elts]
        if None in names:
            self.refuse("an assignment to a nested or starred target", s)
        n = len(names)
        v = s.value
        env = dict(env)
        if isinstance(v, (ast.Tuple, ast.List)) and len(v.elts) == n and not any(isinstance(e, ast.Starred) for e in v.elts):
            vals = [self.eval(e, env) for e in v.elts]
        elif isinstance(v, ast.Call) and not v.keywords and not any(isinstance(a, ast.Starred) for a in v.args) and isinstance(self.eval(v.func, env), FuncV):
            fn = self.eval(v.func, env)
            returns = [r for r in ast.walk(fn.node) if isinstance(r, ast.Return)]
            if not returns or not all(isinstance(r.value, ast.Tuple) and len(r.value.elts) == n for r in returns):
                self.refuse(f"an assignment of {fn.node.name}()'s value to {n} names: not every return is a tuple of {n}", s)
            if any(isinstance(x, (ast.FunctionDef, ast.Lambda)) for x in ast.walk(fn.node) if x is not fn.node):
                self.refuse(f"an assignment of {fn.node.name}()'s value: a nested function", s)
            args = [self.eval(a, env) for a in v.args]
            vals = []
            for i in range(n):
                d = copy.deepcopy(fn.node)
                for r in ast.walk(d):
                    if isinstance(r, ast.Return):
                        r.value = r.value.elts[i]
                vals.append(self.inline(FuncV(d, fn.module), args, {}, v))
        else:
            c = self.eval(v, env)
            if not isinstance(c, Const) or not isinstance(c.v, (tuple, list)) or len(c.v) != n:
                self.refuse("an assignment to several names of something other than a tuple of that length", s)
            vals = [Const(x) for x in c.v]
        for name, val in zip(names, vals):
            env[name] = val
        return env

    def const_iter(self, s, env):
        try:
            return isinstance(self.eval(s.iter, env), Const)
        except Refuse:
            return False

    def unroll_constant_loop(self, s, env):
        """`for k, v in CONST.items():` and loops over constants whose body has `if ...: continue`:
        the body once per element, names bound; `if c: continue` runs the rest of the body under
        `not c` (the next element follows either way)."""
        it = self.eval(s.iter, env)
        names = [s.target.id] if isinstance(s.target, ast.Name) else [e.id if isinstance(e, ast.Name) else None for e in s.target.elts]
        if None in names:
            self.refuse("a for loop with a nested tuple target", s)
        body = _without_continue(s.body)
        if body is None or any(isinstance(x, (ast.Break, ast.Continue)) for b in body for x in ast.walk(b)):
            self.refuse("break or continue in a loop", s)
        try:
            items = list(it.v)
        except TypeError:
            self.refuse("a for loop over a constant that is not iterable", s)
        if len(items) > 200:
            self.refuse("a for loop over more than 200 constants", s)
        out = []
        for x in items:
            if len(names) == 1 and isinstance(s.target, ast.Name):
                out.append(("bind", names[0], Const(x)))
            else:
                if not isinstance(x, (tuple, list)) or len(x) != len(names):
                    self.refuse("a for loop whose elements do not unpack into its names", s)
                out.extend(("bind", n, Const(y)) for n, y in zip(names, x))
            out.extend(body)
        return out

    def unstar(self, node, env):
        """f(*CONST): the constant's elements as the arguments."""
        args = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                v = self.eval(a.value, env)
                if not isinstance(v, Const) or not isinstance(v.v, (list, tuple)):
                    self.refuse("a call with * arguments that are not constant", node)
                args.extend(ast.Constant(value=x, lineno=node.lineno, col_offset=node.col_offset) for x in v.v)
            else:
                args.append(a)
        return ast.Call(func=node.func, args=args, keywords=node.keywords, lineno=node.lineno, col_offset=node.col_offset)

    def computed_default(self, f, default, node):
        """deep_get(..., default=<a computed value>): the field where it is not None, else the default."""
        if not isinstance(f, FieldV) or f.default is not None or f.tr is not None:
            self.refuse("a computed default=", node)
        ex = AND(NOT(f.guard), P(f"{path_text(f.path)} exists"))
        return self.make_choice([(ex, f), (AND(NOT(f.guard), NOT(ex)), default)], f.guard, node, True)

    def block_value(self, stmts, env):
        """The values the function returns when it runs stmts: ([(cond, value)], e), as block() gives
        their truth."""
        if not stmts:
            return [(TRUE, Const(None))], FALSE
        s = stmts[0]
        rest = stmts[1:]
        if isinstance(s, tuple) and s[0] == "bind":
            env = dict(env)
            env[s[1]] = s[2]
            return self.block_value(rest, env)
        if isinstance(s, ast.stmt):
            env = self.walrus_env(s, env)
        if isinstance(s, ast.Return):
            return [(TRUE, Const(None) if s.value is None else self.eval(s.value, env))], FALSE
        if isinstance(s, ast.If):
            c = self.eval(s.test, env)
            if isinstance(c, Const):
                return self.block_value((s.body if c.v else s.orelse) + rest, env)
            tc, _, ec = self.truth(c, s)
            fc = AND(NOT(tc), NOT(ec))
            if tc == FALSE and ec == FALSE:
                return self.block_value(list(s.orelse) + rest, env)
            bc, be = self.block_value(list(s.body) + rest, env)
            if tc == TRUE:
                return bc, be
            oc, oe = self.block_value(list(s.orelse) + rest, env)
            choices = [(AND(tc, c1), v) for c1, v in bc] + [(AND(fc, c1), v) for c1, v in oc]
            return [(c1, v) for c1, v in choices if c1 != FALSE], OR(ec, AND(tc, be), AND(fc, oe))
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], (ast.Tuple, ast.List)):
            return self.block_value(rest, self.unpack(s, env))
        if isinstance(s, (ast.Assign, ast.AnnAssign)):
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            if len(targets) != 1 or not isinstance(targets[0], ast.Name) or s.value is None:
                self.refuse("an assignment to something other than one name", s)
            env = dict(env)
            env[targets[0].id] = self.eval(s.value, env)
            return self.block_value(rest, env)
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) or isinstance(s, (ast.Pass, ast.Global)):
            return self.block_value(rest, env)
        if isinstance(s, ast.Expr):
            err = self.error_of(self.eval(s.value, env), s)
            ok = NOT(err)
            ch, e = self.block_value(rest, env)
            return [(AND(ok, c), v) for c, v in ch if AND(ok, c) != FALSE], OR(err, AND(ok, e))
        if isinstance(s, ast.For) and not s.orelse and isinstance(s.target, ast.Name):
            it = self.eval(s.iter, env)
            if isinstance(it, Const) and not any(isinstance(x, (ast.Break, ast.Continue)) for x in ast.walk(s)):
                items = list(it.v)
                if len(items) > 200:
                    self.refuse("a for loop over more than 200 constants", s)
                unrolled = []
                for x in items:
                    unrolled.append(("bind", s.target.id, Const(x)))
                    unrolled.extend(s.body)
                return self.block_value(unrolled + rest, env)
            if isinstance(it, FieldV):
                # a loop over a list field whose body returns True or goes on: True where some element
                # returns it (exactly True: loop_body_found checks), else the statements after it
                body = [b for b in s.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
                found = self.exists_in_list(it, s.target.id, [], None, env, s, body=body)
                ch, e = self.block_value(rest, env)
                go = AND(NOT(found.t), NOT(found.e))
                return [(found.t, Const(True))] + [(AND(go, c), v) for c, v in ch if AND(go, c) != FALSE], OR(found.e, AND(go, e))
        self.refuse(f"the value of a helper with the statement {type(s).__name__}", s)

    # ------------------------------------------------------------ functions and statements

    def inline(self, fn, args, kwargs, node):
        if self.depth >= MAX_DEPTH:
            self.refuse("helpers nested too deep (recursion?)", node)
        d = fn.node
        a = d.args
        if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
            self.refuse(f"inlining {d.name}(): *args, **kwargs or keyword-only parameters", node)
        params = [p.arg for p in a.args]
        defaults = dict(zip(params[len(params) - len(a.defaults):], a.defaults))
        env = {}
        if len(args) > len(params):
            self.refuse(f"{d.name}() called with too many arguments", node)
        for p, v in zip(params, args):
            env[p] = v
        for k, v in kwargs.items():
            if k not in params or k in env:
                self.refuse(f"{d.name}() called with keyword {k}", node)
            env[k] = v
        sub = Interp(self.ctx, fn.module, self.info)
        sub.depth = self.depth + 1
        for p in params:
            if p not in env:
                if p not in defaults:
                    self.refuse(f"{d.name}() called without {p}", node)
                env[p] = sub.eval(defaults[p], {})
        if self.info is not None:
            self.info.inlined.add(d.name)
        body = [s for s in d.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
            try:
                return sub.eval(body[0].value, sub.walrus_env(body[0], env))
            except Refuse as r:
                if r.file is None:
                    r.file = fn.module.file
                raise
        v = sub.value_flow(body, env)
        if v is not None:
            return v
        t, r, e = sub.block(body, env)
        out = BoolV(t, r, e)
        out.lazy = lambda: sub.block_value(body, env)
        out.lazy_file = fn.module.file
        return out

    def value_flow(self, stmts, env):
        """The value a helper returns where its path is fixed by constants (`if isinstance(groups,
        str): return [groups]`), so that a helper may return a collection, not only a boolean; None
        where a test or an assignment depends on the event (then block() gives its truth)."""
        env = dict(env)
        stmts = list(stmts)
        while stmts:
            s = stmts.pop(0)
            env = self.walrus_env(s, env)
            if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) or isinstance(s, ast.Pass):
                continue
            if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
                v = self.eval(s.value, env)
                if not isinstance(v, Const):
                    return None
                env[s.targets[0].id] = v
                continue
            if isinstance(s, ast.If):
                c = self.eval(s.test, env)
                if not isinstance(c, Const):
                    return None
                stmts = list(s.body if c.v else s.orelse) + stmts
                continue
            if isinstance(s, ast.Return) and s.value is not None:
                return self.eval(s.value, env)
            return None
        return None

    def block(self, stmts, env):
        """(t, r, e) of the function's return value when it runs stmts."""
        if not stmts:
            return FALSE, FALSE, FALSE  # returns None
        s = stmts[0]
        rest = stmts[1:]
        if isinstance(s, tuple) and s[0] == "continue":
            # the end of a loop body over a list field (loop_body_found): the next element
            return CONTINUE, CONTINUE, FALSE
        if isinstance(s, tuple) and s[0] == "bind":
            env = dict(env)
            env[s[1]] = s[2]
            return self.block(rest, env)
        if isinstance(s, ast.stmt):
            env = self.walrus_env(s, env)
        if isinstance(s, ast.Return):
            if s.value is None:
                return FALSE, FALSE, FALSE
            return self.truth(self.eval(s.value, env), s)
        if isinstance(s, ast.If) and self.walk_idiom_if(s, env) is not None:
            return self.block(rest, self.walk_idiom_if(s, env))
        if isinstance(s, ast.If) and _walk_test_name(s.test, env) is not None:
            return self.walk_case_split(s, rest, env)
        if isinstance(s, ast.If):
            c = self.eval(s.test, env)
            if isinstance(c, Const):
                return self.block((s.body if c.v else s.orelse) + rest, env)
            tc, _, ec = self.truth(c, s)
            fc = AND(NOT(tc), NOT(ec))
            if tc == FALSE and ec == FALSE:
                return self.block(list(s.orelse) + rest, env)  # the body never runs
            bt, br, be = self.block(list(s.body) + rest, env)
            if tc == TRUE:
                return bt, br, be
            ot, orr, oe = self.block(list(s.orelse) + rest, env)
            out = OR(AND(tc, bt), AND(fc, ot)), OR(AND(tc, br), AND(fc, orr)), OR(ec, AND(tc, be), AND(fc, oe))
            if size(out[0]) + size(out[2]) > 4000:
                self.refuse("the rule's branches expand to too large a condition", s)
            return out
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], (ast.Tuple, ast.List)):
            return self.block(rest, self.unpack(s, env))
        if isinstance(s, (ast.Assign, ast.AnnAssign)):
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            if len(targets) != 1 or not isinstance(targets[0], ast.Name) or s.value is None:
                self.refuse("an assignment to something other than one name", s)
            v = self.eval(s.value, env)
            env = dict(env)
            env[targets[0].id] = v
            return self.block(rest, env)
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant):
            return self.block(rest, env)
        if isinstance(s, ast.Pass) or isinstance(s, ast.Global):
            # `global X`: X is read from the module as any name is (assignments stay local to the call)
            return self.block(rest, env)
        if isinstance(s, ast.For) and not s.orelse and (isinstance(s.target, ast.Tuple) or _continues(s.body)) and self.const_iter(s, env):
            return self.block(self.unroll_constant_loop(s, env) + rest, env)
        if isinstance(s, ast.For) and not s.orelse and isinstance(s.target, ast.Name):
            it = self.eval(s.iter, env)
            if isinstance(it, OuterV):
                return self.outer_loop(s, rest, env)
            if isinstance(it, WalkV) and it.normal:
                return self.walk_list_loop(it, s, [b for b in s.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))], rest, env)
            if isinstance(it, FieldV):
                body = [b for b in s.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
                last = body[-1] if body else None
                pre = body[:-1]
                if (
                    isinstance(last, ast.If)
                    and not last.orelse
                    and len(last.body) == 1
                    and isinstance(last.body[0], ast.Return)
                    and isinstance(last.body[0].value, ast.Constant)
                    and last.body[0].value.value is True
                    and all(isinstance(b, ast.Assign) and len(b.targets) == 1 and isinstance(b.targets[0], ast.Name) for b in pre)
                ):
                    found = self.exists_in_list(it, s.target.id, pre, last.test, env, s)
                    t, r, e = self.block(rest, env)
                    return OR(found.t, AND(NOT(found.t), NOT(found.e), t)), OR(found.t, AND(NOT(found.t), NOT(found.e), r)), OR(found.e, AND(NOT(found.t), e))
                return self.loop_over_list(it, s, body, rest, env)
            if self.as_choice(it, s) is not None:
                return self.block_over_choice(s, self.as_choice(it, s), rest, env)
            if not isinstance(it, (Const, SeqV)):
                self.refuse(f"a for loop over {_desc(it)}", s)
            if isinstance(it, Const) and len(list(it.v)) > 200:
                self.refuse("a for loop over more than 200 constants", s)
            return self.block(self.unroll(s, s.target.id, self.items_of(it, "a for loop", s)) + rest, env)
        if isinstance(s, ast.For) and not s.orelse and isinstance(s.target, ast.Tuple) and all(isinstance(x, ast.Name) for x in s.target.elts):
            # for a, b in CONST.items(): each constant pair unpacked
            it = self.eval(s.iter, env)
            if not isinstance(it, Const):
                self.refuse(f"a for loop with several names over {_desc(it)}", s)
            names = [x.id for x in s.target.elts]
            items = list(it.v)
            if len(items) > 200 or not all(isinstance(x, (tuple, list)) and len(x) == len(names) for x in items):
                self.refuse("a for loop with several names over constants that do not unpack to them", s)
            unrolled = []
            for x in items:
                unrolled.extend(("bind", n, Const(v)) for n, v in zip(names, x))
                unrolled.extend(s.body)
                unrolled.append(("iter_end",))
            unrolled.append(("loop_end",))
            return self.block(unrolled + rest, env)
        if isinstance(s, ast.Try):
            return self.block(self.try_statements(s, rest, env) + rest, env)
        if isinstance(s, ast.Expr):
            # a value computed and dropped (`event.deep_get(...)`, `ip_address(x)`): only its error counts
            err = self.error_of(self.eval(s.value, env), s)
            t, r, e = self.block(rest, env)
            ok = NOT(err)
            return AND(ok, t), AND(ok, r), OR(err, AND(ok, e))
        if isinstance(s, tuple) and s[0] in ("iter_end", "loop_end"):
            return self.block(rest, env)
        if isinstance(s, (ast.Break, ast.Continue)):
            # in a loop over constants (unrolled): to the end of this pass, or of the whole loop
            want = "iter_end" if isinstance(s, ast.Continue) else "loop_end"
            for i, x in enumerate(rest):
                if isinstance(x, tuple) and x[0] == want:
                    return self.block(rest[i + 1:], env)
                if isinstance(x, tuple) and x[0] == "continue":
                    break
            if isinstance(s, ast.Continue) and any(isinstance(x, tuple) and x[0] == "continue" for x in rest):
                return CONTINUE, CONTINUE, FALSE
            self.refuse("break in a loop over a list field" if isinstance(s, ast.Break) else "continue outside a loop the import unrolls", s)
        self.refuse(f"the statement {type(s).__name__}", s)

    def unroll(self, s, name, vals):
        """A loop over constants (or a SeqV) as statements: each element bound, the body, and the
        markers `continue` and `break` go to."""
        out = []
        for x in vals:
            out.append(("bind", name, x))
            out.extend(s.body)
            out.append(("iter_end",))
        out.append(("loop_end",))
        return out


_UPPER = None


def _upper_table():
    """upper-case text -> the characters whose .upper() is exactly that text."""
    global _UPPER
    if _UPPER is None:
        _UPPER = {}
        for cp in range(0x110000):
            if 0xD800 <= cp < 0xE000:
                continue
            c = chr(cp)
            u = c.upper()
            _UPPER.setdefault(u, []).append(c)
    return _UPPER


META = set("\\.^$|?*+()[]{}")


def _cls(chars):
    if len(chars) == 1:
        c = chars[0]
        return ("\\" + c) if c in META else c
    return "[" + "".join(("\\" + c) if c in "\\]^-[" else c for c in chars) + "]"


def upper_regex(text):
    """A regex (portable subset) matching exactly the strings s with s.upper() == text, or None when
    no string has that upper case (text has a character that is not upper case) or when multi-
    character expansions overlap (then the caller refuses)."""
    table = _upper_table()
    n = len(text)
    # multi-character expansions that occur in text, by start
    multi = {}
    for u, chars in table.items():
        if len(u) > 1 and u in text:
            start = text.find(u)
            while start != -1:
                multi.setdefault(start, []).append((u, chars))
                start = text.find(u, start + 1)
    spans = sorted((st, st + len(u)) for st, lst in multi.items() for u, _ in lst)
    for (a1, b1), (a2, b2) in zip(spans, spans[1:]):
        if a2 < b1:
            return None
    out = []
    i = 0
    while i < n:
        singles = table.get(text[i])
        if not singles:
            return None
        if i in multi:
            u, chars = multi[i][0]
            seq = "".join(_cls(table.get(ch, [])) if table.get(ch) else "" for ch in u)
            if any(not table.get(ch) for ch in u):
                return None
            out.append("(?:" + seq + "|" + _cls(sorted(chars)) + ")")
            i += len(u)
            continue
        out.append(_cls(sorted(singles)))
        i += 1
    return "".join(out)


class _Str:
    """The default of str(field) when the field is missing: str(default)."""

    def __init__(self, v):
        self.s = str(v)


# the decimal digits int() reads, by value (Unicode Nd)
_DIGITS = [[chr(c) for c in range(0x110000) if chr(c).isdecimal() and __import__("unicodedata").decimal(chr(c)) == k] for k in range(10)]

# the characters str.strip() removes (str.isspace())
_WS = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())


def _rx_char(ch):
    """One character as a literal of the portable regular-expression subset."""
    if ch in "\\.^$|?*+()[]{}-/":
        return "\\" + ch
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    return ch


class _Lowered:
    """The default of a field that went through .lower(): None.lower() raises."""

    def __init__(self, v):
        self.v = v

    def lower(self):
        raise AttributeError("lower")

    def __getattr__(self, name):
        raise AttributeError(name)


import ipaddress as _ipaddress  # noqa: E402

_IP_TYPES = (_ipaddress.IPv4Address, _ipaddress.IPv6Address, _ipaddress.IPv4Network, _ipaddress.IPv6Network)
_NET_TYPES = (_ipaddress.IPv4Network, _ipaddress.IPv6Network)
_IP_LISTS = None


def _ip_lists():
    """(networks whose addresses python3's ipaddress calls private, as cidr literals; the IPv4
    networks an address's is_global also excludes). IPv4-mapped IPv6 addresses are private as their
    IPv4 address is. Checked on each network's edges against ipaddress itself; a python3 whose rules
    differ (exceptions inside the lists, other is_global logic) refuses."""
    global _IP_LISTS
    if _IP_LISTS is None:
        ip = _ipaddress
        v4 = list(ip.IPv4Address._constants._private_networks)
        v6 = list(ip.IPv6Address._constants._private_networks)
        mapped96 = ip.IPv6Network("::ffff:0:0/96")
        mapped = [ip.IPv6Network(((0xFFFF << 32) | int(n.network_address), 96 + n.prefixlen)) for n in v4]
        nets = v4 + [n for n in v6 if n != mapped96] + mapped
        netnets = v4 + v6  # a network is private when it lies inside one (a mapped one too)
        pub = getattr(ip.IPv4Address._constants, "_public_network", None)
        public4 = [pub] if pub is not None else []
        probes = []
        for n in nets + netnets + public4:
            for a in (int(n.network_address), int(n.broadcast_address)):
                for d in (-1, 0, 1):
                    x = a + d
                    if 0 <= x < (1 << n.max_prefixlen):
                        probes.append(ip.ip_address(x) if n.version == 4 else ip.IPv6Address(x))
        ok = True
        for a in probes:
            private = any(a in n for n in nets if n.version == a.version)
            netprivate = any(a in n for n in netnets if n.version == a.version)
            shared = any(a in n for n in public4 if n.version == a.version)
            if a.is_private != private or ip.ip_network(a).is_private != netprivate or ip.ip_network(a).is_global != (not netprivate and not shared):
                ok = False
            if a.is_global != (not private and not shared):
                ok = False
        _IP_LISTS = ([str(n) for n in nets], [str(n) for n in public4], [str(n) for n in netnets]) if ok else False
    if _IP_LISTS is False:
        raise Refuse("is_private / is_global: this python3's ipaddress rules are not the ones modelled")
    return _IP_LISTS


def _schema_node(schema, path):
    """The node a typed schema has at path (its keys matched exactly, else case-insensitively), or None."""
    if schema is None:
        return None
    t = {"type": "object", "fields": schema}
    for p in path:
        if t.get("type") != "object":
            return None
        fields = t.get("fields", {})
        t = fields.get(p) or next((v for k, v in fields.items() if k.lower() == p.lower()), None)
        if t is None:
            return None
    return t


def _schema_type(schema, path):
    """The type a typed schema gives path (ip, string, ...), or None."""
    t = _schema_node(schema, path)
    return None if t is None else t.get("type")


def _continues(body):
    return any(isinstance(b, ast.If) and len(b.body) == 1 and isinstance(b.body[0], ast.Continue) for b in body)


def _without_continue(body):
    """A loop body with `if c: continue` turned into `if c: pass / else: <the rest of the body>`."""
    for i, b in enumerate(body):
        if isinstance(b, ast.If) and len(b.body) == 1 and isinstance(b.body[0], ast.Continue) and not b.orelse:
            rest = _without_continue(body[i + 1:])
            if rest is None:
                return None
            return list(body[:i]) + [ast.If(test=b.test, body=[ast.Pass()], orelse=rest, lineno=b.lineno, col_offset=b.col_offset)]
    return list(body)


def _not_iterable(v):
    if not isinstance(v, Const):
        return False
    try:
        iter(v.v)
    except TypeError:
        return True
    return False


def _raises(v):
    return isinstance(v, BoolV) and not isinstance(v, ChoiceV) and v.e == TRUE


def _try_around(s):
    """` around json.loads()`: the first call of a module function in a try's body, to name it."""
    for n in ast.walk(ast.Module(body=s.body, type_ignores=[])):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name):
            return f" around {n.func.value.id}.{n.func.attr}()"
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id not in ("str", "len", "isinstance"):
            return f" around {n.func.id}()"
    return ""


def _py_dollar(pat):
    """Python's `$` (no MULTILINE) also matches before a newline that ends the value; the language's
    `$` only at the very end: `$` becomes `(?:\\n?$)` (outside classes, unescaped)."""
    out, i, in_cls = [], 0, False
    while i < len(pat):
        c = pat[i]
        if c == "\\":
            out.append(pat[i:i + 2])
            i += 2
            continue
        if in_cls:
            if c == "]" and not (out and out[-1] in ("[", "[^")):
                in_cls = False
            out.append(c)
        elif c == "[":
            in_cls = True
            if pat[i + 1:i + 2] == "^":
                out.append("[^")
                i += 2
                continue
            out.append(c)
        elif c == "$":
            out.append(r"(?:\n?$)")
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _empty_default(d):
    return d is None or d == {}


def _py_compare(op, a, b):
    return {
        ast.Eq: lambda: a == b,
        ast.NotEq: lambda: a != b,
        ast.In: lambda: a in b,
        ast.NotIn: lambda: a not in b,
        ast.Is: lambda: a is b,
        ast.IsNot: lambda: a is not b,
        ast.Lt: lambda: a < b,
        ast.Gt: lambda: a > b,
        ast.LtE: lambda: a <= b,
        ast.GtE: lambda: a >= b,
    }[type(op)]()


def _desc(v):
    if isinstance(v, FieldV):
        return f"the field {path_text(v.path)}" + (" (lower-cased)" if v.tr else "")
    if isinstance(v, Const):
        return f"a constant {type(v.v).__name__}"
    if isinstance(v, BoolV):
        return "a boolean expression"
    if isinstance(v, EventV):
        return "the event"
    if isinstance(v, SeqV):
        return "a list of values read from the event"
    if isinstance(v, SplitV):
        return f"the parts of {_desc(v.field)} split at {v.sep!r}"
    if isinstance(v, SetV):
        return f"set() of the field {path_text(v.field.path)}" + (" (intersected with constants)" if v.consts is not None else "")
    if isinstance(v, SetLenV):
        return f"len() of {_desc(v.s)}"
    if isinstance(v, StrLenV):
        return f"len() of {_desc(v.field)}"
    if isinstance(v, OuterV):
        return f"{_desc(v.v)}, read before the loop over a list it is used in"
    if isinstance(v, WalkV):
        return f"event.deep_walk through {path_text(v.lst.path)}, which holds a list (one value when one distinct value is found, a list when several)"
    if isinstance(v, tuple) and v and v[0] == "method":
        return f"the method .{v[2]}"
    if isinstance(v, Builtin):
        return f"{v.name}()"
    if isinstance(v, ModuleV):
        return f"the module {v.module if isinstance(v.module, str) else v.module.name}"
    return type(v).__name__


# ---------------------------------------------------------------- types seen in the Tests and the schema


def _walk(ev, path):
    v = ev
    for p in path:
        if not isinstance(v, dict):
            return None
        keys = [x for x in v if x == p] or [x for x in v if x.lower() == p.lower()]
        if not keys:
            return None
        v = v[keys[0]]
    return v


def _positive_or(x):
    if x[0] == "p":
        return True
    if x[0] == "or":
        return all(_positive_or(y) for y in x[1])
    return False


def schema_items(schema, path):
    """The fields of a typed list's object elements, or None."""
    t = _schema_node(schema, path)
    if t is None:
        return None
    if t.get("type") == "array" and t.get("items", {}).get("type") == "object":
        return t["items"].get("fields", {})
    return None


def schema_kinds(schema, path):
    """Kinds a typed schema allows at path, or None (unknown / free-form)."""
    if schema is None:
        return None
    t = {"type": "object", "fields": schema}
    for p in path:
        if t.get("type") == "object":
            fields = t.get("fields", {})
            nxt = fields.get(p)
            if nxt is None:
                low = [v for k, v in fields.items() if k.lower() == p.lower()]
                nxt = low[0] if low else None
            if nxt is None:
                return None
            t = nxt
        else:
            return None
    ty = t.get("type")
    return {
        "string": {"string"},
        "timestamp": {"string"},
        "ip": {"string"},
        "number": {"number"},
        "boolean": {"boolean"},
        "object": {"object"},
        "array": {"array"},
    }.get(ty)


class Types(dict):
    """path (lower case) -> kinds: the schema's where it is typed, else the kinds the Tests show."""

    def __init__(self, schema, events):
        super().__init__()
        self.schema, self.events = schema, events

    def get(self, path, default=None):
        if path in self:
            return self[path]
        k = schema_kinds(self.schema, path)
        if k is None:
            seen = set()
            for ev in self.events:
                v = ev
                ok = True
                for p in path:
                    if isinstance(v, dict):
                        keys = [x for x in v if x == p] or [x for x in v if x.lower() == p]
                        if not keys:
                            ok = False
                            break
                        v = v[keys[0]]
                    else:
                        ok = False
                        break
                if ok:
                    seen.add(kind_of(v))
            k = seen if seen else None
        self[path] = k
        return k


def translate(ctx, name, source, file, log_type, schema, events):
    """-> {"condition": text, "reads": {path: [literal json]}, "inlined": [...]} or {"refuse": msg, "file", "line"}."""
    try:
        mod = Module(name, source, file, ctx)
    except SyntaxError as e:
        return {"refuse": f"Python syntax error: {e.msg}", "file": file, "line": e.lineno}
    info = Info(Types(schema, events), log_type)
    try:
        fn = mod.env.get("rule")
        if not isinstance(fn, FuncV):
            raise Refuse("the module defines no rule(event)")
        interp = Interp(ctx, mod, info)
        interp.top = True  # the statements of rule() itself (helpers are inlined by other Interps)
        d = fn.node
        if len(d.args.args) != 1:
            raise Refuse("rule() does not take exactly one argument", d, file)
        env = {d.args.args[0].arg: EventV()}
        body = [s for s in d.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        t, r, e = interp.block(body, env)
        if r == FALSE:
            # Never true for this log type: a rule split per log type leaves this one out (proven
            # on the log type's events), a rule of one log type is refused.
            return {
                "refuse": "the rule is never true",
                "never": True,
                "reads": {json.dumps(list(k)): sorted(v) for k, v in info.reads.items()},
                "inlined": sorted(info.inlined),
            }
        if size(r) > 3000:
            raise Refuse("the condition is too large", d, file)
        text = render(r)
        if len(text) > MAX_TEXT:
            raise Refuse("the condition is too large", d, file)
    except Refuse as x:
        return {"refuse": x.message, "file": x.file or file, "line": x.line}
    except RecursionError:
        return {"refuse": "the rule nests too deep", "file": file, "line": None}
    return {
        "condition": text,
        "reads": {json.dumps(list(k)): sorted(v) for k, v in info.reads.items()},
        "inlined": sorted(info.inlined),
        "udm": info.udm,
    }


# ---------------------------------------------------------------- title() and dedup()


def _field_path(node):
    """event.get("k"), event.deep_get("a", "b", default=...), deep_get(event, ...) -> path, or None."""
    if not isinstance(node, ast.Call) or node.keywords and any(k.arg != "default" for k in node.keywords):
        return None
    f = node.func
    args = node.args
    if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "event" and f.attr in ("get", "deep_get"):
        keys = args[:1] if f.attr == "get" else args
    elif isinstance(f, ast.Name) and f.id == "deep_get" and args and isinstance(args[0], ast.Name) and args[0].id == "event":
        keys = args[1:]
    else:
        return None
    if f.attr == "get" if isinstance(f, ast.Attribute) else False:
        if len(args) > 2:
            return None
    if not keys or not all(isinstance(k, ast.Constant) and isinstance(k.value, str) and k.value for k in keys):
        return None
    return tuple(k.value for k in keys)


def translate_outputs(source, file):
    """title() as an AlertTitle template and dedup() as DedupFields, where they are plain field
    formatting (an f-string of event fields, or one field); None otherwise."""
    try:
        tree = ast.parse(source, filename=file)
    except SyntaxError:
        return {"title": None, "dedup": None}
    fns = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}

    def single_return(fn):
        if fn is None or len(fn.args.args) != 1 or fn.args.args[0].arg != "event":
            return None
        body = [b for b in fn.body if not (isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant))]
        if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
            return None
        return body[0].value

    title = None
    v = single_return(fns.get("title"))
    if isinstance(v, ast.JoinedStr):
        parts = []
        ok = True
        for x in v.values:
            if isinstance(x, ast.Constant) and isinstance(x.value, str):
                parts.append(x.value.replace("{", "{{").replace("}", "}}"))
            elif isinstance(x, ast.FormattedValue) and x.conversion == -1 and x.format_spec is None and _field_path(x.value):
                parts.append("{" + path_text(_field_path(x.value)) + "}")
            else:
                ok = False
                break
        if ok and any(p.startswith("{") and not p.startswith("{{") for p in parts):
            title = "".join(parts)
    dedup = None
    v = single_return(fns.get("dedup"))
    if v is not None and _field_path(v):
        dedup = [path_text(_field_path(v))]
    return {"title": title, "dedup": dedup}
