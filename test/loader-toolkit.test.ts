import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createLoaders } from '../loaders';
import { PrimingLoader, whenLoaded, type LoaderSettings } from '../loaders/loader-toolkit';
import type { Database, MemberRow, OrganizationRow, UserRow } from '../src/db/types';
import { membershipKey } from '../loaders/membership.loader';

/** A loader of `loaded:<key>` that records the keys of each batch. */
function recordingLoader(options: ConstructorParameters<typeof PrimingLoader<string, string>>[1] = {}) {
  const batches: string[][] = [];
  const loader = new PrimingLoader<string, string>(async (keys) => {
    batches.push([...keys]);
    return keys.map((key) => `loaded:${key}`);
  }, options);
  return { loader, batches };
}

describe('PrimingLoader: primed values at once, with DataLoader’s semantics', () => {
  it('a primed value is handed out synchronously, with no batch', async () => {
    const { loader, batches } = recordingLoader();
    loader.prime('a', 'primed:a');
    assert.equal(loader.loadNow('a'), 'primed:a');
    assert.equal(await loader.load('a'), 'primed:a');
    assert.deepEqual(batches, []);
  });

  it('a key not primed is loaded (a promise, batched)', async () => {
    const { loader, batches } = recordingLoader();
    const pending = loader.loadNow('b');
    assert.ok(pending instanceof Promise);
    assert.equal(await pending, 'loaded:b');
    assert.deepEqual(batches, [['b']]);
  });

  it('a prime of a key already loaded or loading changes nothing, as in DataLoader: the loaded value is what both give', async () => {
    const { loader } = recordingLoader();
    const loading = loader.load('c');
    loader.prime('c', 'primed:c');
    assert.equal(await loading, 'loaded:c');
    const now = loader.loadNow('c');
    assert.ok(now instanceof Promise, 'not known at once: it was loaded, not primed');
    assert.equal(await now, 'loaded:c');
  });

  it('clear and clearAll forget primed values; clear(key).prime(key) replaces one', async () => {
    const { loader, batches } = recordingLoader();
    loader.prime('d', 'primed:d').prime('e', 'primed:e');
    loader.clear('d');
    assert.equal(await loader.loadNow('d'), 'loaded:d');
    loader.clear('e').prime('e', 'again:e');
    assert.equal(loader.loadNow('e'), 'again:e');
    loader.clearAll();
    assert.equal(await loader.loadNow('e'), 'loaded:e');
    assert.deepEqual(batches, [['d'], ['e']]);
  });

  it('a primed error, a primed promise and a loader without a cache never answer at once', async () => {
    const { loader } = recordingLoader();
    loader.prime('f', new Error('gone'));
    const failed = loader.loadNow('f');
    assert.ok(failed instanceof Promise);
    await assert.rejects(failed, /gone/);
    loader.prime('g', Promise.resolve('later:g'));
    const later = loader.loadNow('g');
    assert.ok(later instanceof Promise);
    assert.equal(await later, 'later:g');
    const uncached = recordingLoader({ cache: false });
    uncached.loader.prime('h', 'primed:h');
    assert.equal(await uncached.loader.loadNow('h'), 'loaded:h');
  });

  it('a second prime of a primed key changes nothing; loadMany gives primed and loaded values together', async () => {
    const { loader, batches } = recordingLoader();
    loader.prime('j', 'primed:j').prime('j', 'again:j').prime('j', new Error('ignored'));
    assert.equal(loader.loadNow('j'), 'primed:j');
    assert.deepEqual(await loader.loadMany(['j', 'k']), ['primed:j', 'loaded:k']);
    assert.deepEqual(batches, [['k']]);
  });

  it('keys go through cacheKeyFn, as DataLoader’s cache does', () => {
    const loader = new PrimingLoader<{ id: string }, string, string>(async (keys) => keys.map((key) => key.id), {
      cacheKeyFn: (key) => key.id,
    });
    loader.prime({ id: 'i' }, 'primed:i');
    assert.equal(loader.loadNow({ id: 'i' }), 'primed:i');
  });

  it('a partial row answers only the reads it covers; partial rows of one key are merged; a whole row answers all', async () => {
    const batches: string[][] = [];
    const loader = new PrimingLoader<string, Record<string, string>>(async (keys) => {
      batches.push([...keys]);
      return keys.map((id) => ({ id, name: `name:${id}`, email: `email:${id}` }));
    });
    loader.primePartial('u1', { id: 'u1', name: 'Ada' });
    assert.deepEqual(loader.loadCoveringNow('u1', ['id', 'name']), { id: 'u1', name: 'Ada' });
    // Another selection's partial row of the same user adds its columns.
    loader.primePartial('u1', { id: 'u1', email: 'ada@example.com' });
    assert.deepEqual(loader.loadCoveringNow('u1', ['email', 'id', 'name']), {
      id: 'u1',
      name: 'Ada',
      email: 'ada@example.com',
    });
    // A column it lacks, or a read that needs the whole row (null), goes to the batch, never to the partial row.
    const lacking = loader.loadCoveringNow('u1', ['created_at', 'id']);
    assert.ok(lacking instanceof Promise);
    assert.equal((await lacking).email, 'email:u1');
    assert.ok(loader.loadCoveringNow('u2', null) instanceof Promise);
    loader.primePartial('u3', { id: 'u3' });
    assert.ok(loader.loadNow('u3') instanceof Promise, 'loadNow wants a whole row');
    await loader.load('u3');
    assert.deepEqual(batches, [['u1'], ['u2', 'u3']]);
    loader.prime('u4', { id: 'u4', name: 'whole', email: 'e' });
    assert.deepEqual(loader.loadCoveringNow('u4', ['name']), { id: 'u4', name: 'whole', email: 'e' });
  });

  it('whenLoaded maps a value now and a promise later', async () => {
    assert.equal(
      whenLoaded(2, (n) => n * 10),
      20,
    );
    const later = whenLoaded(Promise.resolve(3), (n) => n * 10);
    assert.ok(later instanceof Promise);
    assert.equal(await later, 30);
  });
});

