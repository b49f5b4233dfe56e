/** Arrows point inwards (design §1): the domain knows nothing of AWS, storage, HTTP or the clock. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'functions/domain imports only itself, decimal.js and luxon (calendar days in a time zone: pure, no I/O)',
      severity: 'error',
      from: { path: '^functions/domain/' },
      to: { pathNot: ['^functions/domain/', '^node_modules/decimal\\.js/', '^node_modules/luxon/'] },
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
