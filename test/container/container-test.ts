/**
 * `npm run test:container`: builds the repository's Dockerfile, unchanged, and runs the image it makes.
 *
 * These machines have no Docker daemon and cannot pull images, and the sandbox refuses the rlimits that
 * a container runtime sets (`podman run` fails in crun's setrlimit). So, with Debian's packages:
 * 1. a stand-in for the Dockerfile's base image: Debian bookworm (mmdebstrap, minbase like Debian's
 *    slim images) with this machine's Node.js laid out as the official node image lays it out
 *    (/usr/local/bin/node, npm, the headers in /usr/local/include/node, user `node` uid 1000), and this
 *    machine's certificate authorities (NODE_EXTRA_CA_CERTS) so the build's npm reaches the registry;
 *    `podman import` tags it with the exact name the Dockerfile's FROM names;
 * 2. `buildah build --isolation chroot` builds the Dockerfile (no cache, so the time is a cold build);
 * 3. the image is run the way a container runtime would run it, from the image's own configuration
 *    (entrypoint, command, user, working directory, environment, volume): its root filesystem mounted
 *    read-only, a tmpfs on /tmp, a host directory on the volume, in a PID namespace of its own so the
 *    service is PID 1 — with `unshare` and `chroot`, since `buildah run` neither gives a PID namespace
 *    nor forwards SIGTERM. The network is the host's: the service listens on 127.0.0.1 only.
 *
 * It prints one line per check, the timings, and `container: N passed, M failed`. It is skipped, with a
 * message, only where podman, buildah or mmdebstrap cannot be installed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { buildEvent, sign } from 'persona-webhooks/testing';
import pg from 'pg';
import { freePort } from '../helpers/free-port.js';
import { kycScenario } from '../helpers/kyc-scenario.js';
import { deliverLikePersona } from '../helpers/persona-sender.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (
  JSON.parse(readFileSync(join(REPO, 'packages/server/package.json'), 'utf8')) as { version: string }
).version;
/** The name the deploy guide builds, compose.yaml and the Kubernetes manifests run. */
const IMAGE = `localhost/persona-webhooks:${VERSION}`;
const SECRET = 'wbhsec_container_test_0123456789';
const ADMIN_TOKEN = 'container-test-admin-token-0123';
/** The issue's budget: the image is at most this much larger than its base. */
const MAX_GROWTH_BYTES = 120 * 1000 * 1000;
const COMPILERS = ['gcc', 'g++', 'cc', 'c++', 'make', 'python3'];

const started = Date.now();
const timings: Array<[string, number]> = [];
let passed = 0;
let failed = 0;
let skipped = false;

function check(name: string, ok: boolean, detail = ''): void {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${detail ? ` (${detail})` : ''}`);
}

async function timed<T>(label: string, work: () => Promise<T> | T): Promise<T> {
  const t0 = Date.now();
  try {
    return await work();
  } finally {
    const ms = Date.now() - t0;
    timings.push([label, ms]);
    console.log(`# ${label}: ${(ms / 1000).toFixed(1)} s`);
  }
}

