import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext } from '@apollo/server';
import { execute, GraphQLError, Kind, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import type { GatewayContext } from '../context';
import { ErrorCode } from '../errors';
import type { Metrics } from '../metrics';
import type { Budgets, BucketLevel } from './budget';
import { operationCost, type CostInput } from './cost';
import { principalOf, type Principal } from './principal';

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface RequestCost {
  requested: number;
  dryRun: boolean;
  principal: Principal | null;
  throttle: ThrottleStatus | null;
}

/** What the rateLimit field reads: the cost and budget of the request it is part of. */
const requestCosts = new WeakMap<GatewayContext, RequestCost>();
export function requestCostOf(ctx: GatewayContext): RequestCost | undefined {
  return requestCosts.get(ctx);
}

/**
 * The operation with its variables coerced as execution will coerce them: a variable that is null for a
 * non-null type, missing, or of the wrong type is the caller's BAD_USER_INPUT here, before anything runs.
 */
function costInput(rc: GraphQLRequestContext<GatewayContext>): CostInput {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of rc.document!.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const coerced = getVariableValues(rc.schema, rc.operation!.variableDefinitions ?? [], rc.request.variables ?? {}, { maxErrors: 1 });
  if (coerced.errors) {
    throw new GraphQLError(coerced.errors[0]!.message, { nodes: coerced.errors[0]!.nodes, extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
  }
  return { schema: rc.schema, operation: rc.operation!, fragments, variables: coerced.coerced };
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

function throttleOf(principal: Principal, level: BucketLevel): ThrottleStatus {
  return {
    maximumAvailable: principal.points.capacity,
    currentlyAvailable: Math.max(0, Math.floor(level.remaining)),
    restoreRate: Math.round(principal.points.refillPerSecond * 100) / 100,
  };
}

/**
 * Cost-based limits, as Shopify and GitHub do them: the cost is estimated from the operation before any
 * resolver runs; over `maxQueryCost` it is refused (QUERY_TOO_COSTLY); otherwise the principal's bucket
 * is charged the estimate (and one request of its burst bucket), or the request is refused with 429 and
 * Retry-After. After execution the difference to the actual cost is refunded, and every response says
 * what it cost and what is left, in `extensions.cost` and the IETF RateLimit header fields.
 */
export function costLimitPlugin(options: { budgets: Budgets; enforce: boolean; maxQueryCost: number; metrics: Metrics }): ApolloServerPlugin<GatewayContext> {
  const { budgets, metrics } = options;
  return {
    async requestDidStart() {
      let input: CostInput | undefined;
      let cost: RequestCost | undefined;
      let charged = false;
      return {
        async didResolveOperation(rc) {
          input = costInput(rc);
          const requested = operationCost(input);
          metrics.estimatedCost.observe(requested);
          if (requested > options.maxQueryCost) {
            metrics.throttled.inc({ reason: 'too_costly' });
            throw new GraphQLError(`This operation would cost ${requested} points; the maximum is ${options.maxQueryCost}. Ask for fewer items (first) or split it.`, {
              extensions: { code: ErrorCode.QUERY_TOO_COSTLY, cost: { requestedQueryCost: requested, maximumQueryCost: options.maxQueryCost }, http: { status: 400 } },
            });
          }
          const dryRun = dryRunField(rc.operation!, input.variables) !== undefined;
          const principal = options.enforce ? principalOf(rc.contextValue) : null;
          cost = { requested, dryRun, principal, throttle: null };
          requestCosts.set(rc.contextValue, cost);
          if (!principal) return;
          const [points, requests] = await budgets.charge([
            { key: `studygraph:rl:points:${principal.key}`, policy: principal.points, cost: dryRun ? 0 : requested },
            { key: `studygraph:rl:requests:${principal.key}`, policy: principal.requests, cost: 1 },
          ]);
          cost.throttle = throttleOf(principal, points!);
          if (points!.allowed) {
            charged = !dryRun;
            return;
          }
          const short = requests!.remaining < 1 ? { need: 1, have: requests!.remaining, rate: principal.requests.refillPerSecond, reason: 'burst' } : { need: requested, have: points!.remaining, rate: principal.points.refillPerSecond, reason: 'budget' };
          const retryAfter = Math.max(1, Math.ceil((short.need - short.have) / short.rate));
          metrics.throttled.inc({ reason: short.reason });
          throw new GraphQLError(
            short.reason === 'burst'
              ? `Too many requests at once (at most ${principal.requests.capacity} a second). Retry in ${retryAfter} s.`
              : `Rate limit: this operation costs ${requested} points and ${Math.floor(short.have)} are left. Retry in ${retryAfter} s.`,
            {
              extensions: {
                code: ErrorCode.RATE_LIMITED,
                retryAfterSeconds: retryAfter,
                http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) },
              },
            },
          );
        },

        async responseForOperation(rc) {
          if (!cost?.dryRun) return null;
          // Run the rateLimit fields alone: the rest of the operation is only priced.
          const operation = rc.operation!;
          const only = operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD && s.name.value === 'rateLimit');
          const document = {
            ...rc.document!,
            definitions: rc.document!.definitions.map((d) => (d === operation ? { ...operation, selectionSet: { ...operation.selectionSet, selections: only } } : d)),
          };
          const result = await execute({ schema: rc.schema, document, contextValue: rc.contextValue, variableValues: rc.request.variables, operationName: rc.operationName });
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: result.data, errors: result.errors } } };
        },

        async willSendResponse(rc) {
          if (!cost || !input || rc.response.body.kind !== 'single') return;
          const result = rc.response.body.singleResult;
          const actual = cost.dryRun ? 0 : result.data ? operationCost(input, result.data) : 0;
          metrics.actualCost.observe(actual);
          if (!cost.dryRun) metrics.costDifference.observe(Math.max(0, cost.requested - actual));
          if (charged && cost.principal && cost.requested > actual) {
            const [points] = await budgets.charge([{ key: `studygraph:rl:points:${cost.principal.key}`, policy: cost.principal.points, cost: actual - cost.requested }]);
            cost.throttle = throttleOf(cost.principal, points!);
          }
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
