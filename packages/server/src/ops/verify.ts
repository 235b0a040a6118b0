/**
 * `labelkit verify`, like `git fsck`: walks every ref to its commits, their trees and documents, and reports
 * missing objects, corrupt objects (bytes not hashing to their key, or not the shape the format requires),
 * refs pointing nowhere, dangling commits (stored, reached by no ref), and lineage drift (items at a branch
 * head whose source image changed or vanished since they were committed).
 *
 * Memory: the sets of visited hashes (and each visited tree's item count), the commits waiting to be walked,
 * and the nodes on the current tree path; documents are read, checked and dropped.
 */
import {
  type AnnotationDocument,
  commitKey,
  HistoryError,
  isBranchName,
  objectKey,
  parseRef,
  parseTreeNode,
  readCommit,
  readDocument,
  type TreeNode,
  treeKey,
  validateDocument,
} from '@labelkit/core';
import { listKeys } from './copy.ts';
import { digest, type Location } from './digest.ts';
import { checkLineage, describeLineage } from './lineage.ts';
import { Limiter } from './pool.ts';

export const VerifyProblemKind = {
  /** An object, tree or commit the history points to is not stored. */
  MissingObject: 'missing-object',
  /** Stored bytes that do not hash to their key, are not JSON, or are not the shape the format requires. */
  CorruptObject: 'corrupt-object',
  /** A ref whose commit is not stored. */
  BrokenRef: 'broken-ref',
  /** A ref whose name is not a branch name or whose content is not a commit hash. */
  CorruptRef: 'corrupt-ref',
  /** A stored commit no ref reaches (a failed or in-flight commit; harmless but never shown). */
  DanglingCommit: 'dangling-commit',
  /** An item at a branch head whose source image has another ETag than when it was committed. */
  ImageChanged: 'image-changed',
  /** An item at a branch head whose source image is gone. */
  ImageMissing: 'image-missing',
} as const;
export type VerifyProblemKind = (typeof VerifyProblemKind)[keyof typeof VerifyProblemKind];

export interface VerifyProblem {
  kind: VerifyProblemKind;
  /** A key relative to the history's prefix (`trees/<sha256>.json`, `refs/main`), or an item id for images. */
  key: string;
  detail: string;
}

export interface VerifyOptions {
  /** The dataset's history (its target storage and prefix). */
  history: Location;
  /** The dataset's source images; without it, lineage is not checked. */
  source?: Location;
  /** Storage reads in flight at once (default 16). */
  concurrency?: number;
  /** Called with each problem as it is found (the report lists them all as well). */
  onProblem?: (p: VerifyProblem) => void;
  signal?: AbortSignal;
}

export interface VerifyReport {
  refs: number;
  commits: number;
  trees: number;
  objects: number;
  /** Items at branch heads whose image was compared / that record no image. */
  lineage: { checked: number; unrecorded: number };
  problems: VerifyProblem[];
}

const COMMIT_KEY = /^commits\/([0-9a-f]{64})\.json$/;

class Walker {
  readonly report: VerifyReport = {
    refs: 0,
    commits: 0,
    trees: 0,
    objects: 0,
    lineage: { checked: 0, unrecorded: 0 },
    problems: [],
  };
  readonly commits = new Set<string>();
  /** Tree hash -> its item count (undefined when broken), or the walk in flight. */
  readonly trees = new Map<string, number | undefined | Promise<number | undefined>>();
  readonly objects = new Set<string>();
  readonly limiter: Limiter;
  readonly reader: { get: (key: string) => Promise<Uint8Array | undefined> };

  constructor(readonly options: VerifyOptions) {
    this.limiter = new Limiter(options.concurrency ?? 16);
    const { driver, prefix } = options.history;
    this.reader = { get: (key) => this.limiter.run(async () => (await driver.get(prefix + key))?.body) };
  }

  problem(kind: VerifyProblemKind, key: string, detail: string): void {
    const p = { kind, key, detail };
    this.report.problems.push(p);
    this.options.onProblem?.(p);
  }

  /** Reports a HistoryError about a stored object; other errors (storage down) stop the walk. */
  historyProblem(e: unknown, fallbackKey: string, context: string): void {
    if (!(e instanceof HistoryError)) throw e;
    const kind = e.code === 'history/missing-object' ? 'missing-object' : 'corrupt-object';
    this.problem(kind, e.key ?? fallbackKey, kind === 'missing-object' ? context : `${e.message} (${context})`);
  }

  async readCommit(hash: string, context: string) {
    try {
      return await readCommit(this.reader, hash);
    } catch (e) {
      this.historyProblem(e, commitKey(hash), context);
      return undefined;
    }
  }

