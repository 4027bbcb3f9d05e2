import { describe, expect, it } from "vitest";
import { LOG_TYPES } from "../../src/logtypes/registry.js";
import { crossCheck } from "./crosscheck.js";

/**
 * Every sample event of a typed log type in Panther's rule library conforms to its schema, or
 * every way it deviates is written down with the reason (panther-deviations.yml).
 */

const { results, unsorted, entries } = crossCheck();

/** Log types for which Panther's library holds only a few rules, and so few sample events: exactly these many. */
const FEW: Readonly<Record<string, number>> = { "AWS.ALB": 1, "AWS.GuardDuty": 8, "AWS.S3ServerAccess": 16, "AWS.VPCDns": 13, "OCSF.NetworkActivity": 8 };

describe("the typed schemas against Panther's sample events", () => {
  for (const r of results) {
    it(`${r.logType}: ${r.conforming} of ${r.events} events conform; every deviation is explained`, () => {
      expect(r.unexplained).toEqual([]);
    });
  }

  it("every typed log type has Panther sample events, and every entry of the deviations file explains something", () => {
    for (const r of results) {
      if (r.logType in FEW) expect(r.events, r.logType).toBe(FEW[r.logType]);
      else expect(r.events, r.logType).toBeGreaterThan(20);
    }
    for (const [section, list] of Object.entries(entries)) {
      expect(section === "*" || LOG_TYPES.some((d) => d.logType === section), section).toBe(true);
      for (const entry of list) {
        const used = results.flatMap((r) => r.explained).filter((x) => x.section === section && x.entry === entry).reduce((n, x) => n + x.count, 0);
        expect(used, `${section}: ${entry.match}`).toBeGreaterThan(0);
      }
    }
    console.log(
      `schema cross-check: ${results.map((r) => `${r.logType} ${r.conforming}/${r.events}`).join(", ")}; ${unsorted} events of rules over several untyped log types left out`,
    );
  });
});
