import { Max, Min } from 'class-validator';
import { ArgsType, Field, InputType, Int } from 'type-graphql';
import { UuidField } from './uuid-field';

const MAX_ANALYTICS_DAYS = 365;
const MAX_TOP_CONTRIBUTORS = 50;

@ArgsType()
export class AnalyticsArgs {
  @Field(() => Int, {
    defaultValue: 30,
    description: `Window length in whole UTC days ending today, 1 to ${MAX_ANALYTICS_DAYS}.`,
  })
  @Min(1)
  @Max(MAX_ANALYTICS_DAYS)
  days!: number;

  @Field(() => Int, {
    defaultValue: 0,
    description: `Days before today the window ends, 0 to ${MAX_ANALYTICS_DAYS}: \`days: 30, endingDaysAgo: 30\` is the 30 days before the last 30 (comparisons).`,
  })
  @Min(0)
  @Max(MAX_ANALYTICS_DAYS)
  endingDaysAgo!: number;
}

@ArgsType()
export class TopContributorsArgs {
  @Field(() => Int, { defaultValue: 5, description: `1 to ${MAX_TOP_CONTRIBUTORS}.` })
  @Min(1)
  @Max(MAX_TOP_CONTRIBUTORS)
  limit!: number;
}

@InputType({ description: 'Which organization asks for the refresh; its admin or owner calls.' })
export class RefreshTeamProductivityInput {
  @UuidField({ description: 'The organization whose figures to return; the refresh covers all organizations.' })
  organizationId!: string;
}
