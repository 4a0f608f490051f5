/**
 * The deployment files agree with the service: compose.yaml, .env.example, the Kubernetes manifests and
 * the Dockerfile set only settings the service reads (its own list, `SETTINGS`), .env.example lists every
 * one of them, probes and the HEALTHCHECK ask paths the running service answers 200, ports agree, and
 * every file names the image the deploy guide builds. The image itself is built and run by
 * `npm run test:container`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig, SETTINGS } from '../../packages/server/src/server/config/service-config.js';
import { createLogger } from '../../packages/server/src/server/observability/logger.js';
import { type RunningService, startService } from '../../packages/server/src/server/service.js';
import { REPO_ROOT } from '../helpers/service-process.js';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const KNOWN = new Set<string>(SETTINGS);
const VERSION = (JSON.parse(read('packages/server/package.json')) as { version: string }).version;
/** The name the deploy guide builds and every deployment file runs. */
const IMAGE = `persona-webhooks:${VERSION}`;
/** Set by compose.yaml for PostgreSQL, never read by the service. */
const COMPOSE_ONLY = new Set(['POSTGRES_PASSWORD']);

type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
};
type Probe = { httpGet?: { path: string; port: string | number } };
type Container = {
  name: string;
  image: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: EnvVar[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};
type Manifest = {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
};
type ComposeService = {
  image?: string;
  environment?: Record<string, string>;
  env_file?: string | string[];
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  read_only?: boolean;
  tmpfs?: string[];
  healthcheck?: unknown;
  volumes?: string[];
};

const compose = parse(read('compose.yaml'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const manifests: Manifest[] = readdirSync(join(REPO_ROOT, 'deploy/kubernetes'))
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(read(`deploy/kubernetes/${file}`)).map((doc) => doc.toJS() as Manifest),
  );
const byKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const deployment = byKind('Deployment')[0]!;
const podSpec = (deployment.spec['template'] as { spec: Record<string, unknown> }).spec;
const container = (podSpec['containers'] as Container[])[0]!;
const dockerfile = read('Dockerfile');
const ourServices = Object.entries(compose.services).filter(([, service]) =>
  service.image?.startsWith('persona-webhooks'),
);

/** Probe paths, HEALTHCHECK path, and the port the service listens on in the image. */
const exposed = Number(/^EXPOSE (\d+)$/m.exec(dockerfile)?.[1]);
const healthcheckPath = /^HEALTHCHECK[\s\S]*?(\/[a-z]+)'/m.exec(dockerfile)?.[1];

let service: RunningService;
const dir = mkdtempSync(join(tmpdir(), 'pw-deploy-'));
beforeAll(async () => {
  service = await startService(
    loadConfig({
      PERSONA_WEBHOOK_SECRET: 'wbhsec_deploy_files_test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      PERSONA_RECONCILE_INTERVAL_SECONDS: '0',
    }),
    createLogger({ level: 'silent' }),
  );
});
afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('compose.yaml', () => {
  it('runs two replicas of the image the deploy guide builds, and PostgreSQL', () => {
    expect(ourServices.length).toBe(2);
    for (const [name, spec] of ourServices) expect(spec.image, name).toBe(IMAGE);
    expect(compose.services['postgres']?.image).toMatch(/^postgres:/);
  });

  it('sets only settings the service reads', () => {
    for (const [name, spec] of ourServices) {
      const unknown = Object.keys(spec.environment ?? {}).filter((key) => !KNOWN.has(key));
      expect(unknown, name).toEqual([]);
      expect(spec.env_file, name).toBe('.env');
    }
  });

  it('points the replicas at its PostgreSQL, listening on the port the image exposes', () => {
    for (const [name, spec] of ourServices) {
      expect(spec.environment?.['DATABASE_URL'], name).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
      expect(Number(spec.environment?.['PORT']), name).toBe(exposed);
      expect(
        spec.ports?.every((port) => port.endsWith(`:${exposed}`)),
        name,
      ).toBe(true);
    }
  });

  it('starts the replicas once PostgreSQL is healthy; its data on a named volume', () => {
    expect(compose.services['postgres']?.healthcheck).toBeDefined();
    for (const [name, spec] of ourServices) {
      expect(spec.depends_on?.['postgres']?.condition, name).toBe('service_healthy');
      expect(spec.read_only, name).toBe(true);
      expect(spec.tmpfs, name).toContain('/tmp');
    }
    const [volume] = (compose.services['postgres']?.volumes ?? [''])[0]!.split(':');
    expect(Object.keys(compose.volumes)).toContain(volume);
  });
});

describe('.env.example', () => {
  const text = read('.env.example');
  const lines = text.split('\n');
  const listed = lines.flatMap((line) => {
    const match = /^#? ?([A-Z][A-Z0-9_]*)=/.exec(line);
    return match ? [match[1]!] : [];
  });

  it('lists every setting the service reads, once, and nothing else but the compose-only password', () => {
    expect([...KNOWN].filter((name) => !listed.includes(name))).toEqual([]);
    expect(listed.filter((name) => !KNOWN.has(name) && !COMPOSE_ONLY.has(name))).toEqual([]);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('explains each one in a comment line above it', () => {
    lines.forEach((line, index) => {
      if (!/^#? ?[A-Z][A-Z0-9_]*=/.test(line)) return;
      // The line above is a comment, or another setting under the same comment (PORT, HOST).
      const above = lines
        .slice(0, index)
        .reverse()
        .find((previous) => !/^#? ?[A-Z][A-Z0-9_]*=/.test(previous));
      expect(above?.startsWith('# '), line).toBe(true);
    });
  });

  it('leaves the secrets empty: .env is filled in by whoever deploys', () => {
    for (const name of ['PERSONA_WEBHOOK_SECRET', 'ADMIN_TOKEN', 'POSTGRES_PASSWORD']) {
      expect(lines).toContain(`${name}=`);
    }
  });
});

describe('Kubernetes manifests', () => {
  it('has a Deployment, a Service and a PodDisruptionBudget selecting the same pods', () => {
    const labels = (deployment.spec['template'] as { metadata: { labels: Record<string, string> } }).metadata
      .labels;
    const selects = (selector: Record<string, string>) =>
      Object.entries(selector).every(([key, value]) => labels[key] === value);
    const [svc] = byKind('Service');
    const [pdb] = byKind('PodDisruptionBudget');
    expect(selects(svc!.spec['selector'] as Record<string, string>)).toBe(true);
    expect(selects((pdb!.spec['selector'] as { matchLabels: Record<string, string> }).matchLabels)).toBe(
      true,
    );
    expect(
      selects((deployment.spec['selector'] as { matchLabels: Record<string, string> }).matchLabels),
    ).toBe(true);
    const targetPort = (svc!.spec['ports'] as Array<{ targetPort: string }>)[0]!.targetPort;
    expect(container.ports?.find((port) => port.name === targetPort)?.containerPort).toBe(exposed);
    expect(deployment.spec['replicas']).toBeGreaterThan(1);
  });

  it('runs the image the deploy guide builds', () => {
    expect(container.image).toBe(IMAGE);
  });

  it('sets only settings the service reads, secrets from a Secret', () => {
    const names = (container.env ?? []).map((env) => env.name);
    expect(names.filter((name) => !KNOWN.has(name))).toEqual([]);
    for (const name of ['PERSONA_WEBHOOK_SECRET', 'ADMIN_TOKEN', 'DATABASE_URL']) {
      const env = container.env?.find((entry) => entry.name === name);
      expect(env?.valueFrom?.secretKeyRef?.key, name).toBe(name);
      expect(env?.value, name).toBeUndefined();
    }
  });

  it('is non-root, read-only, with resource requests', () => {
    expect(podSpec['securityContext']).toMatchObject({ runAsNonRoot: true });
    expect((podSpec['securityContext'] as { runAsUser: number }).runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    expect(container.volumeMounts?.map((mount) => mount.mountPath)).toContain('/tmp');
    expect(container.resources?.requests?.['cpu']).toBeDefined();
    expect(container.resources?.requests?.['memory']).toBeDefined();
  });

  it('probes readiness on /readyz and liveness on /healthz', () => {
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
  });
});

describe('the paths that probes and the HEALTHCHECK ask', () => {
  it('are answered 200 by the service', async () => {
    const paths = new Set(
      [container.readinessProbe, container.livenessProbe, container.startupProbe]
        .map((probe) => probe?.httpGet?.path)
        .concat(healthcheckPath),
    );
    expect([...paths].sort()).toEqual(['/healthz', '/readyz']);
    for (const path of paths) expect((await fetch(`${service.url}${path}`)).status, path).toBe(200);
  });
});

describe('Dockerfile', () => {
  it('sets only settings the service reads, and keeps the SQLite database on its volume', () => {
    const envBlock = /^ENV ((?:.*\\\n)*.*)$/gm;
    const names = [...dockerfile.matchAll(envBlock)]
      .filter((match) => !/npm_config_/.test(match[1]!))
      .flatMap((match) => [...match[1]!.matchAll(/([A-Z_]+)=/g)].map((name) => name[1]!));
    expect(names.sort()).toEqual(['DATABASE_URL', 'HOST', 'PORT']);
    expect(dockerfile).toMatch(/DATABASE_URL=sqlite:\/data\//);
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]$/m);
  });

  it('is what the deploy guide builds and tags', () => {
    expect(read('packages/server/README.md').includes(`docker build -t ${IMAGE} .`)).toBe(true);
  });
});
