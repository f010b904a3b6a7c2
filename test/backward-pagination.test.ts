import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dataOf, onlyError, startTestGateway, type TestGateway } from './support/gateway';
import { ACME, ACME_STUDY } from './support/ids';

const ANALYST = 'analyst@example.com';

interface PageOf {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const PAGE = 'edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

/** Each connection under test: the query of one page of it (window arguments spliced in) and where the page is. */
const CONNECTIONS: { name: string; query: (window: string) => string; pageOf: (data: any) => PageOf }[] = [
  {
    name: 'Organization.members',
    query: (w) => `{ organization(id: "${ACME}") { members(${w}) { ${PAGE} } } }`,
    pageOf: (d) => d.organization.members,
  },
  {
    name: 'Organization.studies (newest first)',
    query: (w) => `{ organization(id: "${ACME}") { studies(${w}) { ${PAGE} } } }`,
    pageOf: (d) => d.organization.studies,
  },
  {
    name: 'Query.studies by title',
    query: (w) => `{ studies(organizationId: "${ACME}", orderBy: { field: TITLE, direction: ASC }, ${w}) { ${PAGE} } }`,
    pageOf: (d) => d.studies,
  },
  {
    name: 'Study.comments',
    query: (w) => `{ study(id: "${ACME_STUDY}") { comments(${w}) { ${PAGE} } } }`,
    pageOf: (d) => d.study.comments,
  },
  {
    name: 'Study.activity (newest first)',
    query: (w) => `{ study(id: "${ACME_STUDY}") { activity(${w}) { ${PAGE} } } }`,
    pageOf: (d) => d.study.activity,
  },
  {
    name: 'Query.searchStudies (ranked: offsets, not keysets)',
    query: (w) => `{ searchStudies(query: "sleep"${w ? `, ${w}` : ''}) { ${PAGE} } }`,
    pageOf: (d) => d.searchStudies,
  },
  {
    name: 'Query.organizations',
    query: (w) => `{ organizations(${w}) { ${PAGE} } }`,
    pageOf: (d) => d.organizations,
  },
];

describe('backward pagination (last, before)', () => {
  let gateway: TestGateway;
  let token: string;
  const page = async (query: string): Promise<any> => dataOf(await gateway.graphql(query, { token }));

  before(async () => {
    gateway = await startTestGateway();
    token = await gateway.tokenFor(ANALYST);
  });
  after(async () => {
    await gateway.close();
  });

  for (const connection of CONNECTIONS) {
    it(`walks ${connection.name} from its end back to its start: the forward list, reversed page by page`, async () => {
      const all = connection.pageOf(await page(connection.query('first: 100')));
      assert.ok(all.edges.length >= 2, 'a list to page through');
      assert.equal(all.pageInfo.hasNextPage, false, 'the whole list in one page of 100');
      const forward = all.edges.map((edge) => edge.node.id);
      const size = Math.max(1, Math.floor(forward.length / 3));

      const walked: string[][] = [];
      let cursor: string | null = null;
      for (let guard = 0; guard < 100; guard += 1) {
        const window: string = cursor ? `last: ${size}, before: "${cursor}"` : `last: ${size}`;
        const current = connection.pageOf(await page(connection.query(window)));
        walked.unshift(current.edges.map((edge) => edge.node.id));
        assert.equal(current.pageInfo.hasNextPage, cursor !== null, 'more after, when a cursor was given');
        assert.equal(current.pageInfo.startCursor, current.edges[0]?.cursor ?? null);
        if (!current.pageInfo.hasPreviousPage) break;
        assert.equal(current.edges.length, size, 'a full page while more come before it');
        cursor = current.pageInfo.startCursor;
      }
      assert.deepEqual(walked.flat(), forward, 'the pages, in list order, are the whole list once');

      // The other way round from the middle: `before` the first page's end equals the page before it.
      const firstTwo = connection.pageOf(await page(connection.query('first: 2')));
      if (firstTwo.edges.length === 2) {
        const back = connection.pageOf(await page(connection.query(`last: 5, before: "${firstTwo.edges[1].cursor}"`)));
        assert.deepEqual(
          back.edges.map((edge) => edge.node.id),
          [firstTwo.edges[0].node.id],
        );
        assert.equal(back.pageInfo.hasPreviousPage, false);
        assert.equal(back.pageInfo.hasNextPage, true);
      }
    });
  }

  it('folds a backward page into its parents’ statement with the same answer as on its own', async () => {
    const nested = await page(`{ organizations(first: 10) { edges { node { id studies(last: 3) { ${PAGE} } } } } }`);
    const acme = nested.organizations.edges.find((edge: any) => edge.node.id === ACME).node.studies;
    const alone = (await page(`{ organization(id: "${ACME}") { studies(last: 3) { ${PAGE} } } }`)).organization.studies;
    assert.deepEqual(acme, alone);

    const comments = await page(
      `{ organization(id: "${ACME}") { studies(first: 5) { edges { node { id comments(last: 2) { ${PAGE} } } } } } }`,
    );
    for (const edge of comments.organization.studies.edges) {
      const own = (await page(`{ study(id: "${edge.node.id}") { comments(last: 2) { ${PAGE} } } }`)).study.comments;
      assert.deepEqual(edge.node.comments, own, `comments of ${edge.node.id}`);
    }
  });

  it('refuses a page that mixes directions, or a size out of range, with BAD_USER_INPUT', async () => {
    for (const window of [
      'first: 2, last: 2',
      'last: 2, after: "x"',
      'first: 2, before: "x"',
      'last: 0',
      'last: 101',
    ]) {
      const response = await gateway.graphql(`{ organization(id: "${ACME}") { members(${window}) { ${PAGE} } } }`, {
        token,
      });
      assert.equal(onlyError(response).extensions?.code, 'BAD_USER_INPUT', window);
    }
  });

  it('prices `last` as it prices `first`', async () => {
    const costOf = async (window: string) => {
      const response = await gateway.graphql(
        `{ organization(id: "${ACME}") { members${window ? `(${window})` : ''} { ${PAGE} } } }`,
        {
          token,
        },
      );
      return (response.body.extensions as any).cost.requestedQueryCost as number;
    };
    assert.equal(await costOf('last: 50'), await costOf('first: 50'));
    assert.ok((await costOf('last: 50')) > (await costOf('last: 5')));
    assert.equal(await costOf(''), await costOf('first: 20'), 'no size: the default page of 20');
  });
});
