import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensurePoppler } from '@homeward/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { zeroCounts } from '../../src/domain/figures.ts';
import type { SubmissionDoc } from '../../src/domain/submission.ts';
import { reportCsv } from '../../src/outputs/csv.ts';
import { reportHtml } from '../../src/outputs/html.ts';
import { reportPdf } from '../../src/outputs/pdf.ts';
import { reportLayout } from '../../src/outputs/report-view.ts';

const run = promisify(execFile);

/**
 * The January submission as people get it: a PDF rendered to PNG pages by pdftoppm and read
 * back by pdftotext (Debian's poppler-utils, installed when missing), a CSV, a printable page.
 */
const doc: SubmissionDoc = {
  _id: '2026:340104:shushan-psb',
  year: 2026,
  region: '340104',
  agencyId: 'shushan-psb',
  role: 'police',
  status: 'returned',
  dueDate: '2027-01-31',
  versions: [
    {
      version: 1,
      submittedAt: '2027-01-10T02:00:00.000Z',
      own: { publicityCampaigns: 12, trainingSessions: 4, peopleScreened: 1375 },
      narrative:
        'Twelve campaigns at the railway station, "Homeward" training for 4 police posts, and 反拐 screening in schools.',
      platform: { ...zeroCounts(), casesOpened: 17, childrenRescued: 5, 'placements:return-to-family': 3 },
      late: false,
    },
  ],
  reviews: [
    {
      kind: 'returned',
      version: 1,
      at: '2027-01-12T02:00:00.000Z',
      by: { agencyId: 'shushan-office', role: 'coordination-office', region: '340104' },
      comment: 'add the screening figures, please',
    },
  ],
};

let tools: { pdftoppm: string; pdftotext: string };
beforeAll(async () => {
  tools = await ensurePoppler();
}, 600_000);

describe('the submission’s outputs', () => {
  it('a PDF whose pages render to PNG and whose text reads back', async () => {
    const pdf = await reportPdf(reportLayout(doc), { creationDate: new Date('2027-01-10T02:00:00Z') });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = mkdtempSync(join(tmpdir(), 'coordination-pdf-'));
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);

    await run(tools.pdftoppm, ['-png', '-r', '60', file, join(dir, 'page')]);
    const pages = readdirSync(dir).filter((f) => f.startsWith('page') && f.endsWith('.png'));
    expect(pages.length).toBeGreaterThanOrEqual(1);
    for (const p of pages) {
      const png = readFileSync(join(dir, p));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      // An A4 page (595 × 842 pt) at 60 dpi, rounded up: 497 × 702 pixels (IHDR holds width, height).
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([497, 702]);
    }

    const { stdout } = await run(tools.pdftotext, ['-layout', file, '-']);
    // Lines wrap where the page is narrow: compare the words, not the lines.
    const text = stdout.replace(/\s+/g, ' ');
    expect(text).toContain('Annual anti-trafficking report 2026: shushan-psb (police), region 340104');
    expect(text).toContain('Status: returned');
    expect(text).toMatch(/Cases opened 17/);
    expect(text).toMatch(/Children rescued 5/);
    expect(text).toMatch(/Placements: return-to-family 3/);
    expect(text).toMatch(/People screened 1375/);
    expect(text).toContain('add the screening figures, please');
    // Helvetica holds Latin-1 only: the Chinese words print as "?" and the page says so.
    expect(text).toContain('?? screening in schools');
    expect(text).toContain('the printable page and the JSON hold the full text');
  }, 60_000);

  it('a CSV of section, field, value lines, quoting what needs it', () => {
    const lines = reportCsv(reportLayout(doc)).split('\r\n');
    expect(lines[0]).toBe('section,field,value');
    expect(lines).toContain('submission,Status,returned');
    expect(lines).toContain('platform,casesOpened,17');
    expect(lines).toContain('platform,placements:return-to-family,3');
    expect(lines).toContain('own,peopleScreened,1375');
    expect(lines).toContain(
      'narrative,text,"Twelve campaigns at the railway station, ""Homeward"" training for 4 police posts, and 反拐 screening in schools."',
    );
  });

  it('a printable page with every figure and the narrative escaped, no script', () => {
    const html = reportHtml(
      reportLayout({
        ...doc,
        versions: [{ ...doc.versions[0]!, narrative: '<script>alert(1)</script> 反拐' }],
      }),
    );
    expect(html).toContain('@page { size: A4 portrait');
    expect(html).toContain('<th>Cases opened</th><td>17</td>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; 反拐');
    expect(html).not.toContain('<script>');
  });
});
