#!/usr/bin/env node
import { tuneV8 } from "./v8.js";

// Before any of rulec's code is loaded (the import below).
tuneV8();

const { main } = await import("../dist/cli/main.js");
process.exitCode = await main(process.argv);