/** Runs a command to completion; throws with the tail of its output when it fails. */
function run(
  command: string,
  args: string[],
  options: { log?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: options.env ?? process.env,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (options.log) writeFileSync(options.log, output);
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const tail = output.split('\n').slice(-40).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${tail}`);
  }
  return result.stdout;
}

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

function ensureTools(): string | null {
  const tools = ['podman', 'buildah', 'mmdebstrap', 'unshare', 'chroot'];
  if (tools.every(has)) return null;
  if (process.getuid?.() !== 0)
    return 'podman, buildah or mmdebstrap is missing and installing them needs root';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8', env });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', 'podman', 'buildah', 'mmdebstrap'], {
    encoding: 'utf8',
    env,
  });
  if (update.status !== 0 || install.status !== 0 || !tools.every(has)) {
    return `apt-get could not install podman, buildah and mmdebstrap: ${(install.stderr || update.stderr || '').trim().slice(-400)}`;
  }
  return null;
}

/** The base the Dockerfile's stages start FROM (its NODE_IMAGE default). */
function dockerfileBase(): string {
  const match = /^ARG NODE_IMAGE=(\S+)$/m.exec(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));
  if (!match?.[1]) throw new Error('the Dockerfile has no `ARG NODE_IMAGE=<image>` line');
  return match[1];
}

/** A docker.io short name as podman stores it: node:20 → docker.io/library/node:20. */
function qualified(image: string): string {
  const first = image.split('/')[0] ?? '';
  if (!image.includes('/')) return `docker.io/library/${image}`;
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return `docker.io/${image}`;
  return image;
}

function buildStandInBase(base: string, work: string): void {
  // This machine's Node.js: the binary, npm and corepack, and the headers node-gyp builds against.
  const prefix = dirname(dirname(realpathSync(process.execPath)));
  const npmDir = join(prefix, 'lib/node_modules/npm');
  const includeDir = join(prefix, 'include/node');
  for (const path of [npmDir, includeDir]) if (!existsSync(path)) throw new Error(`missing ${path}`);
  const corepack = join(prefix, 'lib/node_modules/corepack');
  const ca = process.env['NODE_EXTRA_CA_CERTS'];
  const hook = join(work, 'stand-in-hook.sh');
  writeFileSync(
    hook,
    [
      'set -eu',
      'root="$1"',
      'mkdir -p "$root/usr/local/bin" "$root/usr/local/lib/node_modules" "$root/usr/local/include"',
      `cp ${JSON.stringify(realpathSync(process.execPath))} "$root/usr/local/bin/node"`,
      `cp -a ${JSON.stringify(npmDir)} "$root/usr/local/lib/node_modules/npm"`,
      existsSync(corepack)
        ? `cp -a ${JSON.stringify(corepack)} "$root/usr/local/lib/node_modules/corepack"`
        : 'true',
      `cp -a ${JSON.stringify(includeDir)} "$root/usr/local/include/node"`,
      'ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"',
      'ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"',
      'chroot "$root" groupadd --gid 1000 node',
      'chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node',
      ca && existsSync(ca)
        ? `mkdir -p "$root${dirname(ca)}" && cp ${JSON.stringify(ca)} "$root${ca}"`
        : 'true',
    ].join('\n'),
  );
  const tar = join(work, 'stand-in.tar');
  run(
    'mmdebstrap',
    [
      '--variant=minbase',
      '--format=tar',
      // This machine's Debian mirror serves a dated snapshot.
      '--aptopt=Acquire::Check-Valid-Until "false"',
      '--aptopt=Acquire::Check-Date "false"',
      `--customize-hook=sh ${hook} "$1"`,
      'bookworm',
      tar,
      'deb http://deb.debian.org/debian bookworm main',
      'deb http://deb.debian.org/debian bookworm-updates main',
      'deb http://deb.debian.org/debian-security bookworm-security main',
    ],
    { log: join(work, 'mmdebstrap.log') },
  );
  const changes = [`ENV NODE_VERSION=${process.versions.node}`, 'CMD ["node"]'];
  if (ca && existsSync(ca)) changes.push(`ENV NODE_EXTRA_CA_CERTS=${ca}`);
  run('podman', ['import', ...changes.flatMap((change) => ['--change', change]), tar, qualified(base)]);
  rmSync(tar);
}

interface ImageConfig {
  User?: string;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[];
  WorkingDir?: string;
  ExposedPorts?: Record<string, unknown>;
  Volumes?: Record<string, unknown>;
  StopSignal?: string;
  Labels?: Record<string, string>;
  Healthcheck?: { Test?: string[] };
}

function imageConfig(image: string): ImageConfig {
  const inspected = JSON.parse(run('buildah', ['inspect', '--type', 'image', image])) as {
    Docker: { config: ImageConfig };
  };
  return inspected.Docker.config;
}

const imageSize = (image: string) =>
  Number(run('podman', ['image', 'inspect', '--format', '{{.Size}}', image]).trim());

/** A working container of the image: its root filesystem, mounted on the host. */
function mountImage(image: string): { container: string; rootfs: string } {
  const container = run('buildah', ['from', '--pull-never', image]).trim();
  const rootfs = run('buildah', ['mount', container]).trim();
  return { container, rootfs };
}

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
  /** Host pid of the container's PID 1. */
  pid1: () => number | undefined;
}

// Mounts what a runtime mounts, then becomes the image's process: PID 1 of a fresh PID namespace,
// its user, its working directory, only its environment.
const RUNNER = `set -eu
root="$1"; data="$2"; volume="$3"; shift 3
mount --bind "$root" "$root"
mount -o remount,bind,ro "$root"
mount --bind "$data" "$root$volume"
mount -t tmpfs -o size=64m,mode=1777,nosuid,nodev tmpfs "$root/tmp"
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t tmpfs -o size=1m,mode=755,nosuid tmpfs "$root/dev"
for device in null zero random urandom; do
  touch "$root/dev/$device"
  mount --bind "/dev/$device" "$root/dev/$device"
done
exec chroot --userspec="$RUN_AS" "$root" /usr/bin/env -i -C "$RUN_IN" "$@"
`;

function startContainer(
  rootfs: string,
  config: ImageConfig,
  dataDir: string,
  env: Record<string, string>,
  /** Another command in the image, as `docker exec` runs one; default its entrypoint and command. */
  command?: string[],
): Running {
  const volume = Object.keys(config.Volumes ?? {})[0] ?? '/data';
  const argv = command ?? [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  const environment = [
    ...(config.Env ?? []),
    ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
  ];
  const child = spawn(
    'unshare',
    [
      '--mount',
      '--pid',
      '--fork',
      '--propagation',
      'private',
      'sh',
      '-c',
      RUNNER,
      'runner',
      rootfs,
      dataDir,
      volume,
      ...environment,
      ...argv,
    ],
    {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        RUN_AS: config.User || '0',
        RUN_IN: config.WorkingDir || '/',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const pid1 = () => {
    try {
      const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
      return children ? Number(children.split(/\s+/)[0]) : undefined;
    } catch {
      return undefined;
    }
  };
  return { child, url: `http://127.0.0.1:${env['PORT']}`, output: () => output, exited, pid1 };
}

async function waitReady(service: Running, timeoutMs = 30_000): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (service.child.exitCode !== null)
      throw new Error(`the container exited:\n${service.output().slice(-3000)}`);
    try {
      if ((await fetch(`${service.url}/readyz`)).status === 200) return Date.now() - t0;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`/readyz not 200 after ${timeoutMs} ms:\n${service.output().slice(-3000)}`);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const adminGet = (url: string, path: string) =>
  fetch(`${url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

async function decisionOf(
  url: string,
  referenceId: string,
  want: string,
  timeoutMs = 15_000,
): Promise<string> {
  const t0 = Date.now();
  let decision = '';
  while (Date.now() - t0 < timeoutMs) {
    const response = await adminGet(url, `/api/kyc/${referenceId}`);
    if (response.ok) decision = ((await response.json()) as { decision: string }).decision;
    if (decision === want) return decision;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return decision || 'none';
}

/** The process's peak resident memory (VmHWM), MB. */
function peakMb(pid: number | undefined): string {
  if (!pid) return '?';
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb ? (Number(kb) / 1024).toFixed(0) : '?';
}

/** Runs the image's HEALTHCHECK command inside the image, the way a runtime does (host network). */
function healthcheck(container: string, config: ImageConfig, port: number): number | null {
  const test = config.Healthcheck?.Test ?? [];
  const argv = test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', test[1] ?? 'false'] : test.slice(1);
  const result = spawnSync(
    'buildah',
    ['run', '--isolation', 'chroot', '--env', `PORT=${port}`, container, '--', ...argv],
    { encoding: 'utf8' },
  );
  return result.status;
}

/** What the deploy guide runs for an online backup of the SQLite volume. */
const BACKUP_SCRIPT =
  "require('better-sqlite3')('/data/persona-webhooks.db', { fileMustExist: true }).backup('/data/backup.db').then((p) => console.log('backed up', p.totalPages, 'pages'), (e) => { console.error(e.message); process.exit(1); })";

const POSTGRES_URL = process.env['PERSONA_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Two containers of the image on one PostgreSQL schema, started together: one applies the migrations
 * under the advisory lock while the other waits; an event sent to one is decided and read from the other.
 */
async function postgresReplicas(config: ImageConfig, work: string, containers: string[], running: Running[]) {
  const admin = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch (error) {
    const message = `PostgreSQL at ${POSTGRES_URL} is unreachable (${error instanceof Error ? error.message : error})`;
    if (process.env['CI'] === 'true') check('two replicas on PostgreSQL', false, message);
    else console.log(`# skipped: two replicas on PostgreSQL: ${message}`);
    return;
  }
  const schema = `pw_container_${randomBytes(4).toString('hex')}`;
  try {
    const replicas: Running[] = [];
    for (const name of ['a', 'b']) {
      const volume = join(work, `volume-${name}`);
      mkdirSync(volume);
      const mounted = mountImage(IMAGE);
      containers.push(mounted.container);
      const env = {
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        PERSONA_WEBHOOK_SECRET: SECRET,
        ADMIN_TOKEN,
        DATABASE_URL: POSTGRES_URL,
        PERSONA_WEBHOOKS_PG_SCHEMA: schema,
      };
      replicas.push(startContainer(mounted.rootfs, config, volume, env));
    }
    running.push(...replicas);
    const [a, b] = replicas as [Running, Running];
    const ready = await Promise.all(replicas.map((replica) => waitReady(replica)));
    console.log(
      `# start-up of two replicas started together on an empty PostgreSQL schema: ${ready.join(' ms and ')} ms`,
    );
    timings.push(['start-up, two PostgreSQL replicas at once', Math.max(...ready)]);
    const event = buildEvent({ name: 'inquiry.declined', referenceId: 'container-pg-user' });
    const answer = await fetch(`${a.url}/webhooks/persona`, {
      method: 'POST',
      body: event.body,
      headers: {
        'content-type': 'application/json',
        'persona-signature': sign({ secret: SECRET, body: event.body }),
      },
    });
    const decided = await decisionOf(b.url, 'container-pg-user', 'declined');
    check(
      'two replicas started together on PostgreSQL: sent to one, decided and read on the other',
      answer.status === 200 && decided === 'declined',
      `${answer.status}; decision ${decided}`,
    );
    console.log(
      `# peak memory (VmHWM) of the PostgreSQL replicas: ${peakMb(a.pid1())} MB and ${peakMb(b.pid1())} MB`,
    );
    for (const replica of replicas) {
      const target = replica.pid1();
      if (target) process.kill(target, 'SIGTERM');
    }
    const codes = await withTimeout(
      Promise.all(replicas.map((replica) => replica.exited)),
      30_000,
      'replicas exit',
    );
    check(
      'both replicas exit 0 on SIGTERM',
      codes.every((code) => code === 0),
      codes.join(', '),
    );
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end();
  }
}

