/**
 * `npm run bench -- [--duration S] [--corpus DIR] [--json] [--cpu-prof DIR] [--peer NAME=URLTEMPLATE ...]`:
 * throughput and memory of the image CDN against the libvips floor (sharp in-process), ipx, a bare static server
 * and any image server named with --peer, all on loopback, in one run, so the ratios compare like with like.
 * Starts its own Azurite, the app (local host) twice, as configured by default and with DECODED_CACHE_MB=0 (every
 * request decodes its original), ipx, and a static server holding the photos for peers to fetch.
 * The headline is distinct work: every request a (photo, width) pair never asked for before in the run.
 */
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { AZURITE_ACCOUNT, AZURITE_KEY, freePort, startEphemeralAzurite } from '../dev/azurite';
import { photoLike } from '../dev/sample-images';
import { readOnlyContainerSas } from '../dev/seed';

interface Options {
  duration: number;
  corpus: string;
  json: boolean;
  /** Where the app writes CPU profiles (node --cpu-prof), one per instance, when set. */
  cpuProf?: string;
  peers: Peer[];
}

/**
 * Another image server to run the same workloads against. Its URL template's placeholders: `{width}` the width
 * in pixels, `{format}` `jpeg` or `webp`, `{source}` the photo's URL on the benchmark's loopback static server
 * (for servers that fetch from a URL), `{name}` the photo's file name (for servers reading the corpus folder).
 */
interface Peer {
  name: string;
  template: string;
}

interface Photo {
  name: string;
  body: Buffer;
  pixels: number;
}

const WIDTH = 400;
const QUALITY = 80;
/** Distinct work: widths from 240 to 1200 px, each with each photo at most once per run. */
const MIN_WIDTH = 240;
const MAX_WIDTH = 1200;
/** Requests in flight for throughput runs: two per core keeps both cores busy without queueing much. */
const CONNECTIONS = Math.max(2, os.cpus().length * 2);
/** Overload: four times the throughput runs' load, 16 requests in flight per core. */
const OVERLOAD_CONNECTIONS = os.cpus().length * 16;
/** What browsers send for images, without AVIF: the app answers WebP. */
const WEBP_ACCEPT = 'image/webp,image/*,*/*;q=0.8';
const root = path.resolve(__dirname, '..', '..');

function parseArgs(argv: string[]): Options {
  const options: Options = { duration: 10, corpus: path.resolve(root, '..', 'shared', 'corpus'), json: false, peers: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--duration') options.duration = Number(argv[++i]);
    else if (argv[i] === '--corpus') options.corpus = path.resolve(argv[++i]);
    else if (argv[i] === '--json') options.json = true;
    else if (argv[i] === '--cpu-prof') options.cpuProf = path.resolve(argv[++i]);
    else if (argv[i] === '--peer') options.peers.push(parsePeer(argv[++i] ?? ''));
    else throw new Error(`Unknown argument ${argv[i]}; use --duration S, --corpus DIR, --json, --cpu-prof DIR, --peer NAME=URLTEMPLATE`);
  }
  if (!(options.duration > 0)) throw new Error('--duration must be a positive number of seconds');
  return options;
}

function parsePeer(value: string): Peer {
  const match = /^([A-Za-z][A-Za-z0-9_-]*)=(https?:\/\/.+)$/.exec(value);
  if (!match) throw new Error(`--peer ${value}: expected NAME=URLTEMPLATE, for example imgproxy=http://127.0.0.1:8080/insecure/rs:fit:{width}:0/plain/{source}@{format}`);
  if (!match[2].includes('{width}') || !/\{(source|name)\}/.test(match[2])) throw new Error(`--peer ${match[1]}: the URL template needs {width} and {source} or {name}`);
  return { name: match[1], template: match[2] };
}

