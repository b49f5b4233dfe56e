/** Arrows point inwards (design §1): the domain knows nothing of AWS, storage, HTTP or the clock. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'functions/domain imports only itself and decimal.js (calendar days in a time zone are Intl, in dates.ts)',
      severity: 'error',
      from: { path: '^functions/domain/' },
      to: { pathNot: ['^functions/domain/', '^node_modules/decimal\\.js/'] },
    },
    {
      name: 'sdk-stays-in-store-and-adapters',
      comment: 'the AWS SDK never leaves functions/store and functions/adapters',
      severity: 'error',
      from: { path: '^functions/', pathNot: ['^functions/(store|adapters)/'] },
      to: { path: '^node_modules/@aws-sdk/' },
    },
    {
      name: 'handlers-go-through-services',
      comment: 'api, steps and scheduled call services, never the store',
      severity: 'error',
      from: { path: '^functions/(api|steps|scheduled)/' },
      to: { path: '^functions/store/' },
    },
    {
      name: 'schemas-are-zod-mini',
      comment: 'functions use zod through functions/shared/zod.ts (zod/mini) only: zod classic is 440 KB of every bundle it is in',
      severity: 'error',
      from: { path: '^functions/', pathNot: '^functions/shared/zod\\.ts$' },
      to: { path: '^node_modules/zod/' },
    },
    {
      name: 'openapi-is-built-not-run',
      comment: 'zod-openapi runs in the generator of the OpenAPI document (npm run openapi) only; others may import its types',
      severity: 'error',
      from: { path: '^functions/', pathNot: '^functions/api/openapi\\.ts$' },
      to: { path: '^node_modules/zod-openapi/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-openapi-generator-in-functions',
      comment: 'no function reaches the generator of the OpenAPI document: it serves the built one',
      severity: 'error',
      from: { path: '^functions/.*\\.handler\\.ts$' },
      to: { path: '^functions/api/openapi\\.ts$', reachable: true },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
