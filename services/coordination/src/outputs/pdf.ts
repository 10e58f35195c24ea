import PDFDocument from 'pdfkit';
import type { ReportLayout } from './report-view.ts';

export interface PdfOptions {
  /**
   * A TrueType or OpenType font to embed (a CJK one, such as Debian's fonts-noto-cjk, renders
   * Chinese narratives). Without it the PDF uses the standard Helvetica, which holds Latin-1
   * only: other characters print as "?" and the page says the HTML and JSON hold the full text.
   */
  fontFile?: string;
  /** The document's creation date (so a PDF is reproducible from its inputs). */
  creationDate: Date;
}

/** Characters Helvetica's WinAnsi encoding cannot show become "?"; says whether any did. */
function latin1(s: string): { text: string; lossy: boolean } {
  let lossy = false;
  const text = s.replace(/[^\n\r\t\u0020-\u007e\u00a0-\u00ff]/gu, () => {
    lossy = true;
    return '?';
  });
  return { text, lossy };
}

/** The January submission as a PDF (A4), from the same layout as the CSV and the page. */
export function reportPdf(r: ReportLayout, opts: PdfOptions): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: r.title, Creator: 'Homeward coordination', CreationDate: opts.creationDate },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  let lossy = false;
  const t = (s: string) => {
    if (opts.fontFile) return s;
    const out = latin1(s);
    lossy ||= out.lossy;
    return out.text;
  };
  const regular = opts.fontFile ?? 'Helvetica';
  const bold = opts.fontFile ?? 'Helvetica-Bold';

  doc.font(bold).fontSize(15).text(t(r.title));
  doc.moveDown(0.5);
  doc.font(regular).fontSize(10);
  for (const [k, v] of r.facts) doc.text(`${k}: ${t(v)}`);

  const section = (title: string) => {
    doc.moveDown(0.8);
    doc.font(bold).fontSize(12).text(title);
    doc.font(regular).fontSize(10);
  };
  const figure = (label: string, value: number) => {
    const y = doc.y;
    doc.text(label, 50, y, { width: 380 });
    doc.text(String(value), 430, y, { width: 110, align: 'right' });
    doc.x = 50;
  };
  section("The platform's figures (from events)");
  for (const p of r.platform) figure(p.label, p.value);
  section("The department's own figures");
  for (const o of r.own) figure(o.label, o.value);
  section('Narrative');
  doc.text(t(r.narrative), { width: 495 });
  section('Reviews by the coordination office');
  if (r.reviews.length === 0) doc.text('None yet.');
  for (const v of r.reviews)
    doc.text(t(`version ${v.version} ${v.kind} on ${v.at} by ${v.by}${v.comment ? `: ${v.comment}` : ''}`), {
      width: 495,
    });
  if (lossy) {
    doc.moveDown(0.8);
    doc.text(
      'Some characters cannot be shown in this font ("?"); the printable page and the JSON hold the full text.',
    );
  }
  doc.end();
  return done;
}
