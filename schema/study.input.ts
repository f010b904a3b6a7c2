import { ArrayMaxSize, IsOptional, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { ArgsType, Field, GraphQLISODateTime, InputType } from 'type-graphql';
import { OrderDirection, StudyOrderField, StudyStatus } from './enums';
import { MAX_DESCRIPTION_LENGTH, MAX_TITLE_LENGTH } from './input-limits';
import { PageArgs } from './pagination.args';
import { UuidField } from './uuid-field';

@InputType({ description: 'Narrows a list of studies; all given conditions must hold.' })
export class StudyFilter {
  @Field(() => [StudyStatus], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(6)
  statuses?: StudyStatus[] | null;

  @UuidField({ nullable: true })
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
  @UuidField()
  organizationId!: string;
}

@InputType()
export class CreateStudyInput {
  @UuidField()
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
  @UuidField()
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
  @UuidField()
  id!: string;

  @Field(() => StudyStatus)
  status!: StudyStatus;
}
