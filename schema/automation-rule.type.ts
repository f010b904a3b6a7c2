import { ArrayMaxSize, ArrayMinSize, IsOptional, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType } from 'type-graphql';
import { MAX_AUTOMATION_RULES, MAX_INACTIVE_DAYS, MAX_RULE_ACTIONS } from '../src/domain/automation-rules';
import { CachePrivate } from './cache-control';
import { Cost, ListSize } from './cost-directives';
import { ActivityType, AutomationActionKind, AutomationTriggerKind, OrganizationRole, StudyStatus } from './enums';
import { UuidField } from './uuid-field';

const MAX_RULE_NAME_LENGTH = 100;

// Parts of the rule's own row: nothing more is fetched for them.
@Cost(0)
@ObjectType({ simpleResolvers: true, description: 'What sets a rule off.' })
export class AutomationTrigger {
  @Field(() => AutomationTriggerKind, { description: 'Which kind of trigger.' })
  kind!: AutomationTriggerKind;

  @Field(() => ActivityType, { nullable: true, description: 'ACTIVITY: the activity type.' })
  activityType!: ActivityType | null;

  @Field(() => StudyStatus, { nullable: true, description: 'STATUS_REACHED: the status.' })
  status!: StudyStatus | null;

  @Field(() => Int, { nullable: true, description: 'INACTIVE: the days without activity.' })
  inactiveDays!: number | null;
}

@Cost(0)
@ObjectType({ simpleResolvers: true, description: 'What the study must be for a rule to act.' })
export class AutomationConditions {
  @Field(() => [StudyStatus], { nullable: true, description: 'The study is in one of these statuses; null: any.' })
  studyStatusIn!: StudyStatus[] | null;
}

@Cost(0)
@ObjectType({ simpleResolvers: true, description: 'One thing a rule does; each is an activity entry naming the rule.' })
export class AutomationAction {
  @Field(() => AutomationActionKind, { description: 'Which kind of action.' })
  kind!: AutomationActionKind;

  @Field(() => StudyStatus, { nullable: true, description: 'CHANGE_STATUS: the status to move the study to.' })
  status!: StudyStatus | null;

  @Field(() => OrganizationRole, { nullable: true, description: 'REQUEST_APPROVAL: the role to ask.' })
  reviewerRole!: OrganizationRole | null;

  @Field(() => [OrganizationRole], { nullable: true, description: 'NOTIFY: the roles whose members are told.' })
  notifyRoles!: OrganizationRole[] | null;

  @Field(() => Boolean, { nullable: true, description: 'NOTIFY: the study’s collaborators are told too.' })
  notifyCollaborators!: boolean | null;
}

// Rules change without activity entries: never kept in the response cache.
@CachePrivate(0)
@ObjectType({
  simpleResolvers: true,
  description:
    'An organization’s automation rule: when its trigger happens to a study that meets its conditions, its actions run in the same transaction as the write that set it off (an inactivity rule, from a scheduled sweep). What a rule does never sets off a rule.',
})
export class AutomationRule {
  @Field(() => ID, { description: 'The rule’s id.' })
  id!: string;

  @Field(() => String, { description: 'Its name, given by its author; activity entries of its actions carry it.' })
  name!: string;

  @Field(() => Boolean, { description: 'Whether it runs.' })
  enabled!: boolean;

  @Field(() => AutomationTrigger, { description: 'What sets it off.' })
  trigger!: AutomationTrigger;

  @Field(() => AutomationConditions, { description: 'What the study must be for it to act.' })
  conditions!: AutomationConditions;

  @ListSize({ assumedSize: 5 })
  @Field(() => [AutomationAction], { description: 'What it does, in order.' })
  actions!: AutomationAction[];

  @Field(() => GraphQLISODateTime, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'When it was last changed.' })
  updatedAt!: Date;
}

@InputType({ description: 'What sets a rule off: a kind and the one field that kind needs.' })
export class AutomationTriggerInput {
  @Field(() => AutomationTriggerKind, { description: 'Which kind of trigger.' })
  kind!: AutomationTriggerKind;

  @Field(() => ActivityType, { nullable: true, description: 'ACTIVITY: a study activity type.' })
  activityType?: ActivityType | null;

