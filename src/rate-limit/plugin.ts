import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext, type GraphQLRequestContextWillSendResponse } from '@apollo/server';
import {
  execute,
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type TypeNode,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { CachedData } from '../cache/cached-answer';
import type { GatewayContext } from '../context/context';
import { ErrorCode } from '../graphql/errors';
import type { Metrics } from '../observability/metrics';
import { failedDocumentCost, RateLimitRefusal, type Admission, type ThrottleStatus } from './admission';
import { OperationCost, type CostInput } from './cost';
import { principalOf, type Principal } from './principal';
import { annotateSpan, inSpan } from '../observability/tracing';

export interface RequestCost {
  requested: number;
  dryRun: boolean;
  principal: Principal | null;
  throttle: ThrottleStatus | null;
  pricing: OperationCost;
  /** The actual cost of the answer's data (registration not included), once worked out. */
  resultCost?: number;
}

/** What the rateLimit field reads: the cost and budget of the request it is part of. */
const requestCosts = new WeakMap<GatewayContext, RequestCost>();
export function requestCostOf(ctx: GatewayContext): RequestCost | undefined {
  return requestCosts.get(ctx);
}

/**
 * The actual cost of a request's answer (without a persisted query's registration), worked out once for
 * whoever asks first: the cost plugin settles the charge with it, the response cache stores it with the
 * answer. A cached answer brings the cost it was stored with; the walk does not run on a hit.
 */
export function resultCostOf(rc: GraphQLRequestContextWillSendResponse<GatewayContext>): number | undefined {
  const cost = requestCosts.get(rc.contextValue);
  if (!cost || rc.response.body.kind !== 'single') return undefined;
  const result = rc.response.body.singleResult;
  cost.resultCost ??= result.data instanceof CachedData ? result.data.cost : cost.pricing.actual(result);
  return cost.resultCost;
}

/**
 * The operation with its variables coerced as execution will coerce them: a variable that is null for a
 * non-null type, missing, or of the wrong type is the caller's BAD_USER_INPUT here, before anything runs.
 * Shared by the HTTP path (this plugin) and subscriptions (src/realtime/websocket.ts).
 */
export function costInputOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
): CostInput {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
  if (coerced.errors) {
    throw new GraphQLError(coerced.errors[0].message, {
      nodes: coerced.errors[0].nodes,
      extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
    });
  }
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  return { schema, operation, fragments, variables: coerced.coerced };
}

/**
 * A pricing that has priced. Arguments are coerced as execution would coerce them, so what fails here (a
 * null where a size is required) is the caller's input: BAD_USER_INPUT.
 */
export function estimatedPricing(input: CostInput): OperationCost {
  const pricing = new OperationCost(input);
  try {
    pricing.estimate();
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    throw new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
  }
  return pricing;
}

/**
 * Pricings kept per parsed operation (Apollo reuses parsed documents) and the variables that can change a
 * price: a repeated request is priced once. IDs and strings (which study, which slug) never size a list or
 * decide a @skip/@include, so requests differing only in them share a pricing; anything else (numbers,
 * booleans, enums, inputs) is part of the key.
 */
const PRICINGS_PER_OPERATION = 32;
/**
 * Longest key (JSON of the price variables) a pricing is kept under: the variables are the client's, up to
 * the body limit each, so an operation's pricings are bounded in bytes (32 × 1 KB), not only in count. A
 * request with larger ones is priced afresh.
 */
const MAX_PRICING_KEY_LENGTH = 1024;
const PRICE_NEUTRAL_TYPES = new Set(['ID', 'String']);

interface OperationPricings {
  /** The operation's variables that can change its price (see PRICE_NEUTRAL_TYPES). */
  priceVariables: string[];
  byVariables: Map<string, OperationCost>;
}

const pricings = new WeakMap<OperationDefinitionNode, OperationPricings>();

function pricingsOf(operation: OperationDefinitionNode): OperationPricings {
  let known = pricings.get(operation);
  if (!known) {
    const priceVariables = (operation.variableDefinitions ?? []).filter((d) => !PRICE_NEUTRAL_TYPES.has(namedTypeOf(d.type))).map((d) => d.variable.name.value);
    pricings.set(operation, (known = { priceVariables, byVariables: new Map() }));
  }
  return known;
}

function namedTypeOf(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeOf(type.type);
}

