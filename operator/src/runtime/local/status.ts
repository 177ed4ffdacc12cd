import { readFile, rename, writeFile } from 'node:fs/promises';
import { degradedConditions, progressingConditions, readyConditions } from '../../api/v1alpha1/conditions.js';
import type { Condition, FabricKind } from '../../api/v1alpha1/types.js';
import { verdictConditions, type Verdict } from '../../reconcile/verdict.js';

/** One resource's observed state, as `status` prints it and tests read it. */
export interface ResourceStatus {
  readonly kind: FabricKind;
  readonly name: string;
  readonly observedGeneration: number;
  readonly conditions: readonly Condition[];
  /** "ready/desired" for sets, e.g. "2/2". */
  readonly replicas?: string;
  /** Block height (channels: the lowest of its peers). */
  readonly height?: number;
  /** Kind-specific facts: endpoints, package id, sequence, members. */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

export interface StatusDocument {
  readonly pid: number;
  readonly updatedAt: string;
  readonly resources: readonly ResourceStatus[];
}

/**
 * The status of every resource of the local network, kept in status.json. Conditions follow
 * the Kubernetes rules (lastTransitionTime moves only on a flip) and the file is written only
 * when something changed.
 */
export class StatusBook {
  private readonly resources = new Map<string, ResourceStatus>();
  private written = '';
  private saving: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string) {}

  static async open(file: string): Promise<StatusBook> {
    const book = new StatusBook(file);
    try {
      const document = JSON.parse(await readFile(file, 'utf8')) as StatusDocument;
      for (const resource of document.resources)
        book.resources.set(`${resource.kind}/${resource.name}`, resource);
    } catch {
      // first run
    }
    return book;
  }

  get(kind: FabricKind, name: string): ResourceStatus | undefined {
    return this.resources.get(`${kind}/${name}`);
  }

  all(): ResourceStatus[] {
    return [...this.resources.values()];
  }

  private put(
    kind: FabricKind,
    name: string,
    generation: number,
    change: (conditions: readonly Condition[]) => readonly Condition[],
    extra: Partial<ResourceStatus>,
  ): void {
    const key = `${kind}/${name}`;
    const current = this.resources.get(key);
    this.resources.set(key, {
      ...(current ?? { kind, name, createdAt: new Date().toISOString(), conditions: [] }),
      ...extra,
      kind,
      name,
      observedGeneration: generation,
      conditions: change(current?.conditions ?? []),
    });
  }

  progressing(kind: FabricKind, name: string, generation: number, reason: string, message: string): void {
    this.put(kind, name, generation, (c) => progressingConditions(c, generation, reason, message), {});
  }

  ready(
    kind: FabricKind,
    name: string,
    generation: number,
    reason: string,
    message: string,
    extra: Partial<ResourceStatus> = {},
  ): void {
    this.put(kind, name, generation, (c) => readyConditions(c, generation, reason, message), extra);
  }

  degraded(kind: FabricKind, name: string, generation: number, reason: string, message: string): void {
    this.put(kind, name, generation, (c) => degradedConditions(c, generation, reason, message), {});
  }

  /** Records what a reconcile concluded: its condition, and its fields as replicas/height/details. */
  record(kind: FabricKind, name: string, generation: number, verdict: Verdict): void {
    const { replicas, readyReplicas, height, ...details } = verdict.fields;
    const extra: Partial<ResourceStatus> = {
      ...(typeof replicas === 'number' && typeof readyReplicas === 'number'
        ? { replicas: `${String(readyReplicas)}/${String(replicas)}` }
        : {}),
      ...(typeof height === 'number' ? { height } : {}),
      details,
    };
    this.put(kind, name, generation, (c) => verdictConditions(c, generation, verdict), extra);
  }

  /** Forgets resources that are no longer declared. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.resources.keys()) if (!keys.has(key)) this.resources.delete(key);
  }

  /** Writes status.json if anything changed since the last write. */
  save(): Promise<void> {
    // Resources of one phase reconcile concurrently: writes go one after another (one .tmp file).
    this.saving = this.saving.then(
      () => this.write(),
      () => this.write(),
    );
    return this.saving;
  }

  private async write(): Promise<void> {
    const resources = this.all().sort((a, b) => (a.kind + a.name < b.kind + b.name ? -1 : 1));
    const body = JSON.stringify(resources);
    if (body === this.written) return;
    const document: StatusDocument = { pid: process.pid, updatedAt: new Date().toISOString(), resources };
    await writeFile(`${this.file}.tmp`, `${JSON.stringify(document, null, 2)}\n`);
    await rename(`${this.file}.tmp`, this.file);
    this.written = body;
  }
}

/** Ages as kubectl prints them: 45s, 12m, 3h, 2d. */
export function age(since: string, now: Date = new Date()): string {
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(since)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** A `kubectl get`-like table: KIND NAME READY REPLICAS HEIGHT AGE, plus the reason when not ready. */
export function formatStatus(document: StatusDocument, now: Date = new Date()): string {
  const rows = document.resources.map((resource) => {
    const ready = resource.conditions.find((condition) => condition.type === 'Ready');
    return [
      resource.kind,
      resource.name,
      ready?.status === 'True' ? 'True' : `False${ready ? ` (${ready.reason}: ${ready.message})` : ''}`,
      resource.replicas ?? '-',
      resource.height === undefined ? '-' : String(resource.height),
      age(resource.createdAt, now),
    ];
  });
  const header = ['KIND', 'NAME', 'READY', 'REPLICAS', 'HEIGHT', 'AGE'];
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}
