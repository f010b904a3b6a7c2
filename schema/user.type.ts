import { Node } from './node.type';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { CachePrivate, CACHE_SECONDS } from './cache-control';

@CachePrivate(CACHE_SECONDS.membership)
@ObjectType({
  implements: Node,
  simpleResolvers: true,
  description: 'A person using the platform.',
})
export class User {
  @Field(() => ID, { description: "The user's UUID." })
  id!: string;

  @Field(() => String, { description: 'Email address the user signs in with; unique, stored in lower case.' })
  email!: string;

  @Field(() => String, { description: 'Display name.' })
  name!: string;

  @Field(() => GraphQLISODateTime, { description: 'When the account was created.' })
  createdAt!: Date;
}
