import type { ZodOpenApiOverrideMeta } from 'zod-openapi';
import type * as z from '../shared/zod.js';

/** One allowed combination of an object's fields: these given, those absent. */
export interface FieldSet {
  required: readonly string[];
  absent: readonly string[];
}

/**
 * Says in the schema what a refinement beside it checks: the object is exactly one of `sets`, as
 * `oneOf` whole objects, each requiring its fields and forbidding the others (a `false` schema), so
 * a client generated from the document refuses a mix too. For `z.withMeta()` after that refinement;
 * it runs only when the document is built (of zod-openapi, only its type is imported).
 */
export const oneOfFieldSets = (...sets: FieldSet[]): { override: ZodOpenApiOverrideMeta } => ({
  override: ({ jsonSchema }) => {
    const { properties = {}, required = [], additionalProperties, type: _, ...rest } = jsonSchema;
    const branch = ({ required: given, absent }: FieldSet): z.core.JSONSchema.JSONSchema => ({
      type: 'object',
      properties: {
        ...Object.fromEntries(Object.entries(properties).filter(([field]) => !absent.includes(field))),
        ...Object.fromEntries(absent.map((field) => [field, false])),
      },
      required: [...required, ...given],
      ...(additionalProperties === undefined ? {} : { additionalProperties }),
    });
    for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
    Object.assign(jsonSchema, rest, { oneOf: sets.map(branch) });
  },
});

/** `oneOfFieldSets` for exactly one of `fields`. */
export const exactlyOneOf = (...fields: string[]) =>
  oneOfFieldSets(...fields.map((field) => ({ required: [field], absent: fields.filter((other) => other !== field) })));
