import fc from 'fast-check';
import {
  jsonType,
  nodesOf,
  replaceAt,
  type Operation,
  type Parameter,
  type Schema,
  type Schemas,
  type Tree,
} from './openapi-schemas.js';
import type { RawRequest } from './raw-http.js';

/** A tenant's seeded resources: real ids by the collection that names them in paths (`jobs`, `charges`, ...). */
export interface Seeded {
  tenantId: string;
  apiKey: string;
  ids: Record<string, string[]>;
}

export interface FuzzContext {
  schemas: Schemas;
  operation: Operation;
  mine: Seeded;
  /** Another tenant's: its ids must be unknown here. */
  other: Seeded;
  /** Cursors that this listing must refuse: other listings', other tenants'. */
  foreignCursors: string[];
}

/** A generated request and what makes it invalid. */
export interface FuzzRequest extends RawRequest {
  defect: string;
  /** For the unknown-field property: the path of the field the body adds. */
  unknownField?: string;
}

type Path = (string | number)[];

interface Parts {
  method: string;
  params: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  body?: string | Buffer;
}

interface Defected {
  parts: Parts;
  defect: string;
}

const preview = (value: unknown, max = 120): string => {
  const text = Buffer.isBuffer(value)
    ? `<${value.length} bytes> ${value.toString('latin1')}`
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > max ? `${text.slice(0, max)}... (${text.length} chars)` : text;
};

/** How a failing request is printed: whole enough to replay, short enough to read. */
export const describeRequest = (request: FuzzRequest): string =>
  [
    `${request.method} ${preview(request.target, 400)}`,
    ...Object.entries(request.headers).map(([name, value]) => `${name}: ${name === 'authorization' ? '<key>' : preview(value)}`),
    ...(request.body === undefined ? [] : [`body: ${preview(request.body, 600)}`]),
    `(defect: ${request.defect})`,
  ].join('\n  ');

const withDescription = (request: FuzzRequest): FuzzRequest =>
  Object.defineProperty(request, fc.toStringMethod, { value: () => describeRequest(request), enumerable: false });

/** The tenant's ids of the collection a field's name refers to (`correctsInvoiceId` -> invoices). */
const idsNamed =
  ({ ids }: Seeded) =>
  (field: string): string[] =>
    Object.entries(ids).find(([collection]) => field.toLowerCase().includes(collection.replace(/s$/, '')))?.[1] ?? [];

/** The collection a path parameter names: the segment before it (`/v1/jobs/{id}` -> `jobs`). */
const collectionOf = (path: string, name: string): string => {
  const segments = path.split('/');
  return segments[segments.indexOf(`{${name}}`) - 1] ?? name;
};

const render = ({ path }: Operation, { method, params, query, headers, body }: Parts, defect: string): FuzzRequest => {
  const target = path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
  const search = query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
  return withDescription({
    method,
    target: search ? `${target}?${search}` : target,
    headers,
    ...(body === undefined ? {} : { body }),
    defect,
  });
};

// Path segments sent as they are (no encoding): traversal, separators and broken percent-encoding.
const RAW_IDS = '. .. ../.. ..%2F.. %2e%2e %2F %00 % %ZZ %C3%28 %FF ? # // ; %20 + *'.split(' ');
const ODD_IDS = [' ', "' OR 1=1", ...'null undefined 0 -1 [] {} NaN 💸 ＩＤ \u202e a\u0000b <script>'.split(' ')];

const badId = (ctx: FuzzContext, collection: string, current: string): fc.Arbitrary<string> => {
  const theirs = Object.values(ctx.other.ids).flat();
  // Of another kind by its prefix too: a partial invoice's id (`inv_`) is an invoice of this tenant's, found by /v1/invoices/{id}.
  const kind = (id: string): string => id.split('_')[0]!;
  const mineOfOtherKinds = Object.entries(ctx.mine.ids).flatMap(([name, ids]) =>
    name === collection ? [] : ids.filter((id) => kind(id) !== kind(current)),
  );
  return fc.oneof(
    ...(theirs.length ? [fc.constantFrom(...theirs)] : []),
    ...(mineOfOtherKinds.length ? [fc.constantFrom(...mineOfOtherKinds)] : []),
    fc.constantFrom(...RAW_IDS),
    fc.constantFrom(...ODD_IDS).map(encodeURIComponent),
    fc
      .constantFrom(`${current}x`, current.toLowerCase(), current.slice(0, -1), ` ${current}`, `${current}\u0000`)
      .map(encodeURIComponent),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map(encodeURIComponent),
    fc
      .uint8Array({ minLength: 1, maxLength: 12 })
      .map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
    fc.integer({ min: 65, max: 4000 }).map((length) => 'x'.repeat(length)),
  );
};