  @Field(() => StudyStatus, { nullable: true, description: 'STATUS_REACHED: the status.' })
  status?: StudyStatus | null;

  @Field(() => Int, { nullable: true, description: `INACTIVE: days without activity, 1 to ${MAX_INACTIVE_DAYS}.` })
  inactiveDays?: number | null;
}

@InputType({ description: 'What the study must be for a rule to act.' })
class AutomationConditionsInput {
  @Field(() => [StudyStatus], { nullable: true, description: 'The study is in one of these statuses; null: any.' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(6)
  studyStatusIn?: StudyStatus[] | null;
}

@InputType({ description: 'One thing a rule does: a kind and the fields that kind needs.' })
export class AutomationActionInput {
  @Field(() => AutomationActionKind, { description: 'Which kind of action.' })
  kind!: AutomationActionKind;

  @Field(() => StudyStatus, { nullable: true, description: 'CHANGE_STATUS: the status.' })
  status?: StudyStatus | null;

  @Field(() => OrganizationRole, { nullable: true, description: 'REQUEST_APPROVAL: OWNER, ADMIN or MEMBER.' })
  reviewerRole?: OrganizationRole | null;

  @Field(() => [OrganizationRole], { nullable: true, description: 'NOTIFY: the roles to tell.' })
  @IsOptional()
  @ArrayMaxSize(4)
  notifyRoles?: OrganizationRole[] | null;

  @Field(() => Boolean, { nullable: true, description: 'NOTIFY: tell the study’s collaborators too.' })
  notifyCollaborators?: boolean | null;
}

@InputType({ description: 'An automation rule to create.' })
export class CreateAutomationRuleInput {
  @UuidField({ description: `The organization (at most ${MAX_AUTOMATION_RULES} rules each).` })
  organizationId!: string;

  @Field(() => String, { description: `Its name, 1 to ${MAX_RULE_NAME_LENGTH} characters.` })
  @MinLength(1)
  @MaxLength(MAX_RULE_NAME_LENGTH)
  name!: string;

  @Field(() => Boolean, { defaultValue: true, description: 'Whether it runs.' })
  enabled!: boolean;

  @Field(() => AutomationTriggerInput, { description: 'What sets it off.' })
  @ValidateNested()
  trigger!: AutomationTriggerInput;

  @Field(() => AutomationConditionsInput, { nullable: true, description: 'What the study must be; none: any study.' })
  @IsOptional()
  @ValidateNested()
  conditions?: AutomationConditionsInput | null;

  @Field(() => [AutomationActionInput], { description: `What it does, in order: 1 to ${MAX_RULE_ACTIONS} actions.` })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RULE_ACTIONS)
  @ValidateNested({ each: true })
  actions!: AutomationActionInput[];
}

@InputType({ description: 'A rule’s new definition: what is given replaces what it had.' })
export class UpdateAutomationRuleInput {
  @UuidField({ description: 'The rule.' })
  ruleId!: string;

  @Field(() => String, { nullable: true, description: `Its name, 1 to ${MAX_RULE_NAME_LENGTH} characters.` })
  @IsOptional()
  @MinLength(1)
  @MaxLength(MAX_RULE_NAME_LENGTH)
  name?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Whether it runs.' })
  enabled?: boolean | null;

  @Field(() => AutomationTriggerInput, { nullable: true, description: 'What sets it off.' })
  @IsOptional()
  @ValidateNested()
  trigger?: AutomationTriggerInput | null;

  @Field(() => AutomationConditionsInput, { nullable: true, description: 'What the study must be.' })
  @IsOptional()
  @ValidateNested()
  conditions?: AutomationConditionsInput | null;

  @Field(() => [AutomationActionInput], {
    nullable: true,
    description: `What it does: 1 to ${MAX_RULE_ACTIONS} actions.`,
  })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RULE_ACTIONS)
  @ValidateNested({ each: true })
  actions?: AutomationActionInput[] | null;
}

@InputType({ description: 'An automation rule to delete.' })
export class DeleteAutomationRuleInput {
  @UuidField({ description: 'The rule.' })
  ruleId!: string;
}
