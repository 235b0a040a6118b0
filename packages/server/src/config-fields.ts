/** Small readers of the config file's structured sections, each failing with a `ConfigError` at the field's path. */
import { jsonPath } from '@labelkit/core';
import { ConfigError } from './errors.ts';

export const bad = (path: string, message: string, code = 'config/invalid-value') =>
  new ConfigError(code, message, { path });

export function object(raw: unknown, path: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(path, `${path} must be an object`);
  return raw as Record<string, unknown>;
}

export function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw bad(jsonPath(path, k), `unknown option "${k}" in ${path}`, 'config/unknown-option');
}

/** A dataset id: it appears in URLs and storage prefixes. */
export const DATASET_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
