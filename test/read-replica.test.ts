import assert from 'node:assert/strict';
import { setTimeout as pause } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config';
import { migrateToLatest } from '../src/db/migrator';
import type { Database } from '../src/db/types';
import { mayWrite } from '../src/graphql/read-your-writes-plugin';
import { seedDatabase } from '../src/seed/seed';
import { createTestDatabase, type TestDatabase } from './support/database';
import { dataOf, onlyError, SEED_ANCHOR, startTestGateway, type TestGateway } from './support/gateway';
import { ACME, GLOBEX } from './support/ids';

const base = loadConfig();

// The "replica" is a second database seeded identically, then marked: which one answered shows in the
// organization's name. It never receives the primary's writes, which is replication lag at its worst.
describe(
  'read replica (DATABASE_READ_URL)',
  { skip: base.databaseUrl ? false : 'needs DATABASE_URL (a PostgreSQL server)' },
  () => {
    let replica: TestDatabase;
    let gateway: TestGateway;
    let writer: string;
    let colleague: string;
    const WINDOW_SECONDS = 2;

    before(async () => {
      replica = await createTestDatabase(base);
      const db = new Kysely<Database>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: replica.config.databaseUrl }) }),
      });
      try {
        await migrateToLatest(db);
        await seedDatabase(db, { scale: 'small', anchor: SEED_ANCHOR });
        await sql`UPDATE organizations SET name = name || ' (replica)'`.execute(db);
      } finally {
        await db.destroy();
      }
      gateway = await startTestGateway({
        config: { databaseReadUrl: replica.config.databaseUrl, readYourWritesSeconds: WINDOW_SECONDS },
      });
      writer = await gateway.tokenFor('analyst@example.com');
      const other = await gateway.db
        .selectFrom('organization_members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select('u.email')
        .where('m.organization_id', '=', ACME)
        .where('u.email', '<>', 'analyst@example.com')
        .executeTakeFirstOrThrow();
      colleague = await gateway.tokenFor(other.email);
    });
    after(async () => {
      await gateway?.close();
      await replica?.drop();
    });

    const acme = async (token: string) =>
      dataOf(await gateway.graphql(`{ organization(id: "${ACME}") { name } }`, { token }));
    const sees = async (token: string, studyId: string) =>
      (await gateway.graphql(`{ study(id: "${studyId}") { id } }`, { token })).body.data?.study?.id === studyId;

    it('queries read from the replica', async () => {
      assert.equal((await acme(writer)).organization.name, 'Acme Research (replica)');
      assert.equal((await acme(colleague)).organization.name, 'Acme Research (replica)');
    });

    it('a mutation runs on the primary; its viewer then reads the primary (read-your-writes), others the replica', async () => {
      const created = dataOf(
        await gateway.graphql(
          `mutation { createStudy(input: { organizationId: "${ACME}", title: "primary-only study" }) { id organization { name } } }`,
          {
            token: writer,
          },
        ),
      );
      assert.equal(
        created.createStudy.organization.name,
        'Acme Research',
        'the mutation’s own answer came from the primary',
      );
      assert.equal((await acme(writer)).organization.name, 'Acme Research');
      assert.ok(await sees(writer, created.createStudy.id), 'the writer sees its write');
      assert.equal((await acme(colleague)).organization.name, 'Acme Research (replica)');
      assert.equal(await sees(colleague, created.createStudy.id), false, 'the replica has not got it (lag)');

      await pause(WINDOW_SECONDS * 1000 + 300);
      assert.equal(
        (await acme(writer)).organization.name,
        'Acme Research (replica)',
        'after the window the writer is back on the replica',
      );
    });

    it('a mutation is authorised with the roles on the primary, not the lagging replica’s', async () => {
      // On the primary the analyst was just demoted in Globex; the replica still says admin.
      await gateway.db
        .updateTable('organization_members')
        .set({ role: 'member' })
        .where('organization_id', '=', GLOBEX)
        .where('user_id', '=', await gateway.userId('analyst@example.com'))
        .execute();
      const response = await gateway.graphql(
        `mutation { addMember(input: { organizationId: "${GLOBEX}", email: "outsider@example.com", role: MEMBER }) { role } }`,
        { token: writer },
      );
      assert.equal(onlyError(response).extensions?.code, 'FORBIDDEN');
    });

    it('cached answers read from the lagging replica after a mutation are retired once the window has passed', async () => {
      const cached = await startTestGateway({
        shareDatabaseWith: gateway,
        config: {
          databaseReadUrl: replica.config.databaseUrl,
          readYourWritesSeconds: WINDOW_SECONDS,
          responseCache: true,
        },
      });
      try {
        const read = async () =>
          (
            await cached.graphql(`{ organization(id: "${ACME}") { name studyCount } }`, { token: colleague })
          ).headers.get('x-cache');
        await cached.graphql(`mutation { createStudy(input: { organizationId: "${ACME}", title: "lag" }) { id } }`, {
          token: writer,
        });
        // During the lag the colleague reads the replica's older rows, cached under the new generation.
        assert.equal(await read(), 'miss');
        assert.equal(await read(), 'hit');
        await pause(WINDOW_SECONDS * 1000 + 500);
        assert.equal(await read(), 'miss', 'the second bump after the window retired what was cached during it');
      } finally {
        await cached.close();
      }
    });

    it('an unreachable replica sends reads to the primary instead of failing them', async () => {
      const url = new URL(replica.config.databaseUrl!);
      url.pathname = '/studygraph_no_such_replica';
      const orphan = await startTestGateway({
        shareDatabaseWith: gateway,
        config: { databaseReadUrl: url.toString() },
      });
      try {
        const answer = dataOf(await orphan.graphql(`{ organization(id: "${ACME}") { name } }`, { token: writer }));
        assert.equal(answer.organization.name, 'Acme Research');
      } finally {
        await orphan.close();
      }
    });
  },
);

describe('which requests may write (they skip the replica)', () => {
  it('documents mentioning mutation, hash-only persisted queries and batches holding either', () => {
    assert.equal(mayWrite({ query: '{ viewer { id } }' }), false);
    assert.equal(mayWrite({ query: 'query Q { organizations { totalCount } }' }), false);
    assert.equal(mayWrite({ query: 'mutation { createStudy(input: $i) { id } }' }), true);
    assert.equal(mayWrite({ query: '# a note\n  mutation M { x }' }), true);
    assert.equal(
      mayWrite({ extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }),
      true,
      'unknown text: assume it may',
    );
    assert.equal(mayWrite([{ query: '{ a }' }, { query: 'mutation { b }' }]), true);
    assert.equal(mayWrite([{ query: '{ a }' }, { query: '{ b }' }]), false);
    assert.equal(mayWrite('garbage'), false, 'not a request: nothing will run');
  });
});
