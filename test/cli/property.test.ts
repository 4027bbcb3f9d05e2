import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { bufferOutput } from "../../src/cli/output.js";

/**
 * Property: whatever a library, its configuration and its output directory hold (valid files with
 * one hostile change each: alias bombs, huge scalars, deep nesting, odd encodings, path tricks in
 * the manifest, bad settings) and whatever sequence of commands runs on them (concurrent builds
 * included), rulec never crashes (exit 0, 1 or 2, no stack trace), writes nothing outside the
 * output directory, deletes nothing outside it, and an incremental build ends with the files a
 * clean build writes.
 */

const SHIPPED = ["aws_cloudtrail_ses_check_ses_sending_enabled.yml", "aws_console_root_login.yml", "aws_s3_bucket_policy_public.yml", "aws_iam_admin_policy_attached.yml"];

type Mutation =
  | { readonly kind: "alias-bomb"; readonly levels: number }
  | { readonly kind: "huge-scalar"; readonly mib: number }
  | { readonly kind: "deep-nesting"; readonly depth: number }
  | { readonly kind: "bytes"; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: "manifest"; readonly entries: readonly (readonly [string, string])[] }
  | { readonly kind: "config"; readonly text: string }
  | { readonly kind: "delete-rule"; readonly which: number }
  | { readonly kind: "link-out"; readonly target: "panther" | "athena" | "sigma" };

type Step = "check" | "test" | "build" | "build-check" | "fmt-check" | "two-builds" | "mutate";

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("alias-bomb" as const), levels: fc.integer({ min: 4, max: 9 }) }),
  fc.record({ kind: fc.constant("huge-scalar" as const), mib: fc.constantFrom(1, 9, 17) }),
  fc.record({ kind: fc.constant("deep-nesting" as const), depth: fc.constantFrom(100, 5_000, 50_000) }),
  fc.record({ kind: fc.constant("bytes" as const), at: fc.nat(), bytes: fc.array(fc.constantFrom(0x00, 0xff, 0xe9, 0xef, 0xbb, 0xbf, 0x0d, 0x09, 0x22, 0x26, 0x2a, 0x7b, 0x5b), { minLength: 1, maxLength: 4 }) }),
  fc.record({
    kind: fc.constant("manifest" as const),
    entries: fc.array(
      fc.tuple(fc.constantFrom("../outside/victim.txt", "/etc/hostname", "panther/../../outside/victim.txt", "sigma/stale.yml", "panther/x.py", "../lib/rules/" + SHIPPED[0], "athena/"), fc.constantFrom("../lib/rules/gone.yml", "../lib/rules/" + SHIPPED[1], "x")),
      { maxLength: 4 },
    ),
  }),
  fc.record({
    kind: fc.constant("config" as const),
    text: fc.constantFrom("out: 5\n", 'out: ""\n', "out: ../outside\n", "athena: {since: 7x}\n", "athena: {profile: bogus}\n", "sigma: {date: 2026-13-45}\n", "targets: [panther, nope]\n", "targets: [athena]\n", "a: &a [*a]\n", "[unclosed\n", "sigma: {author: x, status: test}\n"),
  }),
  fc.record({ kind: fc.constant("delete-rule" as const), which: fc.nat({ max: SHIPPED.length - 1 }) }),
  fc.record({ kind: fc.constant("link-out" as const), target: fc.constantFrom("panther" as const, "athena" as const, "sigma" as const) }),
);

const steps: fc.Arbitrary<Step[]> = fc.array(fc.constantFrom<Step>("check", "test", "build", "build-check", "fmt-check", "two-builds", "mutate"), { minLength: 1, maxLength: 4 });

/** Every file under dir (relative path -> size and mtime), links not followed. */
function snapshot(dir: string, skip: (rel: string) => boolean): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (skip(rel)) continue;
      if (e.isDirectory()) walk(p);
      else out.set(rel, e.isSymbolicLink() ? "link" : `${statSync(p).size}:${readFileSync(p).toString("base64").slice(0, 64)}`);
    }
  };
  walk(dir);
  return out;
}

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const [rel] of snapshot(dir, (r) => r.startsWith(".rulec-"))) out[rel] = readFileSync(join(dir, rel), "utf8");
  return out;
}

async function run(args: string[]): Promise<{ status: number; stderr: string }> {
  const io = bufferOutput();
  const status = await main(["node", "rulec", ...args], io);
  return { status, stderr: io.stderr };
}

