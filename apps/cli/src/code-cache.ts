// Loading the fast path's bundle with V8's code cache. Compiling the bundle, and then compiling
// each function it runs, is about a third of what `hft token` costs above `node -e 0`; V8 can
// save that work and reuse it. Node 22 does this itself (`module.enableCompileCache`), Node 20
// (our floor) does not, so the bin does it for this one file, the way Node 22 does: the cache is
// written after a run that had none, from the functions that run compiled, and used when the
// bundle, Node and V8's flags are what they were.
import {
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

/**
 * The per-user cache directory, `$XDG_CACHE_HOME/hft` or `~/.cache/hft`; `undefined` when it is
 * not safely ours: a cache someone else can write would run their code as ours.
 */
function cacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  const dir = join(base, 'hft');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stats = lstatSync(dir);
    const uid = process.getuid?.();
    if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid) || (stats.mode & 0o022) !== 0)
      return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** FNV-1a of `text`, 8 hex digits: names the copy of the bundle in a file name. */
function pathHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/**
 * Loads the CommonJS file `filename` as `require` would, compiled with V8's code cache when one
 * matches; after a run without one, writes it on exit. Any failure of the cache only costs the
 * compilation: the file still loads. The file must not use `import()`: Node 20 runs a dynamic
 * import from code compiled this way only with `--experimental-vm-modules` (the fast path's
 * bundle turns its lazy imports into `require`, see tsup.config.ts).
 */
export function requireWithCodeCache<T>(filename: string, env: NodeJS.ProcessEnv = process.env): T {
  const fd = openSync(filename, 'r');
  let source: string;
  let stamp: string;
  try {
    const stats = fstatSync(fd);
    source = readFileSync(fd, 'utf8');
    // V8 checks the cache against the source's length and its own flags, not the content: the
    // name carries what tells this version of the file from another.
    stamp = `${process.version}-${process.arch}-${stats.size}-${Math.trunc(stats.mtimeMs)}-${stats.ino}`;
  } finally {
    closeSync(fd);
  }
  const dir = cacheDir(env);
  // One cache per copy of the bundle (a global install and a project's own share the directory).
  const prefix = `fast-path-${pathHash(filename)}-`;
  const name = `${prefix}${stamp}.v8`;
  const cacheFile = dir && join(dir, name);
  let cachedData: Buffer | undefined;
  if (cacheFile) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      // None yet.
    }
  }
  const script = new vm.Script(Module.wrap(source), {
    filename,
    ...(cachedData ? { cachedData } : {}),
  });
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => {
      try {
        const temp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
        renameSync(temp, cacheFile);
        // The caches of earlier versions of this copy will never match again.
        for (const other of readdirSync(dir as string))
          if (other.startsWith(prefix) && other.endsWith('.v8') && other !== name)
            unlinkSync(join(dir as string, other));
      } catch {
        // Next run compiles again.
      }
    });
  }
  const module = { exports: {} as T };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(filename), module, filename, dirname(filename));
  return module.exports;
}
