import { DirectiveLocation, GraphQLBoolean, GraphQLDirective, GraphQLEnumType, GraphQLInt } from 'graphql';
import { Directive } from 'type-graphql';

/** Apollo's @cacheControl, declared so that the hints are part of the schema (and of schema.graphql). */
export const cacheControlDirective = new GraphQLDirective({
  name: 'cacheControl',
  description: 'How long, and for whom, a response containing this type or field may be cached.',
  locations: [
    DirectiveLocation.FIELD_DEFINITION,
    DirectiveLocation.OBJECT,
    DirectiveLocation.INTERFACE,
    DirectiveLocation.UNION,
  ],
  args: {
    maxAge: {
      type: GraphQLInt,
      description:
        'Seconds a response may be cached; a response is kept for the shortest maxAge among its fields (0: not cached).',
    },
    scope: {
      type: new GraphQLEnumType({
        name: 'CacheControlScope',
        description: 'Who may be served a cached response.',
        values: {
          PUBLIC: { description: 'Anyone: one cached response serves every caller.' },
          PRIVATE: { description: 'Only the user it was made for; any PRIVATE field makes the whole response so.' },
        },
      }),
      description: 'Who may be served the cached response; default PUBLIC.',
    },
    inheritMaxAge: {
      type: GraphQLBoolean,
      description: 'Take the maxAge of the field that returns this type (wrappers, edges, counts) instead of 0.',
    },
  },
});

/**
 * Cached for one user only. Everything an organization owns is PRIVATE: two members may see the same
 * study, but whether a caller may see it at all is decided per viewer.
 */
export const CachePrivate = (maxAgeSeconds: number) =>
  Directive(`@cacheControl(maxAge: ${maxAgeSeconds}, scope: PRIVATE)`);

/** Wrapper and value types (edges, page info, counts) take the policy of the field that returns them. */
export const CacheInherit = () => Directive('@cacheControl(inheritMaxAge: true)');

/** How long each kind of data may be served from the cache (writes through the API invalidate at once). */
export const CACHE_SECONDS = {
  /** Users, organizations, memberships, permissions: at most 15 minutes (seed target). */
  membership: 300,
  /** Studies and their collaboration data. */
  study: 120,
  /** Analytics: 5 minutes (seed target). */
  analytics: 300,
  search: 60,
} as const;
