/// <reference types="@webgpu/types" />
/**
 * WebGPU device acquisition for the WGSL backend.
 *
 * - Browser (or any runtime with `navigator.gpu`, e.g. Deno): uses `navigator.gpu`.
 * - Node: imports Dawn from the `webgpu` npm package (dynamically, so browser
 *   bundles never see it) and tries, in order:
 *     Linux:        vulkan (core) -> opengles (compatibility) -> opengl (compatibility)
 *     macOS/Windows: platform default backend (core, then compatibility)
 *   On a machine without a GPU the OpenGL ES backend runs on Mesa's llvmpipe
 *   software rasterizer (Debian: libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri,
 *   see .ci/install-gpu-deps.sh). It needs `EGL_PLATFORM=surfaceless`, which is
 *   set in-process (only when unset, and only around adapter discovery), so users
 *   do not have to export it.
 *
 * Environment knobs (Node only):
 *   MATDIFF_GPU_BACKEND=vulkan|opengles|opengl|metal|d3d12|d3d11  force one Dawn backend
 *   MATDIFF_GPU_VERBOSE=1  do not capture/filter Dawn's native stderr during adapter discovery
 *
 * Everything is cached per process; `GpuHandle.destroy()` releases the device and
 * clears the cache (a later `acquireGpu()` creates a fresh one). Dawn's instance
 * objects are deliberately kept alive until exit (see `retained`). Nothing here
 * keeps Node's event loop alive: a script exits normally with or without
 * destroy().
 */

export interface GpuHandle {
  device: GPUDevice;
  /** Human-readable description, e.g. "dawn/opengles (compatibility): llvmpipe-... | OpenGL version OpenGL ES 3.2 Mesa 22.3.6". */
  adapterInfo: string;
  /** The device's limits (requested as the adapter's maxima). */
  limits: Record<string, number>;
  /** Which implementation/backend: "navigator.gpu" or "dawn/<backend>". */
  backend: string;
  /** WebGPU feature level of the adapter. Compatibility mode has extra restrictions (GL backends). */
  featureLevel: 'core' | 'compatibility';
  destroy(): void;
}

export type AcquireResult = { gpu: GpuHandle } | { reason: string };

export type WgslValidation =
  { ok: true } | { ok: false; messages: { line: number; column: number; message: string }[] };

type FeatureLevel = 'core' | 'compatibility';

interface DawnModule {
  create(options: string[]): GPU;
  globals: object;
}

type NodeFs = typeof import('node:fs');

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

