import { ArrayMaxSize, IsOptional, MaxLength } from 'class-validator';
import { ArgsType, Field, ID } from 'type-graphql';
import { ActivityType } from './enums';
import { MAX_SEARCH_LENGTH } from './input-limits';
import { PageArgs } from './pagination.args';
import { UuidField } from './uuid-field';

/** A search's page goes forward or backward (PageArgs) through the ranked matches. */
@ArgsType()
export class SearchStudiesArgs extends PageArgs {
  @Field(() => String, {
    description: 'Words to find (web-search syntax: "quoted phrase", -excluded, or); typos are tolerated in titles.',
  })
  @MaxLength(MAX_SEARCH_LENGTH)
  query!: string;

  @Field(() => ID, { nullable: true, description: "Limit to one organization; default: all of the viewer's." })
  organizationId?: string | null;
}

@ArgsType()
export class CommentPageArgs extends PageArgs {
  @Field(() => Boolean, { nullable: true, description: 'true: resolved only; false: open only; omitted: all.' })
  resolved?: boolean | null;
}

@ArgsType()
export class ActivityPageArgs extends PageArgs {
  @Field(() => [ActivityType], { nullable: true, description: 'Only entries of these types.' })
  @IsOptional()
  @ArrayMaxSize(20)
  types?: ActivityType[] | null;
}

@ArgsType()
export class OrganizationActivityArgs extends ActivityPageArgs {
  @UuidField({ nullable: true, description: "Only this member's entries." })
  actorId?: string | null;
}
