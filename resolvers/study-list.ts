import type { StudyListFilter, StudyPageParams, StudyPageRow } from '../loaders/study.loader';
import { foldsOf } from '../loaders/folds';
import { studyOrderKey } from '../loaders/study.loader';
import type { ConnectionPayload } from '../schema/connection.type';
import { OrderDirection, StudyOrderField } from '../schema/enums';
import type { Study } from '../schema/study.type';
import type { StudyFilter, StudyPageArgs } from '../schema/study.input';
import type { GatewayContext } from '../src/context';
import type { StudyRow } from '../src/db/types';
import { badUserInput } from '../src/errors';
import type { GraphQLResolveInfo } from 'graphql';
import { decodeAfter, toConnection, type KeysetOrder } from './connection';
import { CONNECTION_NODES, fieldNamesBelow, fieldsAt, readPlan } from '../loaders/selection';
import { toCollaboratorSummary, toStudy } from './mappers';

export const NO_STUDY_FILTER: StudyListFilter = { statuses: null, createdById: null, createdAfter: null, createdBefore: null };

function studyFilter(filter: StudyFilter | null | undefined): StudyListFilter {
  if (!filter) return NO_STUDY_FILTER;
  if (filter.createdAfter && filter.createdBefore && filter.createdAfter >= filter.createdBefore) {
    throw badUserInput('`filter.createdAfter` must be earlier than `filter.createdBefore`.', 'filter');
  }
  return {
    statuses: filter.statuses?.length ? [...new Set(filter.statuses)].sort() : null,
    createdById: filter.createdById?.toLowerCase() ?? null,
    createdAfter: filter.createdAfter?.toISOString() ?? null,
    createdBefore: filter.createdBefore?.toISOString() ?? null,
  };
}

function studyOrder(field: StudyOrderField, direction: OrderDirection): KeysetOrder<StudyRow> {
  return {
    key: studyOrderKey(field, direction),
    valueKind: field === StudyOrderField.TITLE ? 'text' : 'timestamp',
    idKind: 'uuid',
    value: (row) => row[field],
    id: (row) => row.id,
  };
}

const SUMMARY_COLLABORATOR_FIELDS = new Set(['__typename', 'role', 'user']);
const SUMMARY_USER_FIELDS = new Set(['__typename', 'id', 'name']);

const within = (names: Set<string>, allowed: Set<string>) => [...names].every((name) => allowed.has(name));

/**
 * What the page's statement brings of each study's collaborators: none when they are not selected,
 * summaries when every selection of them (aliases and fragments together) reads no more than the role and
 * the user's id and name, else whole collaborators with their users.
 */
export function collaboratorsOfPage(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): StudyPageParams['collaborators'] {
  const collaborators = fieldsAt(info, ['edges', 'node', 'collaborators']);
  if (collaborators.length === 0) return 'none';
  const users = fieldsAt(info, ['user'], collaborators);
  return within(fieldNamesBelow(info, collaborators), SUMMARY_COLLABORATOR_FIELDS) && within(fieldNamesBelow(info, users), SUMMARY_USER_FIELDS)
    ? 'summaries'
    : 'entities';
}

/** A study of the page; with the collaborators' summaries its statement brought, which only this page's selection reads. */
function toPageStudy(row: StudyPageRow): Study {
  const study = toStudy(row);
  if (row.collaboratorSummaries) study.collaboratorsAsSelected = row.collaboratorSummaries.map((summary) => toCollaboratorSummary(row.id, summary));
  return study;
}

/** One organization's studies as a connection; the caller has checked that the viewer may see them. */
export async function studyConnection(
  ctx: GatewayContext,
  organizationId: string,
  args: StudyPageArgs,
  info: GraphQLResolveInfo,
): Promise<ConnectionPayload<Study>> {
  const field = args.orderBy?.field ?? StudyOrderField.CREATED_AT;
  const direction = args.orderBy?.direction ?? OrderDirection.DESC;
  const order = studyOrder(field, direction);
  const loaderArgs: StudyPageParams = {
    first: args.first,
    after: decodeAfter(args.after, order),
    orderBy: field,
    direction,
    filter: studyFilter(args.filter),
    plan: readPlan(info, 'Study', CONNECTION_NODES),
    folds: ctx.loaders.folding ? foldsOf(info, 'Study', CONNECTION_NODES) : [],
    // The dashboard's shape: each study's collaborators come in the page's statement.
    collaborators: collaboratorsOfPage(info),
  };
  const page = await ctx.loaders.studiesPage.load({ parentId: organizationId, args: loaderArgs });
  return toConnection(page, order, toPageStudy, loaderArgs.after !== null, () =>
    ctx.loaders.studyTotal.load({ parentId: organizationId, args: loaderArgs.filter }),
  );
}
