import { Arg, Ctx, Mutation, UseMiddleware, type MiddlewareFn } from 'type-graphql';
import { requireViewer } from '../src/auth/access';
import type { GatewayContext } from '../src/context/context';
import { CollaborationWriteLimit } from './cost-directives';
import { composed, parameters } from './resolver-fields';

/** UNAUTHENTICATED without a signed-in viewer, before the field's arguments are even read. */
const signedIn: MiddlewareFn<GatewayContext> = async ({ context }, next) => {
  requireViewer(context);
  const answer: unknown = await next();
  return answer;
};

/** What a collaboration write says of itself and of its one argument, `input`. */
export interface CollaborationWriteOptions {
  readonly description: string;
  readonly inputDescription: string;
}

/**
 * A collaboration write: a mutation with its description, under the per-principal limit every collaboration
 * write shares (CollaborationWriteLimit), for signed-in viewers only. The resolver under it takes its
 * `input` and the context, `write(input: SomeInput, ctx: GatewayContext)` (the input's class is the
 * signature's), and calls its service (src/services/). Nullable, as GitHub's mutations are: one
 * refused (rate-limited, forbidden, not found, bad input) nulls only itself, and the writes of the document's
 * other mutations keep their answers.
 */
export function CollaborationWrite(
  returnType: Parameters<typeof Mutation>[0],
  { description, inputDescription }: CollaborationWriteOptions,
): MethodDecorator {
  return composed(
    UseMiddleware(signedIn),
    CollaborationWriteLimit(),
    Mutation(returnType, { description, nullable: true }),
    parameters(Arg('input', { description: inputDescription }), Ctx()),
  );
}
