import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { startTestGateway, type TestGateway } from './support/gateway';
import { ACME, ACME_STUDY } from './support/ids';

const ANALYST = 'analyst@example.com';

/*
 * Apollo Client 4 with its default normalised cache (no type policies written for us): every object type
 * with an `id` is kept once under `Type:id`, so a member or a collaborator read by two queries is one entry,
 * and what a later answer says of it is what every query reading it sees.
 */
describe('Apollo Client’s normalised cache', () => {
  let gateway: TestGateway;
  let client: ApolloClient;

  before(async () => {
    gateway = await startTestGateway();
    const token = await gateway.tokenFor(ANALYST);
    client = new ApolloClient({
      link: new HttpLink({ uri: `${gateway.url}/graphql`, headers: { authorization: `Bearer ${token}` } }),
      cache: new InMemoryCache(),
    });
  });
  after(async () => {
    client.stop();
    await gateway.close();
  });

  it('keeps each Member and Collaborator once, by id, whichever query brought it', async () => {
    const members = await client.query({
      query: gql`
        query Members($id: ID!) {
          organization(id: $id) {
            id
            members(first: 5) {
              edges {
                node {
                  id
                  role
                  user {
                    id
                    name
                  }
                }
              }
            }
          }
        }
      `,
      variables: { id: ACME },
    });
    const collaborators = await client.query({
      query: gql`
        query Collaborators($id: ID!) {
          study(id: $id) {
            id
            collaborators {
              id
              role
              user {
                id
                name
              }
            }
          }
        }
      `,
      variables: { id: ACME_STUDY },
    });
    const cache = client.cache.extract() as Record<string, Record<string, unknown>>;
    const memberIds = (members.data as any).organization.members.edges.map((edge: any) => edge.node.id as string);
    const collaboratorIds = (collaborators.data as any).study.collaborators.map((c: any) => c.id as string);
    assert.ok(memberIds.length > 0 && collaboratorIds.length > 0);
    for (const id of memberIds) assert.ok(cache[`Member:${id}`], `Member:${id} is normalised`);
    for (const id of collaboratorIds) assert.ok(cache[`Collaborator:${id}`], `Collaborator:${id} is normalised`);

    // The same member through node(id:): the one cache entry, and the query answers from it once cached.
    const [first] = memberIds;
    const lookup = gql`
      query Member($id: ID!) {
        node(id: $id) {
          id
          ... on Member {
            role
          }
        }
      }
    `;
    const viaNode = await client.query({ query: lookup, variables: { id: first } });
    assert.equal((viaNode.data as any).node.id, first);
    const after = client.cache.extract() as Record<string, Record<string, unknown>>;
    assert.ok(after[`Member:${first}`].user, 'the node answer merged into the entry the members page made');
    assert.equal(
      Object.keys(after).filter((key) => key.startsWith('Member:')).length,
      new Set(memberIds).size,
      'no member kept twice',
    );
    const cached = client.readQuery({ query: lookup, variables: { id: first } });
    assert.equal((cached as any)?.node.role, cache[`Member:${first}`].role);
  });
});