function apply(root: string, m: Mutation, n: number): void {
  const rules = join(root, "lib/rules");
  const files = readdirSync(rules).filter((f) => f.endsWith(".yml"));
  const victim = files.length === 0 ? undefined : join(rules, files[n % files.length]!);
  switch (m.kind) {
    case "alias-bomb": {
      if (!victim) return;
      const levels = ["      a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
      for (let i = 1; i < m.levels; i++) levels.push(`      a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]`);
      const text = readFileSync(victim, "utf8");
      writeFileSync(victim, text.replace(/^Tests:\n/m, `Tests:\n  - Name: bomb\n    ExpectedResult: false\n    Log:\n${levels.join("\n")}\n`));
      return;
    }
    case "huge-scalar":
      if (victim) writeFileSync(victim, readFileSync(victim, "utf8").replace(/^Severity: .*$/m, `$&\nRunbook: "${"r".repeat(m.mib * 1024 * 1024)}"`));
      return;
    case "deep-nesting":
      if (victim) writeFileSync(victim, readFileSync(victim, "utf8") + `Extra: ${"[".repeat(m.depth)}${"]".repeat(m.depth)}\n`);
      return;
    case "bytes": {
      if (!victim) return;
      const bytes = readFileSync(victim);
      const at = m.at % (bytes.length + 1);
      writeFileSync(victim, Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]));
      return;
    }
    case "manifest":
      mkdirSync(join(root, "lib/out"), { recursive: true });
      writeFileSync(join(root, "lib/out/.rulec-manifest.json"), JSON.stringify({ files: Object.fromEntries(m.entries) }));
      if (m.entries.some(([p]) => p === "sigma/stale.yml")) {
        mkdirSync(join(root, "lib/out/sigma"), { recursive: true });
        writeFileSync(join(root, "lib/out/sigma/stale.yml"), "title: stale\n");
      }
      return;
    case "config":
      writeFileSync(join(root, "lib/rulec.config.yml"), m.text);
      return;
    case "delete-rule":
      if (victim) rmSync(join(rules, files[m.which % files.length]!));
      return;
    case "link-out":
      mkdirSync(join(root, "lib/out"), { recursive: true });
      if (!existsSync(join(root, "lib/out", m.target))) symlinkSync(join(root, "outside"), join(root, "lib/out", m.target));
      return;
  }
}

describe("rulec under hostile inputs (property)", () => {
  it("never crashes, never writes or deletes outside out/, and ends where a clean build does", { timeout: 600_000 }, async () => {
    let runs = 0;
    let commands = 0;
    const statuses: Record<number, number> = {};
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 2 }), steps, async (mutations, sequence) => {
        runs++;
        const root = mkdtempSync(join(tmpdir(), "rulec-prop-"));
        mkdirSync(join(root, "lib/rules"), { recursive: true });
        mkdirSync(join(root, "outside"));
        writeFileSync(join(root, "outside/victim.txt"), "keep me\n");
        for (const f of SHIPPED) cpSync(join("rules", f), join(root, "lib/rules", f));
        let pending = [...mutations];
        apply(root, pending.shift()!, 0);
        const lib = join(root, "lib");
        const rules = join(lib, "rules");
        const out = join(lib, "out");
        const outsideBefore = snapshot(root, (rel) => rel === "lib/out" || rel.startsWith("lib/out/"));
        const command = async (args: string[]) => {
          commands++;
          const r = await run(args);
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          expect([0, 1, 2], `${args.join(" ")}: ${r.stderr.slice(0, 2000)}`).toContain(r.status);
          expect(r.stderr, args.join(" ")).not.toMatch(/internal error|\n\s+at [\w.<>]+ \(|RangeError|TypeError/);
          return r;
        };
        for (const step of sequence) {
          if (step === "mutate") {
            const m = pending.shift();
            if (m) apply(root, m, 1);
            continue;
          }
          // The configuration, if any, is found beside the rules (lib/rulec.config.yml).
          const c: string[] = [];
          if (step === "check") await command([...c, "check", rules]);
          else if (step === "test") await command([...c, "test", rules]);
          else if (step === "build") await command([...c, "build", rules, "--out", out]);
          else if (step === "build-check") await command([...c, "build", rules, "--out", out, "--check"]);
          else if (step === "fmt-check") await command(["fmt", "--check", rules]);
          else await Promise.all([command([...c, "build", rules, "--out", out]), command([...c, "build", rules, "--out", out])]);
        }
        // Nothing outside out/ was written, changed or deleted (the rules only by the mutations).
        const outsideAfter = snapshot(root, (rel) => rel === "lib/out" || rel.startsWith("lib/out/"));
        for (const [rel, sig] of outsideBefore) if (!rel.startsWith("lib/rules/") && rel !== "lib/rulec.config.yml") expect(outsideAfter.get(rel), rel).toBe(sig);
        for (const rel of outsideAfter.keys()) expect(outsideBefore.has(rel) || rel.startsWith("lib/rules/") || rel === "lib/rulec.config.yml", `written outside out/: ${rel}`).toBe(true);
        expect(readFileSync(join(root, "outside/victim.txt"), "utf8")).toBe("keep me\n");
        // An incremental build now ends with what a clean build of the same library writes.
        const final = await command(["build", rules, "--out", out]);
        const clean = await command(["build", rules, "--out", join(root, "clean")]);
        if (final.status !== 2 && !final.stderr.includes("cannot build into")) {
          const a = tree(out);
          const b = tree(join(root, "clean"));
          const untracked = (final.stderr.match(/warning: \S+ is not from this build/g) ?? []).length;
          if (untracked === 0) expect(a).toEqual(b);
          else for (const [k, v] of Object.entries(b)) expect(a[k], k).toBe(v);
          const check = await command(["build", rules, "--out", out, "--check"]);
          expect(check.status === 0, check.stderr).toBe(untracked === 0 && clean.status === 0);
        }
        rmSync(root, { recursive: true, force: true });
      }),
      { seed: 20261207, numRuns: 40 },
    );
    console.log(`cli property: ${runs} runs, ${commands} commands, exit statuses ${JSON.stringify(statuses)}`);
    expect(runs).toBe(40);
  });
});
