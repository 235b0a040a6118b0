import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AbortError,
  type AnnotationDocument,
  type Dataset,
  encodeRLE,
  type FidelityEntry,
  formats,
} from '@labelkit/core';
import { unzipSync } from 'fflate';
import { EXPORT_FORMATS, ExportError, type ExportSummary, exportFileName, exportZip } from './index.ts';

/** A mask with a 40x30 square at (50, 60). */
function square(width: number, height: number) {
  const m = new Uint8Array(width * height);
  for (let y = 60; y < 90; y++) m.fill(1, y * width + 50, y * width + 90);
  return encodeRLE(m, width, height);
}

/** A dataset touching every shape type, attributes, scores, tags, an undeclared label and three splits. */
function sample(): Dataset {
  return {
    labels: [
      { id: 'cat', name: 'Cat', color: '#e6194b' },
      { id: 'dog', name: 'Dog', color: '#3cb44b' },
    ],
    items: [
      {
        version: 1,
        item: { id: 'train/a.jpg', src: 'images/train/a.jpg', width: 640, height: 480 },
        shapes: [
          { id: 's1', type: 'box', label: 'cat', x: 10, y: 20, width: 100, height: 50, rotation: 30 },
          {
            id: 's2',
            type: 'polygon',
            label: 'dog',
            points: [5, 5, 60, 5, 60, 70, 5, 70],
            attributes: { pose: 'Left' },
          },
          { id: 's3', type: 'point', label: 'cat', x: 3, y: 4 },
        ],
        tags: ['outdoor'],
      },
      {
        version: 1,
        item: { id: 'val/b.jpg', src: 'images/val/b.jpg', width: 320, height: 240 },
        shapes: [
          { id: 't1', type: 'box', label: 'bird', x: 1, y: 2, width: 30, height: 40, source: 'model', score: 0.75 },
          { id: 't2', type: 'mask', label: 'dog', rle: square(320, 240) },
          { id: 't3', type: 'polyline', label: 'dog', points: [0, 0, 10, 10, 20, 5] },
        ],
      },
      {
        version: 1,
        item: { id: 'c.png', width: 100, height: 100 },
        shapes: [{ id: 'u1', type: 'box', label: 'bird', x: 0, y: 0, width: 10, height: 10 }],
      },
    ],
  };
}

const meta = { dataset: 'demo', commit: 'a'.repeat(64) };

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
  return Buffer.concat(parts);
}

function unzipText(bytes: Uint8Array): Record<string, Uint8Array> {
  return unzipSync(bytes);
}

async function* slowly<T>(docs: readonly T[], read: { n: number }): AsyncGenerator<T> {
  for (const d of docs) {
    read.n++;
    yield d;
  }
}

