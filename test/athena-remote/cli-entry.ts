/** `rulec` from the sources (no build): the SIGINT test spawns this as a real process. */
import { main } from "../../src/cli/main.js";

process.exitCode = await main(process.argv);
