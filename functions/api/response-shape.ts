import * as z from '../shared/zod.js';

/** A response body as its schema shows it. */
export type Shape = (body: unknown) => unknown;

const asIs: Shape = (value) => value;

// Of zod's checks only `overwrite` (trim, case) changes the value; the others only refuse it.
const rewrites = (schema: z.core.$ZodType): boolean =>
  schema._zod.def.checks?.some((check) => check._zod.def.check === 'overwrite') ?? false;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const shapes = new WeakMap<z.core.$ZodType, Shape>();

/**
 * What `schema.parse(body)` makes of a body that matches it, without checking it: an object's own
 * fields in the schema's order and nothing else, defaults where a field is absent. That is all a
 * response schema does to a body, and it costs a fraction of a parse. Whatever does more (a
 * rewriting check, a transform, a union, a loose object) is parsed; so is a body of the wrong kind,
 * which the parse refuses. That a body matches its schema is for the tests to show (`checkedShape`).
 */
export const shapeOf = (schema: z.core.$ZodType): Shape => {
  let shape = shapes.get(schema);
  if (!shape) {
    shape = compile(schema);
    shapes.set(schema, shape);
  }
  return shape;
};

const compile = (schema: z.core.$ZodType): Shape => {
  const parse: Shape = (value) => z.parse(schema, value);
  if (rewrites(schema)) return parse;
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'string':
    case 'number':
    case 'boolean':
      return def.coerce ? parse : asIs;
    case 'enum':
    case 'literal':
    case 'null':
    case 'unknown':
    case 'any':
      return asIs;
    case 'nullable': {
      const inner = shapeOf(def.innerType);
      return (value) => (value === null ? null : inner(value));
    }
    case 'optional': {
      const inner = shapeOf(def.innerType);
      return (value) => (value === undefined ? undefined : inner(value));
    }
    case 'default': {
      const inner = shapeOf(def.innerType);
      return (value) => (value === undefined ? def.defaultValue : inner(value));
    }
    case 'array': {
      const item = shapeOf(def.element);
      return (value) => (Array.isArray(value) ? value.map((element) => item(element)) : parse(value));
    }
    case 'object': {
      // A strict object's unknown keys make an invalid body, which the tests' check refuses; a loose one keeps them.
      if (def.catchall && def.catchall._zod.def.type !== 'never') return parse;
      const keys = Object.keys(def.shape);
      const fields = keys.map((key) => shapeOf(def.shape[key]!));
      return (value) => {
        if (!isObject(value)) return parse(value);
        const shaped: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) {
          const item = fields[i]!(value[keys[i]!]);
          if (item !== undefined) shaped[keys[i]!] = item;
        }
        return shaped;
      };
    }
    default:
      return parse;
  }
};

/** `shape`, checked against the parse of the same body: an answer that does not match its schema, or is shaped otherwise, fails. */
export const checkedShape =
  (schema: z.core.$ZodType, shape: Shape): Shape =>
  (body) => {
    const parsed = JSON.stringify(z.parse(schema, body));
    const shaped = shape(body);
    if (JSON.stringify(shaped) !== parsed) {
      throw new Error(`The response is shaped otherwise than its schema parses it: ${JSON.stringify(shaped)} against ${parsed}`);
    }
    return shaped;
  };
