/**
 * The deployment files, read once for the deploy tests, and the relations between them (which stage a compose
 * service runs, which port it exposes, which repository file a mounted path is).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { instructions, interpolate, lineage, parseDockerfile, stageEnv } from './parse.ts';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const read = (p: string) => readFileSync(join(root, p), 'utf8');

export interface Service {
  image?: string;
  build?: { context: string; target?: string };
  profiles?: string[];
  environment?: Record<string, string | number | boolean>;
  volumes?: string[];
  expose?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  deploy?: { resources?: { reservations?: { devices?: { driver?: string; capabilities?: string[] }[] } } };
}
export interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

export const dockerfile = parseDockerfile(read('Dockerfile'));
export const composeText = read('compose.yaml');
export const compose = parseYaml(composeText, { merge: true }) as Compose;
/** Values the operator's .env would hold for the required variables (the test plays the operator). */
export const operatorEnv: Record<string, string> = {
  LABELKIT_SIGNING_SECRET: 'a'.repeat(64),
  MINIO_ROOT_PASSWORD: 'minio-root-password',
  S3_SECRET_KEY: 's3-application-secret',
  GRAFANA_ADMIN_PASSWORD: 'grafana-password',
};
/** Services built from the Dockerfile (the LabelKit server) and the stage each runs. */
export const serverServices = Object.entries(compose.services).filter(([, s]) => s.build);
/** Environment names of the server besides its own (LABELKIT_*): the AWS SDK's default credential chain. */
export const THIRD_PARTY_ENV = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);

export const environment = (s: Service): Record<string, string> =>
  Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), operatorEnv)]));
export const exposedPort = (stage: string): number => {
  const ports = lineage(dockerfile, stage).flatMap((s) => instructions(s, 'EXPOSE').map((i) => Number(i.args)));
  assert.equal(ports.length, 1, `stage ${stage} exposes exactly one port`);
  return ports[0]!;
};
export const envOf = (stage: string) => {
  const env = new Map<string, string>();
  for (const s of lineage(dockerfile, stage).reverse()) for (const [k, v] of stageEnv(s)) env.set(k, v);
  return env;
};
/** Container path -> repository file, through a service's bind mounts (`./x:/y[:ro]`). */
export function hostPath(s: Service, containerPath: string): string | undefined {
  for (const v of s.volumes ?? []) {
    const [src, dst] = v.split(':');
    if (!src?.startsWith('.') || !dst) continue;
    if (containerPath === dst) return resolve(root, src);
    if (containerPath.startsWith(`${dst}/`)) return resolve(root, src, posix.relative(dst, containerPath));
  }
  return undefined;
}
