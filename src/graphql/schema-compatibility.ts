import { buildSchema, findBreakingChanges } from 'graphql';

export interface BreakingChange {
  type: string;
  description: string;
}

/**
 * What a client of the released schema would lose with the current one (a field or type removed, an
 * argument made required, a type changed): graphql-js's own comparison of the two SDLs.
 */
export function breakingChanges(releasedSdl: string, currentSdl: string): BreakingChange[] {
  return findBreakingChanges(buildSchema(releasedSdl), buildSchema(currentSdl)).map(({ type, description }) => ({
    type,
    description,
  }));
}
