import type { Document } from 'mongodb';

/**
 * The steps of a query plan, flattened: PostgreSQL node types with their index names (what
 * FerretDB v2 returns from `explain`) or MongoDB stages with theirs.
 */
export function planSteps(explain: Document): string[] {
  const steps: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record['Node Type'] === 'string') {
      const index = typeof record['Index Name'] === 'string' ? ` ${record['Index Name']}` : '';
      steps.push(`${record['Node Type']}${index}`);
    }
    if (typeof record.stage === 'string')
      steps.push(`${record.stage}${typeof record.indexName === 'string' ? ` ${record.indexName}` : ''}`);
    for (const value of Object.values(record)) walk(value);
  };
  walk((explain.queryPlanner as Document | undefined) ?? explain);
  return steps;
}
