import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pruneExpired } from '../src/db/repositories/retention.repository';
import { startTestGateway, type TestGateway } from './support/gateway';
import { ACME } from './support/ids';

describe('retention', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway();
  });
  after(async () => {
    await gateway.close();
  });

  it('deletes notifications and webhook delivery attempts past their days, and nothing newer', async () => {
    const { db } = gateway;
    const activity = await db.selectFrom('collaboration_activity').select('id').limit(1).executeTakeFirstOrThrow();
    const userId = await gateway.userId('analyst@example.com');
    const day = 24 * 3600 * 1000;
    const notifications = await db
      .insertInto('notifications')
      .values(
        [100, 89].map((days) => ({
          user_id: userId,
          organization_id: ACME,
          activity_id: activity.id,
          kind: 'comment_added' as const,
          created_at: new Date(Date.now() - days * day),
        })),
      )
      .returning('id')
      .execute();
    const webhook = await db
      .insertInto('webhooks')
      .values({
        organization_id: ACME,
        url: 'https://hooks.example.com/x',
        events: ['study_created'],
        secret: 'whsec_x',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const deliveries = await db
      .insertInto('webhook_deliveries')
      .values(
        [31, 29].map((days) => ({
          webhook_id: webhook.id,
          event_id: activity.id,
          event_type: 'STUDY_CREATED',
          body: '{}',
          attempt: 1,
          succeeded: true,
          response_code: 200,
          duration_ms: 1,
          error: null,
          attempted_at: new Date(Date.now() - days * day),
        })),
      )
      .returning('id')
      .execute();
    const deleted = await pruneExpired(db, { notifications: 90, webhookDeliveries: 30 });
    assert.ok(deleted.notifications >= 1 && deleted.webhookDeliveries >= 1, JSON.stringify(deleted));
    const keptNotifications = await db
      .selectFrom('notifications')
      .select('id')
      .where(
        'id',
        'in',
        notifications.map((n) => n.id),
      )
      .execute();
    assert.deepEqual(
      keptNotifications.map((n) => n.id),
      [notifications[1].id],
    );
    const keptDeliveries = await db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where(
        'id',
        'in',
        deliveries.map((d) => d.id),
      )
      .execute();
    assert.deepEqual(
      keptDeliveries.map((d) => d.id),
      [deliveries[1].id],
    );
    assert.deepEqual(await pruneExpired(db, { notifications: 90, webhookDeliveries: 30 }), {
      notifications: 0,
      webhookDeliveries: 0,
    });
  });
});
