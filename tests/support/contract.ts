import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

interface Response {
  readonly content?: Record<string, { schema?: unknown }>;
  readonly headers?: Record<string, unknown>;
}
interface Document {
  readonly paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
}

const pointer = (...parts: string[]) =>
  `openapi.json#/${parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

/**
 * The API's own OpenAPI document as a contract every answer is checked against: the status is
 * one the operation declares, the media type one it declares for that status, and the body
 * valid against that schema (JSON Schema 2020-12, formats checked). Answers of the routing
 * itself (an unknown path, a method a path does not take) must be the 404/405 problems the
 * document's description promises.
 */
export class Contract {
  private readonly ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: { pattern: RegExp; path: string }[];

  constructor(private readonly document: Document) {
    this.ajv.addSchema(document, 'openapi.json');
    this.templates = Object.keys(document.paths).map((path) => ({
      path,
      pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`),
    }));
  }

  /** What is wrong with this answer, by the document (empty when nothing is). */
  check(method: string, url: string, status: number, headers: Headers, text: string): string[] {
    const path = url.split('?')[0] ?? url;
    const where = `${method} ${path} -> ${String(status)}`;
    const mediaType = (headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const template = this.templates.find((candidate) => candidate.pattern.test(path))?.path;
    const operation = template ? this.document.paths[template]?.[method.toLowerCase()] : undefined;
    if (!template || !operation) {
      if (status === 404 || status === 405)
        return mediaType === 'application/problem+json'
          ? this.validate(pointer('components', 'schemas', 'Problem'), text, where)
          : [`${where}: routing answer is ${mediaType}, not a problem document`];
      if (path.startsWith('/v1/')) return [`${where}: ${method} ${path} is not in the document`];
      return [];
    }
    const response = operation.responses[String(status)] ?? operation.responses.default;
    if (!response) return [`${where}: status not documented for this operation`];
    const problems: string[] = [];
    if (status === 429 && !headers.get('retry-after')) problems.push(`${where}: no Retry-After`);
    if (!response.content)
      return text === '' ? problems : [...problems, `${where}: body where none is documented`];
    const declared = response.content[mediaType];
    if (!declared) return [...problems, `${where}: media type ${mediaType || '(none)'} not documented`];
    if (!mediaType.endsWith('json')) return problems;
    return [
      ...problems,
      ...this.validate(
        pointer(
          'paths',
          template,
          method.toLowerCase(),
          'responses',
          String(status),
          'content',
          mediaType,
          'schema',
        ),
        text,
        where,
      ),
    ];
  }

  private validate(ref: string, text: string, where: string): string[] {
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validate);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [`${where}: body is not JSON`];
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) => `${where}: ${error.instancePath || '(body)'} ${error.message ?? 'is invalid'}`,
    );
  }
}
