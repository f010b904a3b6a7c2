import { hash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, parse } from 'graphql';

export const OPERATIONS_DIR = path.resolve(__dirname, '../../../schema/operations');
export const MANIFEST_FILE = path.join(OPERATIONS_DIR, 'manifest.json');

export interface OperationManifest {
  /** sha256 (hex) of the exact text a client sends → that text. */
  operations: Record<string, { file: string; query: string }>;
}

function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

/** Builds the manifest from schema/operations/*.graphql (npm run schema:emit writes it). */
export function buildOperationManifest(directory = OPERATIONS_DIR): OperationManifest {
  const operations: OperationManifest['operations'] = {};
  for (const file of readdirSync(directory)
    .filter((name) => name.endsWith('.graphql'))
    .sort()) {
    const query = readFileSync(path.join(directory, file), 'utf8');
    operations[sha256(query)] = { file, query };
  }
  return { operations };
}

export function loadOperationManifest(file = MANIFEST_FILE): OperationManifest {
  return JSON.parse(readFileSync(file, 'utf8')) as OperationManifest;
}

/**
 * PERSISTED_QUERIES=only: the gateway runs the registered operations and nothing else. A client may send
 * just the hash (the text comes from the manifest) or the text (its hash must be registered).
 */
export interface AllowListPluginOptions {
  /** The registered operations by hash (schema/operations/manifest.json, see loadOperationManifest). */
  manifest: OperationManifest;
}

/** The names of the manifest's operations (for metric labels). */
export function registeredOperationNames(manifest: OperationManifest): string[] {
  return Object.values(manifest.operations).flatMap(({ query }) =>
    parse(query).definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : [],
    ),
  );
}

export function isRegistered(manifest: OperationManifest, text: string): boolean {
  return manifest.operations[sha256(text)] !== undefined;
}

export function notRegisteredError(): GraphQLError {
  return new GraphQLError(
    'This gateway only runs registered operations (PERSISTED_QUERIES=only); this one is not in schema/operations.',
    {
      extensions: { code: 'PERSISTED_QUERY_NOT_ALLOWED', http: { status: 400 } },
    },
  );
}

export function allowListPlugin({ manifest }: AllowListPluginOptions): ApolloServerPlugin {
  return {
    async requestDidStart({ request }) {
      const hash = (request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
      if (request.query === undefined && typeof hash === 'string' && manifest.operations[hash]) {
        request.query = manifest.operations[hash].query;
      }
      return {
        async didResolveOperation({ source }) {
          if (!isRegistered(manifest, source)) throw notRegisteredError();
        },
      };
    },
  };
}
