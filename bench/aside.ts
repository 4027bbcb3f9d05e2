/**
 * Emptying an output directory between timed builds without deleting its files.
 *
 * ext4 does not reuse an inode freed in the last minute (five while its inode table block is
 * dirty): to allocate a new one it walks past every recently freed inode of the block group, one
 * at a time. A build timed right after `rm -rf out` (13,000 files) pays that walk for each file it
 * creates, and more with each repetition: here the same 13,000 files took 0.66, 2.6, then 4.3 s to
 * write in a directory deleted and made again, against 0.57-0.74 s in new directories. A user's cold
 * build follows no such deletion, so the bench moves the old directory aside instead (a rename) and
 * each script deletes what it set aside once its own timings are done (`emptyAside`). Not later:
 * gigabytes of set-aside outputs still being written back to the disk slowed the hunt that
 * followed (22.0 s against 17.2 s alone), and new folders elsewhere are not slowed by a deletion.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";

let counter = 0;

function asideRoot(dir: string): string {
  return join(dirname(dir), ".aside");
}

/** Moves `dir` (if it exists) into `.aside/` beside it, so that `dir` no longer exists. */
export function setAside(dir: string): void {
  if (!existsSync(dir)) return;
  const root = asideRoot(dir);
  mkdirSync(root, { recursive: true });
  renameSync(dir, join(root, `${basename(dir)}.${process.pid}.${++counter}`));
}

/** Deletes what `setAside` moved away from beside `dir`. */
export function emptyAside(dir: string): void {
  rmSync(asideRoot(dir), { recursive: true, force: true });
}
