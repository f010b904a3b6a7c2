import type { Kysely } from 'kysely';
import type { Database, MemberRow, OrganizationRow, StudyRow, UserRow } from '../src/db/types';
import type { EntityPrimer } from './joins';
import type { FoldPrimer } from './folds';
import { createActivityLoaders } from './activity.loader';
import { createAnalyticsLoaders } from './analytics.loader';
import { createApprovalLoaders } from './approval.loader';
import { createCollaboratorLoaders } from './collaborator.loader';
import { createCommentLoaders } from './comment.loader';
import { createInvitationLoaders } from './invitation.loader';
import { createMembershipLoaders, membershipKey } from './membership.loader';
import { createNodeLoaders } from './node.loader';
import { createOrganizationLoaders } from './organization.loader';
import { createStudyLoaders } from './study.loader';
import { createTeamProductivityLoaders } from './team-productivity.loader';
import { createNotificationLoaders } from './notification.loader';
import { createWebhookLoaders } from './webhook.loader';
import { createAutomationRuleLoaders } from './automation-rule.loader';
import type { LoaderSettings, ParentKey, PrimingLoader } from './loader-toolkit';
import { createUserLoaders } from './user.loader';

/** The loader groups a write can leave stale (see Loaders.forget). */
export const LOADER_GROUPS = [
  'users',
  'collaborators',
  'organizations',
  'memberships',
  'invitations',
  'studies',
  'comments',
  'approvals',
  'activity',
  'analytics',
  'teamProductivity',
  'notifications',
  'webhooks',
  'automationRules',
  'nodes',
] as const;
export type LoaderGroup = (typeof LOADER_GROUPS)[number];

/**
 * What building a group takes: the request's database and settings, and the primers through which its
 * statements hand other groups' rows to them (no group holds another's loaders).
 */
interface GroupBuild {
  db: Kysely<Database>;
  settings: LoaderSettings;
  primeEntity: EntityPrimer;
  primeFolded: FoldPrimer;
}

/** How each group is built, the one place that says so. */
const GROUP_BUILDERS = {
  users: ({ db, settings }: GroupBuild) => createUserLoaders(db, settings),
  collaborators: ({ db, settings, primeEntity }: GroupBuild) => createCollaboratorLoaders(db, settings, primeEntity),
  organizations: ({ db, settings, primeEntity, primeFolded }: GroupBuild) =>
    createOrganizationLoaders(db, settings, primeEntity, primeFolded),
  memberships: ({ db, settings, primeEntity }: GroupBuild) => createMembershipLoaders(db, settings, primeEntity),
  invitations: ({ db, settings }: GroupBuild) => createInvitationLoaders(db, settings),
  studies: ({ db, settings, primeEntity, primeFolded }: GroupBuild) =>
    createStudyLoaders(db, settings, primeEntity, primeFolded),
  comments: ({ db, settings, primeEntity }: GroupBuild) => createCommentLoaders(db, settings, primeEntity),
  approvals: ({ db, settings, primeEntity }: GroupBuild) => createApprovalLoaders(db, settings, primeEntity),
  activity: ({ db, settings, primeEntity }: GroupBuild) => createActivityLoaders(db, settings, primeEntity),
  analytics: ({ db, settings }: GroupBuild) => createAnalyticsLoaders(db, settings),
  teamProductivity: ({ db, settings }: GroupBuild) => createTeamProductivityLoaders(db, settings),
  notifications: ({ db, settings, primeEntity }: GroupBuild) => createNotificationLoaders(db, settings, primeEntity),
  webhooks: ({ db, settings, primeEntity }: GroupBuild) => createWebhookLoaders(db, settings, primeEntity),
  automationRules: ({ db, settings }: GroupBuild) => createAutomationRuleLoaders(db, settings),
  nodes: ({ db, settings }: GroupBuild) => createNodeLoaders(db, settings),
} satisfies Record<LoaderGroup, (build: GroupBuild) => object>;

type Group<Name extends LoaderGroup> = ReturnType<(typeof GROUP_BUILDERS)[Name]>;

/** Whole rows a request knows before it reads anything (the viewer's record): each group takes its own when built. */
export interface KnownRows {
  users?: readonly UserRow[];
  memberships?: readonly MemberRow[];
  organizations?: readonly OrganizationRow[];
}