const ACCEPTS =
  'image/png application/xml text/xml foo/bar text/plain text/html text/csv application/pdf audio/* application/jsonx application/json;q=0 */*;q=0'.split(
    ' ',
  );

/** Whether an Accept value admits one of the offered media types (a small RFC 9110 reading, for choosing bad ones). */
const admits = (accept: string, offered: string[]): boolean =>
  accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) return false;
    const [major, minor] = type.split('/');
    return offered.some((media) => {
      const [oMajor, oMinor] = media.toLowerCase().split('/');
      return (major === '*' || major === oMajor) && (minor === '*' || minor === oMinor);
    });
  });

const HEADER_VALUES = [
  '',
  ' ',
  '\t',
  'a b',
  'x'.repeat(256),
  'x'.repeat(2000),
  ...'clé "abc" W/"x" "" "-1" "1.5" abc null'.split(' '),
];
// For If-Match (RFC 9110): a well-formed ETag of no version the resource has.
const STALE_ETAGS = ['"999999"', '"0"', 'W/"424242"'];

const QUERY_VALUES = [
  ...['', ' ', '\u0000', 'x'.repeat(65), 'x'.repeat(101), 'x'.repeat(2049)],
  ...'0 -1 101 1.5 abc 1e400 NaN Infinity ١ 99999999999999999999 true [] {} % null DRAFT yesterday'.split(' '),
  ...'2026-02-30 2026-13-01 20260101 2026-1-1 2026-01-01T00:00:00Z'.split(' '),
];

const base64url = (text: string): string => Buffer.from(text).toString('base64url');
const GARBAGE_CURSORS = [
  'x',
  'AAAA',
  '%%%',
  'x'.repeat(2000),
  ...['{"PK":"T#ten_x#JOB#job_1","SK":"JOB"}', '{"k":"v"}', '[]'].map(base64url),
];

const isNumeric = (types: Set<string> | undefined): boolean =>
  types !== undefined && (types.has('integer') || types.has('number'));

/** A query value as the server reads it: numbers are coerced from their text. */
const queryAllows = (schemas: Schemas, schema: Schema, value: string): boolean => {
  const types = schemas.typesOf(schema);
  if (isNumeric(types)) return Number.isFinite(Number(value)) && schemas.allows(schema, Number(value));
  return schemas.allows(schema, value);
};

const validHeader = (schemas: Schemas, parameter: Parameter): fc.Arbitrary<string> =>
  schemas.valid(parameter.schema).map((tree) => String(tree.value));

/** The value in about one case of three, else undefined. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary, weight: 1 });

/**
 * A request the operation should take: real ids of this tenant, required parameters, a body its
 * schema allows, and with `optionalHeaders` now and then the optional headers (Idempotency-Key,
 * If-Match, ...), so that their paths run under refusals too.
 */
const validParts = (ctx: FuzzContext, optionalHeaders: boolean): fc.Arbitrary<{ parts: Parts; tree?: Tree }> => {
  const { operation, schemas, mine } = ctx;
  const params = Object.fromEntries(
    operation.parameters
      .filter((p) => p.in === 'path')
      .map((p) => {
        const ids = mine.ids[collectionOf(operation.path, p.name)] ?? [];
        return [p.name, ids.length ? fc.constantFrom(...ids) : fc.constant(`${p.name}_01J0000000000000000FUZZ00`)];
      }),
  );
  const query = operation.parameters
    .filter((p) => p.in === 'query' && p.required)
    .map((p) => schemas.valid(p.schema).map((tree): [string, string] => [p.name, String(tree.value)]));
  const headers = Object.fromEntries(
    operation.parameters
      .filter((p) => p.in === 'header' && (p.required || optionalHeaders))
      .map((p) => [p.name.toLowerCase(), p.required ? validHeader(schemas, p) : sometimes(validHeader(schemas, p))]),
  );
  const accept = operation.offered.length ? fc.constantFrom(undefined, '*/*', ...operation.offered) : fc.constant(undefined);
  return fc
    .record({
      params: fc.record(params),
      query: fc.tuple(...query),
      headers: fc.record(headers),
      accept,
      tree: operation.body ? schemas.valid(operation.body.schema, idsNamed(mine)) : fc.constant(undefined),
    })
    .map(({ params, query, headers, accept, tree }) => ({
      tree,
      parts: {
        method: operation.method,
        params,
        query,
        headers: {
          ...(Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined)) as Record<string, string>),
          ...(operation.public ? {} : { authorization: `Bearer ${mine.apiKey}` }),
          ...(accept ? { accept } : {}),
          ...(tree ? { 'content-type': 'application/json' } : {}),
        },
        ...(tree ? { body: JSON.stringify(tree.value) } : {}),
      },
    }));
};

