import { createParameterDecorator } from 'type-graphql';
import { requireViewer } from '../src/auth/access';
import type { GatewayContext } from '../src/context/context';

/**
 * The signed-in viewer as a resolver parameter (`@CurrentViewer() viewer: Viewer`), UNAUTHENTICATED
 * without one: what each resolver that acts as the viewer used to open with, `requireViewer(ctx)`.
 */
export function CurrentViewer(): ReturnType<typeof createParameterDecorator> {
  // Async, so that a missing viewer rejects alongside the arguments' validation (type-graphql awaits every
  // parameter together): thrown synchronously, it would leave that validation's rejection unhandled.
  return createParameterDecorator<GatewayContext>(async ({ context }) => requireViewer(context));
}