  /** Walks a tree once; returns its item count, or undefined when it (or a subtree) could not be read. */
  tree(hash: string, lineage: boolean, context: string): Promise<number | undefined> {
    const known = this.trees.get(hash);
    if (known !== undefined || this.trees.has(hash)) return Promise.resolve(known);
    const walk = this.#tree(hash, lineage, context).then((n) => {
      this.trees.set(hash, n);
      return n;
    });
    this.trees.set(hash, walk);
    return walk;
  }

  async #tree(hash: string, lineage: boolean, context: string): Promise<number | undefined> {
    this.options.signal?.throwIfAborted();
    this.report.trees++;
    const key = treeKey(hash);
    const bytes = await this.reader.get(key);
    if (bytes === undefined) {
      this.problem('missing-object', key, context);
      return undefined;
    }
    const actual = digest(bytes).sha256;
    if (actual !== hash) {
      this.problem('corrupt-object', key, `its bytes hash to ${actual} (${context})`);
      return undefined;
    }
    let node: TreeNode;
    try {
      node = parseTreeNode(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)), key);
    } catch (e) {
      // core's reader says `<key>: <why>`; the report names the key apart.
      const why = e instanceof HistoryError ? e.message.replace(`${key}: `, '') : 'not UTF-8 JSON';
      this.problem('corrupt-object', key, `${why} (${context})`);
      return undefined;
    }
    if (node.kind === 'leaf') {
      const items = [...node.items];
      await Promise.all(items.map(([id, h]) => this.document(id, h, lineage, `item ${JSON.stringify(id)} of ${key}`)));
      return items.length;
    }
    const children = [...node.children];
    let total: number | undefined = 0;
    const counts = await Promise.all(children.map(([d, c]) => this.tree(c.tree, lineage, `child ${d} of ${key}`)));
    children.forEach(([d, { count }], i) => {
      const n = counts[i];
      if (n !== undefined && n !== count)
        this.problem('corrupt-object', key, `child ${d} says ${count} items, its tree holds ${n} (${context})`);
      total = n === undefined || total === undefined ? undefined : total + n;
    });
    return total;
  }

  async document(itemId: string, hash: string, lineage: boolean, context: string): Promise<void> {
    if (this.objects.has(hash)) return;
    this.objects.add(hash);
    this.report.objects++;
    let doc: AnnotationDocument;
    try {
      doc = await readDocument(this.reader, hash, itemId);
    } catch (e) {
      this.historyProblem(e, objectKey(hash), context);
      return;
    }
    const valid = validateDocument(doc);
    if (!valid.ok) {
      this.problem('corrupt-object', objectKey(hash), `${valid.error.message} at ${valid.error.path} (${context})`);
      return;
    }
    const source = this.options.source;
    if (!lineage || !source) return;
    const check = await this.limiter.run(() => checkLineage(source, doc));
    if (check.status === 'unrecorded') this.report.lineage.unrecorded++;
    else this.report.lineage.checked++;
    if (check.status === 'image-changed' || check.status === 'image-missing')
      this.problem(check.status, itemId, describeLineage(itemId, check));
  }
}

/** Walks a dataset's history and lists every problem found; see the module comment. */
export async function verifyHistory(options: VerifyOptions): Promise<VerifyReport> {
  const w = new Walker(options);
  const { history, signal } = options;
  const heads: { branch: string; hash: string }[] = [];
  for await (const { key } of listKeys(history, 'refs/')) {
    w.report.refs++;
    const branch = key.slice('refs/'.length);
    if (!isBranchName(branch)) {
      w.problem('corrupt-ref', key, 'not a branch name');
      continue;
    }
    const bytes = await w.reader.get(key);
    if (bytes === undefined) continue; // deleted since it was listed
    try {
      heads.push({ branch, hash: parseRef(bytes, key) });
    } catch (e) {
      w.problem('corrupt-ref', key, (e as Error).message);
    }
  }
  // Heads first, with lineage: their documents are then visited (and their images checked) before any older
  // commit's walk could mark them as seen.
  const pending: { hash: string; context: string }[] = [];
  for (const { branch, hash } of heads) {
    if (w.commits.has(hash)) continue;
    w.commits.add(hash);
    const key = commitKey(hash);
    if (!(await options.history.driver.head(options.history.prefix + key))) {
      w.problem('broken-ref', `refs/${branch}`, `points to commit ${hash}, which is not stored`);
      continue;
    }
    const commit = await w.readCommit(hash, `head of ${branch}`);
    if (!commit) continue;
    w.report.commits++;
    await w.tree(commit.tree, true, `tree of ${key}`);
    for (const p of commit.parents) pending.push({ hash: p, context: `parent of ${key}` });
  }
  while (pending.length > 0) {
    signal?.throwIfAborted();
    const { hash, context } = pending.pop() as { hash: string; context: string };
    if (w.commits.has(hash)) continue;
    w.commits.add(hash);
    const commit = await w.readCommit(hash, context);
    if (!commit) continue;
    w.report.commits++;
    await w.tree(commit.tree, false, `tree of ${commitKey(hash)}`);
    for (const p of commit.parents) pending.push({ hash: p, context: `parent of ${commitKey(hash)}` });
  }
  for await (const { key } of listKeys(history, 'commits/')) {
    const m = COMMIT_KEY.exec(key);
    if (!m || w.commits.has(m[1] as string)) continue;
    const commit = await w.readCommit(m[1] as string, 'a stored commit');
    if (commit) w.problem('dangling-commit', key, `no ref reaches it (${commit.time}, by ${commit.author})`);
  }
  return w.report;
}
