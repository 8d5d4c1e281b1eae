'use strict';
// A SuiteSync consumer written the way a production app should: a local cache of credit costs and
// role permissions for one tenant, fed by the application's stream {app}:{tenant}:events through a
// Redis consumer group, bootstrapped and (after a gap) recovered from the hub's read API snapshot.
//
//   XREADGROUP  read new entries; XACK only after the effects are applied and saved
//   XAUTOCLAIM  take over entries a crashed member read but never acknowledged
//   eventId     de-duplication (Redis 7 may hold an event twice; a redelivered entry comes again)
//   version     stale-drop: an event is applied only if newer than what the cache holds for the record
//   gap         the group's last-delivered id is older than the stream's max-deleted-entry-id (trimmed
//               before we read it), or the group/stream is gone (Redis lost its data): reload the
//               snapshot, move the group to the stream position the snapshot is consistent with, go on
//
// Configuration (environment): REDIS_URL, HUB_URL, HUB_API_KEY (the app's read key), APP, TENANT,
// GROUP, CONSUMER, STATE_FILE, CLAIM_IDLE_MS, CLAIM_EVERY_MS, POLL_MS, BATCH. See README.md.
const fs = require('fs');
const os = require('os');
const { createClient } = require('redis');

const config = {
  redisUrl: process.env.REDIS_URL || 'redis://localhost:6379',
  hubUrl: (process.env.HUB_URL || 'http://localhost:8080').replace(/\/$/, ''),
  hubApiKey: process.env.HUB_API_KEY || '',
  app: process.env.APP || 'crm',
  tenant: required('TENANT'),
  consumer: process.env.CONSUMER || `${os.hostname()}-${process.pid}`,
  claimIdleMs: Number(process.env.CLAIM_IDLE_MS || 30000),
  claimEveryMs: Number(process.env.CLAIM_EVERY_MS || 5000),
  pollMs: Number(process.env.POLL_MS || 200),
  batch: Number(process.env.BATCH || 100),
  keptEventIds: Number(process.env.KEPT_EVENT_IDS || 100000),
};
config.group = process.env.GROUP || `${config.app}-cache`;
config.stateFile = process.env.STATE_FILE || `./state-${config.app}-${config.tenant}.json`;
const stream = `${config.app}:${config.tenant}:events`;

function required(name) {
  if (!process.env[name]) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return process.env[name];
}

function log(message) {
  console.log(`[consumer ${config.consumer}] ${message}`);
}

// ---- the cache and its file: saved atomically before entries are acknowledged ----

let state = loadState();
let seen = new Set(state ? state.handled : []);

function emptyState() {
  return {
    creditCosts: {}, // operationCode -> {id, cost, isActive, version}
    roles: {}, // roleId -> {name, permissions, isActive, version}
    versions: {}, // entity:entityId -> newest version applied (kept for deleted records too)
    handled: [], // eventIds handled (applied or dropped as stale), oldest first, the last keptEventIds
    stats: { applied: 0, stale: 0, duplicates: 0, gaps: 0, snapshots: 0, claimed: 0 },
    snapshotPosition: null,
  };
}

function loadState() {
  try {
    return JSON.parse(fs.readFileSync(config.stateFile, 'utf8'));
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
    return null;
  }
}

