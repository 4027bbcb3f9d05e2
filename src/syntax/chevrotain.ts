import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Chevrotain, loaded from the single-file bundle its package ships (lib/chevrotain.min.mjs, the
 * same code with its dependencies inlined): the package's main entry pulls in several hundred
 * lodash modules, which made loading it most of rulec's start-up (0.5 s and more, against 25 ms).
 * Every runtime use of Chevrotain goes through this module, so tokens and parser share one copy.
 * Should the bundle ever be missing, the package's main entry is used.
 */

type Chevrotain = typeof import("chevrotain");

async function load(): Promise<Chevrotain> {
  try {
    const main = createRequire(import.meta.url).resolve("chevrotain");
    // .../chevrotain/lib/src/api.js -> .../chevrotain/lib/chevrotain.min.mjs
    const bundle = join(dirname(dirname(main)), "chevrotain.min.mjs");
    return (await import(pathToFileURL(bundle).href)) as Chevrotain;
  } catch {
    return await import("chevrotain");
  }
}

const chevrotain = await load();

export const { createToken, Lexer, CstParser, EOF, createSyntaxDiagramsCode } = chevrotain;
export type { CstNode, IToken, IRecognitionException, ISerializedGast, TokenType } from "chevrotain";