/** The corpus's JPEG photos, or generated photo-like JPEGs from 1 to 8 MP when there is no corpus. */
async function loadPhotos(corpus: string): Promise<{ photos: Photo[]; source: string }> {
  const files = fs.existsSync(corpus) ? fs.readdirSync(corpus).filter((f) => /\.jpe?g$/i.test(f)).sort() : [];
  if (files.length > 0) {
    const photos = await Promise.all(
      files.map(async (name) => {
        const body = fs.readFileSync(path.join(corpus, name));
        const meta = await sharp(body).metadata();
        return { name, body, pixels: meta.width! * meta.height! };
      }),
    );
    return { photos, source: `${files.length} JPEG photos from ${corpus}` };
  }
  const sizes: [number, number][] = [[1280, 800], [1600, 1200], [1920, 1080], [2560, 1600], [3000, 2000], [3840, 2160]];
  const photos = await Promise.all(
    sizes.map(async ([w, h], i) => ({ name: `generated-${w}x${h}.jpg`, body: await (await photoLike(w, h, i + 1)).jpeg({ quality: 90 }).toBuffer(), pixels: w * h })),
  );
  return { photos, source: `${photos.length} generated photo-like JPEGs (no corpus at ${corpus})` };
}

interface Pair {
  photo: Photo;
  width: number;
}

/**
 * Distinct work, the same for every contender of a workload. The widths are cut into groups of `lanes` neighbouring
 * widths; a round is one (photo, group): photos in turn, each photo's groups in a fixed shuffled order, each round
 * handed out once per run. The i-th request of each contender of a workload belongs to that workload's i-th round,
 * contender k taking the group's k-th width. So every contender decodes the same photos in the same order at widths
 * a few pixels apart (no contender draws easier photos than another), and no (photo, width) pair is asked twice,
 * whichever workload or server asks: no rendition, decoded original or libvips cache can serve a request.
 */
class DistinctWork {
  private readonly groups: number[][];
  private rounds = 0;

