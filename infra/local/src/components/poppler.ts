import { existsSync } from 'node:fs';
import { LauncherError, runSetup } from '../processes.ts';

/** Where Debian's `poppler-utils` package puts the tools the PDF tests use. */
export const PDFTOPPM_PATH = '/usr/bin/pdftoppm';
export const PDFTOTEXT_PATH = '/usr/bin/pdftotext';

/**
 * pdftoppm and pdftotext (Debian's poppler-utils), which tests use to render a PDF the
 * platform made into PNG pages and read its text back. Installs the package with apt-get when
 * it is missing (a fresh CI machine starts without it), as the launcher installs Redis.
 */
export async function ensurePoppler(): Promise<{ pdftoppm: string; pdftotext: string }> {
  if (!existsSync(PDFTOPPM_PATH) || !existsSync(PDFTOTEXT_PATH)) {
    await runSetup('poppler', 'apt-get', ['update', '-qq']);
    await runSetup('poppler', 'apt-get', ['install', '-y', '-qq', 'poppler-utils'], {
      DEBIAN_FRONTEND: 'noninteractive',
    });
    if (!existsSync(PDFTOPPM_PATH) || !existsSync(PDFTOTEXT_PATH))
      throw new LauncherError('poppler', `${PDFTOPPM_PATH} is still missing after apt-get install`);
  }
  return { pdftoppm: PDFTOPPM_PATH, pdftotext: PDFTOTEXT_PATH };
}
