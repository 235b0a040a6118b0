import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { formats, type Mask, rleToBbox } from '@labelkit/core';
import { type Instance, instance, SECRET, squareOf, tempRoot, writeItems } from '../jobs/fixtures/harness.ts';
import { FsDriver } from '../storage/drivers/fs.ts';

/** A labeling config as Label Studio's object-detection and semantic-segmentation templates write them. */
const CONFIG = `<View>
  <Image name="image" value="$image" zoom="true"/>
  <RectangleLabels name="label" toName="image">
    <Label value="Vehicle" background="green" predicted_values="red,green"/>
    <Label value="Sky" background="blue"/>
  </RectangleLabels>
  <BrushLabels name="tag" toName="image">
    <Label value="Vehicle" background="#FF0000" predicted_values='red'/>
  </BrushLabels>
</View>`;

/** A task as Label Studio sends it to `/predict` (fields of its serializer kept). */
const task = (id: number, image: string) => ({
  id,
  data: { image },
  meta: {},
  created_at: '2024-05-01T10:00:00.000000Z',
  updated_at: '2024-05-01T10:00:00.000000Z',
  is_labeled: false,
  overlap: 1,
  inner_id: id,
  total_annotations: 0,
  cancelled_annotations: 0,
  total_predictions: 0,
  comment_count: 0,
  unresolved_comment_count: 0,
  last_comment_updated_at: null,
  project: 3,
  updated_by: null,
  file_upload: null,
  comment_authors: [],
  annotations: [],
  predictions: [],
});

const predictBody = (tasks: unknown[], label_config = CONFIG) => ({
  tasks,
  project: '3.1714557600',
  label_config,
  params: { login: null, password: null, context: null },
});

interface Region {
  id: string;
  type: string;
  from_name: string;
  to_name: string;
  original_width: number;
  original_height: number;
  value: Record<string, unknown>;
  score: number;
}
interface Predicted {
  results: { result: Region[]; score: number; model_version: string }[];
  model_version: string;
}

