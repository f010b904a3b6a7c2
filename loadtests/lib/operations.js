// The saved operations of schema/operations (the same documents the persisted-query allow-list holds).
export const operations = {
  Dashboard: open('../../schema/operations/dashboard.graphql'),
  Studies: open('../../schema/operations/studies.graphql'),
  Study: open('../../schema/operations/study.graphql'),
  Trends: open('../../schema/operations/trends.graphql'),
  Contributors: open('../../schema/operations/contributors.graphql'),
};
