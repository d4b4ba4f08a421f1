import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { parse, stringify } from 'yaml';
import { SIM_PAIR_SETTINGS } from '../commands/sim.js';
import { runSync } from '../commands/sync.js';
import { tuneHeap } from '../heap.js';
import { openRuntime } from '../runtime.js';
import { SecretStore } from '../secrets/store.js';
import { openDb } from '../state/db.js';
import { silentLogger } from '../systems/types.js';

/**
 * `npm run bench`: one pass of odoo-servicenow over `volume:N` purchase orders (5 lines each) and
 * N/5 vendor bills (3 lines each) through the simulators with injected latency. The simulators run
 * in child processes (one per system) so that the CPU and memory measured are mlc's own.
 *
 * Floor: the requests the pass cannot avoid at the largest page and batch sizes, times the latency,
 * divided by the concurrency each connection allows (Odoo reads are sequential keyset pages; the
 * ServiceNow client runs `concurrency` Import Set calls at once), summed over both connections.
 */
const N = Number(process.env.MLC_BENCH_POS ?? 10_000);
const LATENCY = Number(process.env.MLC_BENCH_LATENCY_MS ?? 20);
const ODOO_PAGE = 1000;
const SN_BATCH = 200;
const SN_CONCURRENCY = Number(process.env.MLC_BENCH_SN_CONCURRENCY ?? 4);
const PAIR = 'odoo-servicenow';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Stats {
  requests: number;
  byRoute: Record<string, number>;
}

