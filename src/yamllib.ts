import { createRequire } from "node:module";

/**
 * The `yaml` library (positions, exact dumps), loaded on first use: most runs never need it (it
 * serves code frames, `fmt`, Sigma's rarer strings and `import sigma`), and loading it costs as
 * much as the rest of a small build's start-up.
 */

type YamlLibrary = typeof import("yaml");

let lib: YamlLibrary | undefined;

export function yamlLib(): YamlLibrary {
  return (lib ??= createRequire(import.meta.url)("yaml") as YamlLibrary);
}
