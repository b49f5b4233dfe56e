import { clone, config, globalRegistry, type core, type ZodMiniType } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini carries no messages of its own: with zod's English ones, clients see in `errors` what zod classic said.
config(en());

// Imported as a namespace (`import * as z`): esbuild then bundles only what is used. zod/mini's own `z`
// is one object holding all of zod, locales included (400 KB), which no bundler can shake.
export * from 'zod/mini';

/**
 * `schema` with metadata for the OpenAPI document (an `id`, a description, examples), as zod classic's
 * `.meta()` makes it: a copy that inherits the original's metadata, so the original keeps its own. Not
 * mini's `z.meta()` check: a check on an object refuses `pick`/`omit` and is carried into an `extend`.
 */
export const withMeta = <T extends ZodMiniType>(schema: T, metadata: core.GlobalMeta): T => {
  const copy = clone(schema);
  globalRegistry.add(copy, metadata);
  return copy;
};