function saveState() {
  if (state.handled.length > config.keptEventIds) {
    state.handled.splice(0, state.handled.length - config.keptEventIds);
    seen = new Set(state.handled);
  }
  const tmp = `${config.stateFile}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, config.stateFile);
}

// ---- applying events: idempotent, newest version wins ----

function handle(event) {
  if (seen.has(event.eventId)) {
    state.stats.duplicates++;
    return;
  }
  seen.add(event.eventId);
  state.handled.push(event.eventId);
  const key = `${event.entity}:${event.entityId}`;
  if ((state.versions[key] ?? -1) >= event.version) {
    state.stats.stale++;
    return;
  }
  state.versions[key] = event.version;
  const data = event.data || {};
  if (event.entity === 'credit-config') {
    for (const [code, entry] of Object.entries(state.creditCosts)) {
      if (entry.id === event.entityId && code !== data.operationCode) delete state.creditCosts[code];
    }
    if (event.operation === 'DELETE') {
      delete state.creditCosts[data.operationCode];
    } else {
      state.creditCosts[data.operationCode] = {
        id: event.entityId, cost: Number(data.creditCost), isActive: data.isActive !== false, version: event.version,
      };
    }
  } else if (event.entity === 'role') {
    if (event.operation === 'DELETE') {
      delete state.roles[event.entityId];
    } else {
      state.roles[event.entityId] = {
        name: data.name, permissions: data.permissions || [], isActive: data.isActive !== false, version: event.version,
      };
    }
  }
  // other entities (users, organizations, allocations, historical backfill events) are not cached here
  state.stats.applied++;
}

// ---- the read API snapshot: bootstrap and gap recovery ----

async function fetchSnapshot() {
  const url = `${config.hubUrl}/read/${config.app}/tenants/${encodeURIComponent(config.tenant)}/snapshot`;
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, { headers: { 'X-Api-Key': config.hubApiKey } });
      if (response.ok) return await response.json();
      if (response.status !== 503 && response.status < 500) {
        throw new Error(`snapshot refused: HTTP ${response.status} ${await response.text()}`);
      }
      log(`hub answered ${response.status}, retrying`);
    } catch (e) {
      if (String(e.message).startsWith('snapshot refused')) throw e;
      if (attempt === 1 || attempt % 10 === 0) log(`hub unreachable (${e.message}), retrying`);
    }
    await sleep(Math.min(5000, 200 * attempt));
  }
}

async function recover(redis, reason) {
  log(`${reason}: recovering from the read API snapshot`);
  const snapshot = await fetchSnapshot();
  const previous = state;
  state = emptyState();
  if (previous) {
    state.stats = previous.stats;
    state.handled = previous.handled;
  }
  for (const c of snapshot.records['credit-config'] || []) {
    state.creditCosts[c.operationCode] = { id: c.id, cost: Number(c.creditCost), isActive: c.isActive !== false, version: c.version };
    state.versions[`credit-config:${c.id}`] = c.version;
  }
  for (const r of snapshot.records.role || []) {
    state.roles[r.id] = { name: r.name, permissions: r.permissions || [], isActive: r.isActive !== false, version: r.version };
    state.versions[`role:${r.id}`] = r.version;
  }
  state.snapshotPosition = snapshot.streamPosition;
  state.stats.snapshots++;
  // the group resumes right after the entry the snapshot is consistent with
  try {
    await redis.sendCommand(['XGROUP', 'CREATE', stream, config.group, snapshot.streamPosition, 'MKSTREAM']);
  } catch (e) {
    if (!String(e.message).startsWith('BUSYGROUP')) throw e;
    await redis.sendCommand(['XGROUP', 'SETID', stream, config.group, snapshot.streamPosition]);
  }
  saveState();
  log(`recovered from snapshot at stream position ${snapshot.streamPosition}: `
    + `${Object.keys(state.creditCosts).length} credit costs, ${Object.keys(state.roles).length} roles`);
}

// ---- the stream ----

function fields(flat) {
  const out = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

function compareIds(a, b) {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}

/**
 * Whether entries after the group's position were removed before it read them (XINFO STREAM, Redis 7).
 * Redis 7.0 moves max-deleted-entry-id on XDEL only; a trim shows as: entries were removed
 * (entries-added > length) and the first entry left is newer than the group's last-delivered id.
 */
function missedEntries(info, lastDelivered) {
  const maxDeleted = info['max-deleted-entry-id'];
  if (maxDeleted && compareIds(maxDeleted, lastDelivered) > 0) return true;
  const added = info['entries-added'];
  if (added === undefined || added <= info.length) return false;
  const firstLeft = info.length > 0 ? info['recorded-first-entry-id'] : info['last-generated-id'];
  return compareIds(firstLeft, lastDelivered) > 0;
}

/** Applies entries ([id, [field, value, ...]]), saves, then acknowledges. False if one was deleted unread. */
async function applyEntries(redis, entries) {
  if (entries.length === 0) return true;
  let complete = true;
  for (const [, body] of entries) {
    if (body === null) {
      complete = false; // trimmed after it was delivered, before anyone applied it
      continue;
    }
    const raw = fields(body).event;
    if (raw) handle(JSON.parse(raw));
  }
  saveState();
  await redis.sendCommand(['XACK', stream, config.group, ...entries.map(([id]) => id)]);
  return complete;
}

/** This member's own unacknowledged entries (after its restart under the same name). */
async function drainOwnPending(redis) {
  for (;;) {
    const reply = await redis.sendCommand(['XREADGROUP', 'GROUP', config.group, config.consumer,
      'COUNT', String(config.batch), 'STREAMS', stream, '0']);
    const entries = reply ? reply[0][1] : [];
    if (entries.length === 0) return;
    if (!(await applyEntries(redis, entries))) {
      state.stats.gaps++;
      await recover(redis, 'GAP: a pending entry was trimmed before it was applied');
    }
  }
}

/** Entries other members read and never acknowledged (they crashed): take them over. */
async function claimAbandoned(redis) {
  let cursor = '0-0';
  do {
    const [next, entries, deleted] = await redis.sendCommand(['XAUTOCLAIM', stream, config.group, config.consumer,
      String(config.claimIdleMs), cursor, 'COUNT', String(config.batch)]);
    if (entries.length > 0) {
      state.stats.claimed += entries.length;
      log(`claimed ${entries.length} entries left pending by a stopped member`);
    }
    const complete = await applyEntries(redis, entries);
    if (!complete || (deleted && deleted.length > 0)) {
      state.stats.gaps++;
      await recover(redis, 'GAP: entries pending for a stopped member were trimmed before they were applied');
    }
    cursor = next;
  } while (cursor !== '0-0');
}

/**
 * One read, atomically with what the gap check needs: the stream's max-deleted-entry-id and the
 * group's last-delivered id as they were just before this read.
 */
async function readOnce(redis) {
  let replies;
  try {
    replies = await redis.multi()
      .addCommand(['XINFO', 'STREAM', stream])
      .addCommand(['XINFO', 'GROUPS', stream])
      .addCommand(['XREADGROUP', 'GROUP', config.group, config.consumer, 'COUNT', String(config.batch), 'STREAMS', stream, '>'])
      .exec();
  } catch (e) {
    const text = String((e.replies || []).map(String).join(' ') || e.message);
    if (/NOGROUP|no such key/.test(text)) {
      await recover(redis, 'GAP: the stream or its consumer group is gone (Redis lost its data or the stream was recreated)');
      return 0;
    }
    throw e;
  }
  const info = fields(replies[0]);
  const group = replies[1].map(fields).find((g) => g.name === config.group);
  const entries = replies[2] ? replies[2][0][1] : [];
  if (group && missedEntries(info, group['last-delivered-id'])) {
    state.stats.gaps++;
    if (entries.length > 0) await redis.sendCommand(['XACK', stream, config.group, ...entries.map(([id]) => id)]);
    await recover(redis, `GAP: entries after ${group['last-delivered-id']} were trimmed before this group read them `
      + `(the stream now starts at ${info['recorded-first-entry-id']})`);
    return 0;
  }
  if (!(await applyEntries(redis, entries))) {
    state.stats.gaps++;
    await recover(redis, 'GAP: an entry was trimmed before it was applied');
  }
  return entries.length;
}

async function groupExists(redis) {
  try {
    const groups = await redis.sendCommand(['XINFO', 'GROUPS', stream]);
    return groups.map(fields).some((g) => g.name === config.group);
  } catch (e) {
    if (/no such key/.test(e.message)) return false;
    throw e;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let running = true;

async function main() {
  const redis = createClient({ url: config.redisUrl });
  redis.on('error', (e) => log(`redis: ${e.message}`));
  await redis.connect();
  log(`following ${stream} as ${config.consumer} in group ${config.group}`);
  if (!state) {
    state = emptyState();
    await recover(redis, 'first start, nothing cached yet');
  } else if (!(await groupExists(redis))) {
    await recover(redis, 'GAP: the consumer group is gone (Redis lost its data or the stream was recreated)');
  }
  seen = new Set(state.handled);
  await drainOwnPending(redis);
  let nextClaim = 0;
  while (running) {
    try {
      if (Date.now() >= nextClaim) {
        await claimAbandoned(redis);
        nextClaim = Date.now() + config.claimEveryMs;
      }
      if ((await readOnce(redis)) === 0) await sleep(config.pollMs);
    } catch (e) {
      log(`step failed, retrying: ${e.message}`);
      await sleep(1000);
    }
  }
  await redis.quit();
}

process.on('SIGTERM', () => { running = false; });
process.on('SIGINT', () => { running = false; });
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
