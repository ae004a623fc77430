import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

/** A writable stream that keeps everything written to it, for reading back console output. */
export class CapturedStream extends Writable {
  readonly #chunks: string[] = [];

  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    this.#chunks.push(chunk.toString());
    done();
  }

  get text(): string {
    return this.#chunks.join('');
  }

  get lines(): string[] {
    return this.text.split('\n').filter((line) => line !== '');
  }
}

/** A fresh directory under the OS temp dir; removed by the returned cleanup. */
export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-logger-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The non-empty lines of a file. */
export function readLines(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

/** Permission bits of a path. */
export function modeOf(target: string): number {
  return fs.statSync(target).mode & 0o777;
}

/** A fixed manual clock: 2026-03-02T04:00:00.000Z, advanced only by `advance`. */
export function manualClock(start = Date.UTC(2026, 2, 2, 4, 0, 0)): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let current = start;
  return {
    now: () => current,
    advance: (ms: number) => {
      current += ms;
    },
  };
}

/** Every spelling in which `secret` could leak into text output. */
export function spellingsOf(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
  ];
}

/** The spellings of `secrets` found in `text` (empty when nothing leaked). */
export function leaksIn(text: string, secrets: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [kind, secret] of Object.entries(secrets)) {
    for (const spelling of new Set(spellingsOf(secret))) {
      if (text.includes(spelling)) found.push(`${kind}: ${spelling}`);
    }
  }
  return found;
}
