import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as pause } from 'node:timers/promises';
import { loadConfig } from '../src/config';
import { RecentWriters } from '../src/db/recent-writers';
import { createLogger } from '../src/observability/logger';
import { pointsKey } from '../src/rate-limit/admission';
import { userPrincipalKey } from '../src/rate-limit/principal';
import { closeRedisClient, createRedisClient, isCluster, isRedisReady, type RedisClient } from '../src/redis';
import { dataOf, onlyError, startTestGateway, type TestGateway } from './support/gateway';
import { ACME, ACME_STUDY } from './support/ids';
import { startOwnRedisCluster, type OwnRedisCluster } from './support/redis-cluster';
import { redisServerAvailable } from './support/redis';
import { until } from './support/wait';
import { WsClient } from './support/ws-client';
import { RedisEventBus } from '../src/realtime/event-bus';
import type { ActivityEvent } from '../src/realtime/events';

const config = loadConfig();
const ANALYST = 'analyst@example.com';
/** Budgets are on, and one principal may send 10 requests a second: the tests keep under it. */
const paced = () => pause(120);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** A study read under `n` different aliases: each is its own document, so its own cache key (and slot). */
const studyVariant = (name: string) =>
  `query Variant_${name}($id: ID!) { study(id: $id) { id title_${name}: title status } }`;

