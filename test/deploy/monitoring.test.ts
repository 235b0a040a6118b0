/**
 * The files around the server in compose: its config file and MinIO bucket, the Caddy proxy, Prometheus and the
 * Grafana dashboard, checked against the server's registered metrics and, for the healthcheck commands and the
 * scrape path, against a running server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Metrics, type RunningServer, silentLogger, startServer } from '@labelkit/server';
import { parse as parseYaml } from 'yaml';
import { compose, dockerfile, environment, exposedPort, hostPath, read, root, serverServices } from './files.ts';
import { exposedSeries, healthcheckCommand, instructions, labelkitMetricNames } from './parse.ts';

const run = promisify(execFile);

describe('storage, proxy and monitoring files', () => {
  const configFile = JSON.parse(read('deploy/labelkit.config.json')) as {
    storages: Record<string, { driver: string; bucket?: string; endpoint?: string }>;
    datasets: { id: string; target?: { storage: string } }[];
  };

  it('keeps histories in the bucket MinIO creates, at the address compose gives MinIO', () => {
    const s3 = Object.entries(configFile.storages).filter(([, s]) => s.driver === 's3');
    assert.equal(s3.length, 1);
    const [storageName, storage] = s3[0]!;
    const init = environment(compose.services['minio-init']!);
    assert.equal(storage.bucket, init.BUCKET, 'the config names the bucket minio-init creates');
    const policy = read('deploy/minio/labelkit-policy.json');
    assert.ok(policy.includes(`arn:aws:s3:::${storage.bucket}/*`), 'the application key is limited to that bucket');
    const endpoint = new URL(storage.endpoint!);
    assert.ok(compose.services[endpoint.hostname], `endpoint host ${endpoint.hostname} is a compose service`);
    assert.ok(compose.services[endpoint.hostname]!.expose?.includes(endpoint.port));
    // Servers keep no state of their own only when every declared history lives in the shared bucket.
    for (const d of configFile.datasets) assert.equal(d.target?.storage, storageName, `dataset ${d.id} target`);
  });

  it('proxies to the servers on the port the image exposes, and hides /metrics', () => {
    const caddy = read('deploy/caddy/Caddyfile');
    const port = exposedPort('runtime');
    const upstreams = [...caddy.matchAll(/dynamic a (\S+) (\d+)/g)];
    assert.ok(upstreams.length >= 2);
    for (const [, host, p] of upstreams) {
      assert.equal(Number(p), port);
      assert.ok(host === 'labelkit' || host === '{$EMBEDDINGS_UPSTREAM:labelkit}', `upstream ${host}`);
    }
    assert.match(caddy, /handle \/metrics \{\s*respond 404/);
    assert.equal(hostPath(compose.services.caddy!, '/etc/caddy/Caddyfile'), resolve(root, 'deploy/caddy/Caddyfile'));
  });

  it('has a Grafana dashboard whose queries use only metrics the server registers', () => {
    const registered = new Metrics().registry.getMetricsAsArray().map((m) => ({ name: m.name, type: String(m.type) }));
    const series = new Set(registered.flatMap(exposedSeries));
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/labelkit.json')) as {
      panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
      templating: { list: { name: string; current: { value: string } }[] };
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    for (const expr of exprs)
      for (const name of labelkitMetricNames(expr))
        assert.ok(series.has(name), `${name} (in ${expr}) is not a registered metric`);
    const uses = (pattern: RegExp) => exprs.some((e) => pattern.test(e));
    assert.ok(uses(/labelkit_encoder_queue_length/), 'encoder queue');
    assert.ok(uses(/histogram_quantile\(.*labelkit_encoder_seconds_bucket/), 'encoder latency');
    assert.ok(uses(/labelkit_embedding_cache_hits_total.*labelkit_embedding_cache_misses_total/), 'hit ratio');
    assert.ok(uses(/labelkit_commits_total/), 'commits per minute');
    assert.ok(uses(/labelkit_http_requests_total\{status=~"5\.\."\}/), 'errors');
    const datasource = dashboard.templating.list.find((v) => v.name === 'datasource');
    const provisioned = parseYaml(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: { uid: string; url: string }[];
    };
    assert.equal(datasource?.current.value, provisioned.datasources[0]!.uid);
    assert.equal(new URL(provisioned.datasources[0]!.url).hostname, 'prometheus');
    // Grafana's variable syntax (so the dashboard imports into any Grafana), not a JavaScript template.
    const variable = '$' + '{datasource}';
    for (const p of dashboard.panels) assert.equal(p.datasource.uid, variable, p.title);
  });

  describe('against a running server', () => {
    let server: RunningServer;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'labelkit-deploy-'));
      server = await startServer({
        port: 0,
        host: '127.0.0.1',
        site: undefined,
        dataDir: join(dir, 'data'),
        modelCacheDir: join(dir, 'models'),
        logger: silentLogger,
        warm: false,
      });
    });
    after(async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('Prometheus scrapes every server service on its port and the path the server answers metrics on', async () => {
      const config = parseYaml(read('deploy/prometheus/prometheus.yml')) as {
        scrape_configs: {
          job_name: string;
          metrics_path?: string;
          dns_sd_configs?: { names: string[]; port: number }[];
        }[];
      };
      const scraped = new Set<string>();
      for (const job of config.scrape_configs) {
        for (const sd of job.dns_sd_configs ?? [])
          for (const host of sd.names) {
            assert.ok(compose.services[host]?.build, `${job.job_name}: ${host} is a LabelKit service`);
            assert.equal(sd.port, exposedPort(compose.services[host]!.build!.target!));
            scraped.add(host);
          }
        const res = await fetch(`${server.url}${job.metrics_path ?? '/metrics'}`);
        assert.equal(res.status, 200, job.job_name);
        assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
        assert.match(await res.text(), /^# TYPE labelkit_http_requests_total counter$/m);
      }
      assert.deepEqual([...scraped].sort(), serverServices.map(([n]) => n).sort());
    });

    it('the healthcheck commands of the image and of compose pass against a server and fail without one', async () => {
      const port = new URL(server.url).port;
      const all = [
        ...dockerfile.stages.flatMap((s) => instructions(s, 'HEALTHCHECK').map(healthcheckCommand)),
        ...serverServices.map(([, s]) => s.healthcheck!.test.slice(1)),
      ];
      assert.ok(all.length >= 4);
      // Each distinct command once (they are usually one and the same): a node start costs a second here.
      const commands = [...new Set(all.map((c) => JSON.stringify(c)))].map((c) => JSON.parse(c) as string[]);
      for (const [bin, ...args] of commands) {
        assert.equal(bin, 'node');
        await run(process.execPath, args, { env: { ...process.env, LABELKIT_PORT: port }, timeout: 10_000 });
        await assert.rejects(
          run(process.execPath, args, { env: { ...process.env, LABELKIT_PORT: '1' }, timeout: 10_000 }),
          'fails when nothing answers',
        );
      }
    });
  });
});
