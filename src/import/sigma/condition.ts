/**
 * Sigma's condition expression (`selection and not 1 of filter_*`): `and`, `or`, `not`,
 * parentheses, names, and `1 of` / `any of` / `all of` a name pattern or `them`. Precedence as
 * in pySigma: `not` over `and` over `or`. Aggregations (`| count() ...`) are reported.
 */

export type SigmaCondition =
  | { readonly t: "name"; readonly name: string }
  | { readonly t: "of"; readonly quantifier: "1" | "all"; readonly pattern: string }
  | { readonly t: "and" | "or"; readonly items: readonly SigmaCondition[] }
  | { readonly t: "not"; readonly item: SigmaCondition };

export function parseSigmaCondition(text: string): { condition?: SigmaCondition; error?: string } {
  if (text.includes("|")) return { error: `aggregation in the condition ('${text}'): Sigma v1 aggregations are not importable` };
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (why: string): never => {
    throw new SyntaxError(`${why} in condition '${text}'`);
  };
  const or = (): SigmaCondition => {
    const items = [and()];
    while (peek() === "or") {
      pos++;
      items.push(and());
    }
    return items.length === 1 ? items[0]! : { t: "or", items };
  };
  const and = (): SigmaCondition => {
    const items = [not()];
    while (peek() === "and") {
      pos++;
      items.push(not());
    }
    return items.length === 1 ? items[0]! : { t: "and", items };
  };
  const not = (): SigmaCondition => {
    if (peek() === "not") {
      pos++;
      return { t: "not", item: not() };
    }
    return primary();
  };
  const primary = (): SigmaCondition => {
    const tok = peek();
    if (tok === undefined) return fail("unexpected end");
    if (tok === "(") {
      pos++;
      const inner = or();
      if (peek() !== ")") fail("missing ')'");
      pos++;
      return inner;
    }
    if (tok === ")" || tok === "and" || tok === "or" || tok === "of") return fail(`unexpected '${tok}'`);
    if ((tok === "1" || tok === "any" || tok === "all") && tokens[pos + 1] === "of") {
      const pattern = tokens[pos + 2];
      if (pattern === undefined || pattern === "(" || pattern === ")") fail(`'${tok} of' needs a name pattern or 'them'`);
      pos += 3;
      return { t: "of", quantifier: tok === "all" ? "all" : "1", pattern: pattern! };
    }
    pos++;
    return { t: "name", name: tok };
  };
  try {
    const condition = or();
    if (pos < tokens.length) fail(`unexpected '${tokens[pos]}'`);
    return { condition };
  } catch (e) {
    if (e instanceof SyntaxError) return { error: e.message };
    throw e;
  }
}

/** The selection names a `1 of` / `all of` pattern picks (pySigma: `*` is any run; `_` names only for `_` patterns). */
export function pickNames(pattern: string, names: readonly string[]): string[] {
  if (pattern === "them") return names.filter((n) => !n.startsWith("_"));
  const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s");
  return names.filter((n) => re.test(n) && (pattern.startsWith("_") || !n.startsWith("_")));
}
