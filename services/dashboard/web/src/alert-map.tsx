import { type GeoPermissibleObjects, geoCircle, geoMercator, geoPath } from 'd3-geo';
import type { AlertView, LogRow } from './api.ts';
import anhui from './geo/anhui.json';
import { count, usePage } from './pager.tsx';
import { formatTime } from './time.ts';

/** The map's drawing size (SVG user units; the element scales to its panel). */
export const MAP_W = 640;
export const MAP_H = 560;
const PAD = 12;
/** Mean Earth radius (km): a ring of r km is a spherical circle of r / R radians. */
const EARTH_KM = 6371.0088;
const ROWS_PER_PAGE = 8;

const province = anhui as unknown as GeoJSON.FeatureCollection;
/** Mercator fitted to the province: conformal, so a ring stays round where it is drawn. */
export const projection = geoMercator().fitExtent(
  [
    [PAD, PAD],
    [MAP_W - PAD, MAP_H - PAD],
  ],
  province,
);
const path = geoPath(projection);
const prefectures = province.features.map((f) => ({
  code: String(f.id),
  d: path(f as GeoPermissibleObjects) ?? '',
  centroid: path.centroid(f as GeoPermissibleObjects),
}));

/** A ring of `km` around a point: the true circle on the sphere, projected. */
export function ringPath(lon: number, lat: number, km: number): string {
  return (
    path(
      geoCircle()
        .center([lon, lat])
        .radius((km / EARTH_KM) * (180 / Math.PI))(),
    ) ?? ''
  );
}

/** A sighting (a lead from a sighting report) with its place, as the live stream carried it. */
export interface Sighting {
  id: string;
  caseId: string;
  lat: number;
  lon: number;
  at: string;
}

/** The sightings among streamed events: `case.lead-added` of origin sighting, with coordinates. */
export function sightingsOf(rows: LogRow[]): Sighting[] {
  const out: Sighting[] = [];
  for (const r of rows) {
    if (r.type !== 'homeward.case.lead-added') continue;
    const d = r.data as {
      origin?: string;
      caseId?: string;
      seenAt?: { lat?: number; lon?: number; at?: string };
    };
    if (d?.origin !== 'sighting' || typeof d.seenAt?.lat !== 'number' || typeof d.seenAt?.lon !== 'number')
      continue;
    out.push({
      id: r.id,
      caseId: d.caseId ?? '',
      lat: d.seenAt.lat,
      lon: d.seenAt.lon,
      at: d.seenAt.at ?? '',
    });
  }
  return out;
}

/**
 * The way a searched child went: from its alert's last-seen point through its sightings in the
 * order they were seen (projected points), one trail per case with at least one sighting.
 */
export function trailsOf(
  alerts: AlertView[],
  sightings: Sighting[],
): Array<{ caseId: string; points: Array<[number, number]> }> {
  const out: Array<{ caseId: string; points: Array<[number, number]> }> = [];
  for (const a of alerts) {
    const seen = sightings
      .filter((s) => s.caseId === a.caseId)
      .sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
    if (seen.length === 0) continue;
    const points = [
      [a.center.lon, a.center.lat] as [number, number],
      ...seen.map((s) => [s.lon, s.lat] as [number, number]),
    ]
      .map((p) => projection(p))
      .filter((p): p is [number, number] => p !== null);
    out.push({ caseId: a.caseId, points });
  }
  return out;
}

interface Label {
  alertId: string;
  text: string;
  x: number;
  y: number;
}

/**
 * Places one label per alert beside its centre, trying eight positions around it and keeping
 * the first that overlaps no label placed before; a label with no free position is left out
 * (the table below lists every alert). So dozens of alerts never pile into one block.
 */
export function placeLabels(items: Array<{ alertId: string; text: string; x: number; y: number }>): Label[] {
  const placed: Array<Label & { w: number }> = [];
  // A generous box for an 11 px label: ascent above the baseline, descent below, wide glyphs.
  const ascent = 11;
  const descent = 4;
  for (const it of items) {
    const w = it.text.length * 7 + 6;
    const offsets = [
      [8, -6],
      [8, 14],
      [-8 - w, -6],
      [-8 - w, 14],
      [-w / 2, -12],
      [-w / 2, 24],
      [14, 4],
      [-14 - w, 4],
    ] as const;
    for (const [dx, dy] of offsets) {
      const x = it.x + dx;
      const y = it.y + dy;
      const inside = x >= 0 && x + w <= MAP_W && y - ascent >= 0 && y + descent <= MAP_H;
      const clear = placed.every(
        (p) => x + w <= p.x || p.x + p.w <= x || y + descent <= p.y - ascent || p.y + descent <= y - ascent,
      );
      if (inside && clear) {
        placed.push({ alertId: it.alertId, text: it.text, x, y, w });
        break;
      }
    }
  }
  return placed;
}

