import jsYaml from "js-yaml";
import { printCondition } from "../ast/print.js";
import { isDeepStrictEqual } from "node:util";
import { loadYaml, YamlLimitError } from "../rules/yaml.js";
import { yamlLib } from "../yamllib.js";
import { parseCondition } from "../syntax/ast.js";
import { conditionComments, layoutCondition } from "./pretty.js";

/**
 * `rulec fmt` for one file: rewrites the Condition in canonical form and leaves every other byte
 * of the file as it is (comments, key order, quoting). Pure. The result is re-read and compared with
 * the original (same keys and values, same condition AST) before it is offered.
 */

export type FormatResult =
  | { readonly ok: true; readonly text: string; readonly changed: boolean }
  | { readonly ok: false; readonly reason: string };

export function formatRuleText(text: string): FormatResult {
  let original: unknown;
  try {
    original = loadYaml(text);
  } catch (e) {
    return { ok: false, reason: e instanceof YamlLimitError ? `too large: ${e.reason}` : `invalid YAML: ${(e as Error).message.split("\n")[0]}` };
  }
  if (typeof original !== "object" || original === null || Array.isArray(original)) return { ok: false, reason: "not a rule file (not a mapping)" };
  const condition = (original as Record<string, unknown>).Condition;
  if (typeof condition !== "string") return { ok: false, reason: "no Condition string" };
  const parsed = parseCondition(condition);
  if (!parsed.ast) return { ok: false, reason: "the condition has errors (run rulec check)" };

  const { parseDocument, isMap, isPair, isScalar } = yamlLib();
  const doc = parseDocument(text, { keepSourceTokens: true, uniqueKeys: false });
  const root = doc.contents;
  const pair = isMap(root) ? root.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === "Condition") : undefined;
  const node = pair?.value;
  if (!isScalar(node) || !node.range) return { ok: false, reason: "cannot locate the Condition" };
  const [start, end] = node.range;
  const lines = layoutCondition(parsed.ast, condition);
  const one = printCondition(parsed.ast);
  const hasComments = conditionComments(condition).length > 0;

  let replacement: string;
  const orig = text.slice(start, end);
  const trailing = orig.slice(orig.replace(/\s+$/, "").length);
  if (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") {
    let header = orig.slice(0, orig.search(/\r?\n/) < 0 ? orig.length : orig.search(/\r?\n/)).trimEnd();
    // A folded block would join a comment line with the lines after it: comments need a literal block.
    if (node.type === "BLOCK_FOLDED" && hasComments) header = header.replace(">", "|");
    const indent = /\n([ \t]+)\S/.exec(orig)?.[1] ?? "  ";
    replacement = `${header}\n${lines.map((l) => (l === "" ? "" : indent + l)).join("\n")}${trailing.includes("\n") ? trailing : "\n"}`;
  } else if (hasComments) {
    replacement = `|-\n${lines.map((l) => "  " + l).join("\n")}${trailing.includes("\n") ? trailing : "\n"}`;
  } else if (node.type === "QUOTE_SINGLE") {
    replacement = `'${one.replace(/'/g, "''")}'${trailing}`;
  } else if (node.type === "QUOTE_DOUBLE" || !plainSafe(one)) {
    replacement = `${JSON.stringify(one)}${trailing}`;
  } else {
    replacement = `${one}${trailing}`;
  }
  const next = text.slice(0, start) + replacement + text.slice(end);
  if (next === text) return { ok: true, text, changed: false };

  // Never offer a rewrite that changes the rule.
  let reread: unknown;
  try {
    reread = loadYaml(next);
  } catch {
    return { ok: false, reason: "internal: the rewrite is not valid YAML; file left as it is" };
  }
  const { Condition: newCondition, ...rest } = reread as Record<string, unknown>;
  const { Condition: _old, ...origRest } = original as Record<string, unknown>;
  const reparsed = typeof newCondition === "string" ? parseCondition(newCondition).ast : undefined;
  if (!reparsed || printCondition(reparsed) !== one || !isDeepStrictEqual(rest, origRest)) {
    return { ok: false, reason: "internal: the rewrite would change the rule; file left as it is" };
  }
  return { ok: true, text: next, changed: true };
}

function plainSafe(s: string): boolean {
  try {
    return (jsYaml.load(`k: ${s}`, { schema: jsYaml.CORE_SCHEMA }) as { k?: unknown }).k === s;
  } catch {
    return false;
  }
}
