/**
 * Small readers for the deployment files, enough to check them: no container engine runs here, so the Dockerfile
 * and compose.yaml are checked by reading them, against the server's own configuration and metrics.
 */

export interface Instruction {
  /** Upper-case instruction name (`FROM`, `RUN`, `ENV`...). */
  cmd: string;
  /** The rest of the line, continuation lines joined. */
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  /** Base image or earlier stage, with `${ARG}` replaced by the global ARG defaults. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Global ARGs (before the first FROM) and their defaults. */
  args: Map<string, string>;
  stages: Stage[];
}

/** Reads a Dockerfile: instructions by stage, comments dropped, `\` continuations joined. */
export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let buffer = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (buffer === '' && (line === '' || line.startsWith('#'))) return;
    if (buffer !== '' && line.startsWith('#')) return;
    if (buffer === '') start = i + 1;
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1).trim()} `;
      return;
    }
    buffer += line;
    const m = /^(\S+)\s*(.*)$/s.exec(buffer);
    if (m) instructions.push({ cmd: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
    buffer = '';
  });
  if (buffer !== '') throw new Error('Dockerfile ends inside a continuation line');

  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.cmd === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      const from = m[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args.get(a ?? b) ?? '');
      stages.push({ name: m[2] ?? String(stages.length), from, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.cmd !== 'ARG') throw new Error(`line ${ins.line}: ${ins.cmd} before the first FROM`);
      const [k, v = ''] = ins.args.split('=', 2);
      args.set(k!.trim(), v.trim());
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { args, stages };
}

/** `ENV A=1 B="two"` (and the legacy `ENV A 1`) as a map; later instructions win. */
export function stageEnv(stage: Stage): Map<string, string> {
  const env = new Map<string, string>();
  for (const ins of stage.instructions) {
    if (ins.cmd !== 'ENV') continue;
    if (!ins.args.includes('=')) {
      const [k, ...rest] = ins.args.split(/\s+/);
      env.set(k!, rest.join(' '));
      continue;
    }
    for (const m of ins.args.matchAll(/(\w+)=("([^"]*)"|\S*)/g)) env.set(m[1]!, m[3] ?? m[2]!);
  }
  return env;
}

/** The instructions of a stage with this name, in order. */
export const instructions = (stage: Stage, cmd: string): Instruction[] =>
  stage.instructions.filter((i) => i.cmd === cmd);

/** The stages a stage builds on, through `FROM <stage>`, itself first. */
export function lineage(file: Dockerfile, name: string): Stage[] {
  const out: Stage[] = [];
  let stage = file.stages.find((s) => s.name === name);
  while (stage && !out.includes(stage)) {
    out.push(stage);
    const base = stage.from;
    stage = file.stages.find((s) => s.name === base);
  }
  return out;
}

/** The exec-form command after `CMD` in `HEALTHCHECK [options] CMD [...]`. */
export function healthcheckCommand(ins: Instruction): string[] {
  const m = /\bCMD\s+(\[.*\])\s*$/s.exec(ins.args);
  if (!m) throw new Error(`line ${ins.line}: HEALTHCHECK must use the exec form CMD [...]`);
  return JSON.parse(m[1]!) as string[];
}

/** Variables compose interpolates in a text: `${A}`, `${A:-x}`, `${A:?msg}`, `$A`. */
export function composeVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$\{(\w+)(?:[:?-][^}]*)?\}|\$([A-Za-z_]\w*)/g)) names.add(m[1] ?? m[2]!);
  return names;
}

/**
 * Compose interpolation of one value: `${A:-default}` gives the default when A is unset, `${A:?message}` takes
 * A from `vars` (the test plays the operator's .env) and fails when it is missing, as compose does.
 */
export function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?:(:-|:\?|-|\?)([^}]*))?\}/g, (_, name: string, op?: string, rest?: string) => {
    const v = vars[name];
    if (v !== undefined && v !== '') return v;
    if (op === ':-' || op === '-') return rest ?? '';
    if (op === ':?' || op === '?') throw new Error(`required variable ${name} is not set: ${rest}`);
    return '';
  });
}

/** Prometheus metric names used in a PromQL expression (`labelkit_*` identifiers). */
export function labelkitMetricNames(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\b(labelkit_[a-z0-9_]+)\b/g)].map((m) => m[1]!))];
}

/** The series names a registered metric exposes (a histogram adds `_bucket`, `_sum`, `_count`). */
export function exposedSeries(metric: { name: string; type: string }): string[] {
  if (metric.type === 'histogram') return ['_bucket', '_sum', '_count'].map((s) => metric.name + s);
  if (metric.type === 'summary') return [metric.name, `${metric.name}_sum`, `${metric.name}_count`];
  return [metric.name];
}