function pricingOf(rc: GraphQLRequestContext<GatewayContext>): OperationCost {
  const operation = rc.operation!;
  // Coerced on every request: a bad variable is refused whether or not a pricing is kept.
  const input = costInputOf(rc.schema, rc.document!, operation, rc.request.variables);
  // An omitted variable (its default applies) and an explicit null price differently.
  const { priceVariables, byVariables } = pricingsOf(operation);
  const key = JSON.stringify(priceVariables.map((name) => (Object.hasOwn(input.variables, name) ? [input.variables[name]] : [])));
  const known = byVariables.get(key);
  if (known) return known;
  // A pricing is kept only once it has priced: one that throws is not handed to the next request of the same operation.
  const pricing = estimatedPricing(input);
  if (key.length > MAX_PRICING_KEY_LENGTH) return pricing;
  if (byVariables.size >= PRICINGS_PER_OPERATION) byVariables.clear();
  byVariables.set(key, pricing);
  return pricing;
}

/** `rateLimit(dryRun: true)` anywhere at the root: report the cost, run nothing, charge nothing. */
function dryRunField(operation: OperationDefinitionNode, variables: Record<string, unknown>) {
  return operation.selectionSet.selections.find((selection) => {
    if (selection.kind !== Kind.FIELD || selection.name.value !== 'rateLimit') return false;
    const argument = selection.arguments?.find((a) => a.name.value === 'dryRun');
    if (!argument) return false;
    if (argument.value.kind === Kind.BOOLEAN) return argument.value.value;
    return argument.value.kind === Kind.VARIABLE && variables[argument.value.name.value] === true;
  });
}

/** Points an automatic persisted query registration adds to its request: it occupies the store for a day. */
export function registrationCost(bytes: number): number {
  return 10 + Math.ceil(bytes / 100);
}

export interface CostLimitPluginOptions {
  /** Where charges go and refusals come from (the same path as WebSocket's); not enforced with RATE_LIMITS=off. */
  admission: Admission;
  maxQueryCost: number;
  /** Largest document (UTF-8 bytes) an automatic persisted query may register. */
  maxPersistedQueryBytes: number;
  metrics: Metrics;
}

/** Longest part of a client's operation name repeated in an error message. */
const QUOTED_NAME_LENGTH = 64;

/**
 * Cost-based limits, as Shopify and GitHub do them. The burst and a spent budget were checked before the
 * document was parsed (Admission.admit, called where the request's context is built). Here the cost is
 * estimated from the operation before any resolver runs; over `maxQueryCost` it is refused
 * (QUERY_TOO_COSTLY); otherwise the principal's points are charged the estimate, or the request is refused
 * with 429 and Retry-After. A request naming no operation of its document is refused before anything is
 * kept for it. A document that failed before it was priced (unparseable, invalid, too costly, naming no
 * operation) is charged by its size. After execution the charge is settled to the actual cost: refunded
 * for lists that came back shorter, charged extra for lists that came back longer than assumed, never
 * lowered by an error. Every response says what it cost and what is left, in `extensions.cost` and the
 * IETF RateLimit header fields.
 */
