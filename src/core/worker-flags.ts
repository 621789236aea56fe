/**
 * The Node flags a worker thread inherits from its process.
 *
 * A Worker given an explicit `execArgv` parses it as the options of one thread and refuses the whole
 * list (ERR_WORKER_INVALID_EXEC_ARGV) over a single V8 flag or process-wide option: a host started as
 * `node --max-old-space-size=4096 app.js` could not start any worker. Those flags apply to the whole
 * process already, so workers lose nothing when they are left out. Kept: the per-thread Node options
 * (loaders and preloads such as --import, --loader, --require, --conditions, --experimental-*,
 * warnings, source maps, permissions), which Node lists in `process.allowedNodeEnvironmentFlags`.
 * Dropped: anything else (V8 flags, main-only options such as --eval or --test), the options that
 * only the main script uses (--input-type, --test-*, --watch*, --inspect*), and the options that
 * NODE_OPTIONS allows but a worker refuses (measured on Node 20.20, all of allowedNodeEnvironmentFlags
 * tried one at a time: test/core/worker-flags.test.ts checks the list against the running Node).
 */

/** Allowed in NODE_OPTIONS, refused in a Worker's execArgv: V8 options and process-wide options (Node 20). */
export const WORKER_REFUSED_FLAGS: ReadonlySet<string> = new Set([
  '--abort-on-uncaught-exception', '--debug-arraybuffer-allocations', '--disable-proto', '--disable-wasm-trap-handler',
  '--disallow-code-generation-from-strings', '--enable-etw-stack-walking', '--enable-fips', '--experimental-shadow-realm',
  '--expose-gc', '--force-fips', '--huge-max-old-generation-size', '--icu-data-dir',
  '--interpreted-frames-native-stack', '--jitless', '--max-old-space-size', '--max-semi-space-size', '--node-memory-debug',
  '--node-snapshot', '--openssl-config', '--openssl-legacy-provider', '--openssl-shared-config', '--perf-basic-prof',
  '--perf-basic-prof-only-functions', '--perf-prof', '--perf-prof-unwinding-info', '--report-compact', '--report-dir',
  '--report-directory', '--report-filename', '--report-on-fatalerror', '--secure-heap', '--secure-heap-min',
  '--snapshot-blob', '--stack-trace-limit', '--title', '--tls-cipher-list', '--trace-event-categories',
  '--trace-event-file-pattern', '--trace-events-enabled', '--trace-sigint', '--use-bundled-ca', '--use-largepages',
  '--use-openssl-ca', '--v8-pool-size', '--zero-fill-buffers',
]);

/** Options for the main script only: a worker started from a file must not get them. */
const MAIN_ONLY_PREFIXES = ['--input-type', '--test', '--experimental-test', '--watch', '--inspect', '--debug-port'];

/** `--no-foo` and `--foo` are the same option; values after `=` and `_` spellings are not part of the name. */
function optionName(token: string): string {
  const eq = token.indexOf('=');
  const name = (eq < 0 ? token : token.slice(0, eq)).replace(/_/g, '-');
  return name.startsWith('--no-') ? `--${name.slice(5)}` : name;
}

function workerAccepts(name: string, allowed: ReadonlySet<string>): boolean {
  if (MAIN_ONLY_PREFIXES.some((p) => name === p || name.startsWith(`${p}-`))) return false;
  if (WORKER_REFUSED_FLAGS.has(name)) return false;
  return allowed.has(name) || allowed.has(`--no-${name.slice(2)}`);
}

/**
 * The part of `execArgv` to hand a worker (an option keeps the value tokens that follow it, as in
 * `--import ./hook.js`). `allowed` is `process.allowedNodeEnvironmentFlags` by default.
 */
export function workerExecArgv(
  execArgv: readonly string[] = process.execArgv, allowed: ReadonlySet<string> = process.allowedNodeEnvironmentFlags,
): string[] {
  const out: string[] = [];
  let keep = false;
  for (const token of execArgv) {
    if (token.startsWith('-')) keep = workerAccepts(optionName(token), allowed);
    if (keep) out.push(token);
  }
  return out;
}
