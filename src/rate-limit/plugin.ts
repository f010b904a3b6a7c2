import {
  HeaderMap,
  type ApolloServerPlugin,
  type GraphQLRequestContext,
  type GraphQLRequestContextWillSendResponse,
} from '@apollo/server';
import { execute, GraphQLError, Kind, type OperationDefinitionNode } from 'graphql';
import { CachedData } from '../cache/cached-answer';
import type { GatewayContext } from '../context/context';
import type { Metrics } from '../observability/metrics';
import { failedDocumentCost, RateLimitRefusal, type Admission, type RequestCost } from './admission';
import { priceOperation } from './pricing';
import { principalOf } from './principal';
import { annotateSpan, inSpan } from '../observability/tracing';

/**
 * The actual cost of a request's answer (without a persisted query's registration), worked out once for
 * whoever asks first: the cost plugin settles the charge with it, the response cache stores it with the
 * answer. A cached answer brings the cost it was stored with; the walk does not run on a hit.
 */
export function resultCostOf(rc: GraphQLRequestContextWillSendResponse<GatewayContext>): number | undefined {
  const cost = rc.contextValue.cost;
  if (!cost || rc.response.body.kind !== 'single') return undefined;
  const result = rc.response.body.singleResult;
  cost.resultCost ??= result.data instanceof CachedData ? result.data.cost : cost.pricing.actual(result);
  return cost.resultCost;
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
  /** Largest document (UTF-8 bytes) an automatic persisted query may register. */
  maxPersistedQueryBytes: number;
  metrics: Metrics;
}

/** Longest part of a client's operation name repeated in an error message. */
const QUOTED_NAME_LENGTH = 64;

/**
 * Cost-based limits, as Shopify and GitHub do them. The burst and a spent budget were checked before the
 * document was parsed (Admission.admit, called where the request's context is built). Here the cost is
 * estimated from the operation before any resolver runs; over the maximum it is refused
 * (QUERY_TOO_COSTLY, Admission.estimateWithinMaximum); otherwise the principal's points are charged the estimate, or the request is refused
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
          const pricing = priceOperation(rc.schema, rc.document, rc.operation, rc.request.variables, 'http');
          const requested = admission.estimateWithinMaximum(pricing, 'http');
          annotateSpan({ 'studygraph.cost.requested': requested });
          if (rc.metrics.persistedQueryRegister)
            registration = persistedQueryRegistration(rc, options.maxPersistedQueryBytes);
          const dryRun = dryRunField(rc.operation, pricing.variables) !== undefined;
          cost = { requested: requested + registration, dryRun, principal, throttle: null, pricing };
          rc.contextValue.cost = cost;
          const charge = dryRun ? registration : cost.requested;
          if (registration > 0) annotateSpan({ 'studygraph.cost.requested': cost.requested });
          if (!principal) return;
          try {
            cost.throttle = await inSpan('rate_limit.charge', { 'studygraph.cost.charged': charge }, async (span) => {
              const throttle = await admission.chargeEstimate(principal, charge, 'http');
              span?.setAttributes({
                'studygraph.rate_limit.allowed': true,
                'studygraph.rate_limit.points_left': throttle.currentlyAvailable,
              });
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
          const only = operation.selectionSet.selections.filter(
            (s) => s.kind === Kind.FIELD && s.name.value === 'rateLimit',
          );
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
          if (charged && cost.principal && cost.requested !== actual)
            cost.throttle = await admission.chargeDone(cost.principal, actual - cost.requested);
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
