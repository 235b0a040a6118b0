/** Argument handling shared by `labelkit backup`, `restore` and `verify`. */
import { parseArgs } from 'node:util';
import type { CommandIo } from '../export/cli.ts';
import type { OpenDatasetOptions } from '../export/open.ts';

export type { CommandIo };

const processIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };

export interface ParsedOpsCommand {
  strings: Record<string, string | undefined>;
  flags: Record<string, boolean>;
  open: OpenDatasetOptions;
  io: CommandIo;
  /** Prints `message` and the help to stderr; returns exit code 2. */
  usage: (message: string) => number;
}

/**
 * Parses `--dataset --config --data --help` plus the command's own string options and boolean flags.
 * Returns an exit code when the command is done already (help: 0, bad usage: 2).
 */
export function parseOpsCommand(
  name: string,
  argv: string[],
  help: string,
  own: { strings: readonly string[]; flags: readonly string[] },
  io: CommandIo = processIo,
): ParsedOpsCommand | number {
  const usage = (message: string) => {
    io.stderr.write(`labelkit ${name}: ${message}\n\n${help}`);
    return 2;
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(own.strings.map((k) => [k, { type: 'string' as const }])),
        ...Object.fromEntries(own.flags.map((k) => [k, { type: 'boolean' as const }])),
        dataset: { type: 'string' },
        config: { type: 'string' },
        data: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return usage((e as Error).message);
  }
  if (values.help) {
    io.stdout.write(help);
    return 0;
  }
  const dataset = values.dataset as string | undefined;
  if (!dataset) return usage('--dataset is required');
  return {
    strings: Object.fromEntries(own.strings.map((k) => [k, values[k] as string | undefined])),
    flags: Object.fromEntries(own.flags.map((k) => [k, values[k] === true])),
    open: {
      dataset,
      ...(values.config ? { config: values.config as string } : {}),
      ...(values.data ? { dataDir: values.data as string } : {}),
    },
    io,
    usage,
  };
}

/** Aborts `controller` on the first Ctrl-C (a copy stops after the objects in flight); returns the undo. */
export function abortOnInterrupt(controller: AbortController, message = 'interrupted'): () => void {
  const stop = () => controller.abort(new Error(message));
  process.once('SIGINT', stop);
  return () => process.off('SIGINT', stop);
}
