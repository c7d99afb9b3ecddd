// Progress of long work on stderr: a bar with examples/s and time left. On a terminal it redraws
// one line; elsewhere (a log file, CI) it prints a plain line at most every `everySeconds`.
// It never writes to stdout, which carries results.

export interface Progress {
  /** `done` of `total` units finished; `unit` names them (e.g. 'ex'). */
  update(done: number): void;
  /** Clear the bar (on a terminal) before other output. */
  end(): void;
}

export function makeProgress(label: string, total: number, unit: string, enabled: boolean, everySeconds = 15): Progress {
  const tty = process.stderr.isTTY === true;
  const t0 = performance.now();
  let lastPrint = t0;
  const fmt = (s: number): string => (s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`);
  return {
    update(done: number): void {
      if (!enabled) return;
      const now = performance.now();
      if (!tty && now - lastPrint < everySeconds * 1000) return;
      if (tty && now - lastPrint < 200 && done < total) return;
      lastPrint = now;
      const secs = (now - t0) / 1000;
      const rate = done / Math.max(secs, 1e-9);
      const left = rate > 0 ? (total - done) / rate : 0;
      const frac = total > 0 ? done / total : 1;
      const bar = '#'.repeat(Math.round(frac * 24)).padEnd(24, '.');
      const line = `${label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${rate.toFixed(0)} ${unit}/s, ${fmt(left)} left`;
      process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
    },
    end(): void {
      if (enabled && tty) process.stderr.write('\r\x1b[K');
    },
  };
}
