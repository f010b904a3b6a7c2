/**
 * The layer rules of docs/architecture.md, checked by `npm run lint` (dependency-cruiser). Type-only imports
 * count: a cycle through types still ties two modules' designs together.
 */
const APP = '^(src|schema|resolvers|loaders)/';
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No module reaches itself through its imports.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'app-not-on-tooling',
      severity: 'error',
      comment: 'The gateway never imports tests, the bench or dev tooling.',
      from: { path: APP },
      to: { path: '^(test|bench|tools)/' },
    },
    {
      name: 'migrations-stand-alone',
      severity: 'error',
      comment: 'Migrations see the database as it was when they were written: no application code.',
      from: { path: '^migrations/' },
      to: { path: '^(src|schema|resolvers|loaders)/' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'Domain rules (roles, lifecycle, search syntax, cursors) know row types and coded errors, nothing that runs.',
      from: { path: '^src/domain/' },
      to: {
        path: '^(src|schema|resolvers|loaders)/',
        pathNot: '^(src/domain/|src/db/types\\.ts$|src/graphql/errors\\.ts$|schema/input-limits\\.ts$)',
      },
    },
    {
      name: 'resolvers-write-through-services',
      severity: 'error',
      comment: 'Resolvers read through loaders and write through services: no SQL builder, no repository, no HTTP.',
      from: { path: '^resolvers/' },
      to: { path: '^(src/db/repositories/|src/http/|node_modules/kysely/)' },
    },
    {
      name: 'writes-through-services',
      severity: 'error',
      comment:
        'Services own writes (src/services/): nothing else on the request path calls a repository. The webhook delivery worker (src/webhooks/) is off the request path and writes only its own delivery log.',
      from: {
        path: '^(src|schema|resolvers|loaders)/',
        pathNot: '^(src/services/|src/db/|src/context/|src/webhooks/|src/app\\.ts$)',
      },
      to: { path: '^src/db/repositories/' },
    },
    {
      name: 'storage-below-the-request',
      severity: 'error',
      comment:
        'db/ and loaders/ sit below the request path: they never import the HTTP, GraphQL, realtime, rate-limit or cache stages (coded errors and the request scope aside).',
      from: { path: '^(src/db|loaders)/' },
      to: {
        path: '^(src/(http|graphql|realtime|rate-limit|cache|context|services)/|resolvers/)',
        pathNot: '^(src/graphql/errors\\.ts|src/context/request-scope\\.ts|src/realtime/events\\.ts)$',
      },
    },
    {
      name: 'http-is-the-outermost-stage',
      severity: 'error',
      comment: 'Only the composition root (app.ts) and tooling import the HTTP stage.',
      from: { path: '^(src|schema|resolvers|loaders)/', pathNot: '^(src/http/|src/app\\.ts$)' },
      to: { path: '^src/http/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|bench/peer)/' },
  },
};
