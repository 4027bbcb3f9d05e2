/**
 * The small private helpers a generated rule may need, as Python source. A rule file carries only
 * the helpers its condition uses (and what those use), always in this order, so the output is
 * deterministic. They rely on Panther's event API only through `.get` on mappings, and on the
 * standard library; Panther hands nested objects over as read-only mappings and arrays as
 * read-only sequences, so they test `Mapping` / `Sequence`, never `dict` / `list`.
 */

export type HelperName =
  | "_flatten"
  | "_branches"
  | "_values"
  | "_exists"
  | "_empty"
  | "_float"
  | "_eq"
  | "_number"
  | "_lower"
  | "_contains"
  | "_startswith"
  | "_endswith"
  | "_like"
  | "_matches"
  | "_cidr";

interface Helper {
  readonly imports: readonly string[];
  readonly uses: readonly HelperName[];
  /** Module-level constants the helper needs (printed before the helpers). */
  readonly constants?: readonly string[];
  readonly source: string;
}

const HELPERS: Readonly<Record<HelperName, Helper>> = {
  _flatten: {
    imports: ["from collections.abc import Sequence"],
    uses: [],
    source: `def _flatten(values):
    """Yield each value, looking through arrays (nested arrays too)."""
    for value in values:
        if isinstance(value, Sequence) and not isinstance(value, str):
            yield from _flatten(value)
        else:
            yield value`,
  },
  _branches: {
    imports: ["from collections.abc import Mapping"],
    uses: ["_flatten"],
    source: `def _branches(event, *keys):
    """The value at the end of each branch of a path through the arrays on its way.

    A branch that does not resolve gives None; the last value is kept whole.
    """
    values = [event]
    for key in keys:
        values = [
            value.get(key) if isinstance(value, Mapping) else None for value in _flatten(values)
        ]
    return values`,
  },
  _values: {
    imports: [],
    uses: ["_flatten", "_branches"],
    source: `def _values(event, *keys):
    """Every value a path reaches, arrays looked through, missing values (None) left out."""
    return [value for value in _flatten(_branches(event, *keys)) if value is not None]`,
  },
  _exists: {
    imports: [],
    uses: ["_branches"],
    source: `def _exists(event, *keys):
    """\`exists\`: some branch of the path is present and not null."""
    return any(value is not None for value in _branches(event, *keys))`,
  },
  _empty: {
    imports: ["from collections.abc import Mapping", "from collections.abc import Sequence"],
    uses: ["_branches"],
    source: `def _empty(event, *keys):
    """\`empty\`: no branch of the path, or one that is missing, null, "", [] or {}."""
    branches = _branches(event, *keys)
    return not branches or any(
        value is None or (isinstance(value, (Sequence, Mapping)) and len(value) == 0)
        for value in branches
    )`,
  },
  _float: {
    imports: ["import math"],
    uses: [],
    source: `def _float(value):
    """A JSON number as the float the reference semantics reads; NaN for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf`,
  },
  _eq: {
    imports: [],
    uses: ["_float"],
    source: `def _eq(value, other):
    """Typed equality: strings, numbers (1 == 1.0) and booleans each equal only their own kind.

    In Python True == 1; here a boolean never equals a number, and objects equal nothing.
    """
    if isinstance(value, str) or isinstance(other, str):
        return isinstance(value, str) and value == other
    if isinstance(value, bool) or isinstance(other, bool):
        return value is other
    return _float(value) == _float(other)`,
  },
  _number: {
    imports: ["import math", "import re"],
    uses: ["_float"],
    constants: ['_DECIMAL = re.compile(r"-?[0-9]+(?:\\.[0-9]+)?")'],
    source: `def _number(value):
    """A number, or a string that is exactly a decimal number, as a float; NaN for the rest."""
    if isinstance(value, str):
        return float(value) if _DECIMAL.fullmatch(value) else math.nan
    return _float(value)`,
  },
  _lower: {
    imports: [],
    uses: [],
    source: `def _lower(value):
    """Lower-case a string (the i-forms); any other value is left as it is."""
    return value.lower() if isinstance(value, str) else value`,
  },
  _contains: {
    imports: [],
    uses: [],
    source: `def _contains(value, *parts):
    return isinstance(value, str) and any(part in value for part in parts)`,
  },
  _startswith: {
    imports: [],
    uses: [],
    source: `def _startswith(value, *prefixes):
    return isinstance(value, str) and value.startswith(prefixes)`,
  },
  _endswith: {
    imports: [],
    uses: [],
    source: `def _endswith(value, *suffixes):
    return isinstance(value, str) and value.endswith(suffixes)`,
  },
  _like: {
    imports: ["import re"],
    uses: [],
    source: `def _like(value, *patterns):
    """\`like\`: the glob, as a regular expression, matches the whole string."""
    return isinstance(value, str) and any(
        re.fullmatch(pattern, value, re.DOTALL) for pattern in patterns
    )`,
  },
  _matches: {
    imports: ["import re"],
    uses: [],
    source: `def _matches(value, *patterns):
    """\`matches\`: a regular-expression search in the string."""
    return isinstance(value, str) and any(re.search(pattern, value) for pattern in patterns)`,
  },
  _cidr: {
    imports: ["import ipaddress"],
    uses: [],
    source: `def _cidr(value, *networks):
    """\`cidr\`: an IPv4 or IPv6 address in one of the networks (same version)."""
    if not isinstance(value, str) or not value.isascii() or "%" in value:
        return False
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return any(
        address.version == network.version and address in network
        for network in map(ipaddress.ip_network, networks)
    )`,
  },
};

const ORDER = Object.keys(HELPERS) as HelperName[];

/** The helpers to print for a set of used names: dependencies added, in the fixed order. */
export function helperClosure(used: Iterable<HelperName>): HelperName[] {
  const all = new Set<HelperName>();
  const visit = (h: HelperName) => {
    if (all.has(h)) return;
    all.add(h);
    for (const u of HELPERS[h].uses) visit(u);
  };
  for (const h of used) visit(h);
  return ORDER.filter((h) => all.has(h));
}

export function helperImports(names: readonly HelperName[]): string[] {
  return [...new Set(names.flatMap((n) => HELPERS[n].imports))];
}

export function helperConstants(names: readonly HelperName[]): string[] {
  return names.flatMap((n) => HELPERS[n].constants ?? []);
}

export function helperSource(name: HelperName): string {
  return HELPERS[name].source;
}
