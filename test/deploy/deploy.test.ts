/**
 * The deployment files (Dockerfile, compose.yaml, deploy/**) cannot run here: no container engine. These tests read
 * them and check each against what it must agree with: the server's configuration options and loader, and each
 * other (stages, ports, volumes, environment). monitoring.test.ts does the same for the files around the server.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, OPTIONS } from '@labelkit/server';
import { parse as parseYaml } from 'yaml';
import * as serverConfig from '../../packages/server/src/config.ts';
import {
  compose,
  composeText,
  dockerfile,
  environment,
  envOf,
  exposedPort,
  hostPath,
  read,
  root,
  serverServices,
  THIRD_PARTY_ENV,
} from './files.ts';
import { composeVariables, healthcheckCommand, instructions, lineage, stageEnv } from './parse.ts';

describe('Dockerfile', () => {
  const runtimeStages = serverServices.map(([, s]) => s.build?.target ?? '');

  it('builds in a node:20-bookworm-slim stage with the frozen lockfile, then ships production dependencies', () => {
    const build = dockerfile.stages.find((s) => s.name === 'build');
    assert.ok(build, 'a stage named build');
    assert.equal(build.from, 'node:20-bookworm-slim');
    const runs = instructions(build, 'RUN').map((i) => i.args);
    assert.ok(runs.some((r) => /npm install -g pnpm@10\b/.test(r)));
    assert.ok(runs.some((r) => r.includes('pnpm install --frozen-lockfile')));
    assert.ok(runs.some((r) => /\bpnpm build\b/.test(r)));
    assert.equal(stageEnv(build).get('ONNXRUNTIME_NODE_INSTALL'), 'skip');
    // The install layer sees only manifests: every workspace package must be among them, or the frozen install fails.
    const install = instructions(build, 'RUN').findIndex((i) => i.args.includes('pnpm install'));
    const copied = build.instructions
      .slice(0, build.instructions.indexOf(instructions(build, 'RUN')[install]!))
      .filter((i) => i.cmd === 'COPY')
      .map((i) => i.args);
    const globs = (parseYaml(read('pnpm-workspace.yaml')) as { packages: string[] }).packages;
    const workspace = globs
      .flatMap((g) =>
        g.endsWith('/*') ? readdirSync(join(root, g.slice(0, -2))).map((d) => `${g.slice(0, -1)}${d}`) : [g],
      )
      .filter((d) => existsSync(join(root, d, 'package.json')));
    assert.ok(workspace.includes('packages/server'));
    for (const dir of workspace)
      assert.ok(
        copied.some((c) => c.startsWith(`${dir}/package.json `)),
        `${dir}/package.json is copied before pnpm install`,
      );
    // So are the patches the workspace applies to dependencies.
    const patched = (parseYaml(read('pnpm-workspace.yaml')) as { patchedDependencies?: Record<string, string> })
      .patchedDependencies;
    for (const file of Object.values(patched ?? {}))
      assert.ok(
        copied.some((c) => c.startsWith('patches ') || c.startsWith(`${file} `)),
        `${file} is copied before pnpm install`,
      );
    const deploys = dockerfile.stages.flatMap((s) =>
      instructions(s, 'RUN').filter((i) => /pnpm --filter @labelkit\/server deploy --prod\b/.test(i.args)),
    );
    assert.equal(deploys.length, 1, 'one `pnpm deploy --prod` of @labelkit/server');
  });

  it('runs each compose stage on a fresh base image, copying only the bundle (never the build tree)', () => {
    assert.deepEqual(runtimeStages.sort(), ['gpu', 'runtime']);
    for (const name of runtimeStages) {
      const stages = lineage(dockerfile, name);
      assert.ok(
        stages.every((s) => s.name !== 'build'),
        `${name} does not start FROM the build stage`,
      );
      for (const copy of stages.flatMap((s) => instructions(s, 'COPY'))) {
        const from = /--from=(\S+)/.exec(copy.args)?.[1];
        assert.ok(from, `${name}: COPY at line ${copy.line} takes from a stage`);
        assert.notEqual(from, 'build', `${name}: line ${copy.line} copies from the build stage`);
        assert.doesNotMatch(copy.args, /node_modules/, `${name}: line ${copy.line} copies a dev node_modules`);
      }
    }
  });

  it('runs as a numeric non-root user, exposes the port it listens on and listens on every interface', () => {
    for (const name of runtimeStages) {
      const users = lineage(dockerfile, name).flatMap((s) => instructions(s, 'USER'));
      assert.ok(users.length > 0, `${name} sets USER`);
      const user = users[0]!.args.split(':')[0]!;
      assert.match(user, /^\d+$/, `${name}: numeric uid (runAsNonRoot can verify it)`);
      assert.notEqual(Number(user), 0, `${name} does not run as root`);
      const env = envOf(name);
      assert.equal(Number(env.get('LABELKIT_PORT')), exposedPort(name), `${name}: EXPOSE = LABELKIT_PORT`);
      assert.equal(env.get('LABELKIT_HOST'), '0.0.0.0');
    }
  });

  it('checks health on /healthz with node (no curl in the image)', () => {
    for (const name of runtimeStages) {
      const checks = lineage(dockerfile, name).flatMap((s) => instructions(s, 'HEALTHCHECK'));
      assert.equal(checks.length, 1, `${name} has one HEALTHCHECK`);
      const cmd = healthcheckCommand(checks[0]!);
      assert.equal(cmd[0], 'node');
      assert.match(cmd.join(' '), /\/healthz\b/);
    }
  });
});

describe('compose.yaml', () => {
  it('has the server, MinIO with its one-shot bucket job, the TLS proxy, and the gpu and monitoring profiles', () => {
    for (const name of ['labelkit', 'minio', 'minio-init', 'caddy', 'encoder', 'prometheus', 'grafana'])
      assert.ok(compose.services[name], `service ${name}`);
    assert.equal(compose.services.labelkit!.profiles, undefined, 'the server always runs');
    assert.deepEqual(compose.services.encoder!.profiles, ['gpu']);
    assert.deepEqual(compose.services.prometheus!.profiles, ['monitoring']);
    assert.deepEqual(compose.services.grafana!.profiles, ['monitoring']);
    for (const [name, s] of serverServices) {
      const stage = s.build?.target;
      assert.ok(
        dockerfile.stages.some((st) => st.name === stage),
        `${name} builds Dockerfile stage ${stage}`,
      );
    }
  });

  it('keeps the servers behind the proxy: they expose the image port, only the proxy publishes 443', () => {
    for (const [name, s] of serverServices) {
      assert.deepEqual(s.expose?.map(Number), [exposedPort(s.build!.target!)], `${name} expose`);
      assert.equal(s.ports, undefined, `${name} publishes no host port`);
    }
    assert.ok(compose.services.caddy!.ports?.some((p) => p.endsWith(':443')));
  });

  it('gives every long-running service a healthcheck; the servers check /healthz', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (name === 'minio-init') continue;
      assert.ok(s.healthcheck?.test?.length, `${name} has a healthcheck`);
    }
    for (const [name, s] of serverServices) assert.match(s.healthcheck!.test.join(' '), /\/healthz\b/, name);
  });

  it('mounts volumes at the data and model folders the image configures, and existing files only', () => {
    for (const [name, s] of serverServices) {
      const env = { ...Object.fromEntries(envOf(s.build!.target!)), ...environment(s) };
      const targets = (s.volumes ?? []).map((v) => v.split(':')[1]);
      for (const key of ['LABELKIT_DATA_DIR', 'LABELKIT_MODEL_CACHE']) {
        assert.ok(env[key], `${name}: ${key} is set`);
        assert.ok(targets.includes(env[key]), `${name}: a volume is mounted at ${key}=${env[key]}`);
      }
    }
    for (const [name, s] of Object.entries(compose.services))
      for (const v of s.volumes ?? []) {
        const src = v.split(':')[0]!;
        if (src.startsWith('.')) assert.ok(existsSync(resolve(root, src)), `${name}: ${src} exists`);
        else assert.ok(src in compose.volumes, `${name}: named volume ${src} is declared`);
      }
  });

  it('sets only documented LABELKIT_* names (here and in the image), each read by the config loader', () => {
    // Secrets are environment-only (not flags): the config module lists them in ENV_ONLY, beside OPTIONS.
    const envOnly = (serverConfig as { ENV_ONLY?: readonly { env: string }[] }).ENV_ONLY ?? [];
    const documented = new Set([...OPTIONS, ...envOnly].map((o) => o.env));
    const cwd = mkdtempSync(join(tmpdir(), 'labelkit-deploy-'));
    const baseline = loadConfig({ env: {}, cwd });
    assert.ok(baseline.ok);
    const check = (where: string, key: string, value: string) => {
      assert.ok(documented.has(key), `${where}: ${key} is not a documented server option`);
      const loaded = loadConfig({ env: { [key]: value }, cwd });
      assert.ok(loaded.ok, `${where}: ${key}=${value} is refused: ${!loaded.ok && loaded.error.message}`);
      const spec = OPTIONS.find((o) => o.env === key);
      const got = spec ? loaded.value[spec.key] : undefined;
      if (spec && ['site', 'dataDir', 'modelCacheDir'].includes(spec.key)) assert.equal(got, resolve(cwd, value));
      else if (spec) assert.equal(String(got), value, `${where}: ${key}=${value} gives ${spec.key}=${got}`);
      else assert.notDeepEqual(loaded.value, baseline.value, `${where}: ${key}=${value} changes nothing`);
    };
    try {
      for (const [name, s] of Object.entries(compose.services)) {
        for (const [key, value] of Object.entries(environment(s))) {
          if (!key.startsWith('LABELKIT_')) {
            if (s.build) assert.ok(THIRD_PARTY_ENV.has(key), `${name}: ${key} is neither LABELKIT_* nor AWS_*`);
            continue;
          }
          assert.ok(s.build, `${name}: ${key} on a service that is not the server`);
          // LABELKIT_CONFIG names the file itself (documented in `labelkit --help`): proven by the loader test below.
          if (key !== 'LABELKIT_CONFIG') check(name, key, value);
        }
      }
      for (const stage of dockerfile.stages)
        for (const [key, value] of stageEnv(stage))
          if (key.startsWith('LABELKIT_')) check(`Dockerfile stage ${stage.name}`, key, value);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('reads the mounted config file through LABELKIT_CONFIG, and the server loader accepts it', () => {
    for (const [name, s] of serverServices) {
      const env = { ...Object.fromEntries(envOf(s.build!.target!)), ...environment(s) };
      const file = hostPath(s, env.LABELKIT_CONFIG!);
      assert.ok(file && existsSync(file), `${name}: LABELKIT_CONFIG ${env.LABELKIT_CONFIG} is a mounted file`);
      const loaded = loadConfig({ file, env: { ...env, LABELKIT_CONFIG: undefined }, cwd: '/' });
      assert.ok(loaded.ok, `${name}: ${!loaded.ok && `${loaded.error.code} ${loaded.error.message}`}`);
      assert.equal(loaded.value.host, '0.0.0.0');
      assert.equal(loaded.value.executionProvider, name === 'encoder' ? 'cuda' : 'cpu');
      // Compose sends SIGKILL after stop_grace_period: the server must have drained its encoder jobs by then.
      const grace = /^(\d+)s$/.exec(s.stop_grace_period ?? '');
      assert.ok(grace, `${name}: stop_grace_period in seconds`);
      assert.ok(Number(grace[1]) > loaded.value.shutdownSeconds, `${name}: stop_grace_period > shutdownSeconds`);
    }
  });

  it('asks for an NVIDIA GPU in the gpu profile and runs the encoder on CUDA', () => {
    const encoder = compose.services.encoder!;
    const devices = encoder.deploy?.resources?.reservations?.devices ?? [];
    assert.ok(devices.some((d) => d.driver === 'nvidia' && d.capabilities?.includes('gpu')));
    assert.equal(environment(encoder).LABELKIT_EP, 'cuda');
    assert.equal(compose.services.labelkit!.deploy, undefined, 'the CPU server asks for no device');
  });

  it('documents every variable it interpolates in deploy/env.example', () => {
    const example = read('deploy/env.example');
    const documented = new Set([...example.matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
    for (const v of composeVariables(composeText)) assert.ok(documented.has(v), `${v} is in deploy/env.example`);
  });
});
