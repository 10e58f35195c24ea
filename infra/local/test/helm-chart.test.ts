import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { servicePort } from '../src/banner.ts';
import { ensureHelm } from '../src/components/helm.ts';
import { repoRoot } from '../src/paths.ts';
import { SERVICE_NODE_OPTIONS } from '../src/service-command.ts';

// The Helm chart (infra/helm/homeward) as CI sees it: `helm lint --strict` and `helm template`
// with helm built from its Go module, then the rendered manifests read object by object.

const CHART = join(repoRoot, 'infra', 'helm', 'homeward');
/** The cluster version the chart is rendered for (its kubeVersion asks for 1.25 or later). */
const KUBE_VERSION = '1.30.0';
// --set splits on commas: a list of brokers escapes them.
const REQUIRED = ['--set', 'kafka.brokers=kafka-0.kafka:9094\\,kafka-1.kafka:9094'];
const SERVICES = readdirSync(join(repoRoot, 'services')).filter((s) =>
  existsSync(join(repoRoot, 'services', s, 'src', 'main.ts')),
);

interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects, read by path
  spec: any;
}

let helm: string;
const run = (args: string[]) => spawnSync(helm, args, { encoding: 'utf8', cwd: repoRoot });

function template(extra: string[] = []): Manifest[] {
  const res = run(['template', 'hw', CHART, '--kube-version', KUBE_VERSION, ...REQUIRED, ...extra]);
  if (res.status !== 0) throw new Error(`helm template failed: ${res.stderr}`);
  return parseAllDocuments(res.stdout)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

beforeAll(async () => {
  // Built once into .cache/infra/bin; the first build (Go module proxy) takes minutes.
  helm = await ensureHelm();
}, 1_800_000);

describe('the Helm chart', () => {
  it('passes helm lint --strict', () => {
    const res = run(['lint', CHART, '--strict', '--kube-version', KUBE_VERSION, ...REQUIRED]);
    expect(res.stderr + res.stdout).toContain('0 chart(s) failed');
    expect(res.status).toBe(0);
  });

  it('refuses to render without the Kafka brokers, and refuses a secret given as a value', () => {
    const bare = run(['template', 'hw', CHART, '--kube-version', KUBE_VERSION]);
    expect(bare.status).not.toBe(0);
    expect(bare.stderr).toContain('kafka.brokers is required');
    for (const plain of [
      'kafka.password=s3cret',
      'mongo.url=mongodb://user:s3cret@mongo/',
      'services.intake.env.KAFKA_PASSWORD=s3cret',
      'defaults.env.REDIS_URL=redis://:s3cret@redis',
    ]) {
      const res = run(['template', 'hw', CHART, '--kube-version', KUBE_VERSION, ...REQUIRED, '--set', plain]);
      expect(res.status, plain).not.toBe(0);
      expect(res.stdout).not.toContain('s3cret');
    }
  });

  it('runs every service as a Deployment with a Service and a PodDisruptionBudget', () => {
    const objects = template();
    const of = (kind: string) => objects.filter((o) => o.kind === kind);
    expect(new Set(objects.map((o) => o.kind))).toEqual(
      new Set(['Deployment', 'Service', 'PodDisruptionBudget']),
    );
    expect(
      of('Deployment')
        .map((d) => d.spec.template.spec.containers[0].name)
        .sort(),
    ).toEqual([...SERVICES].sort());
    for (const d of of('Deployment')) {
      const selector = d.spec.selector.matchLabels;
      const pdb = of('PodDisruptionBudget').find((p) => p.metadata.name === d.metadata.name);
      expect(pdb?.spec.selector.matchLabels, d.metadata.name).toEqual(selector);
      expect(pdb!.spec.maxUnavailable ?? pdb!.spec.minAvailable).toBeDefined();
      const svc = of('Service').find((s) => s.metadata.name === d.metadata.name);
      expect(svc?.spec.selector).toEqual(selector);
      expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
    }
  });

  it('probes /health/live and /health/ready on the port each service listens on, with resources', () => {
    for (const d of template().filter((o) => o.kind === 'Deployment')) {
      const c = d.spec.template.spec.containers[0];
      const port = servicePort(c.name);
      expect(c.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
      expect(c.env).toContainEqual({ name: 'PORT', value: String(port) });
      expect(c.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(c.resources.requests.cpu, c.name).toBeDefined();
      expect(c.resources.requests.memory, c.name).toBeDefined();
      expect(c.resources.limits.memory, c.name).toBeDefined();
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(d.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      // The kit's shutdown (SHUTDOWN_TIMEOUT_MS, 15 s by default) fits in the grace period.
      expect(d.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(15);
    }
  });

  it('holds no secret in plain values: no Secret object, secrets as secretKeyRef or files from Secrets', () => {
    const deployments = template().filter((o) => o.kind === 'Deployment');
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      const c = pod.containers[0];
      const env = c.env as Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }>;
      for (const e of env.filter((v) => /PASSWORD$|SECRET|TOKEN|_KEY$|MONGO_URL|REDIS_URL/.test(v.name)))
        expect(e.valueFrom?.secretKeyRef, `${c.name} ${e.name}`).toBeDefined();
      // Every file a service reads its secrets from lies in a volume made from a Secret.
      const secretFiles = env.filter((e) => /^(KAFKA_PASSWORD|CREDENTIALS|ROSTER)_FILE$/.test(e.name));
      expect(secretFiles.length).toBeGreaterThanOrEqual(2);
      for (const f of secretFiles) {
        const mount = c.volumeMounts.find((m: { mountPath: string }) =>
          f.value!.startsWith(`${m.mountPath}/`),
        );
        const volume = pod.volumes.find((v: { name: string }) => v.name === mount?.name);
        expect(volume?.secret?.secretName, `${c.name} ${f.name}`).toBeDefined();
      }
      expect(pod.volumes.find((v: { name: string }) => v.name === 'kafka-password').secret.secretName).toBe(
        `homeward-kafka-${c.name}`,
      );
    }
    const values = readFileSync(join(CHART, 'values.yaml'), 'utf8');
    expect(values).not.toMatch(/(password|secret|token):\s*["']?[^\s"'{]*[0-9][^\s"']*$/im);
  });

  it('points the dashboard at every other service and keeps rescue-coordination on its roster', () => {
    const deployments = template().filter((o) => o.kind === 'Deployment');
    const env = (name: string) =>
      deployments.find((d) => d.spec.template.spec.containers[0].name === name)!.spec.template.spec
        .containers[0].env as Array<{ name: string; value?: string }>;
    const targets = env('dashboard')
      .find((e) => e.name === 'HEALTH_TARGETS')!
      .value!.split(',');
    expect(targets.sort()).toEqual(
      SERVICES.filter((s) => s !== 'dashboard')
        .map((s) => `${s}=http://hw-${s}:${servicePort(s)}`)
        .sort(),
    );
    expect(env('dashboard')).toContainEqual({ name: 'WEB_BUILD', value: 'false' });
    expect(env('rescue-coordination').map((e) => e.name)).toContain('ROSTER_FILE');
    expect(env('intake').map((e) => e.name)).not.toContain('ROSTER_FILE');
  });

  it("runs each service with the launcher's V8 flags, and no other service with any", () => {
    const deployments = template().filter((o) => o.kind === 'Deployment');
    for (const name of SERVICES) {
      const env = deployments.find((d) => d.spec.template.spec.containers[0].name === name)!.spec.template
        .spec.containers[0].env as Array<{ name: string; value?: string }>;
      expect(env.find((e) => e.name === 'NODE_OPTIONS')?.value, name).toBe(SERVICE_NODE_OPTIONS[name]);
    }
    expect(Object.keys(SERVICE_NODE_OPTIONS)).toContain('intake');
  });

  it('lets a deployment scale one service and turn its budget off', () => {
    const objects = template([
      '--set',
      'services.intake.replicas=4',
      '--set',
      'services.coordination.podDisruptionBudget.enabled=false',
      '--set',
      'services.placement.enabled=false',
    ]);
    const intake = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'hw-intake')!;
    expect(intake.spec.replicas).toBe(4);
    expect(
      objects.some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'hw-coordination'),
    ).toBe(false);
    expect(objects.some((o) => o.metadata.name === 'hw-placement')).toBe(false);
  });
});