export function costLimitPlugin(options: CostLimitPluginOptions): ApolloServerPlugin<GatewayContext> {
  const { admission, metrics } = options;
  return {
    async requestDidStart(requestContext) {
      let cost: RequestCost | undefined;
      let charged = false;
      let registration = 0;
      let failureCharged = false;
      const principal = admission.enforced ? principalOf(requestContext.contextValue) : null;
      return {
        async didResolveOperation(rc) {
          if (!rc.operation) {
            const name = rc.request.operationName;
            throw new GraphQLError(
              name
                ? `No operation named ${JSON.stringify(name.slice(0, QUOTED_NAME_LENGTH))}${name.length > QUOTED_NAME_LENGTH ? ' (cut)' : ''} in this document.`
                : 'This document holds several operations: name the one to run in operationName.',
              { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } },
            );
          }
          const pricing = pricingOf(rc);
          const requested = pricing.estimate();
          metrics.estimatedCost.observe(requested);
          annotateSpan({ 'studygraph.cost.requested': requested });
          if (requested > options.maxQueryCost) {
            metrics.throttled.inc({ reason: 'too_costly' });
            throw new GraphQLError(
              `This operation would cost ${requested} points; the maximum is ${options.maxQueryCost}. Ask for fewer items (first) or split it.`,
              {
                extensions: {
                  code: ErrorCode.QUERY_TOO_COSTLY,
                  cost: { requestedQueryCost: requested, maximumQueryCost: options.maxQueryCost },
                  http: { status: 400 },
                },
              },
            );
          }
          if (rc.metrics.persistedQueryRegister) registration = persistedQueryRegistration(rc, options.maxPersistedQueryBytes);
          const dryRun = dryRunField(rc.operation, pricing.variables) !== undefined;
          cost = { requested: requested + registration, dryRun, principal, throttle: null, pricing };
          requestCosts.set(rc.contextValue, cost);
          const charge = dryRun ? registration : cost.requested;
          if (registration > 0) annotateSpan({ 'studygraph.cost.requested': cost.requested });
          if (!principal) return;
          try {
            cost.throttle = await inSpan('rate_limit.charge', { 'studygraph.cost.charged': charge }, async (span) => {
              const throttle = await admission.chargeEstimate(principal, charge, 'http');
              span?.setAttributes({ 'studygraph.rate_limit.allowed': true, 'studygraph.rate_limit.points_left': throttle.currentlyAvailable });
              return throttle;
            });
            charged = !dryRun;
          } catch (refusal) {
            // Refused: what it would have registered is not stored either.
            if (refusal instanceof RateLimitRefusal) cost.throttle = refusal.throttle ?? null;
            rc.metrics.persistedQueryRegister = false;
            annotateSpan({ 'studygraph.rate_limit.allowed': false });
            throw refusal;
          }
        },

        // Unparseable, invalid, naming no operation, too costly or with bad variables: the work done so far is
        // paid by the document's size. (A persisted-query hash the store does not know brought no document.)
        async didEncounterErrors(rc) {
          if (cost || failureCharged || !principal || rc.source === undefined) return;
          failureCharged = true;
          await admission.chargeDone(principal, failedDocumentCost(rc.source));
        },

        async responseForOperation(rc) {
          if (!cost?.dryRun) return null;
          // Run the rateLimit fields alone: the rest of the operation is only priced.
          const operation = rc.operation;
          const only = operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD && s.name.value === 'rateLimit');
          const document = {
            ...rc.document,
            definitions: rc.document.definitions.map((d) =>
              d === operation ? { ...operation, selectionSet: { ...operation.selectionSet, selections: only } } : d,
            ),
          };
          const result = await execute({
            schema: rc.schema,
            document,
            contextValue: rc.contextValue,
            variableValues: rc.request.variables,
            operationName: rc.operationName,
          });
          return {
            http: { status: undefined, headers: new HeaderMap() },
            body: { kind: 'single', singleResult: { data: result.data, errors: result.errors } },
          };
        },

        async willSendResponse(rc) {
          if (!cost || rc.response.body.kind !== 'single') return;
          const result = rc.response.body.singleResult;
          const actual = cost.dryRun ? registration : resultCostOf(rc)! + registration;
          metrics.actualCost.observe(actual);
          if (!cost.dryRun) metrics.costDifference.observe(Math.max(0, cost.requested - actual));
          if (charged && cost.principal && cost.requested !== actual) cost.throttle = await admission.chargeDone(cost.principal, actual - cost.requested);
          annotateSpan({ 'studygraph.cost.actual': actual });
          result.extensions = {
            ...result.extensions,
            cost: { requestedQueryCost: cost.requested, actualQueryCost: actual, throttleStatus: cost.throttle },
          };
          if (cost.principal && cost.throttle) {
            const { maximumAvailable, currentlyAvailable, restoreRate } = cost.throttle;
            const fullIn = Math.ceil(maximumAvailable / restoreRate);
            const resetIn = Math.ceil((maximumAvailable - currentlyAvailable) / restoreRate);
            rc.response.http.headers.set('ratelimit-policy', `"points";q=${maximumAvailable};w=${fullIn}`);
            rc.response.http.headers.set('ratelimit', `"points";r=${currentlyAvailable};t=${resetIn}`);
          }
        },
      };
    },
  };
}

/**
 * The rules of automatic persisted query registration: anonymous callers' documents run but are not
 * stored (anyone could fill the store for a day), and a document larger than the limit is refused.
 * Returns the points the registration costs.
 */
function persistedQueryRegistration(rc: GraphQLRequestContext<GatewayContext>, maxBytes: number): number {
  const bytes = Buffer.byteLength(rc.source ?? '', 'utf8');
  if (bytes > maxBytes) {
    rc.metrics.persistedQueryRegister = false;
    throw new GraphQLError(
      `This document is ${bytes} bytes; persisted queries may register at most ${maxBytes}. Send it without the persistedQuery extension, or shorten it.`,
      {
        extensions: { code: 'PERSISTED_QUERY_TOO_LARGE', maxBytes, http: { status: 413 } },
      },
    );
  }
  if (!rc.contextValue.viewer) {
    rc.metrics.persistedQueryRegister = false;
    return 0;
  }
  return registrationCost(bytes);
}