function browserGpu(): GPU | undefined {
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------
// Dawn loading (Node)

interface NodeEnv {
  dawn: DawnModule;
  fs: NodeFs;
  tmpdir: string;
  /** false inside worker_threads: there process.env is a per-thread copy and fds opened with fs.open are closed on worker exit. */
  isMainThread: boolean;
}

let dawnPromise: Promise<NodeEnv | { reason: string }> | undefined;

function loadDawn(): Promise<NodeEnv | { reason: string }> {
  dawnPromise ??= (async () => {
    try {
      // Variable specifier keeps bundlers from trying to resolve the native addon.
      const spec = 'webgpu';
      const dawn = (await import(spec)) as DawnModule;
      const fs: NodeFs = await import('node:fs');
      const os = await import('node:os');
      const { isMainThread } = await import('node:worker_threads');
      // Dawn's GPUBufferUsage, GPUMapMode, GPUShaderStage, ... constants; never
      // overwrite anything a polyfill or the runtime already defines.
      const g = globalThis as Record<string, unknown>;
      for (const [k, v] of Object.entries(dawn.globals)) if (!(k in g)) g[k] = v;
      return { dawn, fs, tmpdir: os.tmpdir(), isMainThread };
    } catch (e) {
      // 'webgpu' is an optional peer dependency of matdiff: absent unless the user installed it.
      const missing = (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && /'webgpu'/.test(errorText(e));
      return {
        reason: missing
          ? "the optional package 'webgpu' (Dawn for Node) is not installed; install it beside matdiff with `npm install webgpu`"
          : `cannot load the 'webgpu' package (Dawn for Node): ${errorText(e)}. Install it with \`npm install webgpu\`.`,
      };
    }
  })();
  return dawnPromise;
}

// Dawn's OpenGL (ES) backend prints these on every adapter discovery, from native
// code (dawn::LogMessage → fprintf(stderr)): no instance option or toggle routes them
// (the logging callback exists per device, created after discovery), so they are
// filtered out of the captured output below. Where capture is impossible — fd 2 a
// socket (Node's child_process pipes are socketpairs), or a regular file not opened
// for appending — they still reach stderr: Node has no dup/dup2, so fd 2 cannot be
// moved aside and restored to the same open file description from JavaScript.
// (The Vulkan backend's "Couldn't load Vulkan" is avoided by not asking for Vulkan
// when its loader is not installed: see nodeAttempts.)
const KNOWN_NOISE =
  /^Warning: maxDynamic(?:Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.\s*$/;

let captureCounter = 0;

/**
 * Runs `fn` (synchronously) with file descriptor 2 temporarily pointed at a temp
 * file, so that native output from Dawn/Mesa during adapter discovery can be
 * filtered. Node has no dup/dup2; we rely on POSIX open() returning the lowest
 * free descriptor, after re-opening the original stderr through /proc/self/fd/2
 * (Linux) or /dev/fd/2 (macOS). Only done when fd 2 is a pipe or a terminal:
 * re-opening a regular file would create a second file description with its
 * own offset (`cmd >log 2>&1` would then overwrite lines), and sockets (e.g.
 * vitest's forked workers) cannot be re-opened at all. Never done in a
 * worker thread: Node closes fds opened with fs.open there when the worker
 * exits, which would close the process's stderr. Any step that does not go
 * exactly as expected falls back to running `fn` unwrapped.
 */
function withNativeStderrCaptured<T>(env: NodeEnv, fn: () => T): { value: T; captured: string } {
  const { fs, tmpdir } = env;
  const self =
    process.platform === 'linux' ? '/proc/self/fd/2' : process.platform === 'darwin' ? '/dev/fd/2' : undefined;
  if (!self || !env.isMainThread || process.env.MATDIFF_GPU_VERBOSE) return { value: fn(), captured: '' };
  let saved = -1;
  try {
    fs.fstatSync(0); // fds 0 and 1 must be open, or open() would hand those out instead of 2
    fs.fstatSync(1);
    const st = fs.fstatSync(2);
    if (!st.isFIFO() && !st.isCharacterDevice() && !(st.isFile() && appendOnly(fs)))
      return { value: fn(), captured: '' };
    saved = fs.openSync(self, 'a');
  } catch {
    if (saved >= 0) fs.closeSync(saved);
    return { value: fn(), captured: '' };
  }
  const nonce = Math.random().toString(36).slice(2, 10);
  const tmpPath = `${tmpdir}/matdiff-dawn-stderr-${process.pid}-${captureCounter++}-${nonce}.log`;
  let swapped = false;
  try {
    fs.closeSync(2);
    const fd = fs.openSync(tmpPath, 'wx+', 0o600); // O_EXCL: never follow a planted file/symlink
    if (fd !== 2) {
      // Another thread grabbed fd 2 in between: it is theirs now; give up capturing.
      fs.closeSync(fd);
    } else swapped = true;
  } catch {
    /* fall through: restore below */
  }
  let value: T;
  try {
    value = fn();
  } finally {
    if (swapped) {
      try {
        fs.closeSync(2);
      } catch {
        /* ignore */
      }
    }
    try {
      // Lowest free descriptor is 2 again: re-open the original stderr there.
      const fd = fs.openSync(`${self.slice(0, self.lastIndexOf('/'))}/${saved}`, 'a');
      if (fd !== 2) fs.closeSync(fd);
    } catch {
      /* ignore */
    }
    fs.closeSync(saved);
  }
  let captured = '';
  try {
    if (swapped) captured = fs.readFileSync(tmpPath, 'utf8');
  } catch {
    /* ignore */
  }
  try {
    fs.unlinkSync(tmpPath);
  } catch {
    /* ignore */
  }
  return { value, captured };
}

/**
 * Whether fd 2 is open for appending (`2>>log`), as /proc/self/fdinfo/2 says (Linux):
 * then a description re-opened in append mode writes where the original would, and
 * capturing is safe for a regular file too.
 */
function appendOnly(fs: NodeFs): boolean {
  try {
    const flags = /^flags:\s*([0-7]+)$/m.exec(fs.readFileSync('/proc/self/fdinfo/2', 'utf8'))?.[1];
    return flags !== undefined && (parseInt(flags, 8) & 0o2000) !== 0;
  } catch {
    return false;
  }
}

/** Calls `gpu.requestAdapter` with native stderr captured (adapter enumeration happens synchronously inside the call). */
async function requestAdapterQuietly(
  env: NodeEnv,
  gpu: GPU,
  options: GPURequestAdapterOptions,
): Promise<{ adapter: GPUAdapter | null; log: string }> {
  let { value: pending, captured } = withNativeStderrCaptured(env, () => {
    try {
      return gpu.requestAdapter(options);
    } catch (e) {
      return Promise.reject(e);
    }
  });
  let adapter: GPUAdapter | null;
  try {
    adapter = await pending;
  } catch (e) {
    adapter = null;
    captured += `\n${errorText(e)}`;
  }
  const lines = captured.split('\n').filter((l) => l.trim() !== '' && !KNOWN_NOISE.test(l));
  const log = lines.join('\n');
  // A successful adapter: forward anything unexpected. A failed one: the log goes into the reason.
  if (adapter && log) process.stderr.write(log + '\n');
  return { adapter, log };
}

let eglPlatformSetByUs = false;

/**
 * Mesa's EGL needs EGL_PLATFORM=surfaceless without a display. Setting
 * process.env before create()/requestAdapter() suffices (Node calls setenv(),
 * Mesa reads getenv() during adapter discovery) -- on the main thread. The
 * variable is only set when unset, and removed again afterwards so that child
 * processes do not inherit it.
 */
function withEglSurfaceless<T>(fn: () => Promise<T>): Promise<T> {
  if (process.platform !== 'linux' || process.env.EGL_PLATFORM !== undefined) return fn();
  eglPlatformSetByUs = true;
  process.env.EGL_PLATFORM = 'surfaceless';
  return fn().finally(() => {
    delete process.env.EGL_PLATFORM;
  });
}

function summarizeLog(log: string): string {
  // Drop Dawn's source-location lines ("    at CheckEGL (/home/runner/...)").
  return log
    .split('\n')
    .filter((l) => !/^\s+at .*\(.*:\d+\)\s*$/.test(l))
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

interface Attempt {
  backend?: string;
  featureLevel: FeatureLevel;
}

function nodeAttempts(fs: NodeFs): Attempt[] {
  const forced = process.env.MATDIFF_GPU_BACKEND?.trim().toLowerCase();
  if (forced) {
    return [
      { backend: forced, featureLevel: 'core' },
      { backend: forced, featureLevel: 'compatibility' },
    ];
  }
  if (process.platform === 'linux') {
    return [
      // Without the Vulkan loader Dawn only prints "Couldn't load Vulkan" (from native
      // code, to fd 2): do not ask it.
      ...(vulkanLoaderInstalled(fs) ? [{ backend: 'vulkan', featureLevel: 'core' } as const] : []),
      { backend: 'opengles', featureLevel: 'compatibility' },
      { backend: 'opengl', featureLevel: 'compatibility' },
    ];
  }
  return [{ featureLevel: 'core' }, { featureLevel: 'compatibility' }];
}

/**
 * Whether the dynamic linker can find libvulkan.so.1, which Dawn's Vulkan backend
 * dlopen()s: listed in the linker's cache (/etc/ld.so.cache holds the names as plain
 * strings), or present in LD_LIBRARY_PATH or a standard library directory.
 */
function vulkanLoaderInstalled(fs: NodeFs): boolean {
  const lib = 'libvulkan.so.1';
  try {
    if (fs.readFileSync('/etc/ld.so.cache').includes(lib)) return true;
  } catch {
    /* no cache (musl, or unreadable): look in the directories */
  }
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/local/lib',
    '/usr/lib64',
    '/usr/lib',
    '/lib64',
    '/lib',
    `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
  ];
  return dirs.some((d) => fs.existsSync(`${d}/${lib}`));
}

// ---------------------------------------------------------------------------
// Device creation

function limitsRecord(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  // WebIDL attributes live on the prototype: for..in (not Object.keys) sees them.
  for (const key in limits) {
    const v = (limits as unknown as Record<string, unknown>)[key];
    if (typeof v === 'number') out[key] = v;
  }
  return out;
}

function describeAdapter(adapter: GPUAdapter, backend: string, level: FeatureLevel): string {
  const info = adapter.info;
  const parts = [info?.vendor, info?.architecture, info?.device].filter((s) => s && s.length > 0);
  const head = parts.length > 0 ? parts.join(' ') : 'unknown adapter';
  const desc = info?.description ? ` | ${info.description}` : '';
  return `${backend} (${level}): ${head}${desc}`;
}

let current: Promise<AcquireResult> | undefined;

/**
 * Dawn GPU instances (and adapters) created by this module, kept reachable for
 * the rest of the process. Dawn's AsyncRunner calls Instance::ProcessEvents()
 * from a scheduled callback; if the JS GPU object (and with it the native
 * instance) is collected or finalized while such a callback is pending -- e.g.
 * right after device.destroy(), whose lost-callback is still queued -- the
 * process segfaults/aborts at exit (observed with webgpu@0.6.2). Holding the
 * references does not keep Node's event loop alive.
 */
const retained: unknown[] = [];

async function makeHandle(adapter: GPUAdapter, backend: string, level: FeatureLevel): Promise<GpuHandle> {
  const requiredLimits = limitsRecord(adapter.limits);
  const device = await adapter.requestDevice({ label: 'matdiff', requiredLimits });
  const mine = current;
  let destroyed = false;
  const handle: GpuHandle = {
    device,
    adapterInfo: describeAdapter(adapter, backend, level),
    limits: limitsRecord(device.limits),
    backend,
    featureLevel: level,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      if (mine === current) current = undefined;
      device.destroy();
    },
  };
  void device.lost.then(() => {
    // Lost (not via destroy()): forget it so the next acquireGpu() starts over.
    if (mine === current) current = undefined;
  });
  return handle;
}

async function acquireBrowser(gpu: GPU): Promise<AcquireResult> {
  for (const featureLevel of ['core', 'compatibility'] as const) {
    let adapter: GPUAdapter | null = null;
    try {
      adapter = await gpu.requestAdapter({ featureLevel, powerPreference: 'high-performance' });
    } catch {
      adapter = null;
    }
    if (adapter) {
      try {
        return { gpu: await makeHandle(adapter, 'navigator.gpu', featureLevel) };
      } catch (e) {
        return { reason: `navigator.gpu: requestDevice failed: ${errorText(e)}` };
      }
    }
  }
  return { reason: 'navigator.gpu.requestAdapter() returned no adapter (WebGPU disabled or unsupported GPU)' };
}

async function acquireNode(): Promise<AcquireResult> {
  const loaded = await loadDawn();
  if ('reason' in loaded) return loaded;
  const failures: string[] = [];
  for (const attempt of nodeAttempts(loaded.fs)) {
    const backend = `dawn/${attempt.backend ?? 'default'}`;
    const result = await withEglSurfaceless(async () => {
      let gpu: GPU;
      try {
        gpu = loaded.dawn.create(attempt.backend ? [`backend=${attempt.backend}`] : []);
      } catch (e) {
        return { reason: errorText(e) };
      }
      retained.push(gpu);
      const { adapter, log } = await requestAdapterQuietly(loaded, gpu, {
        featureLevel: attempt.featureLevel,
        powerPreference: 'high-performance',
      });
      if (!adapter)
        return { reason: summarizeLog(log) || 'requestAdapter() returned null (Dawn printed details to stderr)' };
      retained.push(adapter);
      try {
        return { gpu: await makeHandle(adapter, backend, attempt.featureLevel) };
      } catch (e) {
        return { reason: `requestDevice failed: ${errorText(e)}` };
      }
    });
    if ('gpu' in result) return result;
    failures.push(`${backend} (${attempt.featureLevel}): ${result.reason}`);
  }
  let hint =
    process.platform === 'linux'
      ? ' For a software adapter install Mesa EGL/GLES (Debian: libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri; see .ci/install-gpu-deps.sh).'
      : '';
  if (process.platform === 'linux' && !loaded.isMainThread && eglPlatformSetByUs)
    hint +=
      ' Running in a worker thread, where process.env changes do not reach native code: export EGL_PLATFORM=surfaceless before starting Node (or set process.env.EGL_PLATFORM on the main thread).';
  return { reason: `no WebGPU adapter found. ${failures.join('; ')}.${hint}` };
}

/**
 * Acquires a WebGPU device: navigator.gpu in a browser, else Dawn from the
 * `webgpu` package (software OpenGL ES adapter when no GPU). Returns a reason
 * when none is available. Cached per process (failures too).
 */
export function acquireGpu(): Promise<AcquireResult> {
  if (!current) {
    const gpu = browserGpu();
    current = Promise.resolve()
      .then((): Promise<AcquireResult> | AcquireResult =>
        gpu ? acquireBrowser(gpu) : isNode ? acquireNode() : { reason: 'no navigator.gpu and not running under Node' },
      )
      .catch((e: unknown): AcquireResult => ({ reason: `WebGPU initialisation failed: ${errorText(e)}` }));
  }
  return current;
}

// ---------------------------------------------------------------------------
// WGSL validation

let nullDevice: Promise<GPUDevice | { reason: string }> | undefined;

/** Dawn's null backend: Tint front-end validation, no execution. */
function acquireNullDevice(): Promise<GPUDevice | { reason: string }> {
  nullDevice ??= (async () => {
    const loaded = await loadDawn();
    if ('reason' in loaded) return loaded;
    try {
      const gpu = loaded.dawn.create(['backend=null']);
      retained.push(gpu);
      const { adapter, log } = await requestAdapterQuietly(loaded, gpu, {});
      if (!adapter) return { reason: `dawn/null: ${summarizeLog(log) || 'no adapter'}` };
      retained.push(adapter);
      const device = await adapter.requestDevice({ label: 'matdiff-validate' });
      void device.lost.then(() => {
        nullDevice = undefined;
      });
      return device;
    } catch (e) {
      return { reason: `dawn/null: ${errorText(e)}` };
    }
  })();
  return nullDevice;
}

async function validationDevice(): Promise<GPUDevice> {
  const acquired = await acquireGpu();
  if ('gpu' in acquired) return acquired.gpu.device;
  if (!isNode) throw new Error(`validateWgsl: no WebGPU device: ${acquired.reason}`);
  const dev = await acquireNullDevice();
  if ('reason' in dev) throw new Error(`validateWgsl: no WebGPU device: ${acquired.reason}; ${dev.reason}`);
  return dev;
}

/**
 * Compiles `code` with createShaderModule + getCompilationInfo on the acquired
 * device (software one included), falling back to Dawn's null backend. Errors
 * only; warnings/info messages do not make it fail. Line/column are 1-based.
 * Throws only when no device at all can be created.
 */
export async function validateWgsl(code: string): Promise<WgslValidation> {
  const device = await validationDevice();
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code, label: 'matdiff-validate' });
  const [info] = await Promise.all([module.getCompilationInfo(), device.popErrorScope()]);
  const messages = info.messages
    .filter((m) => m.type === 'error')
    .map((m) => ({ line: m.lineNum, column: m.linePos, message: m.message }));
  return messages.length === 0 ? { ok: true } : { ok: false, messages };
}
