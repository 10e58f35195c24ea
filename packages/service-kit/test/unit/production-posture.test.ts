import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BaseConfig,
  ConfigError,
  DEV_KEY_PREFIX,
  deploymentFile,
  loadConfig,
  loadCredentials,
} from '../../src/index.ts';

const devFile = new URL('../../../../infra/local/dev-credentials.json', import.meta.url).pathname;

function file(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'creds-')), 'credentials.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('production posture', () => {
  it('outside production, the development credentials are the default', () => {
    const config = loadConfig(BaseConfig, {});
    expect(config.NODE_ENV).toBe('development');
    expect(config.CREDENTIALS_FILE).toBeUndefined();
    expect(deploymentFile(config, 'CREDENTIALS_FILE', undefined, 'infra/local/dev-credentials.json')).toBe(
      'infra/local/dev-credentials.json',
    );
    expect(
      loadCredentials({ NODE_ENV: 'development', CREDENTIALS_FILE: devFile }).agency('hefei-psb'),
    ).toHaveLength(1);
  });

  it('in production, refuses to start without CREDENTIALS_FILE (or ROSTER_FILE)', () => {
    const config = loadConfig(BaseConfig, { NODE_ENV: 'production' });
    expect(() => loadCredentials(config)).toThrow(ConfigError);
    expect(() => loadCredentials(config)).toThrow(/CREDENTIALS_FILE: required when NODE_ENV=production/);
    expect(() => deploymentFile(config, 'ROSTER_FILE', '', 'infra/local/dev-roster.json')).toThrow(
      /ROSTER_FILE/,
    );
  });

  it('in production, refuses a file with any development key, naming the agencies', () => {
    expect(() => loadCredentials({ NODE_ENV: 'production', CREDENTIALS_FILE: devFile })).toThrow(
      /development keys \(prefix hw_dev_\) for hefei-psb, .*refused in production/,
    );
    const mixed = file([
      { key: 'prod_key_0123456789abcdef', agencyId: 'hefei-psb', role: 'police', region: '340100' },
      { key: `${DEV_KEY_PREFIX}0123456789abcdef`, agencyId: 'leftover', role: 'admin', region: '340000' },
    ]);
    expect(() => loadCredentials({ NODE_ENV: 'production', CREDENTIALS_FILE: mixed })).toThrow(/leftover/);
    const clean = file([
      { key: 'prod_key_0123456789abcdef', agencyId: 'hefei-psb', role: 'police', region: '340100' },
    ]);
    expect(
      loadCredentials({ NODE_ENV: 'production', CREDENTIALS_FILE: clean }).authenticate(
        'prod_key_0123456789abcdef',
      ),
    ).toEqual({
      agencyId: 'hefei-psb',
      role: 'police',
      region: '340100',
    });
  });

  it('keeps development files out of the image', async () => {
    const { readFileSync } = await import('node:fs');
    const ignore = readFileSync(new URL('../../../../.dockerignore', import.meta.url), 'utf8').split('\n');
    expect(ignore).toContain('infra/local/dev-credentials.json');
    expect(ignore).toContain('infra/local/dev-roster.json');
  });
});