const withBody = (parts: Parts, body: string | Buffer | undefined, contentType = 'application/json'): Parts => {
  const { 'content-type': _type, ...headers } = parts.headers;
  return {
    ...parts,
    headers: body === undefined ? headers : { ...headers, 'content-type': contentType },
    ...(body === undefined ? { body: undefined } : { body }),
  };
};

const SAMPLES: Record<string, unknown[]> = {
  string: ['x', '12.50'],
  integer: [0, 12, -1],
  number: [12.5, 1e21],
  boolean: [true, false],
  null: [null],
  array: [[], [1, 2, 3]],
  object: [{}, { a: 1 }],
};

const STRING_VALUES = [
  ...['', ' ', '\u0000', '1 000'],
  ...'not-a-value 1,5 1e3 -0 +1 0x1A ١٢٣ NaN Infinity 12. .5 99999999999999999.99 1.12345678901 eur ÉUR null true'.split(' '),
  ...'2026-02-30 2026-13-01 20260101 2026-1-1 2026-01-01T00:00:00Z'.split(' '),
];

/** Values that the node's schema (every alternative of it) refuses. */
const refusedAt = (schemas: Schemas, tree: Tree): unknown[] => {
  const types = schemas.typesOf(tree.schema);
  const wrongTypes = types
    ? Object.entries(SAMPLES)
        .filter(([type]) => !types.has(type) && !(type === 'integer' && types.has('number')))
        .flatMap(([, values]) => values)
    : [];
  // Numbers where decimal strings are wanted.
  const asNumber = typeof tree.value === 'string' && Number.isFinite(Number(tree.value)) ? [Number(tree.value)] : [];
  const strings = typeof tree.value === 'string' ? [...STRING_VALUES, `${tree.value} `, ` ${tree.value}`, `${tree.value}\n`] : [];
  const maxLength = tree.branch.maxLength;
  const long =
    typeof tree.value === 'string' && maxLength !== undefined ? ['x'.repeat(maxLength + 1), '😀'.repeat(maxLength + 1)] : [];
  const { minimum, maximum } = tree.branch;
  const numbers =
    typeof tree.value === 'number'
      ? [minimum - 1, maximum + 1, minimum - 0.5, 1.5, -1, 0, 1e21, 2 ** 53 + 2].filter((n) => Number.isFinite(n))
      : [];
  const items = Array.isArray(tree.value)
    ? [
        ...(tree.branch.minItems > 0 ? [[]] : []),
        ...(tree.branch.maxItems !== undefined ? [Array(tree.branch.maxItems + 1).fill(tree.value[0] ?? null)] : []),
      ]
    : [];
  return [...wrongTypes, ...asNumber, ...strings, ...long, ...numbers, ...items].filter(
    (value) => !schemas.allows(tree.schema, value),
  );
};

const knownNames = (schemas: Schemas, schema: Schema): Set<string> =>
  new Set(schemas.alternatives(schema).flatMap((branch) => Object.keys(branch.properties ?? {})));

/** Object nodes that list their fields: where an unknown one can go. */
const strictObjects = (schemas: Schemas, tree: Tree) =>
  nodesOf(tree).filter(
    ({ tree: node }) =>
      node.branch.properties !== undefined &&
      typeof node.branch.additionalProperties !== 'object' &&
      node.branch.additionalProperties !== true &&
      jsonType(node.value) === 'object',
  );

const unknownKey = (known: Set<string>): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.constantFrom(
        ...'__proto__ constructor toString valueOf hasOwnProperty id version tenantId PK createdAt a.b ünknown'.split(' '),
      ),
      fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,15}$/),
    )
    .filter((key) => !known.has(key));

const anyJson = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant({}),
  fc.constant([1]),
);

