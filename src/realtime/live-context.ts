import type { ExecutionResult } from 'graphql';
import type { GatewayContext } from '../context/context';
import type { LiveSession } from './realtime';

/** The context of one subscription: a request context whose viewer and loaders are renewed for every event. */
export interface LiveContext extends GatewayContext, LiveSession {
  /** After an event's answer is built: the charge set to its actual cost. */
  settleDelivery(answer: ExecutionResult): Promise<void>;
}

export function isLiveContext(ctx: GatewayContext): ctx is LiveContext {
  return typeof (ctx as Partial<LiveContext>).renew === 'function';
}