async function main(): Promise<number> {
  const skip = await timed('install podman, buildah, mmdebstrap (when missing)', ensureTools);
  if (skip) {
    console.log(`container test SKIPPED: ${skip}`);
    skipped = true;
    return 0;
  }
  const base = dockerfileBase();
  const baseVersion = /^node:(\d+\.\d+\.\d+)/.exec(base)?.[1];
  if (baseVersion && baseVersion !== process.versions.node) {
    console.log(
      `# WARNING: the Dockerfile pins ${base} but this machine runs Node.js ${process.versions.node}: the stand-in is this machine's Node.js under that name; update the pin`,
    );
  }
  const work = mkdtempSync(join(tmpdir(), 'pw-container-'));
  const containers: string[] = [];
  const running: Running[] = [];
  try {
    await timed(
      `stand-in base ${base} (mmdebstrap + this machine's Node.js ${process.version}, podman import)`,
      () => buildStandInBase(base, work),
    );
    const buildLog = join(work, 'build.log');
    try {
      await timed('docker build of the unchanged Dockerfile (buildah, chroot isolation, no cache)', () =>
        run(
          'buildah',
          [
            'build',
            '--isolation',
            'chroot',
            '--format',
            'docker',
            '--pull=never',
            '--no-cache',
            '-t',
            IMAGE,
            '-f',
            join(REPO, 'Dockerfile'),
            REPO,
          ],
          { log: buildLog },
        ),
      );
    } finally {
      if (existsSync(buildLog)) console.log(`# build log: ${buildLog}`);
    }

    // The image's configuration.
    const config = imageConfig(IMAGE);
    const [uid = ''] = (config.User ?? '').split(':');
    check('runs as a non-root user', uid !== '' && uid !== '0' && uid !== 'root', `USER ${config.User}`);
    check(
      'entrypoint is node itself, exec form (node is PID 1)',
      config.Entrypoint?.[0] === 'node' &&
        config.Entrypoint.some((arg) => arg.endsWith('persona-webhooks.js')),
      JSON.stringify(config.Entrypoint),
    );
    check('STOPSIGNAL SIGTERM', config.StopSignal === 'SIGTERM');
    check(
      'HEALTHCHECK asks /healthz',
      (config.Healthcheck?.Test ?? []).join(' ').includes('/healthz'),
      JSON.stringify(config.Healthcheck?.Test),
    );
    check('EXPOSE 3000', Object.keys(config.ExposedPorts ?? {}).includes('3000/tcp'));
    check('VOLUME /data', Object.keys(config.Volumes ?? {}).includes('/data'));
    check(
      'default DATABASE_URL is on the volume',
      (config.Env ?? []).includes('DATABASE_URL=sqlite:/data/persona-webhooks.db'),
    );
    const labels = config.Labels ?? {};
    check(
      'OCI labels',
      labels['org.opencontainers.image.title'] === 'persona-webhooks' &&
        labels['org.opencontainers.image.version'] === VERSION &&
        labels['org.opencontainers.image.licenses'] === 'MIT',
      `title ${labels['org.opencontainers.image.title']}, version ${labels['org.opencontainers.image.version']}`,
    );
    const size = imageSize(IMAGE);
    const baseSize = imageSize(qualified(base));
    console.log(
      `# image size: ${(size / 1e6).toFixed(1)} MB; base (stand-in) ${(baseSize / 1e6).toFixed(1)} MB; added ${((size - baseSize) / 1e6).toFixed(1)} MB (podman image inspect --format {{.Size}})`,
    );
    check(
      'image within 120 MB of its base',
      size - baseSize <= MAX_GROWTH_BYTES,
      `+${((size - baseSize) / 1e6).toFixed(1)} MB`,
    );

    // The runtime stage's files.
    const first = mountImage(IMAGE);
    containers.push(first.container);
    const rootPackage = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const presentDev = Object.keys(rootPackage.devDependencies).filter((name) =>
      existsSync(join(first.rootfs, 'app/node_modules', name)),
    );
    const hiddenLock = JSON.parse(
      readFileSync(join(first.rootfs, 'app/node_modules/.package-lock.json'), 'utf8'),
    ) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devEntries = Object.entries(hiddenLock.packages).filter(([, entry]) => entry.dev);
    check(
      'no dev dependency in the runtime stage',
      presentDev.length === 0 && devEntries.length === 0,
      presentDev.length + devEntries.length === 0
        ? `${Object.keys(hiddenLock.packages).length} production packages`
        : [...presentDev, ...devEntries.map(([path]) => path)].slice(0, 5).join(', '),
    );
    const compilers = COMPILERS.filter((tool) =>
      ['usr/bin', 'usr/local/bin', 'bin'].some((dir) => existsSync(join(first.rootfs, dir, tool))),
    );
    check(
      'no compiler or build tool in the runtime stage',
      compilers.length === 0,
      compilers.join(', ') || COMPILERS.join(', ') + ' absent',
    );
    check(
      "better-sqlite3's native module is there",
      existsSync(join(first.rootfs, 'app/node_modules/better-sqlite3/build/Release/better_sqlite3.node')),
    );

    // Run 1: start, a signed event, the healthcheck, then SIGTERM during a burst.
    const dataDir = join(work, 'volume');
    mkdirSync(dataDir);
    const [volumeUid = '1000', volumeGid = volumeUid] = (config.User ?? '1000').split(':');
    chownSync(dataDir, Number(volumeUid), Number(volumeGid));
    const port = await freePort();
    const env = { PORT: String(port), HOST: '127.0.0.1', PERSONA_WEBHOOK_SECRET: SECRET, ADMIN_TOKEN };
    const one = startContainer(first.rootfs, config, dataDir, env);
    running.push(one);
    const startup1 = await waitReady(one);
    console.log(
      `# start-up, container start to /readyz 200 (empty volume: creates and migrates the database): ${startup1} ms`,
    );
    timings.push(['start-up, empty volume', startup1]);
    check('/readyz answers 200', true, `${startup1} ms after start`);
    check('/healthz answers 200', (await fetch(`${one.url}/healthz`)).status === 200);

    const pid = one.pid1();
    const status = pid ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
    const hostUid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    const nsPid = /^NSpid:\s+.*\s(\d+)$/m.exec(status)?.[1];
    const cmdline = pid ? readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ') : '';
    check('the process does not run as root', hostUid !== undefined && hostUid !== '0', `uid ${hostUid}`);
    check(
      'the service is PID 1 of its container',
      nsPid === '1' && cmdline.includes('persona-webhooks.js'),
      `pid ${nsPid}: ${cmdline.trim()}`,
    );
    check(
      'the image HEALTHCHECK command passes against the running service',
      healthcheck(first.container, config, port) === 0,
    );

    const event = buildEvent({ name: 'inquiry.approved', referenceId: 'container-user-1' });
    const answer = await fetch(`${one.url}/webhooks/persona`, {
      method: 'POST',
      body: event.body,
      headers: {
        'content-type': 'application/json',
        'persona-signature': sign({ secret: SECRET, body: event.body }),
      },
    });
    check('a signed event is answered 200', answer.status === 200, `${answer.status} ${await answer.text()}`);
    const decided = await decisionOf(one.url, 'container-user-1', 'approved');
    check('and decided (GET /api/kyc)', decided === 'approved', `decision ${decided}`);
    const forged = await fetch(`${one.url}/webhooks/persona`, {
      method: 'POST',
      body: event.body,
      headers: {
        'content-type': 'application/json',
        'persona-signature': sign({ secret: 'wbhsec_wrong', body: event.body }),
      },
    });
    check('a wrongly signed event is refused 401', forged.status === 401);

    const { deliveries } = kycScenario(50, { prefix: 'drain' });
    let signalledAt = 0;
    let peakAtSignal = '?';
    const results = await deliverLikePersona(deliveries, {
      urls: `${one.url}/webhooks/persona`,
      secret: SECRET,
      concurrency: 16,
      maxAttempts: 1,
      deadlineMs: 60_000,
      onAcknowledged: (_id, count) => {
        const target = one.pid1();
        if (count === 60 && !signalledAt && target) {
          signalledAt = Date.now();
          peakAtSignal = peakMb(target);
          process.kill(target, 'SIGTERM'); // what `docker stop` sends the container's PID 1
        }
      },
    });
    const code1 = await withTimeout(one.exited, 30_000, 'exit after SIGTERM');
    const stopMs = Date.now() - signalledAt;
    const acknowledged = results.filter((result) => result.acknowledged).map((result) => result.eventId);
    check(
      'SIGTERM during a burst: drains and exits 0',
      signalledAt > 0 && code1 === 0 && one.output().includes('"msg":"stopped"'),
      `exit ${code1} ${stopMs} ms after SIGTERM; ${acknowledged.length} of ${deliveries.length} acknowledged`,
    );
    check('the healthcheck fails once the service is gone', healthcheck(first.container, config, port) !== 0);
    console.log(
      `# peak memory (VmHWM) of the SQLite container at SIGTERM, after 60 acknowledged events (16 at once): ${peakAtSignal} MB`,
    );
    const files = readdirSync(dataDir);
    check('the database is in the volume', files.includes('persona-webhooks.db'), files.join(', '));

    // Run 2: a new container of the image on the same volume.
    const second = mountImage(IMAGE);
    containers.push(second.container);
    const two = startContainer(second.rootfs, config, dataDir, env);
    running.push(two);
    const startup2 = await waitReady(two);
    console.log(`# start-up, container start to /readyz 200 (existing database): ${startup2} ms`);
    timings.push(['start-up, existing database', startup2]);
    const after = await decisionOf(two.url, 'container-user-1', 'approved');
    let missing = 0;
    for (const id of acknowledged)
      if ((await adminGet(two.url, `/api/events/${id}`)).status !== 200) missing++;
    check(
      'a new container on the same volume keeps the data',
      after === 'approved' && missing === 0,
      `decision ${after}; ${acknowledged.length - missing} of ${acknowledged.length} acknowledged events found`,
    );

    // The deploy guide's online backup: better-sqlite3's backup API, run by the image's node next to the
    // running service (docker exec), into the volume.
    const backup = startContainer(second.rootfs, config, dataDir, {}, ['node', '-e', BACKUP_SCRIPT]);
    const backupCode = await withTimeout(backup.exited, 30_000, 'backup');
    let backedUp = -1;
    if (backupCode === 0) {
      const copy = new Database(join(dataDir, 'backup.db'), { readonly: true });
      backedUp = (copy.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
      copy.close();
    }
    check(
      "an online backup of the running SQLite service, with the image's node",
      backupCode === 0 && backedUp >= acknowledged.length + 1,
      `exit ${backupCode}; ${backedUp} events in the copy, ${acknowledged.length + 1} acknowledged`,
    );
    const resolve = startContainer(second.rootfs, config, dataDir, {}, [
      'node',
      '--input-type=module',
      '-e',
      "import { defaultKycPolicy } from 'persona-webhooks-server'; process.exit(typeof defaultKycPolicy === 'function' ? 0 : 1);",
    ]);
    check(
      "a handlers module under /app imports 'persona-webhooks-server' (defaultKycPolicy)",
      (await withTimeout(resolve.exited, 30_000, 'import')) === 0,
      resolve.output().trim().slice(-300),
    );

    const t0 = Date.now();
    const target = two.pid1();
    if (target) process.kill(target, 'SIGTERM');
    const code2 = await withTimeout(two.exited, 30_000, 'exit after SIGTERM');
    check('SIGTERM when idle: exits 0', code2 === 0, `${Date.now() - t0} ms`);

    // Two replicas on PostgreSQL (as compose.yaml runs them), started at the same moment.
    await postgresReplicas(config, work, containers, running);
    return failed === 0 ? 0 : 1;
  } catch (error) {
    failed++;
    console.log(`not ok - ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    for (const service of running) {
      if (service.child.exitCode === null && service.child.signalCode === null) {
        const target = service.pid1();
        if (target) process.kill(target, 'SIGKILL');
        service.child.kill('SIGKILL');
      }
    }
    for (const container of containers) spawnSync('buildah', ['rm', container]);
    // Neither image stays: the stand-in must never pass for the real base on this machine.
    spawnSync('podman', ['rmi', '--force', IMAGE, qualified(dockerfileBase())]);
    // Kept when a check failed (the build log is there), or on request.
    if (failed === 0 && !process.env['KEEP_CONTAINER_WORK']) rmSync(work, { recursive: true, force: true });
    else console.log(`# kept ${work}`);
  }
}

const code = await main();
console.log('# timings:');
for (const [label, ms] of timings) console.log(`#   ${label}: ${(ms / 1000).toFixed(1)} s`);
console.log(`# total: ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (!skipped) console.log(`container: ${passed} passed, ${failed} failed`);
process.exit(code);
