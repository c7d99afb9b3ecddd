// Writing a report: collect what it shows (build.ts), render the page (render.ts), and write
// DIR/index.html atomically, so a page reloaded while a run rewrites it is always whole.
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/io/atomic-write.ts';
import type { HeldOutAnalysis } from './analysis.ts';
import { collectReport, type ReportContext } from './build.ts';
import { renderReport } from './render.ts';

/** Write DIR/index.html; returns its path and size in bytes. */
export function writeReport(
  dir: string, ctx: ReportContext, analysis: HeldOutAnalysis | null, analysisNote: string, finished: boolean,
): { path: string; bytes: number } {
  const html = renderReport(collectReport(ctx, analysis, analysisNote, finished));
  const path = join(dir, 'index.html');
  writeFileAtomic(path, html);
  return { path, bytes: Buffer.byteLength(html) };
}
