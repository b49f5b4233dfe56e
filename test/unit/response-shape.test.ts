import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from '../../functions/shared/zod.js';
import { openApiDocument } from '../../functions/api/openapi.js';
import { representations } from '../../functions/api/representations.js';
import { checkedShape, shapeOf } from '../../functions/api/response-shape.js';
import { routeGroups } from '../../functions/api/routes/index.js';
import { schemasOf, type OpenApiDocument } from '../support/openapi-schemas.js';

const json = (value: unknown): string => JSON.stringify(value);

/** A body the way a handler hands it over: fields dropped and internal ones added, by a seeded choice (reproducible). */
const disturbed = (value: unknown, seed: number): unknown => {
  let state = seed >>> 0 || 1;
  const chance = (percent: number): boolean => {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    return state % 100 < percent;
  };
  // Half the bodies lose no field: a large one that loses any rarely matches its schema any more.
  const drops = chance(50) ? 5 : 0;
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (typeof node !== 'object' || node === null) return node;
    const fields = Object.entries(node).filter(() => !chance(drops));
    if (chance(40)) fields.unshift(['ledgerVersion', 7]);
    if (chance(20)) fields.push(['idempotencyKey', { internal: true }]);
    return Object.fromEntries(fields.map(([key, item]) => [key, walk(item)]));
  };
  return walk(value);
};

describe('a response shaped by its schema, without parsing it', () => {
  it("keeps the schema's fields in its order, drops the others, and fills defaults, as a parse does", () => {
    // Prepare
    const schema = z.object({
      id: z.string(),
      note: z.nullable(z.string()),
      lines: z.array(z.object({ amount: z.string(), date: z._default(z.nullable(z.string()), null) })),
      tag: z.optional(z.enum(['a', 'b'])),
    });
    const body = {
      lines: [{ date: '2026-01-01', amount: '1.00', secret: 1 }, { amount: '2.00' }],
      internal: 3,
      note: null,
      id: 'x',
    };

    // Act
    const shaped = shapeOf(schema)(body);

    // Assess
    expect(json(shaped)).toBe(
      json({
        id: 'x',
        note: null,
        lines: [
          { amount: '1.00', date: '2026-01-01' },
          { amount: '2.00', date: null },
        ],
      }),
    );
    expect(json(shaped)).toBe(json(z.parse(schema, body)));
  });

  it('parses what a parse changes beyond that: a trimming check, a transform, a union', () => {
    // Prepare
    const schema = z.object({
      name: z.string().check(z.trim()),
      count: z.pipe(
        z.string(),
        z.transform((value) => value.length),
      ),
      change: z.discriminatedUnion('op', [
        z.object({ op: z.literal('add'), amount: z.string() }),
        z.object({ op: z.literal('remove'), id: z.string() }),
      ]),
    });

    // Act
    const shaped = shapeOf(schema)({ change: { id: 'c1', op: 'remove', amount: '3' }, count: 'abc', name: '  Ann ' });

    // Assess
    expect(shaped).toEqual({ name: 'Ann', count: 3, change: { op: 'remove', id: 'c1' } });
  });

  it('refuses a body of the wrong kind where the parse would', () => {
    // Prepare
    const schema = z.object({ items: z.array(z.object({ id: z.string() })) });

    // Assess
    expect(() => shapeOf(schema)({ items: 'none' })).toThrow();
    expect(() => shapeOf(schema)('body')).toThrow();
  });

  it('checked, fails a body that does not match its schema', () => {
    // Prepare
    const schema = z.object({ id: z.string(), version: z.number() });
    const checked = checkedShape(schema, shapeOf(schema));

    // Assess
    expect(checked({ id: 'x', version: 2, internal: true })).toEqual({ id: 'x', version: 2 });
    expect(() => checked({ id: 'x', version: '2' })).toThrow();
  });

  it("makes of every route's JSON answers what a parse of its schema makes of them", () => {
    // Prepare: every JSON response schema, with the document's JSON Schema of it to generate bodies from
    const document = JSON.parse(JSON.stringify(openApiDocument(routeGroups))) as OpenApiDocument;
    const schemas = schemasOf(document);
    const answers = Object.values(routeGroups)
      .flat()
      .flatMap((r) =>
        Object.entries(r.responses).flatMap(([status, spec]) => {
          const schema = representations(spec)['application/json'];
          const documented = document.paths[r.path]?.[r.method.toLowerCase()]?.responses?.[status]?.content?.['application/json'];
          return schema && documented ? [{ name: `${r.method} ${r.path} ${status}`, schema, documented: documented.schema }] : [];
        }),
      );
    expect(answers.length).toBeGreaterThan(50);

    const unmatched: string[] = [];
    for (const { name, schema, documented } of answers) {
      let matching = 0;
      // Act
      fc.assert(
        fc.property(schemas.valid(documented), fc.integer(), (tree, seed) => {
          const body = disturbed(tree.value, seed);
          const parsed = z.safeParse(schema, body);
          if (!parsed.success) return;
          matching++;
          // Assess
          expect(json(shapeOf(schema)(body)), name).toBe(json(parsed.data));
        }),
        { numRuns: 40 },
      );
      if (!matching) unmatched.push(name);
    }
    // A refinement the document cannot say (a time zone Intl knows) keeps generated bodies of a few schemas from matching.
    expect(unmatched.length, `answers no generated body matched: ${unmatched.join(', ')}`).toBeLessThan(answers.length / 10);
  });
});
