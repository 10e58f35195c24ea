import { describe, expect, it } from 'vitest';
import { bannerLines, bannerUrls, operatorKey, servicePort } from '../src/banner.ts';

describe('the start-up banner', () => {
  const services = {
    dashboard: 'http://127.0.0.1:8080',
    intake: 'http://127.0.0.1:8081',
    coordination: 'http://127.0.0.1:8086',
  };

  it('names the dashboard and every service’s docs', () => {
    expect(bannerUrls(services)).toEqual([
      { label: 'dashboard', url: 'http://127.0.0.1:8080/' },
      { label: 'dashboard API', url: 'http://127.0.0.1:8080/docs' },
      { label: 'intake API', url: 'http://127.0.0.1:8081/docs' },
      { label: 'coordination API', url: 'http://127.0.0.1:8086/docs' },
    ]);
  });

  it('gives the province’s operator key from the credentials file, the demo and the logs', () => {
    const key = operatorKey();
    expect(key).toMatch(/^hw_dev_operator_/);
    const text = bannerLines({ services, operatorKey: key, logFormat: 'pretty' }).join('\n');
    expect(text).toContain(key!);
    expect(text).toContain('npm run demo');
    expect(text).toContain('.cache/infra/logs');
    expect(text).toContain('readable lines');
    expect(
      bannerLines({ services, operatorKey: key, logFormat: 'json', demo: 'drill' }).join('\n'),
    ).toContain('the simulator is playing "drill"');
  });

  it('reads each service’s port from its own configuration', () => {
    expect(servicePort('dashboard')).toBe(8080);
    expect(servicePort('notifications')).toBe(8085);
    expect(servicePort('no-such-service')).toBeUndefined();
  });
});
