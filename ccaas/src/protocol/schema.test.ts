import { describe, expect, it } from 'vitest';
import { amount, array, boolean, integer, object, oneOf, parseJson, SchemaError, string } from './schema.js';

const point = object({ x: integer(0, 9), label: string({ maxLength: 3 }) }, { visible: boolean });

describe('schemas', () => {
  it('returns the checked fields only, an absent optional field staying absent', () => {
    const decoded = point.parse({ x: 1, label: 'a', extra: true });

    expect(decoded).toStrictEqual({ x: 1, label: 'a' });
  });

  it('reads own fields only, never through the prototype', () => {
    const inherited = Object.create({ x: 1, label: 'a' }) as object;

    expect(() => point.parse(inherited)).toThrow(new SchemaError('$.x', 'is required'));
  });

  it.each([
    ['a value of the wrong type', { x: '1', label: 'a' }, '$.x', 'must be an integer'],
    ['a number out of range', { x: 10, label: 'a' }, '$.x', 'must be between 0 and 9'],
    ['a string too long', { x: 1, label: 'abcd' }, '$.label', 'must be at most 3 characters'],
    ['an empty string', { x: 1, label: '' }, '$.label', 'must not be empty'],
    [
      'an optional field of the wrong type',
      { x: 1, label: 'a', visible: 'yes' },
      '$.visible',
      'must be true or false',
    ],
    ['null for the object', null, '$', 'must be an object'],
  ])('refuses %s, naming the path', (_case, value, path, problem) => {
    expect(() => point.parse(value)).toThrow(new SchemaError(path, problem));
  });

  it('names the index of a refused array item and bounds the length', () => {
    const list = array(oneOf('a', 'b'), 2);

    expect(list.parse(['a', 'b'])).toEqual(['a', 'b']);
    expect(() => list.parse(['a', 'c'], 'list')).toThrow(new SchemaError('list[1]', 'must be one of a, b'));
    expect(() => list.parse(['a', 'a', 'a'], 'list')).toThrow(
      new SchemaError('list', 'has 3 items, the limit is 2'),
    );
  });

  it.each([['0'], ['-1'], ['1.5'], ['01'], [5], ['1' + '0'.repeat(19)]])(
    'refuses %j as an amount',
    (value) => {
      expect(() => amount.parse(value)).toThrow(SchemaError);
    },
  );

  it('reports text that is not JSON at the root path', () => {
    expect(() => parseJson(point, '{"x":', 'result')).toThrow(/^result: is not JSON/);
  });
});