/** The body with one unknown field in one of its objects, and that field's path as the problem names it. */
const withUnknownField = (schemas: Schemas, tree: Tree): fc.Arbitrary<{ value: unknown; field: string }> | undefined => {
  const objects = strictObjects(schemas, tree);
  if (!objects.length) return undefined;
  return fc.constantFrom(...objects).chain(({ path, tree: node }) =>
    fc.tuple(unknownKey(knownNames(schemas, node.schema)), anyJson).map(([key, extra]) => ({
      value: replaceAt(tree.value, [...path, key], extra),
      field: [...path, key].join('.'),
    })),
  );
};

const SENTINEL = '\u0000fuzz\u0000';

/** The body's JSON text with the node at `path` replaced by raw text or bytes. */
const spliced = (tree: Tree, path: Path, raw: Buffer): Buffer => {
  const [before, after] = JSON.stringify(replaceAt(tree.value, path, SENTINEL)).split(JSON.stringify(SENTINEL)) as [
    string,
    string,
  ];
  return Buffer.concat([Buffer.from(before), raw, Buffer.from(after)]);
};

const INVALID_UTF8 = [
  [0xff],
  [0xc3, 0x28],
  [0xed, 0xa0, 0x80],
  [0xc0, 0xaf],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0x80],
  [0xe2, 0x82],
];
const CONTENT_TYPES = [
  ...'text/plain application/xml application/x-www-form-urlencoded application/json-evil application/jsonx'.split(' '),
  ...'application/octet-stream image/png application/json+evil'.split(' '),
  ...['multipart/form-data; boundary=x', 'application/json; charset=latin1'],
];
const LIMIT_BYTES = 256 * 1024;

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Bodies the operation's schema refuses, made from a valid one. */
const bodyDefects = (ctx: FuzzContext, parts: Parts, tree: Tree): fc.Arbitrary<Defected>[] => {
  const { schemas, operation } = ctx;
  const root = operation.body!.schema;
  const nodes = nodesOf(tree);
  const text = JSON.stringify(tree.value);
  const json = (value: unknown, defect: string): Defected => ({ parts: withBody(parts, JSON.stringify(value)), defect });
  const raw = (body: Buffer | string, defect: string, type?: string): Defected => ({
    parts: withBody(parts, body, type),
    defect,
  });

  const replaced = nodes.flatMap(({ path, tree: node }) =>
    refusedAt(schemas, node).map((value) => ({
      value: replaceAt(tree.value, path, value),
      defect: `body ${path.join('.') || '(root)'} = ${preview(value, 40)}`,
    })),
  );
  const missing = nodes.flatMap(({ path, tree: node }) =>
    ((node.branch.required ?? []) as string[])
      .filter((name) => jsonType(node.value) === 'object' && Object.hasOwn(node.value as object, name))
      .map((name) => ({
        value: replaceAt(tree.value, [...path, name], undefined),
        defect: `body without required ${[...path, name].join('.')}`,
      })),
  );
  const mutations = [...replaced, ...missing].filter(({ value }) => !schemas.allows(root, value));
  const unknown = withUnknownField(schemas, tree);
  const strings = nodes.filter(({ tree: node }) => typeof node.value === 'string');
  const nestable = nodes.filter(({ tree: node }) => !schemas.allows(node.schema, [[[]]]));
  const truncations = [...new Set([1, Math.floor(text.length / 2), text.length - 1].filter((n) => n > 0 && n < text.length))]
    .map((n) => text.slice(0, n))
    .concat([
      `${text}x`,
      `${text},`,
      text.replaceAll('"', "'"),
      `${text}}`,
      '{a:1}',
      '[1,]',
      'NaN',
      'undefined',
      '{"a":"\u0001"}',
      '{"a":"\\x41"}',
    ])
    .filter((candidate) => !parses(candidate));

  return [
    ...(mutations.length ? [fc.constantFrom(...mutations).map(({ value, defect }) => json(value, defect))] : []),
    ...(unknown ? [unknown.map(({ value, field }) => json(value, `body with unknown field ${field}`))] : []),
    ...(strings.length
      ? [
          fc
            .tuple(fc.constantFrom(...strings), fc.constantFrom(...INVALID_UTF8))
            .map(([{ path }, bytes]) =>
              raw(spliced(tree, path, Buffer.from([0x22, 0x61, ...bytes, 0x62, 0x22])), `body ${path.join('.')} not UTF-8`),
            ),
          fc
            .tuple(fc.constantFrom(...strings), fc.integer({ min: LIMIT_BYTES + 1, max: 400_000 }), fc.constantFrom('x', '€'))
            .map(([{ path }, bytes, unit]) =>
              json(
                replaceAt(tree.value, path, unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit)))),
                `body ${path.join('.')} of ${bytes} bytes`,
              ),
            ),
        ]
      : []),
    ...(nestable.length
      ? [
          fc
            .tuple(fc.constantFrom(...nestable), fc.integer({ min: 100, max: 120_000 }))
            .map(([{ path }, depth]) =>
              raw(
                spliced(tree, path, Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`)),
                `body ${path.join('.') || '(root)'} nested ${depth} deep`,
              ),
            ),
        ]
      : []),
    fc
      .integer({ min: LIMIT_BYTES + 1, max: 400_000 })
      .map((padding) => raw(`${text}${' '.repeat(padding)}`, `body padded past ${LIMIT_BYTES} bytes`)),
    fc.constantFrom(...CONTENT_TYPES).map((type) => raw(text, `Content-Type ${type}`, type)),
    ...(truncations.length ? [fc.constantFrom(...truncations).map((candidate) => raw(candidate, 'malformed JSON'))] : []),
    ...(operation.body!.required ? [fc.constant({ parts: withBody(parts, undefined), defect: 'no body' })] : []),
  ];
};

/** Bodies for an operation that documents none: only a POST's empty object is taken. */
const unwantedBodies = (parts: Parts): fc.Arbitrary<Defected>[] => [
  fc
    .constantFrom<unknown>({ foo: 1 }, [1, 2, 3], 'x', 42, true, null, { constructor: {} }, JSON.parse('{"__proto__":{}}'))
    .map((value) => ({
      parts: withBody(parts, JSON.stringify(value)),
      defect: `unwanted body ${preview(value)}`,
    })),
  fc.constantFrom(...INVALID_UTF8).map((bytes) => ({
    parts: withBody(parts, Buffer.from([0x7b, 0x22, ...bytes, 0x22, 0x3a, 0x31, 0x7d])),
    defect: 'unwanted body, not UTF-8',
  })),
  fc
    .constantFrom('{', '{"a":', 'nope')
    .map((text) => ({ parts: withBody(parts, text), defect: 'unwanted body, malformed JSON' })),
];

const queryDefects = (ctx: FuzzContext, parts: Parts): fc.Arbitrary<Defected>[] => {
  const { schemas, operation } = ctx;
  const set = (name: string, values: [string, string][]): [string, string][] => [
    ...parts.query.filter(([n]) => n !== name),
    ...values,
  ];
  return operation.parameters
    .filter((p) => p.in === 'query')
    .flatMap((p) => {
      const enumerated = ((p.schema.enum ?? []) as unknown[]).flatMap((value) => [
        String(value).toUpperCase(),
        ` ${String(value)}`,
      ]);
      const long = p.schema.maxLength !== undefined ? ['x'.repeat(p.schema.maxLength + 1)] : [];
      // A listing's cursor is opaque and only its own (docs/api.md "Lists").
      const cursors = p.name === 'cursor' ? [...GARBAGE_CURSORS, ...ctx.foreignCursors] : [];
      const invalid = [...new Set([...QUERY_VALUES, ...enumerated, ...long])]
        .filter((value) => !queryAllows(schemas, p.schema, value))
        .concat(cursors);
      const numeric = isNumeric(schemas.typesOf(p.schema));
      return [
        ...(invalid.length
          ? [
              fc.constantFrom(...invalid).map((value) => ({
                parts: { ...parts, query: set(p.name, [[p.name, value]]) },
                defect: `query ${p.name}=${preview(value, 40)}`,
              })),
            ]
          : []),
        ...(p.required
          ? [fc.constant({ parts: { ...parts, query: set(p.name, []) }, defect: `query without required ${p.name}` })]
          : []),
        ...(numeric
          ? [
              fc.constant({
                parts: {
                  ...parts,
                  query: set(p.name, [
                    [p.name, '1'],
                    [p.name, '2'],
                  ]),
                },
                defect: `query ${p.name} twice`,
              }),
            ]
          : []),
      ];
    });
};

const headerDefects = (ctx: FuzzContext, parts: Parts): fc.Arbitrary<Defected>[] => {
  const { schemas, operation } = ctx;
  const set = (name: string, value: string | undefined): Parts => {
    const { [name]: _old, ...headers } = parts.headers;
    return { ...parts, headers: value === undefined ? headers : { ...headers, [name]: value } };
  };
  const declared = operation.parameters
    .filter((p) => p.in === 'header')
    .flatMap((p) => {
      const name = p.name.toLowerCase();
      const invalid = HEADER_VALUES.filter((value) => !schemas.allows(p.schema, value)).concat(
        name === 'if-match' ? STALE_ETAGS : [],
      );
      return invalid.length
        ? [fc.constantFrom(...invalid).map((value) => ({ parts: set(name, value), defect: `${p.name}: ${preview(value, 40)}` }))]
        : [];
    });
  const accepts = ACCEPTS.filter((accept) => operation.offered.length > 0 && !admits(accept, operation.offered));
  return [
    ...declared,
    ...(accepts.length
      ? [fc.constantFrom(...accepts).map((accept) => ({ parts: set('accept', accept), defect: `Accept: ${accept}` }))]
      : []),
    ...(operation.public
      ? []
      : [
          fc
            .constantFrom(
              undefined,
              '',
              'Bearer',
              'Bearer ',
              'Bearer x',
              'Basic Zm9vOmJhcg==',
              `Bearer ${ctx.mine.apiKey}x`,
              `Token ${ctx.mine.apiKey}`,
            )
            .map((value) => ({
              parts: set('authorization', value),
              defect: `Authorization: ${value?.replace(ctx.mine.apiKey, '<key>') ?? '(none)'}`,
            })),
        ]),
  ];
};

const methodDefects = (ctx: FuzzContext, parts: Parts, declaredMethods: string[]): fc.Arbitrary<Defected>[] => {
  const others = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((method) => !declaredMethods.includes(method));
  return others.length
    ? [fc.constantFrom(...others).map((method) => ({ parts: { ...parts, method }, defect: `method ${method}` }))]
    : [];
};

// Harmless extras on top of the defect: an unknown query parameter, an Accept that takes anything.
const noise = fc.record({
  query: sometimes(
    fc.constantFrom<[string, string]>(['foo', 'bar'], ['expand', 'all'], ['tenantId', 'ten_other'], ['debug', 'true']),
  ),
  accept: sometimes(fc.constantFrom('*/*', 'application/*, */*;q=0.1')),
});

/**
 * Requests to one operation, each with exactly one defect (a bad id, parameter, header, method or
 * body) on an otherwise valid request, so that each defect reaches as far as it can.
 */
export const invalidRequests = (ctx: FuzzContext, declaredMethods: string[]): fc.Arbitrary<FuzzRequest> =>
  validParts(ctx, true).chain(({ parts, tree }) => {
    const { operation } = ctx;
    const ids = operation.parameters
      .filter((p) => p.in === 'path')
      .map((p) =>
        badId(ctx, collectionOf(operation.path, p.name), parts.params[p.name]!).map((id) => ({
          parts: { ...parts, params: { ...parts.params, [p.name]: id } },
          defect: `path ${p.name} = ${preview(id, 60)}`,
        })),
      );
    const defects = [
      ...ids,
      ...methodDefects(ctx, parts, declaredMethods),
      ...headerDefects(ctx, parts),
      ...queryDefects(ctx, parts),
      ...(tree ? bodyDefects(ctx, parts, tree) : unwantedBodies(parts)),
    ];
    return fc.tuple(fc.oneof(...defects), noise).map(([{ parts: defected, defect }, extra]) =>
      render(
        operation,
        {
          ...defected,
          query: extra.query ? [...defected.query, extra.query] : defected.query,
          headers:
            extra.accept && !('accept' in defected.headers) ? { ...defected.headers, accept: extra.accept } : defected.headers,
        },
        defect,
      ),
    );
  });

/**
 * A valid request whose JSON body has one field more than its schema knows. It sends no optional
 * header: an Idempotency-Key that an earlier request kept would be a 422 before the body is read.
 */
export const unknownFieldRequests = (ctx: FuzzContext): fc.Arbitrary<FuzzRequest> =>
  validParts(ctx, false).chain(({ parts, tree }) => {
    const added = tree
      ? withUnknownField(ctx.schemas, tree)
      : unknownKey(new Set()).chain((key) => anyJson.map((extra) => ({ value: { [key]: extra }, field: key })));
    const fallback = fc.constant({ value: { unknownField: 1 }, field: 'unknownField' });
    return (added ?? fallback).map(({ value, field }) =>
      Object.assign(render(ctx.operation, withBody(parts, JSON.stringify(value)), `unknown field ${field}`), {
        unknownField: field,
      }),
    );
  });
