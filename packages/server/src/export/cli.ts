/** Argument handling shared by `labelkit import` and `labelkit export`. */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { LabelKitError } from '@labelkit/core';
import type { OpenDatasetOptions } from './open.ts';

/** Where a command writes (the process's streams by default). */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const processIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };

export interface ParsedCommand<K extends string> {
  values: Partial<Record<K, string>> & { verbose?: boolean };
  positionals: string[];
  open: OpenDatasetOptions;
  author: string;
  out: CommandIo;
  /** Prints `message` and the help to stderr; returns exit code 2. */
  usage: (message: string) => number;
}

function systemUser(): string {
  try {
    return userInfo().username || 'labelkit';
  } catch {
    return 'labelkit';
  }
}

/**
 * Parses `--dataset --config --data --author --verbose --help` plus the command's own string options.
 * Returns an exit code when the command is done already (help: 0, bad usage: 2).
 */
export function parseCommand<K extends string>(
  name: string,
  argv: string[],
  help: string,
  own: Record<K, 'string'>,
  io: CommandIo = processIo,
): ParsedCommand<K> | number {
  const usage = (message: string) => {
    io.stderr.write(`labelkit ${name}: ${message}\n\n${help}`);
    return 2;
  };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...Object.fromEntries(Object.keys(own).map((k) => [k, { type: 'string' as const }])),
        dataset: { type: 'string' },
        config: { type: 'string' },
        data: { type: 'string' },
        author: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(help);
    return 0;
  }
  const dataset = values.dataset as string | undefined;
  if (!dataset) return usage('--dataset is required');
  return {
    values: values as ParsedCommand<K>['values'],
    positionals,
    open: {
      dataset,
      ...(values.config ? { config: values.config as string } : {}),
      ...(values.data ? { dataDir: values.data as string } : {}),
    },
    author: (values.author as string | undefined) || systemUser(),
    out: io,
    usage,
  };
}

/** One line: `labelkit <name>: <file> at <path>: <message> (<code>)`. */
export function printError(name: string, e: LabelKitError, io: CommandIo): void {
  const where = e.file ? `${e.file}${e.path ? ` at ${e.path}` : ''}: ` : e.path ? `at ${e.path}: ` : '';
  const msg = e.file && e.message.startsWith(e.file) ? e.message : `${where}${e.message}`;
  io.stderr.write(`labelkit ${name}: ${msg} (${e.code})\n`);
}
