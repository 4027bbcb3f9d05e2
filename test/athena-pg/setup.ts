import { afterAll, beforeAll, type TestContext } from "vitest";
import { CI, findPostgres, startCluster, type Cluster } from "./cluster.js";
import { PgRunner } from "./runner.js";

/**
 * One private PostgreSQL cluster per test file, with the prelude loaded. `need(ctx)` at the start
 * of a test: where PostgreSQL is missing or does not start, the test is skipped with a loud
 * message, except under CI=true, where it fails.
 */
export function usePostgres(): { need: (ctx: TestContext) => PgRunner; cluster: () => Cluster | undefined } {
  let cluster: Cluster | undefined;
  let runner: PgRunner | undefined;
  let unavailable: string | undefined;
  beforeAll(async () => {
    const bin = findPostgres();
    if (!bin) {
      unavailable = "no PostgreSQL 15 or later under /usr/lib/postgresql (install it with: bash scripts/setup-postgres.sh)";
      return;
    }
    try {
      cluster = await startCluster(bin);
      runner = new PgRunner(cluster.client);
      await runner.prelude();
    } catch (e) {
      unavailable = `PostgreSQL did not start: ${(e as Error).message}`;
    }
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return {
    cluster: () => cluster,
    need(ctx: TestContext): PgRunner {
      if (runner) return runner;
      const message = `*** SKIPPED: the PostgreSQL proof of the Athena SQL did not run: ${unavailable ?? "not started"} ***`;
      if (CI) throw new Error(`${message} (CI=true: this is a failure)`);
      console.warn(message);
      ctx.skip();
      throw new Error("unreachable");
    },
  };
}
