// Entry point of the collector's command line (root scripts `pnpm collector …` and `pnpm start`).
// Commands, output and exit codes: cli-main.ts.
import { main } from "./cli-main.js";

process.exitCode = await main(process.argv.slice(2));
