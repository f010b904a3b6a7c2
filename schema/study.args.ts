import { ArrayMaxSize, IsOptional, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, ID, Int } from 'type-graphql';
import { ActivityType } from './enums';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_SEARCH_LENGTH } from './input-limits';
import { PageArgs } from './pagination.args';
import { UuidField } from './uuid-field';

@ArgsType()
export class SearchStudiesArgs {
  @Field(() => String, {
    description: 'Words to find (web-search syntax: "quoted phrase", -excluded, or); typos are tolerated in titles.',
  })
  @MaxLength(MAX_SEARCH_LENGTH)
  query!: string;

  @Field(() => ID, { nullable: true, description: "Limit to one organization; default: all of the viewer's." })
  organizationId?: string | null;

  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: `Page size, 1 to ${MAX_PAGE_SIZE}.` })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first!: number;

  @Field(() => String, {
    nullable: true,
    description: 'Cursor of the edge to continue after, from an earlier page of the same search.',
  })
  @IsOptional()
  @MaxLength(512)
  after?: string | null;
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