  constructor(
    private readonly photos: Photo[],
    readonly lanes: number,
  ) {
    const count = Math.floor((MAX_WIDTH - MIN_WIDTH + 1) / lanes);
    // mulberry32: the same order on every run, so runs compare.
    let seed = 18;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    this.groups = photos.map(() => {
      const order = Array.from({ length: count }, (_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      return order;
    });
  }

  private round(): { photo: Photo; base: number } {
    const r = this.rounds++;
    const index = r % this.photos.length;
    const group = this.groups[index][Math.floor(r / this.photos.length)];
    if (group === undefined) throw new Error(`all ${this.rounds - 1} rounds of distinct work were used: shorten --duration`);
    return { photo: this.photos[index], base: MIN_WIDTH + group * this.lanes };
  }

  /** A workload: `lane(k)` gives contender k its requests, one per round of the workload. */
  workload(): { lane(k: number): () => Pair } {
    const rounds: { photo: Photo; base: number }[] = [];
    return {
      lane: (k) => {
        if (k >= this.lanes) throw new Error(`more than ${this.lanes} contenders in one workload`);
        let i = 0;
        return () => {
          while (rounds.length <= i) rounds.push(this.round());
          const { photo, base } = rounds[i++];
          return { photo, width: base + k };
        };
      },
    };
  }
}

function startChild(command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      if (ready.test(output)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}): ${output.slice(-500)}`)));
  });
}

/** Runs `work` from `concurrency` loops for `seconds`; returns completed operations per second. */
async function closedLoop(seconds: number, concurrency: number, work: (i: number) => Promise<void>): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) await work(done++);
    }),
  );
  return done / seconds;
}

async function load(url: string, paths: string[], seconds: number, connections = CONNECTIONS, headers: Record<string, string> = {}): Promise<number> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    idReplacement: true,
    requests: paths.map((p) => ({ method: 'GET', path: p, headers })),
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}${paths[0]}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.total / seconds;
}

interface Answer {
  status: number;
  ms: number;
  retryAfter: boolean;
  serverTiming?: string;
}

/** One GET over a keep-alive agent, its body read and dropped. */
function get(agent: http.Agent, url: string, headers: Record<string, string>): Promise<Answer> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers }, (response) => {
        response.resume();
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            ms: performance.now() - start,
            retryAfter: response.headers['retry-after'] !== undefined,
            serverTiming: String(response.headers['server-timing'] ?? ''),
          }),
        );
      })
      .on('error', reject);
  });
}

interface Distinct {
  reqPerSec: number;
  answers: Answer[];
}

/**
 * Distinct work against one server: `concurrency` loops for `seconds`, each request a pair never asked for before.
 * Only 200 counts as done; any other answer fails the run unless `allowBusy` lets 503 with Retry-After through.
 */
async function distinctLoad(next: () => Pair, url: (photo: Photo, width: number) => string, seconds: number, concurrency: number, headers: Record<string, string>, allowBusy = false): Promise<Distinct> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const answers: Answer[] = [];
  try {
    await closedLoop(seconds, concurrency, async () => {
      const { photo, width } = next();
      const target = url(photo, width);
      const answer = await get(agent, target, headers);
      if (answer.status !== 200 && !(allowBusy && answer.status === 503)) throw new Error(`${target}: ${answer.status}`);
      answers.push(answer);
    });
  } finally {
    agent.destroy();
  }
  return { reqPerSec: answers.filter((a) => a.status === 200).length / seconds, answers };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Mean duration of each Server-Timing stage over the answers that report it. */
function stageMeans(prefix: string, answers: Answer[]): Record<string, number> {
  const sums = new Map<string, { total: number; count: number }>();
  for (const answer of answers) {
    for (const match of (answer.serverTiming ?? '').matchAll(/(\w+);dur=([\d.]+)/g)) {
      const sum = sums.get(match[1]) ?? { total: 0, count: 0 };
      sum.total += Number(match[2]);
      sum.count++;
      sums.set(match[1], sum);
    }
  }
  return Object.fromEntries([...sums].map(([stage, { total, count }]) => [`${prefix}${stage[0].toUpperCase()}${stage.slice(1)}Ms`, round(total / count, 1)]));
}

/** Peak resident set of a process since the last reset (Linux /proc; writing 5 to clear_refs resets it). */
function resetPeakRss(pid: number): void {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
}
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** CPU time a process has used so far, user and system, in milliseconds (Linux /proc, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** One server in a side-by-side distinct workload. */
interface Contender {
  /** Figures are named `<name>ReqPerSec`, `<name><Process>CpuMsPerReq`. */
  name: string;
  /** Processes whose CPU is counted: the server's own and Azurite's, which stands in for Azure Storage here and shares this machine's cores, unlike the real service. */
  pids: Record<string, number>;
  /** `next` hands out the contender's requests: its lane of the workload. */
  run(seconds: number, next: () => Pair): Promise<Distinct>;
}

/**
 * Runs the contenders in turn, `rounds` slices each, for `seconds` per contender in all, so that whatever else the
 * machine is doing meanwhile falls on all of them alike. Records requests per second and CPU per request.
 */
async function sideBySide(figures: Record<string, number>, work: DistinctWork, contenders: Contender[], seconds: number, rounds = 5): Promise<Map<string, Answer[]>> {
  const workload = work.workload();
  const lanes = new Map(contenders.map((c, k) => [c.name, workload.lane(k)]));
  const answers = new Map(contenders.map((c) => [c.name, [] as Answer[]]));
  const cpu = new Map(contenders.map((c) => [c.name, Object.fromEntries(Object.keys(c.pids).map((who) => [who, 0]))]));
  // From a slice's start to its last answer: requests still in flight when the slice ends count, and so does their time.
  const elapsed = new Map(contenders.map((c) => [c.name, 0]));
  for (let round = 0; round < rounds; round++) {
    for (const contender of contenders) {
      const before = Object.fromEntries(Object.entries(contender.pids).map(([who, pid]) => [who, cpuMs(pid)]));
      const start = performance.now();
      answers.get(contender.name)!.push(...(await contender.run(seconds / rounds, lanes.get(contender.name)!)).answers);
      elapsed.set(contender.name, elapsed.get(contender.name)! + (performance.now() - start) / 1000);
      for (const [who, pid] of Object.entries(contender.pids)) cpu.get(contender.name)![who] += cpuMs(pid) - before[who];
    }
  }
  for (const { name } of contenders) {
    const done = answers.get(name)!.filter((a) => a.status === 200).length;
    figures[`${name}ReqPerSec`] = done / elapsed.get(name)!;
    for (const [who, ms] of Object.entries(cpu.get(name)!)) figures[`${name}${who}CpuMsPerReq`] = round(ms / Math.max(1, done), 1);
  }
  return answers;
}

/** Runs `work` and records the peak resident set of `pid` while it ran as `<name>PeakRssMb`. */
async function withPeakRss<T>(figures: Record<string, number>, name: string, pid: number, work: () => Promise<T>): Promise<T> {
  resetPeakRss(pid);
  const result = await work();
  figures[`${name}PeakRssMb`] = round(peakRssMb(pid), 1);
  return result;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** The photos over plain HTTP on loopback, by file name: what peers given `{source}` fetch. */
async function photoServer(photos: Photo[]): Promise<{ url: string; close(): void }> {
  const byName = new Map(photos.map((p) => [`/${p.name}`, p.body]));
  const server = http.createServer((req, res) => {
    const body = byName.get(req.url ?? '');
    if (!body) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}

function peerUrl(peer: Peer, photoUrl: string, photo: Photo, width: number, format: 'jpeg' | 'webp'): string {
  return peer.template
    .replaceAll('{width}', String(width))
    .replaceAll('{format}', format)
    .replaceAll('{source}', `${photoUrl}/${photo.name}`)
    .replaceAll('{name}', encodeURIComponent(photo.name));
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const { photos, source } = await loadPhotos(options.corpus);
  const largest = photos.reduce((a, b) => (b.pixels > a.pixels ? b : a));
  const log = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  log(`Corpus: ${source}; distinct work: widths ${MIN_WIDTH}-${MAX_WIDTH} px, q${QUALITY}; reuse and hits: ${WIDTH} px; ${CONNECTIONS} requests in flight (${OVERLOAD_CONNECTIONS} for overload), ${options.duration} s per workload`);

  const azurite = await startEphemeralAzurite();
  const children: ChildProcess[] = [];
  const served = await photoServer(photos);
  try {
    const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const originals = blobs.getContainerClient('bench');
    // Public read lets ipx fetch the same blobs over plain HTTP.
    await originals.create({ access: 'blob' });
    for (const photo of photos) await originals.getBlockBlobClient(photo.name).uploadData(photo.body);
    const output = blobs.getContainerClient('bench-minimal');
    await output.create();

    const privateKey = `private_bench_${randomBytes(12).toString('hex')}`;
    const startApp = async (settings: Record<string, string>) => {
      const port = await freePort();
      // The app runs as deployed: infra/ sets MALLOC_ARENA_MAX=2 on the Function App.
      const env = { ...process.env, ...settings, STORAGE_CONNECTION_STRING: azurite.connectionString, PRIVATE_API_KEY: privateKey, PORT: String(port), HOST: '127.0.0.1', MALLOC_ARENA_MAX: '2' };
      const profile = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProf}`] : [];
      const child = await startChild(process.execPath, [...profile, path.join(root, 'dist', 'dev', 'main.js')], env, /listening on/);
      children.push(child);
      return { child, url: `http://127.0.0.1:${port}` };
    };
    // The instances share one configuration table: start them (each seeds the demo) before registering the origin.
    const { child: app, url: appUrl } = await startApp({});
    // The same app with no decoded originals kept: every request decodes, as for traffic that never repeats an original.
    const { child: appNoReuse, url: noReuseUrl } = await startApp({ DECODED_CACHE_MB: '0' });
    // The same app with ImageKit's chroma subsampling setting on: 4:2:0 JPEG, the output ipx makes.
    const { child: app420, url: app420Url } = await startApp({ JPEG_CHROMA_SUBSAMPLING: 'true' });
    await registerOrigin(appUrl, privateKey, azurite.blobEndpoint);

    const ipxPort = await freePort();
    const ipx = await startChild(process.execPath, [path.join(root, 'bench', 'ipx-server.mjs'), String(ipxPort)], process.env, /ready/);
    children.push(ipx);
    const ipxUrl = `http://127.0.0.1:${ipxPort}`;
    const ipxSource = (photo: Photo) => `${azurite.blobEndpoint}/bench/${photo.name}`;

    const figures: Record<string, number> = {};
    const d = options.duration;
    // One lane per contender of the JPEG workload: the minimal, three app instances, ipx and the peers.
    const work = new DistinctWork(photos, 5 + options.peers.length);
    const jpegPath = (photo: Photo, width: number) => `/tr:w-${width},q-${QUALITY},f-jpg/${photo.name}`;
    const autoPath = (photo: Photo, width: number) => `/tr:w-${width},q-${QUALITY}/${photo.name}`;

    const appPids = { App: app.pid!, Azurite: azurite.pid };
    const ipxPids = { Ipx: ipx.pid!, Azurite: azurite.pid };
    const distinct = (url: (photo: Photo, width: number) => string, headers: Record<string, string> = {}) => (seconds: number, next: () => Pair) => distinctLoad(next, url, seconds, CONNECTIONS, headers);
    // Peers run elsewhere: only Azurite's CPU is theirs to count here, and they do not read it.
    const peers = (format: 'jpeg' | 'webp', suffix: string): Contender[] =>
      options.peers.filter((peer) => format === 'jpeg' || peer.template.includes('{format}')).map((peer) => ({
        name: `${peer.name}Distinct${suffix}`,
        pids: {},
        run: distinct((p, w) => peerUrl(peer, served.url, p, w, format), format === 'webp' ? { accept: WEBP_ACCEPT } : {}),
      }));

    log('distinct JPEG, side by side: minimal (download, sharp resize, upload in-process), the app, ipx, peers; every request a new (photo, width) ...');
    const jpeg = await withPeakRss(figures, 'coldDistinct', app.pid!, () =>
      sideBySide(figures, work, [
        { name: 'minimalDistinct', pids: { Bench: process.pid, Azurite: azurite.pid }, run: (seconds, next) => minimal(originals, output, next, seconds) },
        { name: 'coldDistinct', pids: appPids, run: distinct((p, w) => `${appUrl}${jpegPath(p, w)}`) },
        // What keeping decoded originals (DECODED_CACHE_MB) costs traffic that never reuses them.
        { name: 'coldDistinctNoDecoded', pids: { App: appNoReuse.pid!, Azurite: azurite.pid }, run: distinct((p, w) => `${noReuseUrl}${jpegPath(p, w)}`) },
        { name: 'coldDistinct420', pids: { App: app420.pid!, Azurite: azurite.pid }, run: distinct((p, w) => `${app420Url}${jpegPath(p, w)}`) },
        { name: 'ipxDistinct', pids: ipxPids, run: distinct((p, w) => `${ipxUrl}/w_${w},q_${QUALITY},f_jpeg/${ipxSource(p)}`) },
        ...peers('jpeg', ''),
      ], d),
    );
    Object.assign(figures, stageMeans('coldDistinct', jpeg.get('coldDistinct')!));
    log('distinct WebP, side by side: the app by Accept, ipx f_webp, peers ...');
    await withPeakRss(figures, 'coldDistinctWebp', app.pid!, () =>
      sideBySide(figures, work, [
        { name: 'coldDistinctWebp', pids: appPids, run: distinct((p, w) => `${appUrl}${autoPath(p, w)}`, { accept: WEBP_ACCEPT }) },
        { name: 'ipxDistinctWebp', pids: ipxPids, run: distinct((p, w) => `${ipxUrl}/w_${w},q_${QUALITY},f_webp/${ipxSource(p)}`) },
        ...peers('webp', 'Webp'),
      ], d),
    );

    log(`overload: distinct JPEG with ${OVERLOAD_CONNECTIONS} requests in flight ...`);
    const overload = await withPeakRss(figures, 'overload', app.pid!, () => distinctLoad(work.workload().lane(0), (p, w) => `${appUrl}${jpegPath(p, w)}`, d, OVERLOAD_CONNECTIONS, {}, true));
    figures.overloadReqPerSec = overload.reqPerSec;
    figures.overloadP50Ms = round(percentile(overload.answers.map((a) => a.ms), 50), 0);
    figures.overloadP99Ms = round(percentile(overload.answers.map((a) => a.ms), 99), 0);
    figures.overload503WithRetryAfter = overload.answers.filter((a) => a.status === 503 && a.retryAfter).length;
    figures.overload503WithoutRetryAfter = overload.answers.filter((a) => a.status === 503 && !a.retryAfter).length;

    const reusePaths = photos.map((p) => `/tr:w-${WIDTH},q-${QUALITY},f-jpg/${p.name}?cold=[<id>]`);
    log('reuse: the same 14 originals again and again, each request a new rendition (cache-busting query) ...');
    figures.coldReuseReqPerSec = await withPeakRss(figures, 'coldReuse', app.pid!, () => load(appUrl, reusePaths, d));
    log('reuse without decoded reuse: the same, every request decoding its original ...');
    figures.coldReuseNoDecodedReqPerSec = await load(noReuseUrl, reusePaths, d);
    log('reuse: ipx on the same transforms ...');
    figures.ipxReuseReqPerSec = await load(ipxUrl, photos.map((p) => `/w_${WIDTH},q_${QUALITY},f_jpeg/${ipxSource(p)}`), d);

    log('hit: cached renditions against a static server ...');
    const hitPath = `/tr:w-${WIDTH},q-${QUALITY},f-jpg/${photos[0].name}`;
    const hitBody = Buffer.from(await (await fetch(`${appUrl}${hitPath}`)).arrayBuffer());
    figures.hitReqPerSec = await withPeakRss(figures, 'hit', app.pid!, () => load(appUrl, [hitPath], d));
    figures.staticReqPerSec = await staticServer(hitBody, (url) => load(url, ['/'], d));
    for (const peer of options.peers) {
      const url = new URL(peerUrl(peer, served.url, photos[0], WIDTH, 'jpeg'));
      figures[`${peer.name}HitReqPerSec`] = await load(url.origin, [`${url.pathname}${url.search}`], d);
    }

    // Without reuse, each of the 32 decodes the largest photo: the worst case for memory.
    log('memory: 32 concurrent cold requests on the largest photo ...');
    resetPeakRss(appNoReuse.pid!);
    const rss = await Promise.all(Array.from({ length: 32 }, (_, i) => fetch(`${noReuseUrl}/tr:w-${WIDTH}/${largest.name}?rss=${i}`).then((r) => r.arrayBuffer())));
    if (rss.length !== 32) throw new Error('memory workload incomplete');
    figures.peakRssMb = round(peakRssMb(appNoReuse.pid!), 1);

    // A fresh instance, so that its figures are these workloads' own; no decoded reuse, so no cache serves them.
    const { child: appMemory, url: memoryUrl } = await startApp({ DECODED_CACHE_MB: '0' });
    Object.assign(figures, await memoryWorkloads(appMemory.pid!, memoryUrl, originals, largest, log));

    log('coalescing: 50 identical concurrent cold requests ...');
    const identical = await Promise.all(Array.from({ length: 50 }, () => fetch(`${appUrl}/tr:w-${WIDTH - 1}/${photos[0].name}?coalesce=1`)));
    figures.coalescedTransforms = identical.filter((r) => /transform;dur/.test(r.headers.get('server-timing') ?? '')).length;

    log('avif: the app against sharp default AVIF settings ...');
    // Against the app without reuse, so that both sides decode every time and the ratio is the encoder settings'.
    const avif = await avifFigures(noReuseUrl, photos, d);
    Object.assign(figures, avif);

    figures.coldDistinctVsIpx = round(figures.coldDistinctReqPerSec / figures.ipxDistinctReqPerSec);
    figures.coldDistinct420VsIpx = round(figures.coldDistinct420ReqPerSec / figures.ipxDistinctReqPerSec);
    figures.coldDistinctWebpVsIpx = round(figures.coldDistinctWebpReqPerSec / figures.ipxDistinctWebpReqPerSec);
    figures.coldDistinctVsMinimal = round(figures.coldDistinctReqPerSec / figures.minimalDistinctReqPerSec);
    for (const peer of options.peers) {
      figures[`coldDistinctVs_${peer.name}`] = round(figures.coldDistinctReqPerSec / figures[`${peer.name}DistinctReqPerSec`]);
      if (figures[`${peer.name}DistinctWebpReqPerSec`] !== undefined) figures[`coldDistinctWebpVs_${peer.name}`] = round(figures.coldDistinctWebpReqPerSec / figures[`${peer.name}DistinctWebpReqPerSec`]);
      figures[`hitVs_${peer.name}`] = round(figures.hitReqPerSec / figures[`${peer.name}HitReqPerSec`]);
    }
    figures.coldReuseVsIpx = round(figures.coldReuseReqPerSec / figures.ipxReuseReqPerSec);
    figures.coldReuseNoDecodedVsIpx = round(figures.coldReuseNoDecodedReqPerSec / figures.ipxReuseReqPerSec);
    figures.hitVsStatic = round(figures.hitReqPerSec / figures.staticReqPerSec);
    for (const [key, value] of Object.entries(figures)) if (/PerSec$/.test(key)) figures[key] = round(value, 1);
    report(figures, options.json, log);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    served.close();
    await azurite.stop();
  }
}