/** Batched settings that count the loaders built: defineLoader reads `batch` once per loader it builds. */
function countingSettings(): { settings: LoaderSettings; built: () => number } {
  let built = 0;
  const settings: LoaderSettings = {
    get batch() {
      built += 1;
      return true;
    },
  };
  return { settings, built: () => built };
}

describe('createLoaders: a request builds the loaders it uses', () => {
  it('builds no loader until one is used, each entity’s group once, and hands out the same loader every time', () => {
    // Never connected: building loaders sends nothing.
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool() }) });
    const { settings, built } = countingSettings();
    const loaders = createLoaders(db, settings);
    assert.equal(built(), 0);
    const userById = loaders.userById;
    const users = built();
    assert.ok(users >= 1);
    assert.equal(loaders.userById, userById);
    assert.equal(built(), users);
    // Studies are built alone: they hand the rows their statements bring to other groups through the primers.
    const studiesPage = loaders.studiesPage;
    const withStudies = built();
    assert.ok(withStudies > users);
    assert.equal(loaders.userById, userById);
    assert.equal(loaders.studiesPage, studiesPage);
    assert.equal(loaders.userByEmail, loaders.userByEmail);
    assert.equal(built(), withStudies);
    const collaboratorsByStudy = loaders.collaboratorsByStudy;
    assert.ok(built() > withStudies, 'the collaborators group is built when first used');
    assert.equal(loaders.collaboratorsByStudy, collaboratorsByStudy);
    // Another request's loaders are its own.
    assert.notEqual(createLoaders(db, settings).userById, userById);
  });

  it('known rows (the viewer’s) build no group; a group takes its own when first built and answers them at once; forgotten, they are read afresh', async () => {
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool() }) });
    const { settings, built } = countingSettings();
    const user = { id: 'u1', email: 'ada@example.com', name: 'Ada' } as unknown as UserRow;
    const organization = { id: 'o1', slug: 'acme', name: 'Acme' } as unknown as OrganizationRow;
    const membership = { organization_id: 'o1', user_id: 'u1', role: 'ADMIN' } as unknown as MemberRow;
    const loaders = createLoaders(db, settings, {
      users: [user],
      memberships: [membership],
      organizations: [organization],
    });
    assert.equal(built(), 0);
    assert.equal(loaders.userById.loadNow('u1'), user);
    assert.equal(loaders.organizationBySlug.loadNow('acme'), organization);
    assert.equal(loaders.organizationById.loadNow('o1'), organization);
    assert.equal(loaders.membership.loadNow(membershipKey('o1', 'u1')), membership);
    // After a write forgets the group, its known row is not taken again: it may be what the write changed.
    loaders.forget('users');
    const afresh = loaders.userById.loadNow('u1');
    assert.ok(afresh instanceof Promise);
    await afresh.catch(() => undefined);
    await db.destroy();
  });
});
