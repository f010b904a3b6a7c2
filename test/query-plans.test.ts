import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../src/config';
import { dataOf, startTestGateway, type TestGateway } from './support/gateway';

const DASHBOARD = `query Dashboard($slug: String!) { organization(slug: $slug) { studies(first: 20) { edges { node {
  id title createdBy { name } collaborators { role user { name } } } } } } }`;

interface PreparedPlans {
  statement: string;
  generic_plans: string;
  custom_plans: string;
}

// Plan counts of prepared statements are a PostgreSQL server's (pg_prepared_statements, 14+).
describe(
  'statement plans',
  { skip: loadConfig().databaseUrl ? false : 'needs DATABASE_URL (a PostgreSQL server)' },
  () => {
    let gateway: TestGateway;
    let token: string;
    let slug: string;

    before(async () => {
      // One connection: the test reads the plan counts of the very session that ran the requests.
      gateway = await startTestGateway({ config: { dbPoolMax: 1, dbPreparedStatements: true } });
      token = await gateway.tokenFor('analyst@example.com');
      slug = dataOf(await gateway.graphql('{ organizations(first: 1) { edges { node { slug } } } }', { token }))
        .organizations.edges[0].node.slug;
    });
    after(() => gateway?.close());

    const plansOf = async (fragment: string): Promise<PreparedPlans> => {
      const { rows } =
        await sql<PreparedPlans>`SELECT statement, generic_plans::text, custom_plans::text FROM pg_prepared_statements`.execute(
          gateway.db,
        );
      const matching = rows.filter((row) => row.statement.includes(fragment));
      assert.equal(matching.length, 1, `one prepared statement contains ${fragment}`);
      return matching[0];
    };

    it('a keyed lookup is planned once per connection, not re-planned for each key', async () => {
      for (let i = 0; i < 8; i += 1) dataOf(await gateway.graphql(DASHBOARD, { token, variables: { slug } }));
      const page = await plansOf('from "study_collaborators" as "c"');
      assert.equal(page.custom_plans, '0', 'no plan made for the parameters of one execution');
      assert.equal(page.generic_plans, '8');
    });

    it('a search is planned for its words on each execution', async () => {
      for (const query of ['sleep', 'nurses', 'vaccine']) {
        dataOf(
          await gateway.graphql('query($q: String!) { searchStudies(query: $q, first: 5) { edges { node { id } } } }', {
            token,
            variables: { q: query },
          }),
        );
      }
      // One-word searches share one statement text (a search has a condition per word).
      const search = await plansOf('levenshtein_less_equal');
      assert.equal(search.generic_plans, '0');
      assert.equal(search.custom_plans, '3');
    });
  },
);