/** How a group takes the known rows of its entity. */
const KNOWN_ROW_PRIMERS: {
  [Name in keyof KnownRows]-?: (group: Group<Name>, rows: NonNullable<KnownRows[Name]>) => void;
} = {
  users: (group, rows) => {
    for (const user of rows) group.userById.prime(user.id, user);
  },
  memberships: (group, rows) => {
    for (const row of rows) group.membership.prime(membershipKey(row.organization_id, row.user_id), row);
  },
  organizations: (group, rows) => {
    for (const organization of rows) {
      group.organizationById.prime(organization.id, organization);
      group.organizationBySlug.prime(organization.slug, organization);
    }
  },
};

/**
 * A request's loaders, each entity's group built on first use: a request reaches a few of the fifteen groups,
 * and building all the loaders (each a DataLoader with its maps and closures) was a fixed cost of
 * every request, cache hits included. Groups whose rows join users (a study's creator, a collaborator, a
 * comment's author, an activity's actor, an approval's reviewer) prime userById; folds prime their relations' loaders.
 */
export class Loaders {
  readonly #groups: { [Name in LoaderGroup]?: Group<Name> } = {};
  readonly #build: GroupBuild;
  /** Known rows not yet handed to their group: priming them up front built groups a request may never use. */
  readonly #known: KnownRows;

