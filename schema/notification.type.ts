import { ArrayMaxSize, ArrayMinSize } from 'class-validator';
import { ArgsType, Field, GraphQLISODateTime, ID, InputType, ObjectType } from 'type-graphql';
import { CachePrivate } from './cache-control';
import { Connection } from './connection.type';
import { NotificationKind } from './enums';
import { Node } from './node.type';
import { PageArgs } from './pagination.args';

// Notifications change with every write that concerns their user: never kept in the response cache.
@CachePrivate(0)
@ObjectType({
  implements: Node,
  simpleResolvers: true,
  description: 'Something a user is told of, written with the activity entry that caused it; private to its user.',
})
export class Notification {
  @Field(() => ID, { description: 'Opaque; node(id:) finds it for its user only.' })
  id!: string;

  @Field(() => NotificationKind, { description: 'Why the user is told.' })
  kind!: NotificationKind;

  @Field(() => GraphQLISODateTime, { description: 'When it was written (the change it tells of).' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When its user marked it read; null while unread.' })
  readAt!: Date | null;

  activityId!: string;
  organizationId!: string;
}

export const NotificationConnection = Connection('Notification', Notification);

@ArgsType()
export class NotificationPageArgs extends PageArgs {
  @Field(() => Boolean, { defaultValue: false, description: 'Only those not yet marked read.' })
  unreadOnly!: boolean;
}

@InputType({ description: 'Notifications of the viewer to mark read.' })
export class MarkNotificationsReadInput {
  @Field(() => [ID], { description: 'Their ids (1 to 100), all the viewer’s own.' })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  ids!: string[];
}
