import { ArrayMaxSize, IsOptional, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { ArgsType, Field, GraphQLISODateTime, InputType } from 'type-graphql';
import { OrderDirection, StudyOrderField, StudyStatus } from './enums';
import { MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH } from './input-limits';
import { PageArgs } from './pagination.args';
import { UuidField } from './uuid-field';

@InputType({ description: 'Narrows a list of studies; all given conditions must hold.' })
class StudyFilter {
  @Field(() => [StudyStatus], {
    nullable: true,
    description: 'Only studies in one of these statuses; omitted or empty: any status.',
  })
  @IsOptional()
  @ArrayMaxSize(6)
  statuses?: StudyStatus[] | null;

  @UuidField({ nullable: true, description: 'Only studies created by this user.' })
  createdById?: string | null;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'Only studies created at or after this instant; earlier than `createdBefore` when both are given.',
  })
  createdAfter?: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Only studies created before this instant.' })
  createdBefore?: Date | null;
}

@InputType({ description: 'Order of a list of studies; ties are broken by id.' })
class StudyOrder {
  @Field(() => StudyOrderField, { description: 'What to order by.' })
  field!: StudyOrderField;

  @Field(() => OrderDirection, {
    defaultValue: OrderDirection.DESC,
    description: 'Ascending or descending; default DESC (newest first, or Z to A).',
  })
  direction!: OrderDirection;
}

@ArgsType()
export class StudyPageArgs extends PageArgs {
  @Field(() => StudyFilter, { nullable: true, description: 'Only the studies it matches; default: all.' })
  @IsOptional()
  @ValidateNested()
  filter?: StudyFilter | null;

  @Field(() => StudyOrder, { nullable: true, description: 'Default: newest first.' })
  orderBy?: StudyOrder | null;
}

@ArgsType()
export class OrganizationStudiesArgs extends StudyPageArgs {
  @UuidField({ description: 'An organization the viewer is a member of; any other is NOT_FOUND.' })
  organizationId!: string;
}

@InputType({ description: 'A new study: where, and what it is called.' })
export class CreateStudyInput {
  @UuidField({ description: 'The organization that runs it; the viewer must be a member (not a viewer) of it.' })
  organizationId!: string;

  @Field(() => String, {
    description: `Title, 1 to ${MAX_TITLE_LENGTH} characters; surrounding blanks are removed, and a blank title is refused.`,
  })
  @MinLength(1)
  @MaxLength(MAX_TITLE_LENGTH)
  title!: string;

  @Field(() => String, {
    nullable: true,
    description: `Free text, at most ${MAX_DESCRIPTION_LENGTH} characters; blank or omitted: none.`,
  })
  @IsOptional()
  @MaxLength(MAX_DESCRIPTION_LENGTH)
  description?: string | null;
}

@InputType({ description: 'Fields left out are not changed; description null clears it.' })
export class UpdateStudyInput {
  @UuidField({ description: 'The study to change.' })
  id!: string;

  @Field(() => String, {
    nullable: true,
    description: `New title, 1 to ${MAX_TITLE_LENGTH} characters, surrounding blanks removed; omitted or null: unchanged.`,
  })
  @IsOptional()
  @MinLength(1)
  @MaxLength(MAX_TITLE_LENGTH)
  title?: string | null;

  @Field(() => String, {
    nullable: true,
    description: `New description, at most ${MAX_DESCRIPTION_LENGTH} characters; null or blank clears it, omitted leaves it.`,
  })
  @IsOptional()
  @MaxLength(MAX_DESCRIPTION_LENGTH)
  description?: string | null;
}

@InputType({ description: 'A step of a study through its lifecycle.' })
export class ChangeStudyStatusInput {
  @UuidField({ description: 'The study to move.' })
  id!: string;

  @Field(() => StudyStatus, {
    description: 'The status to move to; it must be a step allowed from the current one (see StudyStatus).',
  })
  status!: StudyStatus;
}
