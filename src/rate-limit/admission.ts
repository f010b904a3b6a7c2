import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../graphql/errors';
import { isRegistered, notRegisteredError, type OperationManifest } from '../cache/persisted-queries';
import { documentTextRefusal, tokenCount } from '../graphql/limits';
import type { Metrics } from '../observability/metrics';
import type { BucketLevel, Budgets } from './budget';
import type { OperationCost } from './cost';
import { REQUESTS, type Principal } from './principal';

/** Bucket keys of a principal: one hash slot (`{…}`), so one script may touch both on a Redis Cluster. */
export const pointsKey = (principal: Pick<Principal, 'key'>) => `studygraph:{${principal.key}}:rl:points`;
const requestsKey = (principal: Pick<Principal, 'key'>) => `studygraph:{${principal.key}}:rl:requests`;

/** What a refused request is told: the cost maximum aside, every refusal of a budget is RATE_LIMITED. */
export type Transport = 'http' | 'websocket' | 'sse';

/** The HTTP status a refusal carries through Apollo; subscriptions (WebSocket, SSE) answer theirs themselves. */
export const httpStatus = (transport: Transport, status: number) => (transport === 'http' ? { http: { status } } : {});

/**
 * What a request costs and what is left of its principal's budget: a value of the request (its context's
 * `cost`), set once its operation is priced; the rateLimit field, the settlement and the response cache read it.
 */
export interface RequestCost {
  requested: number;
  dryRun: boolean;
  principal: Principal | null;
  throttle: ThrottleStatus | null;
  pricing: OperationCost;
  /** The actual cost of the answer's data (registration not included), once worked out. */
  resultCost?: number;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

function throttleOf(principal: Principal, level: BucketLevel): ThrottleStatus {
  return {
    maximumAvailable: principal.points.capacity,
    currentlyAvailable: Math.max(0, Math.floor(level.remaining)),
    restoreRate: Math.round(principal.points.refillPerSecond * 100) / 100,
  };
}

/**
 * Points a document that failed before it could be priced (unparseable, invalid, naming no operation, too
 * costly) costs: parsing and validating it was work, in proportion to its tokens (see tokenCount). A document
 * of 400 fields (some 1,600 tokens) costs 81 points, what an anonymous caller earns in 8 s by default; the
 * largest parseable one (MAX_QUERY_TOKENS) 251.
 */
export function failedDocumentCost(source: string): number {
  return 1 + Math.ceil(tokenCount(source) / 20);
}

/** RATE_LIMITED with the seconds to wait (over HTTP a 429 with Retry-After), and the budget's level when it was a budget's refusal. */
export class RateLimitRefusal extends GraphQLError {
  constructor(
    message: string,
    retryAfterSeconds: number,
    transport: Transport,
    readonly throttle?: ThrottleStatus,
  ) {
    super(message, {
      extensions: {
        code: ErrorCode.RATE_LIMITED,
        retryAfterSeconds,
        ...(transport === 'http'
          ? { http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) } }
          : {}),
      },
    });
  }
}

const secondsUntil = (need: number, have: number, perSecond: number) =>
  Math.max(1, Math.ceil((need - have) / perSecond));

export interface AdmissionOptions {
  budgets: Budgets;
  /** PERSISTED_QUERIES=only: the operations that may run; any other text is refused before it is parsed. */
  registeredOperations?: OperationManifest;
  /** false with RATE_LIMITS=off: nothing is charged or refused here. */
  enforce: boolean;
  /** Points one operation may cost at most (MAX_QUERY_COST), whoever asks: refused QUERY_TOO_COSTLY, rate limits on or off. */
  maxQueryCost: number;
  metrics: Metrics;
}

/**
 * The one admission path of every transport (HTTP, WebSocket, SSE): what a request is charged and when it is
 * refused. Before a document is parsed, the caller's burst bucket takes one request per operation and the
 * points bucket must not be spent, so a caller over either limit costs no parsing or validation; once the
 * operation is priced, its estimate is charged; once answered, the charge is settled to the actual cost.
 * A document that fails before it is priced is charged by its size. Refusals are counted in the metrics.
 */
export class Admission {
  constructor(private readonly options: AdmissionOptions) {}

  get enforced(): boolean {
    return this.options.enforce;
  }

  /**
   * Before parsing: `operations` requests of the burst bucket (a batch is that many requests), and a points
   * budget not spent. Throws RATE_LIMITED (nothing is taken from the burst when it is refused).
   */
  async admit(principal: Principal | null, operations: number, transport: Transport): Promise<void> {
    if (!principal || !this.options.enforce) return;
    const [requests, points] = await this.options.budgets.charge([
      { key: requestsKey(principal), policy: principal.requests, cost: operations },
      { key: pointsKey(principal), policy: principal.points, cost: 0 },
    ]);
    if (!requests.allowed) throw this.burstRefusal(principal, requests, operations, transport);
    if (points.remaining < 1)
      throw this.budgetRefusal(principal, 1, points, transport, 'Rate limit: the points budget is spent');
  }

