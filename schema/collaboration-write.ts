import { Mutation, UseMiddleware, type MiddlewareFn } from 'type-graphql';
import { requireViewer } from '../src/auth/access';
import type { GatewayContext } from '../src/context/context';
import { CollaborationWriteLimit } from './cost-directives';

/** UNAUTHENTICATED without a signed-in viewer, before the field's arguments are even read. */
const signedIn: MiddlewareFn<GatewayContext> = async ({ context }, next) => {
  requireViewer(context);
  const answer: unknown = await next();
  return answer;
};

/**
 * A collaboration write: a mutation with its description, under the per-principal limit every collaboration
 * write shares (CollaborationWriteLimit), for signed-in viewers only. The resolver under it takes its
 * `input` and the context, and calls its service (src/services/). Nullable, as GitHub's mutations are: one
 * refused (rate-limited, forbidden, not found, bad input) nulls only itself, and the writes of the document's
 * other mutations keep their answers.
 */
export function CollaborationWrite(returnType: Parameters<typeof Mutation>[0], description: string): MethodDecorator {
  const decorators = [
    Mutation(returnType, { description, nullable: true }),
    CollaborationWriteLimit(),
    UseMiddleware(signedIn),
  ];
  return (target, key, descriptor) => {
    for (const decorate of decorators) decorate(target, key, descriptor);
  };
}