describe('Label Studio ML backend protocol', () => {
  let root: string;
  let ids: string[];
  let s: Instance;
  const base = '/v1/labelstudio/shapes/squares';

  before(async () => {
    root = tempRoot();
    ids = await writeItems(root, 4);
    s = instance(root);
  });
  after(async () => {
    await s.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers /health and /setup as the backend SDK does', async () => {
    const health = await s.call(`${base}/health`, { token: 'bob' });
    assert.equal(health.status, 200);
    const h = (await health.json()) as { status: string; model_class: string; model_version: string };
    assert.equal(h.status, 'UP');
    assert.equal(h.model_class, 'LabelKit');
    const setup = await s.call(`${base}/setup`, {
      token: 'bob',
      json: {
        project: '3.1714557600',
        schema: CONFIG,
        hostname: 'http://localhost:8080',
        access_token: 'ls-secret-token',
        model_version: null,
        extra_params: null,
      },
    });
    const body = await setup.text();
    assert.equal(setup.status, 200, body);
    assert.equal((JSON.parse(body) as { model_version: string }).model_version, h.model_version);
    assert.ok(!body.includes('ls-secret-token'));
    assert.equal((await s.call('/v1/labelstudio/shapes/nope/health', { token: 'bob' })).status, 404);
    assert.equal((await s.call('/v1/labelstudio/other/squares/health', { token: 'bob' })).status, 403);
  });

  it('predicts rectanglelabels in percent and brushlabels masks inside the boxes', async () => {
    const signed = await new FsDriver({ root, secret: SECRET, signBaseUrl: '/v1/storage/fs/data' }).sign({
      key: `images/${ids[2]}`,
      method: 'GET',
    });
    const res = await s.call(`${base}/predict`, {
      token: 'bob',
      json: predictBody([task(11, ids[1] as string), task(12, signed.url)]),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const out = JSON.parse(text) as Predicted;
    assert.equal(out.results.length, 2);
    for (const [k, i] of [1, 2].entries()) {
      const r = out.results[k];
      assert.ok(r && r.score > 0.5 && r.model_version === out.model_version);
      const rect = r.result.find((x) => x.type === 'rectanglelabels');
      const brush = r.result.find((x) => x.type === 'brushlabels');
      assert.ok(rect && brush, JSON.stringify(r.result));
      assert.equal(rect.from_name, 'label');
      assert.equal(brush.from_name, 'tag');
      assert.equal(rect.to_name, 'image');
      assert.deepEqual([rect.original_width, rect.original_height], [48, 32]);
      assert.deepEqual(rect.value.rectanglelabels, ['Vehicle']);
      const want = squareOf(i);
      const v = rect.value as { x: number; y: number; width: number; height: number };
      assert.ok(
        Math.abs(v.x - (want.x / 48) * 100) < 2 && Math.abs(v.width - (want.width / 48) * 100) < 2,
        JSON.stringify(v),
      );
      assert.ok(
        Math.abs(v.y - (want.y / 32) * 100) < 3 && Math.abs(v.height - (want.height / 32) * 100) < 3,
        JSON.stringify(v),
      );
      assert.equal(brush.value.format, 'rle');
      // Read back through core's Label Studio parser: the brush is a mask inside the square.
      const parsed = formats.labelstudio.parse({
        'tasks.json': JSON.stringify([{ id: 1, data: { image: 'x.png' }, annotations: [{ id: 1, result: [brush] }] }]),
      });
      assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.error));
      const mask = parsed.value.dataset.items[0]?.shapes[0] as Mask;
      const [x, y, w, h] = rleToBbox(mask.rle);
      assert.ok(
        w > 0 &&
          x >= want.x - 1 &&
          y >= want.y - 1 &&
          x + w <= want.x + want.width + 1 &&
          y + h <= want.y + want.height + 1,
      );
    }
  });

  it('refuses images outside the dataset (no fetching of URLs) and bad bodies, naming the field', async () => {
    const cases: [string, string, number][] = [
      ['http://169.254.169.254/latest/meta-data', 'labelstudio/forbidden-image', 400],
      ['https://example.com/img-0001.png', 'labelstudio/forbidden-image', 400],
      ['/data/upload/3/img-0001.png', 'labelstudio/forbidden-image', 400],
      ['../secrets/img.png', 'labelstudio/forbidden-image', 400],
      ['/v1/storage/fs/data/models/squares.onnx', 'labelstudio/forbidden-image', 400],
      ['file:///etc/passwd', 'labelstudio/forbidden-image', 400],
      ['missing.png', 'labelstudio/image-not-found', 404],
    ];
    for (const [image, code, status] of cases) {
      const res = await s.call(`${base}/predict`, {
        token: 'bob',
        json: predictBody([task(1, ids[0] as string), task(2, image)]),
      });
      const e = ((await res.json()) as { error: { code: string; path?: string } }).error;
      assert.equal(res.status, status, image);
      assert.equal(e.code, code, image);
      assert.equal(e.path, '$.tasks[1].data.image', image);
    }
    const noImage = await s.call(`${base}/predict`, {
      token: 'bob',
      json: predictBody([task(1, 'a.png')], '<View><Text name="t" value="$text"/></View>'),
    });
    assert.equal(noImage.status, 400);
    assert.equal(((await noImage.json()) as { error: { path: string } }).error.path, '$.label_config');
    const noTasks = await s.call(`${base}/predict`, { token: 'bob', json: predictBody([]) });
    assert.equal(((await noTasks.json()) as { error: { path: string } }).error.path, '$.tasks');
    const badParams = await s.call(`${base}/predict`, {
      token: 'bob',
      json: { ...predictBody([task(1, ids[0] as string)]), params: { confidence: 5 } },
    });
    assert.equal(((await badParams.json()) as { error: { path: string } }).error.path, '$.params.confidence');
    assert.equal((await s.app.request(`${base}/health`)).status, 401, 'no principal, no predictions');
  });
});
