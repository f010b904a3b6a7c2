import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import type { GraphQLSchema } from 'graphql';
import type { Config } from './config';
import type { GatewayContext } from './context';
import { createErrorFormatter } from './error-format';
import { depthLimit, MAX_QUERY_DEPTH, MAX_QUERY_TOKENS } from './limits';
import type { Logger } from './logger';

export interface GatewayOptions {
  /** Shown in Sandbox's headers so an analyst can run a query at once (development only). */
  demoToken?: string;
}

/** The Apollo server: schema, limits, error masking and the Sandbox landing page. Built once. */
export function createApolloServer(schema: GraphQLSchema, config: Config, logger: Logger, options: GatewayOptions = {}) {
  const landingPage = config.sandbox
    ? ApolloServerPluginLandingPageLocalDefault({
        embed: { initialState: { sharedHeaders: options.demoToken ? { Authorization: `Bearer ${options.demoToken}` } : {} } },
        document: EXAMPLE_OPERATION,
        footer: false,
      })
    : ApolloServerPluginLandingPageProductionDefault({ footer: false });
  return new ApolloServer<GatewayContext>({
    schema,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.env === 'production',
    csrfPrevention: true,
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    validationRules: [depthLimit(MAX_QUERY_DEPTH)],
    formatError: createErrorFormatter(config, logger),
    plugins: [landingPage],
  });
}


const EXAMPLE_OPERATION = `# Your demo token is already in the Authorization header.
query MyStudies {
  viewer { name email }
  organizations(first: 5) {
    edges {
      node {
        name
        plan
        viewerRole
        studies(first: 5) {
          totalCount
          edges { node { title status collaborators { role user { name } } } }
        }
      }
    }
  }
}
`;
