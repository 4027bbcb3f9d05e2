/** Where the command line writes: standard output and error, or buffers in tests. */
export interface Output {
  out(s: string): void;
  err(s: string): void;
  /** Colours are allowed on standard output: a TTY and no NO_COLOR. */
  readonly colorAllowed: boolean;
  /** The same for standard error (diagnostics); colorAllowed when not given. */
  readonly errorColorAllowed?: boolean;
  /** Standard error is a TTY (progress bars). */
  readonly interactive: boolean;
}

export function createOutput(): Output {
  // A reader that goes away (`rulec ... | head`) ends the run quietly, not with a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "";
  return {
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
    colorAllowed: Boolean(process.stdout.isTTY) && !noColor,
    errorColorAllowed: Boolean(process.stderr.isTTY) && !noColor,
    interactive: Boolean(process.stderr.isTTY),
  };
}

/** An Output that collects text, for tests. */
export function bufferOutput(): Output & { stdout: string; stderr: string } {
  const o = {
    stdout: "",
    stderr: "",
    out(s: string) {
      o.stdout += s;
    },
    err(s: string) {
      o.stderr += s;
    },
    colorAllowed: false,
    interactive: false,
  };
  return o;
}

/**
 * The same Output, its standard error written in one piece per turn of the event loop (a build
 * the cache answers reports a large library's warnings in one go: one write, not thousands).
 * Standard output first writes what is pending, so the two keep their order on a terminal.
 */
export function batchedErrors(io: Output): Output {
  let pending = "";
  const flush = (): void => {
    if (pending === "") return;
    const text = pending;
    pending = "";
    io.err(text);
  };
  return {
    out: (s) => {
      flush();
      io.out(s);
    },
    err: (s) => {
      if (pending === "") queueMicrotask(flush);
      pending += s;
      if (pending.length > 1 << 16) flush();
    },
    colorAllowed: io.colorAllowed,
    ...(io.errorColorAllowed === undefined ? {} : { errorColorAllowed: io.errorColorAllowed }),
    interactive: io.interactive,
  };
}
