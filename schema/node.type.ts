import { Field, ID, InterfaceType } from 'type-graphql';

/**
 * Relay's Global Object Identification: every object with an identity implements Node, and `node(id:)` /
 * `nodes(ids:)` fetch it again by its id. The ids are the ones clients already hold (a UUID, an activity
 * entry's number); Member and Collaborator, which had none, got opaque ones (src/domain/node-ids.ts).
 */
@InterfaceType({ description: 'An object with an ID: `node(id:)` and `nodes(ids:)` fetch it again by it.' })
export abstract class Node {
  @Field(() => ID, { description: 'Globally unique and stable.' })
  id!: string;
}
