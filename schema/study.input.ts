import { ArrayMaxSize, IsOptional, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { ArgsType, Field, GraphQLISODateTime, ID, InputType } from 'type-graphql';
import { OrderDirection, StudyOrderField, StudyStatus } from './enums';
import { PageArgs } from './pagination.args';
import { MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH, UUID_PATTERN } from './validation';

const uuid = { message: '$property must be a UUID' };

@InputType({ description: 'Narrows a list of studies; all given conditions must hold.' })
export class StudyFilter {
  @Field(() => [StudyStatus], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(6)
  statuses?: StudyStatus[] | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @Matches(UUID_PATTERN, uuid)
  createdById?: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  createdAfter?: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  createdBefore?: Date | null;
}

@InputType({ description: 'Order of a list of studies; ties are broken by id.' })
export class StudyOrder {
  @Field(() => StudyOrderField)
  field!: StudyOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.DESC })
  direction!: OrderDirection;
}

@ArgsType()
export class StudyPageArgs extends PageArgs {
  @Field(() => StudyFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: StudyFilter | null;

  @Field(() => StudyOrder, { nullable: true, description: 'Default: newest first.' })
  orderBy?: StudyOrder | null;
}

@ArgsType()
export class OrganizationStudiesArgs extends StudyPageArgs {
  @Field(() => ID)
  @Matches(UUID_PATTERN, uuid)
  organizationId!: string;
}

@InputType()
export class CreateStudyInput {
  @Field(() => ID)
  @Matches(UUID_PATTERN, uuid)
  organizationId!: string;

  @Field(() => String)
  @MinLength(1)
  @MaxLength(MAX_TITLE_LENGTH)
  title!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(MAX_DESCRIPTION_LENGTH)
  description?: string | null;
}

@InputType({ description: 'Fields left out are not changed; description null clears it.' })
export class UpdateStudyInput {
  @Field(() => ID)
  @Matches(UUID_PATTERN, uuid)
  id!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MinLength(1)
  @MaxLength(MAX_TITLE_LENGTH)
  title?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(MAX_DESCRIPTION_LENGTH)
  description?: string | null;
}

@InputType()
export class ChangeStudyStatusInput {
  @Field(() => ID)
  @Matches(UUID_PATTERN, uuid)
  id!: string;

  @Field(() => StudyStatus)
  status!: StudyStatus;
}
