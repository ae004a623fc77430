import { formatDuration } from './format.js';
import type { Output } from './output.js';

/**
 * Shows time left on a long wait: a redrawn line on a terminal, a line a minute otherwise (so
 * logs of unattended runs still show progress). Returns a function that clears it.
 */
export function startCountdown(
  output: Output,
  label: string,
  deadline: number,
  now: () => number = Date.now,
): () => void {
  const frames = ['|', '/', '-', '\\'];
  let frame = 0;
  let lastPlain = 0;
  const draw = () => {
    const left = deadline - now();
    if (output.interactive) {
      frame = (frame + 1) % frames.length;
      process.stderr.write(`\r${frames[frame]} ${label} (${formatDuration(left)} left) `);
    } else if (now() - lastPlain >= 60_000) {
      lastPlain = now();
      output.note(`${label} (${formatDuration(left)} left)`);
    }
  };
  draw();
  const timer = setInterval(draw, output.interactive ? 250 : 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (output.interactive) process.stderr.write('\r\x1b[K');
  };
}