async function registerOrigin(appUrl: string, privateKey: string, blobEndpoint: string): Promise<void> {
  const headers = { authorization: `Basic ${Buffer.from(`${privateKey}:`).toString('base64')}`, 'content-type': 'application/json' };
  const created = await fetch(`${appUrl}/v1/accounts/origins`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'AZURE_BLOB', name: 'bench', accountName: AZURITE_ACCOUNT, container: 'bench', sasToken: readOnlyContainerSas(AZURITE_ACCOUNT, AZURITE_KEY, 'bench'), endpoint: blobEndpoint }),
  });
  const origin = (await created.json()) as { id: string };
  const updated = await fetch(`${appUrl}/v1/accounts/url-endpoints/default`, { method: 'PUT', headers, body: JSON.stringify({ description: 'bench', origins: [origin.id] }) });
  if (!updated.ok) throw new Error(`registering the bench origin failed: ${updated.status} ${await updated.text()}`);
}

/**
 * Peak RSS of the app under the worst mixes for memory, one after the other, with the
 * answers' statuses: only 200, 400 ELIMIT and 503 are allowed. 100 MP PNGs of a few hundred kB each, served as they
 * are and transformed, and 64 concurrent cold requests on a 12 MP JPEG (the largest photo scaled up).
 */
async function memoryWorkloads(pid: number, appUrl: string, originals: ContainerClient, largest: Photo, log: (line: string) => void): Promise<Record<string, number>> {
  const pngs = await Promise.all(
    [0, 1, 2, 3].map((i) => sharp({ create: { width: 10000, height: 10000, channels: 3, background: { r: 40 * i, g: 90, b: 160 } } }).png({ compressionLevel: 9 }).toBuffer()),
  );
  for (const [i, png] of pngs.entries()) await originals.getBlockBlobClient(`huge-${i}.png`).uploadData(png);
  const photo = await sharp(largest.body).resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
  await originals.getBlockBlobClient('photo-12mp.jpg').uploadData(photo);

  const workloads: [string, string[]][] = [
    ['rss100MpPngUntransformed4', pngs.map((_, i) => `/huge-${i}.png`)],
    ['rss100MpPngResize4', pngs.map((_, i) => `/tr:w-${WIDTH}/huge-${i}.png`)],
    ['rss100MpPngBlur4', pngs.map((_, i) => `/tr:bl-100/huge-${i}.png`)],
    ['rss100MpPngPadResize4', pngs.map((_, i) => `/tr:w-100:cm-pad_resize,w-10000,h-10000/huge-${i}.png`)],
    ['rss12MpJpegCold64', Array.from({ length: 64 }, (_, i) => `/tr:w-${WIDTH + i}/photo-12mp.jpg`)],
  ];
  const figures: Record<string, number> = {};
  for (const [name, paths] of workloads) {
    log(`memory: ${name} ...`);
    resetPeakRss(pid);
    const statuses = await Promise.all(paths.map(async (p) => {
      const response = await fetch(`${appUrl}${p}`);
      await response.arrayBuffer();
      return response.status;
    }));
    figures[`${name}PeakRssMb`] = round(peakRssMb(pid), 1);
    for (const status of [200, 400, 503]) figures[`${name}Status${status}`] = statuses.filter((s) => s === status).length;
    figures[`${name}StatusOther`] = statuses.filter((s) => ![200, 400, 503].includes(s)).length;
  }
  return figures;
}

