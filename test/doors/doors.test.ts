/**
 * The shared door suite: one Milvus scenario (test/doors/scenario.ts) against the embedded client,
 * the official Node SDK over gRPC and REST v2 over fetch, all on the server composition `npm start`
 * runs (src/server/compose.ts, options parsed by the same parseMainOptions). Every door must give
 * the expected Milvus answers and the same transcript: ids, float32 scores, error codes.
 * The service is a real SextantService subclass that counts calls, so the test also sees that a
 * search through the embedded client or REST v2 does not describe the collection first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { SextantClient } from '../../src/client/client.js';
import { Engine } from '../../src/engine/engine.js';
import { serveService } from '../../src/server/compose.js';
import { AccessControl } from '../../src/service/auth/access.js';
import { ResourceGroups } from '../../src/service/resource-groups/manager.js';
import { parseMainOptions } from '../../src/server/options.js';
import { SextantService, type ServiceOptions } from '../../src/service/service.js';
import { rawClient } from '../server/grpc-client.js';
import { ImportJobs } from '../../src/service/import/jobs.js';
import { withTempDir } from '../support/tmp.js';
import { rawSearch, restDoor, sdkDoor, type SdkCall } from './doors.js';
import { checkExpected, comparable, runScenario, type Door, type Step } from './scenario.js';

/** The real service, counting describeCollection and search calls on their way in. */
class CountingService extends SextantService {
  describes = 0;
  searches = 0;

  constructor(engine: Engine, access: AccessControl, groups: ResourceGroups, imports: ImportJobs) {
    super(engine, access, groups, imports);
    const describe = this.describeCollection;
    this.describeCollection = async (req) => {
      this.describes++;
      return describe(req);
    };
    const search = this.search;
    this.search = async (req) => {
      this.searches++;
      return search(req);
    };
  }

  static async openCounting(opts: ServiceOptions): Promise<CountingService> {
    const engine = await Engine.open(opts);
    return new CountingService(engine, await AccessControl.open(engine, opts.auth), await ResourceGroups.open(engine), await ImportJobs.open(engine));
  }
}

/** The door with the service's describe calls counted while a search runs through it. */
function describesDuringSearch(door: Door, svc: CountingService, seen: { describes: number }): Door {
  return {
    ...door,
    search: async (c, a) => {
      const d0 = svc.describes;
      const r = await door.search(c, a);
      seen.describes += svc.describes - d0;
      return r;
    },
  };
}

function callsOn(client: object): SdkCall {
  return async (method, req) => {
    const fn = (client as Record<string, unknown>)[method];
    if (typeof fn !== 'function') throw new Error(`no method ${method}`);
    return (fn as (r: object) => Promise<unknown>).call(client, req);
  };
}

test('one scenario, three doors (embedded, SDK over gRPC, REST v2) on the npm start composition: same answers, same errors, no describe before search', { timeout: 180_000 }, async (t) => {
  await withTempDir(async (dir) => {
    const opts = parseMainOptions(['--data', dir, '--host', '127.0.0.1', '--port', '0', '--http-port', '0'], {});
    const svc = await CountingService.openCounting({ dataDir: opts.dataDir });
    const unexpected: string[] = [];
    const server = await serveService(svc, opts, (where, e) => unexpected.push(`${where}: ${String(e)}`));
    const sdk = new MilvusClient({ address: `127.0.0.1:${server.port}`, logLevel: 'error' });
    const raw = rawClient(server.port);
    try {
      await sdk.connectPromise;
      const doors: { door: Door; prefix: string; describesAllowed: boolean }[] = [
        { door: sdkDoor('embedded', callsOn(new SextantClient(svc))), prefix: 'emb', describesAllowed: false },
        // The SDK describes (and caches) collections itself before it searches: its own client-side choice.
        { door: sdkDoor('SDK over gRPC', callsOn(sdk), rawSearch(raw)), prefix: 'sdk', describesAllowed: true },
        { door: restDoor(`http://127.0.0.1:${server.port}`), prefix: 'rest', describesAllowed: false },
      ];
      const transcripts: Step[][] = [];
      for (const { door, prefix, describesAllowed } of doors) {
        const seen = { describes: 0 };
        const s0 = svc.searches;
        const steps = await runScenario(describesDuringSearch(door, svc, seen), prefix);
        t.diagnostic(`${door.name}: ${steps.length} steps, ${steps.filter((s) => !s.outcome.ok).length} errors, `
          + `${svc.searches - s0} service searches, ${seen.describes} describes during searches`);
        checkExpected(door.name, steps);
        assert.ok(svc.searches - s0 >= 10, `${door.name}: searches reached the service`);
        if (!describesAllowed) assert.equal(seen.describes, 0, `${door.name} described a collection to search`);
        transcripts.push(steps);
      }
      const [embedded, ...others] = transcripts.map(comparable);
      others.forEach((other, i) => assert.deepEqual(other, embedded, `${doors[i + 1]!.door.name} differs from the embedded client`));
      assert.deepEqual(unexpected, []);
    } finally {
      raw.close();
      await sdk.closeConnection();
      await server.close();
      await svc.close();
    }
  });
});
