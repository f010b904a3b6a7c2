import { DEFAULT_PAGE_SIZE } from './input-limits';
import {
  DirectiveLocation,
  GraphQLBoolean,
  GraphQLDirective,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
} from 'graphql';
import { Directive } from 'type-graphql';

/**
 * Demand-control directives in the style of the GraphQL cost directive specification (IBM) and Apollo
 * Router: @cost gives a type or field its weight, @listSize says how many items a list returns.
 */
export const costDirective = new GraphQLDirective({
  name: 'cost',
  description: 'Points a type or field adds to an operation’s cost (objects 1, scalars 0, mutations 10 unless set).',
  locations: [DirectiveLocation.OBJECT, DirectiveLocation.FIELD_DEFINITION],
  args: {
    weight: {
      type: new GraphQLNonNull(GraphQLInt),
      description:
        'Points added: on a type, for each object of that type in the answer; on a field, for each occurrence of the field, on top of its type’s.',
    },
  },
});

export const listSizeDirective = new GraphQLDirective({
  name: 'listSize',
  description:
    'Size of the list a field returns: the value of a slicing argument (e.g. `first`), else `assumedSize`. With `sizedFields`, the size applies to those fields of the returned object (connections: `edges`).',
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: {
    assumedSize: {
      type: GraphQLInt,
      description: 'The size assumed when no slicing argument gives one (lists without @listSize: 10).',
    },
    slicingArguments: {
      type: new GraphQLList(new GraphQLNonNull(GraphQLString)),
      description:
        "Arguments whose value is the list's size (a list argument: its length); the first one given counts.",
    },
    sizedFields: {
      type: new GraphQLList(new GraphQLNonNull(GraphQLString)),
      description:
        'Fields of the returned object that the size applies to, instead of the field itself (connections: `edges`).',
    },
    requireOneSlicingArgument: {
      type: GraphQLBoolean,
      defaultValue: true,
      description:
        'Whether an operation must pass exactly one of the slicing arguments (cost specification); every field here sets false and is sized by assumedSize when none is given.',
    },
  },
});

/** graphql-rate-limit-directive's @rateLimit: this field at most `limit` times per `duration` seconds per principal. */
export const rateLimitDirective = new GraphQLDirective({
  name: 'rateLimit',
  description: 'At most `limit` calls of this field per `duration` seconds per caller.',
  locations: [DirectiveLocation.OBJECT, DirectiveLocation.FIELD_DEFINITION],
  isRepeatable: true,
  args: {
    limit: {
      type: new GraphQLNonNull(GraphQLInt),
      defaultValue: 60,
      description: 'Calls allowed per caller (user, or client address when anonymous) in each window.',
    },
    duration: {
      type: new GraphQLNonNull(GraphQLInt),
      defaultValue: 60,
      description: 'Length of the window, in seconds.',
    },
  },
});

export const Cost = (weight: number) => Directive(`@cost(weight: ${weight})`);

/** A connection's size: `first` or `last`, whichever is given, else the default page size. */
export const ConnectionSize = () =>
  Directive(
    `@listSize(assumedSize: ${DEFAULT_PAGE_SIZE}, slicingArguments: ["first", "last"], sizedFields: ["edges"], requireOneSlicingArgument: false)`,
  );

export const ListSize = (options: { assumedSize?: number; slicingArguments?: string[] }) => {
  const args = [
    options.assumedSize !== undefined ? `assumedSize: ${options.assumedSize}` : '',
    options.slicingArguments
      ? `slicingArguments: [${options.slicingArguments.map((a) => JSON.stringify(a)).join(', ')}]`
      : '',
    options.slicingArguments ? 'requireOneSlicingArgument: false' : '',
  ].filter(Boolean);
  return Directive(`@listSize(${args.join(', ')})`);
};

export const RateLimit = (limit: number, durationSeconds: number) =>
  Directive(`@rateLimit(limit: ${limit}, duration: ${durationSeconds})`);

/** Per-principal limits of heavy fields (docs/rate-limits.md). */
export const FIELD_LIMITS = {
  analytics: { limit: 30, duration: 60 },
  collaborationWrites: { limit: 50, duration: 60 },
} as const;

/** The per-principal limit every collaboration write shares (FIELD_LIMITS.collaborationWrites). */
export const CollaborationWriteLimit = () =>
  RateLimit(FIELD_LIMITS.collaborationWrites.limit, FIELD_LIMITS.collaborationWrites.duration);