/** The floor: what the work costs with no HTTP server around it, on the same distinct pairs. */
async function minimal(originals: ContainerClient, output: ContainerClient, next: () => Pair, seconds: number): Promise<Distinct> {
  const answers: Answer[] = [];
  const reqPerSec = await closedLoop(seconds, CONNECTIONS, async () => {
    const start = performance.now();
    const { photo, width } = next();
    const original = await originals.getBlobClient(photo.name).downloadToBuffer();
    const rendition = await sharp(original).rotate().resize(width).jpeg({ quality: QUALITY, chromaSubsampling: '4:4:4' }).toBuffer();
    await output.getBlockBlobClient(`${photo.name}-${width}.jpg`).uploadData(rendition);
    answers.push({ status: 200, ms: performance.now() - start, retryAfter: false });
  });
  return { reqPerSec, answers };
}

async function staticServer(body: Buffer, run: (url: string) => Promise<number>): Promise<number> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await run(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
  } finally {
    server.close();
  }
}

async function avifFigures(appUrl: string, photos: Photo[], seconds: number): Promise<Record<string, number>> {
  const avifReqPerSec = await load(appUrl, photos.map((p) => `/tr:w-${WIDTH},q-${QUALITY},f-avif/${p.name}?avif=[<id>]`), seconds);
  const sharpDefaultAvifOpsPerSec = await closedLoop(seconds, CONNECTIONS, async (i) => {
    await sharp(photos[i % photos.length].body).rotate().resize(WIDTH).avif({ quality: QUALITY }).toBuffer();
  });
  let appBytes = 0;
  let defaultBytes = 0;
  for (const photo of photos) {
    appBytes += (await (await fetch(`${appUrl}/tr:w-${WIDTH},q-${QUALITY},f-avif/${photo.name}?size=1`)).arrayBuffer()).byteLength;
    defaultBytes += (await sharp(photo.body).rotate().resize(WIDTH).avif({ quality: QUALITY }).toBuffer()).length;
  }
  return {
    avifReqPerSec,
    sharpDefaultAvifOpsPerSec,
    avifVsSharpDefault: round(avifReqPerSec / sharpDefaultAvifOpsPerSec),
    avifSizeVsSharpDefault: round(appBytes / defaultBytes, 3),
  };
}

