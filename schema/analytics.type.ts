import { GraphQLLocalDate } from 'graphql-scalars';
import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { CacheInherit, CachePrivate, CACHE_SECONDS } from './cache-control';
import { Cost } from './cost-directives';
import { ActivityType, StudyStatus } from './enums';
import { User } from './user.type';

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true })
export class StudyStatusCount {
  @Field(() => StudyStatus)
  status!: StudyStatus;

  @Field(() => Int)
  count!: number;
}

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true })
export class DailyCount {
  @Field(() => GraphQLLocalDate, { description: 'A UTC calendar day.' })
  date!: string;

  @Field(() => Int)
  count!: number;
}

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true })
export class HourCount {
  @Field(() => Int, { description: 'Hour of the day, 0 to 23, UTC.' })
  hour!: number;

  @Field(() => Int)
  count!: number;
}

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true })
export class ActivityTypeCount {
  @Field(() => ActivityType)
  type!: ActivityType;

  @Field(() => Int)
  count!: number;
}

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true })
export class Contributor {
  @Field(() => User)
  user!: User;

  @Field(() => Int, { description: 'Activity entries in the window.' })
  count!: number;
}

@CachePrivate(CACHE_SECONDS.analytics)
@ObjectType({
  simpleResolvers: true,
  description:
    'How an organization works, over a window of `days` whole UTC days ending `endingDaysAgo` days before today (0: ending today). Snapshot figures (totalStudies, activeStudies, studiesByStatus) describe the organization now.',
})
export class OrganizationAnalytics {
  @Field(() => Int, { description: 'Length of the window in days.' })
  days!: number;

  @Field(() => Int, { description: 'Days before today the window ends (0: today).' })
  endingDaysAgo!: number;

  organizationId!: string;
}

@CachePrivate(CACHE_SECONDS.analytics)
@ObjectType({
  simpleResolvers: true,
  description: 'Team figures over the last 90 days, from a materialized view refreshed hourly and on demand.',
})
export class TeamProductivity {
  @Field(() => Int)
  memberCount!: number;

  @Field(() => Int)
  studiesCreated!: number;

  @Field(() => Float, { nullable: true, description: 'null when the organization has no members.' })
  studiesPerMember!: number | null;

  @Field(() => Float, { nullable: true, description: 'null when the organization has no members.' })
  commentsPerMember!: number | null;

  @Field(() => Int)
  approvalsDecided!: number;

  @Field(() => Int, { description: 'Length of the period the figures cover.' })
  periodDays!: number;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'When the figures were computed; null for an organization newer than the last refresh.',
  })
  refreshedAt!: Date | null;
}

@Cost(0)
@ObjectType({
  simpleResolvers: true,
  description:
    "Tells a dashboard that an organization's activity changed, so its analytics are worth refetching. Coalesced: at most one per organization every few seconds.",
})
export class OrganizationAnalyticsSignal {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => GraphQLISODateTime, { description: 'When this signal was sent.' })
  changedAt!: Date;

  @Field(() => Int, { description: 'Activity entries since the previous signal.' })
  events!: number;
}