describe(
  'on a Redis Cluster (three masters, three replicas)',
  { skip: config.databaseUrl && redisServerAvailable() ? false : 'needs DATABASE_URL and redis-server' },
  () => {
    let cluster: OwnRedisCluster;
    let first: TestGateway;
    let second: TestGateway;
    let redis: RedisClient;
    let token: string;
    const settings = () => ({
      redisUrl: undefined,
      redisClusterNodes: cluster.nodes.slice(0, 2),
      responseCache: true,
      rateLimits: true,
    });

    before(async () => {
      cluster = await startOwnRedisCluster();
      first = await startTestGateway({ config: settings() });
      second = await startTestGateway({ config: settings(), shareDatabaseWith: first });
      redis = (await createRedisClient(settings(), createLogger(first.config)))!;
      assert.ok(isCluster(redis));
      token = await first.tokenFor(ANALYST);
    });
    after(async () => {
      await second?.close();
      await first?.close();
      if (redis) await closeRedisClient(redis);
      await cluster?.destroy();
    });

    it('shares cached answers, their invalidation, persisted queries and budgets between two processes', async () => {
      const STUDY = studyVariant('0');
      const ask = (gateway: TestGateway) => gateway.graphql(STUDY, { token, variables: { id: ACME_STUDY } });
      assert.equal((await ask(first)).headers.get('x-cache'), 'miss');
      assert.equal(
        (await ask(second)).headers.get('x-cache'),
        'hit',
        'the second process reads what the first stored in the cluster',
      );
      const renamed = await second.graphql(
        'mutation($input: UpdateStudyInput!) { updateStudy(input: $input) { title } }',
        {
          token,
          variables: { input: { id: ACME_STUDY, title: 'Renamed on a cluster' } },
        },
      );
      assert.equal(dataOf(renamed).updateStudy.title, 'Renamed on a cluster');
      const fresh = await ask(first);
      assert.equal(
        fresh.headers.get('x-cache'),
        'miss',
        'the write retired the first process’s answer (generations in the cluster)',
      );
      assert.equal(dataOf(fresh).study.title_0, 'Renamed on a cluster');

      // Automatic persisted queries: registered through one process, used by hash through the other.
      const query = '{ viewer { email } }';
      const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };
      const auth = { authorization: `Bearer ${token}` };
      await first.post(JSON.stringify({ query, extensions }), auth);
      const byHash = await second.post(JSON.stringify({ extensions }), auth);
      assert.deepEqual(((await byHash.json()) as { data: unknown }).data, { viewer: { email: ANALYST } });

      // Both keys of the budget script (points and requests) share the principal's hash tag, so one slot.
      const analystId = await first.userId(ANALYST);
      const key = pointsKey({ key: userPrincipalKey(analystId) });
      const before = await redis.hGet(key, 'tokens');
      assert.ok(before !== null, 'the budget lives in the cluster');
      const cost = await second.graphql('{ rateLimit { cost remaining } }', { token });
      assert.equal(cost.status, 200);
      assert.notEqual(await redis.hGet(key, 'ts'), null);
    });

    it('enforces a field limit across both processes', async () => {
      await pause(1000);
      const refresh = (gateway: TestGateway) =>
        gateway.graphql(
          'mutation($id: ID!) { refreshTeamProductivity(input: { organizationId: $id }) { refreshedAt } }',
          { token, variables: { id: ACME } },
        );
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 6; i += 1) {
        const response = await refresh(i % 2 ? second : first);
        await paced();
        codes.push(response.body.errors ? onlyError(response).extensions?.code : 'OK');
      }
      assert.deepEqual(
        codes,
        ['OK', 'OK', 'OK', 'OK', 'OK', 'RATE_LIMITED'],
        'five per minute, counted in the cluster',
      );
    });

    it('fans a write on one process out to a subscriber on the other, and keeps read-your-writes marks', async () => {
      await pause(1000);
      const client = await WsClient.connect(second.url, token);
      try {
        client.subscribe(
          's',
          'subscription($id: ID!) { organizationActivity(organizationId: $id) { node { type details } } }',
          { id: ACME },
        );
        await pause(300);
        const added = await first.graphql('mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', {
          token,
          variables: { input: { studyId: ACME_STUDY, body: 'through a cluster' } },
        });
        const commentId = dataOf(added).addComment.id;
        const [event] = await client.nexts('s', 1);
        assert.equal(event.data.organizationActivity.node.details.commentId, commentId);
      } finally {
        client.close();
      }
      const writers = new RecentWriters(redis, 5, createLogger(first.config));
      const userId = await first.userId(ANALYST);
      await writers.markWrite(userId);
      assert.equal(await writers.wroteRecently(userId), true);
    });

    it('survives a master crashing: requests keep being served during the failover, then the cluster is used again', async (t) => {
      await pause(1000);
      const analystId = await first.userId(ANALYST);
      const budgetKey = pointsKey({ key: userPrincipalKey(analystId) });
      const victim = await cluster.masterOf(budgetKey);
      const statuses: number[] = [];
      const failures: string[] = [];
      let stop = false;
      const traffic = (async () => {
        for (let i = 0; !stop; i += 1) {
          const response = await first.graphql(studyVariant(String(i % 24)), { token, variables: { id: ACME_STUDY } });
          statuses.push(response.status);
          if (response.body.errors) failures.push(JSON.stringify(response.body.errors));
          await paced();
        }
      })();
      await pause(300);
      await cluster.kill(victim);
      const killedAt = Date.now();
      const promoted = await until(
        'a replica to take over the crashed master’s slots',
        async () => {
          const port = await cluster.masterOf(budgetKey).catch(() => undefined);
          return port !== undefined && port !== victim ? port : undefined;
        },
        20_000,
      );
      const promotedAfter = Date.now() - killedAt;
      await cluster.healthy();
      await pause(300);
      stop = true;
      await traffic;
      assert.ok(statuses.length > 10, `${statuses.length} requests during the failover`);
      assert.deepEqual(
        statuses.filter((status) => status !== 200),
        [],
        'every request was served',
      );
      assert.deepEqual(failures, []);

      // Used again: the budget is charged in the promoted master, and answers cached by one process are
      // read by the other for keys on every master (24 documents over 3 masters).
      const usedAgainAfter = await until(
        'the budget to be charged in the cluster again',
        async () => {
          const before = await redis.hGet(budgetKey, 'ts').catch(() => null);
          await first.graphql('{ viewer { id } }', { token });
          await paced();
          const after = await redis.hGet(budgetKey, 'ts').catch(() => null);
          return after !== null && after !== before ? Date.now() - killedAt : undefined;
        },
        15_000,
      );
      const hits = await until(
        'answers stored by one process to be read by the other on every master',
        async () => {
          const outcomes: (string | null)[] = [];
          const round = Date.now();
          for (let n = 0; n < 24; n += 1) {
            const query = studyVariant(`${round}_${n}`);
            await first.graphql(query, { token, variables: { id: ACME_STUDY } });
            await paced();
            outcomes.push(
              (await second.graphql(query, { token, variables: { id: ACME_STUDY } })).headers.get('x-cache'),
            );
            await paced();
          }
          return outcomes.every((outcome) => outcome === 'hit') ? outcomes.length : undefined;
        },
        30_000,
      );
      assert.equal(hits, 24);
      t.diagnostic(
        `master ${victim} killed; replica ${promoted} serving its slots after ${promotedAfter} ms; ${statuses.length} requests meanwhile, all answered; budget in the cluster again ${usedAgainAfter} ms after the kill`,
      );
      assert.ok(promoted !== victim);

      // The crashed node comes back as a replica; the cluster is whole again.
      await cluster.restart(victim);
      await cluster.healthy();
    });
    it('moves pub/sub off a crashed node: its listeners are told they may have missed events, and events flow again', async () => {
      const logger = createLogger(first.config);
      const bus = new RedisEventBus(redis, logger, () => undefined);
      try {
        const received: string[] = [];
        let interruptions = 0;
        const channel = `org:${ACME}`;
        const stop = await bus.listen(
          channel,
          (event) => received.push(event.id),
          () => (interruptions += 1),
        );
        const event = (id: string): ActivityEvent => ({
          id,
          organizationId: ACME,
          studyId: null,
          type: 'comment_added',
          createdAt: new Date().toISOString(),
          publishedAt: Date.now(),
        });
        await bus.publish(event('1'));
        await until('the first event', () => (received.includes('1') ? true : undefined));
        // The one node this process listens on (private to the bus: the client picked it at random).
        const subscriber = (bus as unknown as { subscriber: { pubSubNode?: { address: string } } }).subscriber;
        const listening = Number(subscriber.pubSubNode!.address.split(':')[1]);
        await cluster.kill(listening);
        await until('the listener to hear of the lost node', () => (interruptions > 0 ? true : undefined));
        await cluster.healthy();
        await until(
          'events to reach the listener again',
          async () => {
            const id = String(Date.now());
            await bus.publish(event(id)).catch(() => undefined);
            await pause(200);
            return received.includes(id) ? true : undefined;
          },
          20_000,
        );
        assert.notEqual(
          Number(subscriber.pubSubNode?.address.split(':')[1]),
          listening,
          'it listens on another node now',
        );
        stop();
        await cluster.restart(listening);
        await cluster.healthy();
      } finally {
        await bus.close();
      }
    });
    it('connects to a cluster that was wholly down when the process started, once it is up', async () => {
      const ports = cluster.nodes.map((node) => Number(node.split(':')[1]));
      for (const port of ports) await cluster.kill(port);
      const logger = createLogger(first.config);
      const late = (await createRedisClient(settings(), logger))!;
      try {
        assert.equal(isRedisReady(late), false, 'nothing to connect to yet');
        for (const port of ports) await cluster.restart(port);
        await cluster.healthy();
        await until('the client to connect by itself', () => (isRedisReady(late) ? true : undefined), 20_000);
        await late.set('studygraph:late', 'yes');
        assert.equal(await late.get('studygraph:late'), 'yes');
      } finally {
        await closeRedisClient(late);
      }
    });
  },
);
