import fc from 'fast-check';

/** A JSON Schema (OpenAPI 3.1 dialect) as the document carries it. */
export type Schema = { [keyword: string]: any };

export interface OpenApiDocument {
  paths: Record<string, Record<string, any>>;
  components?: Record<string, Record<string, unknown>>;
  security?: unknown[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: Schema;
}

/** One operation of the document, with what a client may send it and what it answers in. */
export interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: { schema: Schema; required: boolean };
  /** Media types of its 2xx answers; empty for an answer without content (204). */
  offered: string[];
  public: boolean;
}

/** A generated JSON value with the schema it was generated for, node by node, so that a mutation knows what it breaks. */
export interface Tree {
  value: unknown;
  /** The schema declared at this position (a union stays a union). */
  schema: Schema;
  /** The alternative of that schema the value was generated from. */
  branch: Schema;
  children: [key: string | number, child: Tree][];
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const pointer = (doc: OpenApiDocument, ref: string): unknown =>
  ref
    .replace(/^#\//, '')
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<any>((node, part) => node?.[part], doc);

/** The JSON type of a value, `integer` for whole numbers. */
export const jsonType = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : typeof value === 'number'
        ? Number.isInteger(value)
          ? 'integer'
          : 'number'
        : typeof value;

const typeMatches = (type: string, value: unknown): boolean => {
  const actual = jsonType(value);
  return type === actual || (type === 'number' && actual === 'integer');
};

const deepEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const regexOf = (pattern: string): RegExp => {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return new RegExp(pattern);
  }
};

const isDate = (value: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

/** Reads schemas of one document: references, alternatives, validation and generation. */
export const schemasOf = (doc: OpenApiDocument) => {
  const deref = <T extends Schema>(node: T | undefined): T => {
    let current: Schema = node ?? {};
    for (let hops = 0; typeof current.$ref === 'string' && hops < 32; hops++) {
      const { $ref, ...siblings } = current;
      current = { ...(pointer(doc, $ref) as Schema), ...siblings };
    }
    return current as T;
  };

  /** The alternatives a value may match: anyOf/oneOf branches, one per type of a type list. */
  const alternatives = (declared: Schema): Schema[] => {
    const schema = deref(declared);
    const union = schema.oneOf ?? schema.anyOf;
    if (Array.isArray(union)) {
      const { oneOf: _oneOf, anyOf: _anyOf, ...rest } = schema;
      return union.flatMap((branch: Schema) => alternatives({ ...rest, ...deref(branch) }));
    }
    if (Array.isArray(schema.allOf)) {
      const { allOf, ...rest } = schema;
      const parts = [rest, ...allOf.map((part: Schema) => deref(part))];
      return [
        Object.assign({}, ...parts, {
          properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})),
          required: parts.flatMap((part) => part.required ?? []),
        }),
      ];
    }
    if (Array.isArray(schema.type)) return schema.type.map((type: string) => ({ ...schema, type }));
    return [schema];
  };

  const typeOf = (schema: Schema): string | undefined =>
    schema.type ??
    (schema.properties ? 'object' : schema.items ? 'array' : 'const' in schema ? jsonType(schema.const) : undefined);

  /** The JSON types a value at this position may have; undefined when any is allowed. */
  const typesOf = (declared: Schema): Set<string> | undefined => {
    const types = alternatives(declared).map((branch) =>
      branch.enum ? branch.enum.map(jsonType) : typeOf(branch) === undefined ? undefined : [typeOf(branch)],
    );
    return types.some((t) => t === undefined) ? undefined : new Set(types.flat() as string[]);
  };

  /** Whether the value meets the schema, for the keywords the document uses; unknown keywords pass. */
  const allows = (declared: Schema, value: unknown): boolean => {
    const branches = alternatives(declared);
    if (branches.length > 1) return branches.some((branch) => allows(branch, value));
    const schema = branches[0]!;
    if ('const' in schema && !deepEqual(schema.const, value)) return false;
    if (Array.isArray(schema.enum) && !schema.enum.some((option: unknown) => deepEqual(option, value))) return false;
    const type = typeOf(schema);
    if (type !== undefined && !typeMatches(type, value)) return false;
    if (typeof value === 'string') {
      if (schema.minLength !== undefined && value.length < schema.minLength) return false;
      if (schema.maxLength !== undefined && value.length > schema.maxLength) return false;
      if (schema.pattern !== undefined && !regexOf(schema.pattern).test(value)) return false;
      if (schema.format === 'date' && !isDate(value)) return false;
    }
    if (typeof value === 'number') {
      if (schema.minimum !== undefined && value < schema.minimum) return false;
      if (schema.maximum !== undefined && value > schema.maximum) return false;
      if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return false;
      if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) return false;
    }
    if (Array.isArray(value)) {
      if (schema.minItems !== undefined && value.length < schema.minItems) return false;
      if (schema.maxItems !== undefined && value.length > schema.maxItems) return false;
      if (schema.items && !value.every((item) => allows(schema.items, item))) return false;
    }
    if (jsonType(value) === 'object') {
      const object = value as Record<string, unknown>;
      const properties: Record<string, Schema> = schema.properties ?? {};
      if ((schema.required ?? []).some((name: string) => !Object.hasOwn(object, name))) return false;
      for (const [name, field] of Object.entries(object)) {
        const known = Object.hasOwn(properties, name) ? properties[name] : undefined;
        if (known ? !allows(known, field) : schema.additionalProperties === false) return false;
        if (!known && typeof schema.additionalProperties === 'object' && !allows(schema.additionalProperties, field))
          return false;
      }
    }
    return true;
  };

  // Dates near today, which the rules (backdating windows, ranges) are about, rather than any the pattern admits.
  const stringOf = (schema: Schema): fc.Arbitrary<string> => {
    if (schema.format === 'date' || schema.format === 'date-time') {
      const now = Date.now();
      const date = fc.date({ min: new Date(now - 400 * 86_400_000), max: new Date(now + 400 * 86_400_000), noInvalidDate: true });
      return date.map((d) => (schema.format === 'date' ? d.toISOString().slice(0, 10) : d.toISOString()));
    }
    if (schema.pattern) return fc.stringMatching(regexOf(schema.pattern));
    if (schema.format === 'email') return fc.emailAddress();
    const minLength = schema.minLength ?? 0;
    return fc.string({ minLength, maxLength: Math.min(schema.maxLength ?? minLength + 24, minLength + 24) });
  };

  const leaf =
    (schema: Schema, branch: Schema) =>
    (value: unknown): Tree => ({ value, schema, branch, children: [] });

  /**
   * Values the schema allows, as trees; deep or recursive schemas stop at their required parts.
   * Strings take the schema's examples now and then, and a field named for ids (`customerId`,
   * `invoiceIds`) the ids `idsFor` gives for its name, so that a body can get past validation.
   */
  const valid = (root: Schema, idsFor: (field: string) => string[] = () => []): fc.Arbitrary<Tree> => {
    const generate = (declared: Schema, depth: number, field: string): fc.Arbitrary<Tree> => {
      const schema = deref(declared);
      const branches = alternatives(schema);
      if (branches.length > 1) {
        return fc.oneof(...branches.map((branch) => generate(branch, depth, field))).map((tree) => ({ ...tree, schema }));
      }
      const branch = branches[0]!;
      const done = leaf(schema, branch);
      if ('const' in branch) return fc.constant(done(branch.const));
      if (Array.isArray(branch.enum)) return fc.constantFrom(...branch.enum).map(done);
      switch (typeOf(branch)) {
        case 'object': {
          // A `false` property schema is a field that must be absent (a oneOf branch forbids it): never generated.
          const properties = Object.entries<Schema>(branch.properties ?? {}).filter(([, s]) => typeof s === 'object');
          const required: string[] = (branch.required ?? []).filter((name: string) =>
            Object.hasOwn(branch.properties ?? {}, name),
          );
          const shown = depth > 5 ? properties.filter(([name]) => required.includes(name)) : properties;
          const fields =
            shown.length === 0 && typeof branch.additionalProperties === 'object'
              ? fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), generate(branch.additionalProperties, depth + 1, ''), {
                  maxKeys: 2,
                })
              : fc.record(Object.fromEntries(shown.map(([name, s]) => [name, generate(s, depth + 1, name)])), {
                  requiredKeys: required,
                });
          return fields.map((record) => {
            const children = Object.entries(record as Record<string, Tree>);
            return { value: Object.fromEntries(children.map(([name, child]) => [name, child.value])), schema, branch, children };
          });
        }
        case 'array': {
          const minLength = branch.minItems ?? 0;
          const maxLength = depth > 5 ? minLength : Math.min(branch.maxItems ?? 3, Math.max(minLength, 3));
          return fc.array(generate(branch.items ?? {}, depth + 1, field), { minLength, maxLength }).map((items) => ({
            value: items.map((item) => item.value),
            schema,
            branch,
            children: items.map((item, i): [number, Tree] => [i, item]),
          }));
        }
        case 'string': {
          const ids = /Ids?$/.test(field) ? idsFor(field) : [];
          const examples = ((branch.examples ?? []) as unknown[]).filter((example) => typeof example === 'string');
          const known = [...ids, ...examples];
          const generated = stringOf(branch);
          const chosen = known.length
            ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 3 }, { arbitrary: generated, weight: 1 })
            : generated;
          return chosen.map(done);
        }
        case 'integer':
        case 'number':
          return fc
            .integer({
              min: Math.max(Math.ceil(branch.minimum ?? -1000), -1e6),
              max: Math.min(Math.floor(branch.maximum ?? 1000), 1e6),
            })
            .map(done);
        case 'boolean':
          return fc.boolean().map(done);
        case 'null':
          return fc.constant(done(null));
        default:
          return fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean()).map(done);
      }
    };
    return generate(root, 0, '');
  };

  /** Every operation of the document, with its parameters and body schema resolved. */
  const operations = (): Operation[] =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => HTTP_METHODS.includes(method))
        .map(([method, declared]): Operation => {
          const operation = deref<Schema>(declared);
          const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])]
            .map((parameter: Schema) => deref(parameter))
            .map((parameter) => ({
              name: parameter.name,
              in: parameter.in,
              required: parameter.required === true || parameter.in === 'path',
              schema: deref(parameter.schema),
            }));
          const requestBody = operation.requestBody && deref<Schema>(operation.requestBody);
          const json = requestBody && Object.entries<Schema>(requestBody.content ?? {}).find(([type]) => /json/.test(type))?.[1];
          const offered = Object.entries<Schema>(operation.responses ?? {})
            .filter(([status]) => /^2/.test(status))
            .flatMap(([, response]) => Object.keys(deref(response).content ?? {}));
          const security = operation.security ?? doc.security ?? [];
          return {
            method: method.toUpperCase(),
            path,
            parameters,
            ...(json ? { body: { schema: deref(json.schema), required: requestBody.required === true } } : {}),
            offered: [...new Set(offered)],
            public: security.length === 0 || security.some((requirement: object) => Object.keys(requirement).length === 0),
          };
        }),
    );

  return { deref, alternatives, typesOf, allows, valid, operations };
};

export type Schemas = ReturnType<typeof schemasOf>;

/** Every node of a tree with its path from the root. */
export const nodesOf = (tree: Tree, path: (string | number)[] = []): { path: (string | number)[]; tree: Tree }[] => [
  { path, tree },
  ...tree.children.flatMap(([key, child]) => nodesOf(child, [...path, key])),
];

/** A copy of the JSON value with the node at `path` replaced (or removed, for `undefined`); own keys only, `__proto__` too. */
export const replaceAt = (value: unknown, path: (string | number)[], replacement: unknown): unknown => {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((item, i) => (i === head ? replaceAt(item, rest, replacement) : item));
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value as Record<string, unknown>)) {
    if (name !== head) Object.defineProperty(copy, name, { value: field, enumerable: true, writable: true, configurable: true });
  }
  const current = (value as Record<string, unknown>)[head as string];
  const next = rest.length === 0 ? replacement : replaceAt(current, rest, replacement);
  if (next !== undefined)
    Object.defineProperty(copy, head!, { value: next, enumerable: true, writable: true, configurable: true });
  return copy;
};
