import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_SEARCH_TERMS, parseSearchQuery, typoAllowance } from '../src/domain/search-query';
import { dataOf, onlyError, startTestGateway, type TestGateway } from './support/gateway';

describe('search query syntax (web-search, as websearch_to_tsquery reads it)', () => {
  it('words are required, "quoted" words a phrase, -x excludes, or separates alternatives', () => {
    assert.deepEqual(parseSearchQuery('Sleep quality -parents').alternatives, [
      { words: ['sleep', 'quality'], phrases: [], excludedWords: ['parents'], excludedPhrases: [] },
    ]);
    assert.deepEqual(parseSearchQuery('"screen time" -"new parents" -night-shift').alternatives, [
      { words: [], phrases: ['screen time'], excludedWords: [], excludedPhrases: ['new parents', 'night shift'] },
    ]);
    assert.deepEqual(
      parseSearchQuery('sleep OR vaccine uptake or').alternatives.map((a) => a.words),
      [['sleep'], ['vaccine', 'uptake']],
    );
    assert.equal(parseSearchQuery('sleep -parents "screen time"').wanted, 'sleep screen time');
    assert.deepEqual(parseSearchQuery('  "" - !!! ').alternatives, []);
    assert.deepEqual(parseSearchQuery('"unterminated phrase').alternatives[0].phrases, ['unterminated phrase']);
  });

  it('a typo is allowed per word by its length', () => {
    assert.deepEqual(['of', 'air', 'heat', 'sleap', 'nurces', '20245'].map(typoAllowance), [0, 0, 1, 2, 2, 0]);
  });
});

describe('searchStudies against the seeded titles', () => {
  let gateway: TestGateway;
  let token: string;
  before(async () => {
    gateway = await startTestGateway();
    token = await gateway.tokenFor('analyst@example.com');
  });
  after(() => gateway?.close());

  const titles = async (query: string): Promise<string[]> => {
    const data = dataOf(
      await gateway.graphql(
        'query($q: String!) { searchStudies(query: $q, first: 100) { totalCount edges { node { title } } } }',
        {
          token,
          variables: { q: query },
        },
      ),
    );
    assert.equal(data.searchStudies.totalCount, data.searchStudies.edges.length, query);
    return data.searchStudies.edges.map((e: { node: { title: string } }) => e.node.title.toLowerCase());
  };

  it('an excluded word stays out of multi-word queries and phrases', async () => {
    for (const query of ['sleep quality -parents', '"screen time" -parents', 'sleep -parents']) {
      const found = await titles(query);
      assert.ok(found.length > 0, `${query}: something found`);
      for (const title of found) assert.doesNotMatch(title, /parents/, `${query}: ${title}`);
    }
    assert.ok(
      (await titles('sleep quality')).some((title) => title.includes('parents')),
      'without the exclusion, parents’ studies are there',
    );
    for (const title of await titles('"screen time" -parents')) assert.match(title, /screen time/);
  });

  it('a typo per word is forgiven, short words included, and every word still counts', async () => {
    const expected = await titles('sleep nurses');
    assert.ok(expected.length > 0);
    for (const title of expected) assert.match(title, /sleep.*nurses/);
    for (const query of ['sleep nurces', 'slepe nurses', 'sleap nurses'])
      assert.deepEqual((await titles(query)).sort(), [...expected].sort(), query);
    assert.deepEqual((await titles('the sleep nurses')).sort(), [...expected].sort(), 'stop words are not required');
    const sleap = await titles('sleap');
    assert.ok(sleap.length > expected.length);
    for (const title of sleap) assert.match(title, /sleep/);
  });

  it('a phrase of stop words asks for nothing; a search of more than the allowed terms is BAD_USER_INPUT', async () => {
    assert.deepEqual((await titles('"of the" sleep nurses')).sort(), (await titles('sleep nurses')).sort());
    const tooMany = await gateway.graphql(
      `{ searchStudies(query: "${Array.from({ length: MAX_SEARCH_TERMS + 1 }, (_, i) => `w${i}`).join(' ')}") { totalCount } }`,
      { token },
    );
    assert.equal(onlyError(tooMany).extensions?.code, 'BAD_USER_INPUT');
    assert.ok(
      dataOf(
        await gateway.graphql(
          `{ searchStudies(query: "${Array.from({ length: MAX_SEARCH_TERMS }, () => 'sleep').join(' ')}") { totalCount } }`,
          { token },
        ),
      ).searchStudies.totalCount > 0,
      'repeated words count once',
    );
  });

  it('or offers alternatives', async () => {
    const found = await titles('sleep or vaccine');
    assert.ok(found.some((title) => title.includes('sleep')) && found.some((title) => title.includes('vaccine')));
    for (const title of found) assert.match(title, /sleep|vaccine/);
  });
});
