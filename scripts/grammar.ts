// Regenerates grammar/condition.ebnf and grammar/diagrams.html from the parser.
import { writeFileSync } from "node:fs";
import { grammarDiagramsHtml, grammarEbnf } from "../src/syntax/grammar.js";

writeFileSync(new URL("../grammar/condition.ebnf", import.meta.url), grammarEbnf());
writeFileSync(new URL("../grammar/diagrams.html", import.meta.url), grammarDiagramsHtml());
console.log("wrote grammar/condition.ebnf and grammar/diagrams.html");