/**
 * Active alerts on the province: prefecture boundaries from a shipped open dataset, each alert a
 * ring of its current radius (true kilometres on the sphere, Mercator-projected) around the
 * last-seen point, earlier steps dashed, and the sightings of its case as points joined in the
 * order they were seen; the table below pages through them.
 */
export function AlertMap({ alerts, sightings = [] }: { alerts: AlertView[]; sightings?: Sighting[] }) {
  // Sightings of the cases whose alert is out: where the search is leading.
  const searched = new Set(alerts.map((a) => a.caseId));
  const leads = sightings.filter((s) => searched.has(s.caseId));
  const { rows, pager } = usePage(alerts, ROWS_PER_PAGE, 'alerts-pager');
  const centres = alerts.map((a) => {
    const [x, y] = projection([a.center.lon, a.center.lat]) ?? [0, 0];
    return { alertId: a.alertId, text: `${shortId(a.alertId)} · ${a.radiusKm} km`, x, y };
  });
  const labels = placeLabels(centres);
  const trails = trailsOf(alerts, leads);
  return (
    <section className="panel alerts-panel" aria-label="Active alerts">
      <h2>
        Active alerts ({count(alerts.length)})
        {leads.length > 0 && <small className="muted"> · ◆ {leads.length} sightings</small>}
        {labels.length < alerts.length && (
          <small className="muted">
            {' '}
            · {alerts.length - labels.length} labels hidden where they would overlap
          </small>
        )}
      </h2>
      <svg
        viewBox={`0 0 ${MAP_W} ${MAP_H}`}
        className="alert-map"
        role="img"
        aria-label="map of the province with alert rings"
        data-testid="alert-map"
      >
        <defs>
          <clipPath id="map-clip">
            <rect x={0} y={0} width={MAP_W} height={MAP_H} />
          </clipPath>
        </defs>
        <g className="land">
          {prefectures.map((p) => (
            <path key={p.code} d={p.d} className="prefecture" data-testid="prefecture" data-code={p.code} />
          ))}
        </g>
        <g className="prefecture-codes">
          {prefectures.map((p) => (
            <text key={p.code} x={p.centroid[0]} y={p.centroid[1]} className="prefecture-code">
              {p.code.slice(0, 4)}
            </text>
          ))}
        </g>
        <g clipPath="url(#map-clip)">
          {alerts.map((a) => (
            <g key={a.alertId} data-testid="alert-ring" data-alert-id={a.alertId} data-radius-km={a.radiusKm}>
              {a.steps
                .filter((s) => s.radiusKm < a.radiusKm)
                .map((s) => (
                  <path
                    key={s.step}
                    d={ringPath(a.center.lon, a.center.lat, s.radiusKm)}
                    className="ring-step"
                  />
                ))}
              <path d={ringPath(a.center.lon, a.center.lat, a.radiusKm)} className="ring" />
            </g>
          ))}
          {trails.map((t) => (
            <polyline
              key={t.caseId}
              points={t.points.map(([x, y]) => `${x},${y}`).join(' ')}
              className="sighting-trail"
              data-testid="sighting-trail"
              data-case-id={t.caseId}
            />
          ))}
          {leads.map((s) => {
            const [x, y] = projection([s.lon, s.lat]) ?? [0, 0];
            return (
              <path
                key={s.id}
                d={`M${x - 4},${y}L${x},${y - 4}L${x + 4},${y}L${x},${y + 4}Z`}
                className="sighting"
                data-testid="sighting"
              >
                <title>sighting {formatTime(s.at)}</title>
              </path>
            );
          })}
          {centres.map((c) => (
            <circle
              key={c.alertId}
              cx={c.x}
              cy={c.y}
              r={4}
              className="ring-center"
              data-testid="alert-centre"
            />
          ))}
          {labels.map((l) => (
            <text key={l.alertId} x={l.x} y={l.y} className="ring-label" data-testid="ring-label">
              {l.text}
            </text>
          ))}
        </g>
      </svg>
      {alerts.length === 0 ? (
        <p className="muted">No active alert.</p>
      ) : (
        <>
          <table className="compact fit" data-testid="alerts-table">
            <colgroup>
              <col style={{ width: '20%' }} />
              <col style={{ width: '23%' }} />
              <col style={{ width: '15%' }} />
              <col style={{ width: '12%' }} />
              <col style={{ width: '10%' }} />
              <col style={{ width: '20%' }} />
            </colgroup>
            <thead>
              <tr>
                <th>alert</th>
                <th>last seen</th>
                <th>radius</th>
                <th title="units notified">notif.</th>
                <th title="units that acknowledged">ack</th>
                <th>coverage</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.alertId}>
                  <td title={a.alertId}>{shortId(a.alertId)}</td>
                  <td title={`${a.lastSeenPlace} · ${formatTime(a.lastSeenAt)}`}>{a.lastSeenPlace}</td>
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
          {pager}
        </>
      )}
    </section>
  );
}

/** Alert ids are long; the table and labels show their tail (the whole id in a tooltip). */
function shortId(id: string): string {
  return id.length > 14 ? `…${id.slice(-10)}` : id;
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
