import { describe, expect, it } from 'vitest';
import { Contract } from './contract.js';

const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const contract = new Contract({
  paths: {
    '/v1/things/{id}': {
      get: {
        responses: {
          200: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['id', 'at'],
                  properties: { id: { type: 'string' }, at: { type: 'string', format: 'date-time' } },
                },
              },
            },
          },
          404: { content: problem },
          429: { content: problem },
        },
      },
    },
  },
  components: {
    schemas: {
      Problem: {
        type: 'object',
        required: ['status', 'detail'],
        properties: { status: { type: 'integer' } },
      },
    },
  },
} as unknown as ConstructorParameters<typeof Contract>[0]);
const json = new Headers({ 'content-type': 'application/json; charset=UTF-8' });
const problemType = new Headers({ 'content-type': 'application/problem+json' });

describe('Contract (answers checked against an OpenAPI document)', () => {
  it('accepts a documented answer', () => {
    expect(
      contract.check('GET', '/v1/things/7?x=1', 200, json, '{"id":"7","at":"2026-11-30T10:00:00+01:00"}'),
    ).toEqual([]);
  });

  it.each([
    ['an undocumented status', 'GET', '/v1/things/7', 500, json, '{}', 'status not documented'],
    [
      'a wrong media type',
      'GET',
      '/v1/things/7',
      200,
      new Headers({ 'content-type': 'text/plain' }),
      'x',
      'media type',
    ],
    [
      'a body off its schema',
      'GET',
      '/v1/things/7',
      200,
      json,
      '{"id":7,"at":"yesterday"}',
      '/id must be string',
    ],
    [
      'a bad date-time',
      'GET',
      '/v1/things/7',
      200,
      json,
      '{"id":"7","at":"yesterday"}',
      '/at must match format',
    ],
    [
      'a 429 without Retry-After',
      'GET',
      '/v1/things/7',
      429,
      problemType,
      '{"status":429,"detail":"x"}',
      'Retry-After',
    ],
    ['an undocumented /v1 path', 'GET', '/v1/other', 200, json, '{}', 'not in the document'],
    ['a routing 404 that is not a problem', 'GET', '/v1/other', 404, json, '{}', 'not a problem document'],
  ])('flags %s', (_name, method, url, status, headers, text, message) => {
    const broken = contract.check(method, url, status, headers, text);

    expect(broken.join('\n')).toContain(message);
  });

  it('accepts the routing answers 404 and 405 as problems', () => {
    expect(contract.check('DELETE', '/v1/things/7', 405, problemType, '{"status":405,"detail":"x"}')).toEqual(
      [],
    );
    expect(contract.check('GET', '/v1/nothing', 404, problemType, '{"status":404,"detail":"x"}')).toEqual([]);
  });
});