describe('exportZip', () => {
  for (const format of EXPORT_FORMATS)
    it(`holds the ${format} adapter's files and fidelity report for the same dataset`, async () => {
      const d = sample();
      const expected = formats[format].serialize(d);
      const read = { n: 0 };
      const zip = unzipText(
        await collect(
          exportZip({
            format,
            labels: d.labels,
            documents: slowly(d.items, read),
            meta,
            now: () => new Date('2026-11-25T00:00:00Z'),
          }),
        ),
      );
      assert.equal(read.n, d.items.length);
      const dec = new TextDecoder();
      const names = Object.keys(zip).sort();
      assert.deepEqual(names, [...Object.keys(expected.files), 'fidelity.json', 'labelkit-export.json'].sort());
      for (const [p, v] of Object.entries(expected.files))
        assert.equal(dec.decode(zip[p]), typeof v === 'string' ? v : dec.decode(v), p);
      const fidelity = JSON.parse(dec.decode(zip['fidelity.json'])) as {
        format: string;
        items: Record<string, FidelityEntry[]>;
        dataset: FidelityEntry[];
        total: number;
      };
      assert.equal(fidelity.format, format);
      const flat = [...Object.values(fidelity.items).flat(), ...fidelity.dataset];
      const key = (e: FidelityEntry) => JSON.stringify([e.itemId, e.shapeId, e.code, e.message]);
      assert.deepEqual(flat.map(key).sort(), expected.fidelity.map(key).sort());
      assert.equal(fidelity.total, expected.fidelity.length);
      for (const [item, entries] of Object.entries(fidelity.items))
        for (const e of entries) assert.equal(e.itemId, item);
      const summary = JSON.parse(dec.decode(zip['labelkit-export.json'])) as ExportSummary;
      assert.deepEqual(summary, {
        dataset: 'demo',
        commit: meta.commit,
        format,
        items: 3,
        shapes: 7,
        time: '2026-11-25T00:00:00.000Z',
      });
    });

  it('reports per item what the format dropped: the rotated box in voc, point/label/mask in yolo', async () => {
    const d = sample();
    const zip = unzipText(await collect(exportZip({ format: 'voc', labels: d.labels, documents: d.items, meta })));
    const fidelity = JSON.parse(new TextDecoder().decode(zip['fidelity.json'])) as {
      items: Record<string, FidelityEntry[]>;
    };
    const a = fidelity.items['train/a.jpg'] ?? [];
    assert.ok(
      a.some((e) => e.code === 'rotation-dropped' && e.shapeId === 's1'),
      JSON.stringify(a),
    );
    const yoloZip = unzipText(await collect(exportZip({ format: 'yolo', labels: d.labels, documents: d.items, meta })));
    const y = JSON.parse(new TextDecoder().decode(yoloZip['fidelity.json'])) as {
      items: Record<string, FidelityEntry[]>;
    };
    assert.ok(y.items['train/a.jpg']?.some((e) => e.code === 'shape-dropped' && e.shapeId === 's3'));
    assert.ok(y.items['val/b.jpg']?.some((e) => e.code === 'label-added' && e.shapeId === 't1'));
    assert.ok(y.items['val/b.jpg']?.some((e) => e.code === 'mask-as-polygon' && e.shapeId === 't2'));
    // The rotated box is kept as its four corners (an oriented polygon), not silently turned axis-aligned.
    const line = new TextDecoder().decode(yoloZip['labels/train/a.txt']).split('\n')[0] ?? '';
    assert.equal(line.split(' ').length, 9, line);
  });

  it('writes each YOLO/VOC file once when two items share a file name, and reports the second', async () => {
    const doc = (id: string, x: number): AnnotationDocument => ({
      version: 1,
      item: { id, width: 100, height: 100 },
      shapes: [{ id: 's', type: 'box', label: 'cat', x, y: 0, width: 5, height: 5 }],
    });
    const zip = unzipText(
      await collect(
        exportZip({ format: 'voc', labels: sample().labels, documents: [doc('a/x.jpg', 1), doc('b/x.jpg', 2)], meta }),
      ),
    );
    assert.match(new TextDecoder().decode(zip['Annotations/x.xml']), /<xmin>2<\/xmin>/);
    const f = JSON.parse(new TextDecoder().decode(zip['fidelity.json'])) as { items: Record<string, FidelityEntry[]> };
    assert.equal(f.items['b/x.jpg']?.[0]?.code, 'duplicate-file');
  });

  it('refuses an unknown format with export/unknown-format before reading a document', () => {
    const read = { n: 0 };
    assert.throws(
      () => exportZip({ format: 'pascal', labels: [], documents: slowly([], read), meta }),
      (e: unknown) => e instanceof ExportError && e.code === 'export/unknown-format' && e.path === '$.format',
    );
    assert.equal(read.n, 0);
  });

  it('reads documents only as the reader pulls, and an abort mid-stream stops reading them', async () => {
    const n = 5000;
    const docs = Array.from(
      { length: n },
      (_, i): AnnotationDocument => ({
        version: 1,
        item: { id: `img-${i}.jpg`, width: 1000, height: 800 },
        shapes: Array.from({ length: 20 }, (_, k) => ({
          id: `s${k}`,
          type: 'box' as const,
          label: 'cat',
          x: (i * 7 + k * 13) % 900,
          y: (i * 3 + k * 11) % 700,
          width: 50 + k,
          height: 40 + (i % 17),
        })),
      }),
    );
    const read = { n: 0 };
    let closed = false;
    async function* documents() {
      try {
        yield* slowly(docs, read);
      } finally {
        closed = true;
      }
    }
    const ac = new AbortController();
    const reader = exportZip({
      format: 'yolo',
      labels: sample().labels,
      documents: documents(),
      meta,
      signal: ac.signal,
      level: 0,
    }).getReader();
    const first = await reader.read();
    assert.ok(first.value && first.value.length > 0);
    const afterFirst = read.n;
    assert.ok(afterFirst < n, `one chunk should not need all ${n} documents (read ${afterFirst})`);
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(read.n - afterFirst < 200, `nothing pulled, yet ${read.n - afterFirst} more documents were read`);
    ac.abort();
    await assert.rejects(reader.read(), (e: unknown) => e instanceof AbortError);
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(closed, 'the documents iterator was closed');
    assert.ok(read.n < n / 2, `read ${read.n} of ${n} documents after the abort`);
  });

  it('stops reading documents when the reader cancels (a client that disconnects)', async () => {
    const read = { n: 0 };
    const docs = sample().items;
    const many = Array.from(
      { length: 3000 },
      (_, i) => ({ ...docs[0], item: { ...docs[0]?.item, id: `i${i}` } }) as AnnotationDocument,
    );
    const reader = exportZip({
      format: 'coco',
      labels: sample().labels,
      documents: slowly(many, read),
      meta,
    }).getReader();
    const pending = reader.read();
    await reader.cancel();
    await pending.catch(() => undefined);
    const at = read.n;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(read.n, at);
    assert.ok(at < many.length, `read ${at}`);
  });

  it('gives byte-identical zips for the same documents and time (entries carry the export time)', async () => {
    const d = sample();
    const now = () => new Date('2026-01-02T03:04:06Z');
    const once = () => collect(exportZip({ format: 'yolo', labels: d.labels, documents: d.items, meta, now }));
    assert.deepEqual(await once(), await once());
  });

  it('names the file <id>-<short hash>-<format>.zip', () => {
    assert.equal(exportFileName('demo', 'abcdef0123456789', 'coco'), 'demo-abcdef012345-coco.zip');
  });
});
