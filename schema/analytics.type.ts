import { GraphQLLocalDate } from 'graphql-scalars';
import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { CacheInherit, CachePrivate, CACHE_SECONDS } from './cache-control';
import { Cost } from './cost-directives';
import { ActivityType, StudyStatus } from './enums';
import { User } from './user.type';

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true, description: 'How many studies are in one status.' })
export class StudyStatusCount {
  @Field(() => StudyStatus, { description: 'The status counted.' })
  status!: StudyStatus;

  @Field(() => Int, { description: 'Studies in that status now; 0 included.' })
  count!: number;
}

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true, description: 'A count for one UTC day.' })
export class DailyCount {
  @Field(() => GraphQLLocalDate, { description: 'A UTC calendar day.' })
  date!: string;

  @Field(() => Int, {
    description: 'The figure of that day (dailyActiveUsers: distinct users with activity); 0 included.',
  })
  count!: number;
}

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true, description: 'A count for one hour of the day (UTC), over all days of a window.' })
export class HourCount {
  @Field(() => Int, { description: 'Hour of the day, 0 to 23, UTC.' })
  hour!: number;

  @Field(() => Int, { description: 'Activity entries made in that hour, on any day of the window.' })
  count!: number;
}

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true, description: 'How many activity entries of one type a window holds.' })
export class ActivityTypeCount {
  @Field(() => ActivityType, { description: 'The type counted.' })
  type!: ActivityType;

  @Field(() => Int, { description: 'Entries of that type in the window; at least 1.' })
  count!: number;
}

@Cost(0)
@CacheInherit()
@ObjectType({ simpleResolvers: true, description: "A user and how much of a window's activity is theirs." })
export class Contributor {
  @Field(() => User, { description: 'The user whose activity is counted.' })
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
  @Field(() => Int, { description: 'Members of the organization, every role, at the last refresh.' })
  memberCount!: number;

  @Field(() => Int, { description: 'Studies created in the period.' })
  studiesCreated!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'studiesCreated divided by memberCount; null when the organization has no members.',
  })
  studiesPerMember!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Comments written in the period divided by memberCount; null when the organization has no members.',
  })
  commentsPerMember!: number | null;

  @Field(() => Int, { description: 'Approvals approved or rejected in the period.' })
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
  @Field(() => ID, { description: 'The organization whose activity changed.' })
  organizationId!: string;

  @Field(() => GraphQLISODateTime, { description: 'When this signal was sent.' })
  changedAt!: Date;

  @Field(() => Int, { description: 'Activity entries since the previous signal.' })
  events!: number;
}
