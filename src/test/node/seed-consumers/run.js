// Runs the seeds' consumers (seeds.js) against a real hub's Redis, for SeedConsumersIT:
//   node run.js <redis-url> <tenant>
// subscribes seed 01's and seed 02's consumers to the channels they name (through their own initialize /
// subscribeToChannels code), prints "READY", then on a stdin line
//   REPORT {"seed01": <messages>, "seed02": <messages>, "userCredits": [..], "tenantCredits": [..]}
// waits until each has received that many messages, feeds the stream crm:<tenant>:events to seed 04's
// consumer, exercises the seeds' own uses of their caches (createLead, checkCredits, getRolePermissions)
// and prints "REPORT <json>" with everything the seeds stored and logged.
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { createClient } from 'redis';
import { CRMSyncConsumer, SmartCRMConsumer, HistoricalSyncConsumer } from './seeds.js';

const [redisUrl, tenantId] = process.argv.slice(2);
if (!redisUrl || !tenantId) {
  console.error('usage: node run.js <redis-url> <tenant>');
  process.exit(2);
}

// stdout carries the protocol; what the seeds log is kept for the report
const out = (line) => process.stdout.write(line + '\n');
const logs = [];
console.log = (...args) => logs.push(args.join(' '));

/** What the seeds' `this.redis.subscribe(channels)` + `this.redis.on('message', (channel, message) => …)` expect, on node-redis 4. */
class Subscriber extends EventEmitter {
  constructor(client) {
    super();
    this.client = client;
    this.channels = [];
    this.received = 0;
    this.pending = [];
  }

  async subscribe(channels) {
    this.channels.push(...channels);
    await this.client.subscribe(channels, (message, channel) => {
      this.received++;
      for (const listener of this.listeners('message')) {
        this.pending.push(Promise.resolve(listener(channel, message)));
      }
    });
  }

  async settled() {
    const results = await Promise.allSettled(this.pending);
    return results.filter((r) => r.status === 'rejected').map((r) => String(r.reason && r.reason.stack || r.reason));
  }
}

class RecordingMap extends Map {
  constructor() {
    super();
    this.deleted = [];
  }

  delete(key) {
    this.deleted.push(key);
    return super.delete(key);
  }
}

const connect = async () => {
  const client = createClient({ url: redisUrl });
  client.on('error', (e) => console.error('redis error', e));
  await client.connect();
  return client;
};

const harness01 = {
  upserts: [],
  deducted: [],
  tenantCredits: 0,
  localDB: { upsert: async (table, row) => harness01.upserts.push({ table, row }) }
};
const harness02 = { referenceCache: new RecordingMap(), userCredits: 0 };

const sub01 = new Subscriber(await connect());
const sub02 = new Subscriber(await connect());
const seed01 = new CRMSyncConsumer(tenantId, sub01, harness01);
const seed02 = new SmartCRMConsumer(tenantId, sub02, harness02);
await seed01.initialize();
await seed02.subscribeToChannels();
seed02.setupMessageHandlers();
out('READY ' + JSON.stringify({ seed01: sub01.channels, seed02: sub02.channels }));

const waitFor = async (condition, millis) => {
  const deadline = Date.now() + millis;
  while (!condition() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
};

const mapObject = (map) => Object.fromEntries(map);

const report = async (request) => {
  const errors = [];
  if (!await waitFor(() => sub01.received >= request.seed01 && sub02.received >= request.seed02, 30000)) {
    errors.push(`received ${sub01.received}/${request.seed01} (seed 01) and ${sub02.received}/${request.seed02} (seed 02) messages`);
  }
  errors.push(...await sub01.settled(), ...await sub02.settled());

  // seed 04: "Events are published to same Redis streams as real-time events"
  const reader = await connect();
  const entries = await reader.xRange(`crm:${tenantId}:events`, '-', '+');
  await reader.quit();
  const seed04 = new HistoricalSyncConsumer();
  for (const entry of entries) {
    try {
      await seed04.handleEvent(JSON.parse(entry.message.event));
    } catch (e) {
      errors.push(String(e.stack || e));
    }
  }

  // the seeds' own uses of what they cached
  const createLead = [];
  for (const credits of request.tenantCredits) {
    harness01.tenantCredits = credits;
    try {
      await seed01.createLead({ name: 'Lead' });
      createLead.push({ credits, created: true });
    } catch (e) {
      createLead.push({ credits, created: false, error: e.message });
    }
  }
  const checkCredits = [];
  for (const credits of request.userCredits) {
    harness02.userCredits = credits;
    checkCredits.push({ credits, allowed: await seed02.checkCredits('crm.leads.create', 'user-1') });
  }
  const rolePermissions = {};
  for (const key of seed02.criticalCache.keys()) {
    if (key.startsWith('role:')) {
      rolePermissions[key.substring(5)] = await seed02.getRolePermissions(key.substring(5));
    }
  }

  return {
    errors,
    seed01: {
      received: sub01.received,
      upserts: harness01.upserts,
      localCreditConfigs: mapObject(seed01.localCreditConfigs),
      createLead,
      deducted: harness01.deducted
    },
    seed02: {
      received: sub02.received,
      criticalCache: mapObject(seed02.criticalCache),
      referenceCacheDeletes: harness02.referenceCache.deleted,
      checkCredits,
      rolePermissions
    },
    seed04: {
      streamEntries: entries.length,
      historicalEvents: seed04.historicalEvents,
      allocations: mapObject(seed04.allocations),
      organizations: mapObject(seed04.organizations),
      memberships: mapObject(seed04.memberships)
    },
    logs
  };
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.startsWith('REPORT ')) {
    out('REPORT ' + JSON.stringify(await report(JSON.parse(line.substring(7)))));
    break;
  }
}
await Promise.all([sub01.client.quit(), sub02.client.quit()]);
process.exit(0);
