import { ArrayMaxSize, IsOptional, MaxLength } from 'class-validator';
import { ArgsType, Field } from 'type-graphql';
import { ActivityType } from './enums';
import { UuidField } from './uuid-field';

/** Longest cursor accepted (ours are far shorter). */
export const MAX_CURSOR_LENGTH = 512;
/** Most activity types one filter may name. */
export const MAX_ACTIVITY_TYPES = 20;

@ArgsType()
export class StudyActivityArgs {
  @UuidField({ description: 'A study the viewer may see; any other is NOT_FOUND.' })
  studyId!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Resume: replay the entries after this activity cursor (from an event or from Study.activity), then go live.',
  })
  @IsOptional()
  @MaxLength(MAX_CURSOR_LENGTH)
  after?: string | null;
}

@ArgsType()
export class OrganizationActivityArgs {
  @UuidField({ description: 'An organization the viewer is a member of; any other is NOT_FOUND.' })
  organizationId!: string;

  @Field(() => [ActivityType], { nullable: true, description: 'Only entries of these types.' })
  @IsOptional()
  @ArrayMaxSize(MAX_ACTIVITY_TYPES)
  types?: ActivityType[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Resume: replay the entries after this activity cursor, then go live.',
  })
  @IsOptional()
  @MaxLength(MAX_CURSOR_LENGTH)
  after?: string | null;
}

@ArgsType()
export class OrganizationAnalyticsChangedArgs {
  @UuidField({ description: 'An organization the viewer is a member of; any other is NOT_FOUND.' })
  organizationId!: string;
}