async function main(): Promise<void> {
  // The pass runs in this process: the same heap settings as `bin/mlc.js`.
  tuneHeap();
  const dir = mkdtempSync(join(tmpdir(), 'mlc-bench-'));
  const env = {
    ...process.env,
    MLC_HOME: join(dir, '.mlc'),
    MLC_MASTER_KEY: randomBytes(32).toString('hex'),
  };
  const config = join(dir, 'mlc.yaml');
  // Each simulator in its own process, as each system is its own server: neither one's work slows
  // the other's answers. They stand for servers, so they run with a young generation sized for a
  // server's allocation rate (their collections are not mlc's time). MLC_BENCH_SIM_NODE_ARGS (e.g.
  // "--cpu-prof") adds to that.
  const simNodeArgs = [
    '--max-semi-space-size=64',
    ...(process.env.MLC_BENCH_SIM_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ];
  const startSim = (system: string): ChildProcess =>
    spawn(
      process.execPath,
      [
        ...simNodeArgs,
        join(ROOT, 'bin/mlc.js'),
        'sim',
        '--systems',
        system,
        '--seed',
        `volume:${N}`,
        '--latency-ms',
        String(LATENCY),
        '--write-config',
        join(dir, `${system}.yaml`),
        '--json',
      ],
      { env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
  const sims: ChildProcess[] = [];
  try {
    process.stdout.write(
      `seeding volume:${N} (${N} purchase orders x 5 lines, ${N / 5} bills x 3 lines), latency ${LATENCY} ms ...\n`,
    );
    // One after the other: each stores its credentials in the same encrypted store.
    const urls: Record<string, string> = {};
    const simStates: string[] = [];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- YAML documents edited in place
    const connections: Record<string, any> = {};
    for (const system of ['odoo', 'servicenow']) {
      const child = startSim(system);
      sims.push(child);
      const info = await firstJsonLine(child);
      for (const s of info.simulators) urls[s.system] = s.url;
      simStates.push(info.state);
      Object.assign(connections, parse(readFileSync(join(dir, `${system}.yaml`), 'utf8')).connections);
    }
    writeFileSync(
      config,
      stringify({
        connections,
        pairs: { [PAIR]: { source: 'odoo', target: 'servicenow', ...SIM_PAIR_SETTINGS[PAIR] } },
      }),
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a YAML document edited in place
    const c = parse(readFileSync(config, 'utf8')) as Record<string, any>;
    c.connections.odoo.pageSize = ODOO_PAGE;
    c.connections.servicenow.batchSize = SN_BATCH;
    c.connections.servicenow.concurrency = SN_CONCURRENCY;
    c.pairs[PAIR].batchSize = ODOO_PAGE;
    c.pairs[PAIR].settleSeconds = 0;
    writeFileSync(config, stringify(c));
    // Each simulator keeps its credentials in a state file of its own: the pass reads them from one.
    await copySecrets(simStates, config, env);
    await Promise.all(Object.values(urls).map((u) => fetch(`${u}/_sim/stats`, { method: 'DELETE' })));

    const rt = await openRuntime(config, silentLogger, env);
    // Where the memory is when RSS peaks: V8 heap (used / reserved), off-heap buffers.
    // (process.memoryUsage() walks the heap: it is taken only when the cheap RSS reading is a new peak.)
    let atPeak = process.memoryUsage();
    const sampler = setInterval(() => {
      if (process.memoryUsage.rss() > atPeak.rss) atPeak = process.memoryUsage();
    }, 20);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await runSync(rt, { pairs: [PAIR], dryRun: false, full: false });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    clearInterval(sampler);
    rt.close();

    const pass = result.outcomes[0];
    if (!pass || pass.kind !== 'pass') throw new Error(`the pass did not run: ${JSON.stringify(pass)}`);
    const flows = Object.fromEntries(pass.flows.map((f) => [f.flow, f]));
    const written = pass.flows.reduce((n, f) => n + f.written, 0);
    const docs = (flows.purchase_orders?.written ?? 0) + (flows.vendor_bills?.written ?? 0);
    const stats = Object.fromEntries(
      await Promise.all(
        Object.entries(urls).map(async ([s, u]) => [
          s,
          (await (await fetch(`${u}/_sim/stats`)).json()) as Stats,
        ]),
      ),
    );
    const odooReq = stats.odoo?.requests ?? 0;
    const snReq = stats.servicenow?.requests ?? 0;

    const poLines = N * 5;
    const bills = N / 5;
    const billLines = bills * 3;
    const pages = (n: number, size: number): number => Math.ceil((n + 1) / size);
    // Odoo: order pages + their lines, the line poll, bill pages + their lines.
    const odooFloor = pages(N, ODOO_PAGE) * 2 + pages(poLines, ODOO_PAGE) + pages(bills, ODOO_PAGE) * 2;
    // ServiceNow: one insertMultiple per 200 rows, one status read per import set.
    const snFloor = [N, poLines, bills, billLines].reduce((n, rows) => n + Math.ceil(rows / SN_BATCH) * 2, 0);
    const floorMs = (odooFloor * LATENCY) / 1 + (snFloor * LATENCY) / SN_CONCURRENCY;

    // Nothing to do, twice over. Right after the pass, every document is still inside the overlap
    // window and is re-read and recognised; a cron interval later (the simulators' stamps moved ten
    // minutes back, as if nothing had changed since), the windows are empty.
    const control = (path: string, body: unknown): Promise<unknown> =>
      Promise.all(
        Object.values(urls).map((u) =>
          fetch(`${u}/_sim/${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }),
        ),
      );
    const idle = await idlePass(config, env);
    await control('latency', { ms: 0 });
    const idleNoLatency = await idlePass(config, env);
    await control('age', { seconds: 600 });
    const laterNoLatency = await idlePass(config, env);
    await control('latency', { ms: LATENCY });
    const later = await idlePass(config, env);

    const report = {
      records: {
        purchaseOrders: flows.purchase_orders?.written,
        vendorBills: flows.vendor_bills?.written,
        allFlows: written,
        failed: pass.flows.reduce((n, f) => n + f.failed, 0),
      },
      wallSeconds: round(wallMs / 1000),
      documentsPerSecond: round(docs / (wallMs / 1000)),
      rowsPerSecond: round((docs + poLines + billLines) / (wallMs / 1000)),
      requests: {
        odoo: odooReq,
        servicenow: snReq,
        perDocumentWritten: round((odooReq + snReq) / Math.max(1, docs)),
      },
      cpuMsPerRecord: round((cpu.user + cpu.system) / 1000 / Math.max(1, docs)),
      peakRssMb: round(peakRssMb),
      memoryAtPeakMb: Object.fromEntries(Object.entries(atPeak).map(([k, v]) => [k, round(v / 1024 / 1024)])),
      floor: {
        odooRequests: odooFloor,
        servicenowRequests: snFloor,
        seconds: round(floorMs / 1000),
        ratio: round(wallMs / floorMs),
      },
      nothingToDoMs: {
        rightAfterThePass: { [`latency${LATENCY}ms`]: idle, latency0ms: idleNoLatency },
        aCronIntervalLater: { [`latency${LATENCY}ms`]: later, latency0ms: laterNoLatency },
      },
      byRoute: { odoo: stats.odoo?.byRoute, servicenow: stats.servicenow?.byRoute },
      targets: { ratio: 1.3, cpuMsPerRecord: 0.5, peakRssMb: 200, nothingToDoMs: 400 },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    const ok =
      report.floor.ratio <= 1.3 &&
      report.cpuMsPerRecord <= 0.5 &&
      report.peakRssMb < 200 &&
      later.secondRun < 400;
    process.stdout.write(ok ? 'all targets met\n' : 'some targets missed (see above)\n');
  } finally {
    for (const child of sims) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `mlc sync` with nothing new, as cron runs it: a fresh process each time, wall time measured. */
async function idlePass(
  config: string,
  env: NodeJS.ProcessEnv,
): Promise<{ firstRun: number; secondRun: number }> {
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin/mlc.js'), '--config', config, 'sync', PAIR], {
      env,
      stdio: 'ignore',
    });
    await new Promise((r) => child.on('exit', r));
    return Math.round(performance.now() - t0);
  };
  const firstRun = await once();
  const secondRun = await once();
  return { firstRun, secondRun };
}

interface SimInfo {
  simulators: Array<{ system: string; url: string }>;
  state: string;
}

/** The first line `mlc sim --json` prints: its envelope, whose data names the simulators and their store. */
function firstJsonLine(child: ChildProcess): Promise<SimInfo> {
  return new Promise((resolveLine, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => resolveLine((JSON.parse(line) as { data: SimInfo }).data));
    child.once('exit', (code) => reject(new Error(`simulators exited with ${code}`)));
  });
}

/** Copies the simulators' stored credentials into the state file of the bench's own config. */
async function copySecrets(from: string[], config: string, env: NodeJS.ProcessEnv): Promise<void> {
  const rt = await openRuntime(config, silentLogger, env);
  try {
    for (const path of from) {
      const db = openDb(path);
      try {
        const store = new SecretStore(db, join(dirname(path), 'unused.key'), env);
        for (const { name } of store.list()) rt.secrets.set(name, store.get(name));
      } finally {
        db.close();
      }
    }
  } finally {
    rt.close();
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