type Target = [string, (v: number) => boolean, string];

const targets: Target[] = [
  ['coldDistinctVsIpx', (v) => v >= 1.15, '>= 1.15'],
  ['coldDistinctWebpVsIpx', (v) => v >= 1.15, '>= 1.15'],
  ['coldDistinctVsMinimal', (v) => v >= 0.85, '>= 0.85'],
  ['hitVsStatic', (v) => v >= 0.8, '>= 0.8'],
  // Queued requests wait at most QUEUE_TIMEOUT_MS (5 s by default) before a 503; the rest is one transform.
  ['overloadP99Ms', (v) => v <= 6000, '<= 6000'],
  ['overload503WithoutRetryAfter', (v) => v === 0, '== 0'],
  ...['coldDistinct', 'coldDistinctWebp', 'overload', 'coldReuse', 'hit'].map((name): Target => [`${name}PeakRssMb`, (v) => v <= 1024, '<= 1024']),
  ['peakRssMb', (v) => v <= 512, '<= 512'],
  ...['rss100MpPngUntransformed4', 'rss100MpPngResize4', 'rss100MpPngBlur4', 'rss100MpPngPadResize4', 'rss12MpJpegCold64'].flatMap((name): Target[] => [
    [`${name}PeakRssMb`, (v) => v <= 1024, '<= 1024'],
    [`${name}StatusOther`, (v) => v === 0, '== 0'],
  ]),
  ['coalescedTransforms', (v) => v === 1, '== 1'],
  ['avifVsSharpDefault', (v) => v >= 2, '>= 2'],
  ['avifSizeVsSharpDefault', (v) => v <= 1.1, '<= 1.1'],
];

function report(figures: Record<string, number>, json: boolean, log: (line: string) => void): void {
  log('');
  for (const [name, value] of Object.entries(figures)) {
    const target = targets.find(([key]) => key === name);
    log(`${name.padEnd(34)} ${String(value).padStart(10)}${target ? `   target ${target[2]}: ${target[1](value) ? 'met' : 'NOT met'}` : ''}`);
  }
  if (json) process.stdout.write(`${JSON.stringify({ ...figures, machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`, node: process.version })}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
