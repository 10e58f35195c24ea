import type { AlertView } from './api.ts';

const W = 640;
const H = 420;
const KM_PER_DEG = 111.32;

/**
 * Active alerts on one equirectangular view fitted to their widest rings: each alert is a ring
 * of its current radius around the last-seen point, its earlier steps dashed inside.
 */
export function AlertMap({ alerts }: { alerts: AlertView[] }) {
  if (alerts.length === 0)
    return (
      <section className="panel" aria-label="Active alerts">
        <h2>Active alerts</h2>
        <p className="muted">No active alert.</p>
      </section>
    );
  const meanLat = alerts.reduce((s, a) => s + a.center.lat, 0) / alerts.length;
  const cos = Math.max(0.2, Math.cos((meanLat * Math.PI) / 180));
  // Work in km on a local plane: x east, y north.
  const xy = (lat: number, lon: number) => ({ x: lon * KM_PER_DEG * cos, y: lat * KM_PER_DEG });
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const a of alerts) {
    const p = xy(a.center.lat, a.center.lon);
    minX = Math.min(minX, p.x - a.radiusKm);
    maxX = Math.max(maxX, p.x + a.radiusKm);
    minY = Math.min(minY, p.y - a.radiusKm);
    maxY = Math.max(maxY, p.y + a.radiusKm);
  }
  const scale = Math.min((W - 20) / (maxX - minX), (H - 20) / (maxY - minY));
  const px = (p: { x: number; y: number }) => ({
    x: 10 + (p.x - minX) * scale + (W - 20 - (maxX - minX) * scale) / 2,
    y: 10 + (maxY - p.y) * scale + (H - 20 - (maxY - minY) * scale) / 2,
  });
  return (
    <section className="panel alerts-panel" aria-label="Active alerts">
      <h2>Active alerts ({alerts.length})</h2>
      <svg viewBox={`0 0 ${W} ${H}`} className="alert-map" role="img" aria-label="alert rings">
        {alerts.map((a, i) => {
          const c = px(xy(a.center.lat, a.center.lon));
          return (
            <g key={a.alertId} data-testid="alert-ring" data-alert-id={a.alertId}>
              {a.steps
                .filter((s) => s.radiusKm < a.radiusKm)
                .map((s) => (
                  <circle key={s.step} cx={c.x} cy={c.y} r={s.radiusKm * scale} className="ring-step" />
                ))}
              <circle cx={c.x} cy={c.y} r={a.radiusKm * scale} className="ring" />
              <circle cx={c.x} cy={c.y} r={4} className="ring-center" />
              <text x={c.x + 6} y={c.y - 6 - 14 * i} className="ring-label">
                {a.alertId} · {a.radiusKm} km
              </text>
            </g>
          );
        })}
      </svg>
      <table className="compact">
        <thead>
          <tr>
            <th>alert</th>
            <th>last seen</th>
            <th>radius</th>
            <th>notified</th>
            <th>ack</th>
            <th>coverage</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr key={a.alertId}>
              <td>{a.alertId}</td>
              <td>{a.lastSeenPlace}</td>
              <td>{a.radiusKm} km</td>
              <td data-testid="alert-notified">{a.notified}</td>
              <td data-testid="alert-acknowledged">{a.acknowledged}</td>
              <td>
                <Sparkline points={a.coverage} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Sparkline({ points }: { points: AlertView['coverage'] }) {
  if (points.length < 2) return <span className="muted">–</span>;
  const t0 = Date.parse(points[0]!.at);
  const t1 = Math.max(t0 + 1, Date.parse(points[points.length - 1]!.at));
  const max = Math.max(1, ...points.map((p) => p.notified));
  const line = (f: (p: (typeof points)[number]) => number) =>
    points.map((p) => `${((Date.parse(p.at) - t0) / (t1 - t0)) * 100},${20 - (f(p) / max) * 20}`).join(' ');
  return (
    <svg viewBox="0 0 100 20" className="spark" aria-label="units notified and acknowledged over time">
      <polyline points={line((p) => p.notified)} className="spark-notified" />
      <polyline points={line((p) => p.acknowledged)} className="spark-ack" />
    </svg>
  );
}