  /** A points budget not spent (the burst was taken already, see admitBurst); throws RATE_LIMITED. */
  async admitBudget(principal: Principal | null, transport: Transport): Promise<void> {
    if (!principal || !this.options.enforce) return;
    const [points] = await this.options.budgets.charge([
      { key: pointsKey(principal), policy: principal.points, cost: 0 },
    ]);
    if (points.remaining < 1)
      throw this.budgetRefusal(principal, 1, points, transport, 'Rate limit: the points budget is spent');
  }

  /**
   * What is refused from a document's text alone, before it is parsed, for every transport: a text the
   * allow-list does not hold (PERSISTED_QUERIES=only), and brackets nested deeper than the parser may recurse.
   */
  documentRefusal(text: string, transport: Transport): GraphQLError | undefined {
    if (this.options.registeredOperations && !isRegistered(this.options.registeredOperations, text))
      return notRegisteredError();
    const tooDeep = documentTextRefusal(text);
    if (!tooDeep) return undefined;
    return new GraphQLError(tooDeep, { extensions: { code: 'GRAPHQL_PARSE_FAILED', ...httpStatus(transport, 400) } });
  }

  /** The burst alone, for a caller whose budget tier is not known yet (a subscribe message before its context). */
  async admitBurst(key: string, transport: Transport): Promise<void> {
    if (!this.options.enforce) return;
    const principal = { key, requests: REQUESTS };
    const [requests] = await this.options.budgets.charge([{ key: requestsKey(principal), policy: REQUESTS, cost: 1 }]);
    if (!requests.allowed) throw this.burstRefusal(principal, requests, 1, transport);
  }

  /**
   * A priced operation's estimate, or QUERY_TOO_COSTLY over the maximum (for HTTP requests and subscriptions
   * alike; nothing is charged then but the failed document's size).
   */
  estimateWithinMaximum(pricing: OperationCost, transport: Transport, what = 'operation'): number {
    const requested = pricing.estimate();
    const { maxQueryCost, metrics } = this.options;
    metrics.estimatedCost.observe(requested);
    if (requested <= maxQueryCost) return requested;
    metrics.throttled.inc({ reason: 'too_costly' });
    throw new GraphQLError(
      `This ${what} would cost ${requested} points; the maximum is ${maxQueryCost}. Ask for fewer items (first) or split it.`,
      {
        extensions: {
          code: ErrorCode.QUERY_TOO_COSTLY,
          cost: { requestedQueryCost: requested, maximumQueryCost: maxQueryCost },
          ...httpStatus(transport, 400),
        },
      },
    );
  }

  /** A priced operation's estimate; throws RATE_LIMITED when the points are not there (nothing is taken then). */
  async chargeEstimate(
    principal: Principal,
    points: number,
    transport: Transport,
    what = 'operation',
  ): Promise<ThrottleStatus> {
    const [level] = await this.options.budgets.charge([
      { key: pointsKey(principal), policy: principal.points, cost: points },
    ]);
    if (!level.allowed)
      throw this.budgetRefusal(principal, points, level, transport, `Rate limit: this ${what} costs ${points} points`);
    return throttleOf(principal, level);
  }

  /** Work already done (an answer's settlement, a failed document, a replay): taken even into debt. */
  async chargeDone(principal: Principal, points: number): Promise<ThrottleStatus> {
    const [level] = await this.options.budgets.charge([
      { key: pointsKey(principal), policy: principal.points, cost: points, force: true },
    ]);
    return throttleOf(principal, level);
  }

  private burstRefusal(
    principal: Pick<Principal, 'requests'>,
    level: BucketLevel,
    need: number,
    transport: Transport,
  ): RateLimitRefusal {
    this.options.metrics.throttled.inc({ reason: 'burst' });
    const retryAfter = secondsUntil(need, level.remaining, principal.requests.refillPerSecond);
    return new RateLimitRefusal(
      `Too many requests at once (at most ${principal.requests.capacity} a second). Retry in ${retryAfter} s.`,
      retryAfter,
      transport,
    );
  }

  private budgetRefusal(
    principal: Principal,
    need: number,
    level: BucketLevel,
    transport: Transport,
    reason: string,
  ): RateLimitRefusal {
    this.options.metrics.throttled.inc({ reason: 'budget' });
    const retryAfter = secondsUntil(need, level.remaining, principal.points.refillPerSecond);
    const message = `${reason} and ${Math.max(0, Math.floor(level.remaining))} are left. Retry in ${retryAfter} s.`;
    return new RateLimitRefusal(message, retryAfter, transport, throttleOf(principal, level));
  }
}
