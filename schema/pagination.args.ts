import { IsOptional, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, Int } from 'type-graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './input-limits';

/**
 * A connection's page, forward (`first`, `after`) or backward (`last`, `before`) as Relay's cursor
 * connections specify; neither size given means the first ${DEFAULT_PAGE_SIZE}. Mixing the two directions is
 * refused (loaders/folds.ts pageWindowOf reads them, for every connection alike).
 */
@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page size from the start of the list (or from \`after\`), 1 to ${MAX_PAGE_SIZE}; ${DEFAULT_PAGE_SIZE} when neither \`first\` nor \`last\` is given. Not with \`last\`.`,
  })
  @IsOptional()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the edge to continue after (with `first`).' })
  @IsOptional()
  @MaxLength(512)
  after?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: `Page size from the end of the list (or from \`before\`), 1 to ${MAX_PAGE_SIZE}: the page ends where the list (or \`before\`) does. Not with \`first\`.`,
  })
  @IsOptional()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the edge to continue before (with `last`).' })
  @IsOptional()
  @MaxLength(512)
  before?: string | null;
}