  constructor(
    db: Kysely<Database>,
    private readonly settings: LoaderSettings,
    known: KnownRows = {},
  ) {
    this.#known = { ...known };
    this.#build = {
      db,
      settings,
      primeEntity: this.primeEntity,
      primeFolded: this.primeFolded,
    };
  }

  /**
   * Forgets everything read so far (the groups are built again on first use): each mutation field of a
   * request starts from the database as it is, whatever an earlier field read or wrote.
   */
  forgetReads(): void {
    this.forget(...LOADER_GROUPS);
  }

  /**
   * Forgets what this request read of the groups a write changed, so that its later reads see the write
   * (src/services/ name, for each write, the groups it changes). A group is built again when next used.
   */
  forget(...groups: LoaderGroup[]): void {
    for (const group of groups) {
      delete this.#groups[group];
      // Known before a write, perhaps not after it: a group built again reads its rows afresh.
      if (group in this.#known) delete this.#known[group as keyof KnownRows];
    }
  }

  private group<Name extends LoaderGroup>(name: Name): Group<Name> {
    const built = this.#groups[name];
    if (built) return built;
    const group = GROUP_BUILDERS[name](this.#build) as Group<Name>;
    (this.#groups as Record<LoaderGroup, unknown>)[name] = group;
    if (name in this.#known) {
      const known = name as keyof KnownRows;
      const rows = this.#known[known];
      delete this.#known[known];
      if (rows) (KNOWN_ROW_PRIMERS[known] as (group: unknown, rows: unknown) => void)(group, rows);
    }
    return group;
  }

  private get users() {
    return this.group('users');
  }
  private get collaborators() {
    return this.group('collaborators');
  }
  private get organizations() {
    return this.group('organizations');
  }
  private get memberships() {
    return this.group('memberships');
  }
  private get invitations() {
    return this.group('invitations');
  }
  private get studies() {
    return this.group('studies');
  }
  private get comments() {
    return this.group('comments');
  }
  private get approvals() {
    return this.group('approvals');
  }
  private get activity() {
    return this.group('activity');
  }
  private get analytics() {
    return this.group('analytics');
  }
  private get nodes() {
    return this.group('nodes');
  }
  private get teamProductivityGroup() {
    return this.group('teamProductivity');
  }
  private get notifications() {
    return this.group('notifications');
  }
  private get webhooks() {
    return this.group('webhooks');
  }
  private get automationRules() {
    return this.group('automationRules');
  }

  /**
   * A row of an entity that another loader's statement joined (see joins.ts), handed to the entity's own
   * loader: whole rows as they are, partial ones (columns the selection does not read left out) kept apart
   * (primePartial), for the reads they cover.
   */
  readonly primeEntity: EntityPrimer = (entity, row, whole) => {
    const id = row.id as string;
    if (entity === 'users') {
      if (whole) this.users.userById.prime(id, row as unknown as UserRow);
      else this.users.userById.primePartial(id, row as unknown as UserRow);
    } else if (entity === 'organizations')
      this.organizations.organizationById.prime(id, row as unknown as OrganizationRow);
    else if (whole) this.studies.studyById.prime(id, row as unknown as StudyRow);
    else this.studies.studyById.primePartial(id, row as unknown as StudyRow);
  };

  /** A relation's page (or list) that a parent's statement folded in (folds.ts), kept where its resolver will ask. */
  readonly primeFolded: FoldPrimer = (loader, parentId, args, value) => {
    // Each loader a fold primes is this class's getter of the same name (FoldedLoader names them).
    const primed = this[loader] as unknown as PrimingLoader<ParentKey<unknown>, unknown, string>;
    primed.prime({ parentId, args }, value);
  };

  get userById() {
    return this.users.userById;
  }
  get userByEmail() {
    return this.users.userByEmail;
  }
  get collaboratorsByStudy() {
    return this.collaborators.collaboratorsByStudy;
  }
  get organizationById() {
    return this.organizations.organizationById;
  }
  get organizationBySlug() {
    return this.organizations.organizationBySlug;
  }
  get organizationsOfUser() {
    return this.organizations.organizationsOfUser;
  }
  get organizationFolds() {
    return this.organizations.organizationFolds;
  }
  get membership() {
    return this.memberships.membership;
  }
  get membersPage() {
    return this.memberships.membersPage;
  }
  get memberTotal() {
    return this.memberships.memberTotal;
  }
  get invitationById() {
    return this.invitations.invitationById;
  }
  get openInvitationsByEmail() {
    return this.invitations.openInvitationsByEmail;
  }
  /** Whether parents' statements fold in the relations below them (not in the unbatched baseline). */
  get folding(): boolean {
    return this.settings.batch;
  }
  get studyWithFolds() {
    return this.studies.studyWithFolds;
  }
  get studyById() {
    return this.studies.studyById;
  }
  get studiesPage() {
    return this.studies.studiesPage;
  }
  get studySearch() {
    return this.studies.studySearch;
  }
  get studySearchTotal() {
    return this.studies.studySearchTotal;
  }
  get studyTotal() {
    return this.studies.studyTotal;
  }
  get commentById() {
    return this.comments.commentById;
  }
  get commentsPage() {
    return this.comments.commentsPage;
  }
  get commentTotal() {
    return this.comments.commentTotal;
  }
  get commentStats() {
    return this.comments.commentStats;
  }
  get approvalById() {
    return this.approvals.approvalById;
  }
  get approvalsByStudy() {
    return this.approvals.approvalsByStudy;
  }
  get approvalPolicy() {
    return this.approvals.approvalPolicy;
  }
  get activityPage() {
    return this.activity.activityPage;
  }
  get activityById() {
    return this.activity.activityById;
  }
  get activitySince() {
    return this.activity.activitySince;
  }
  get activityTotal() {
    return this.activity.activityTotal;
  }
  get studyMetrics() {
    return this.analytics.studyMetrics;
  }
  get commentMetrics() {
    return this.analytics.commentMetrics;
  }
  get averageApprovalHours() {
    return this.analytics.averageApprovalHours;
  }
  get activityMetrics() {
    return this.analytics.activityMetrics;
  }
  get dailyActiveUsers() {
    return this.analytics.dailyActiveUsers;
  }
  get topContributors() {
    return this.analytics.topContributors;
  }
  get nodeTable() {
    return this.nodes.nodeTable;
  }
  get teamProductivity() {
    return this.teamProductivityGroup.teamProductivity;
  }
  get notificationsPage() {
    return this.notifications.notificationsPage;
  }
  get notificationTotal() {
    return this.notifications.notificationTotal;
  }
  get notificationById() {
    return this.notifications.notificationById;
  }
  get notificationOfEntry() {
    return this.notifications.notificationOfEntry;
  }
  get webhooksOfOrganization() {
    return this.webhooks.webhooksOfOrganization;
  }
  get webhookById() {
    return this.webhooks.webhookById;
  }
  get deliveriesPage() {
    return this.webhooks.deliveriesPage;
  }
  get deliveryTotal() {
    return this.webhooks.deliveryTotal;
  }
  get deliveryById() {
    return this.webhooks.deliveryById;
  }
  get automationRulesOfOrganization() {
    return this.automationRules.automationRulesOfOrganization;
  }
  get automationRuleById() {
    return this.automationRules.automationRuleById;
  }
}

/**
 * The only place loaders are built: once per request, so no cached row outlives it. `known`: whole rows the
 * request already holds (the viewer's), answered without a statement by the loaders of their entity.
 */
export function createLoaders(db: Kysely<Database>, settings: LoaderSettings, known?: KnownRows): Loaders {
  return new Loaders(db, settings, known);
}
