// One built-in engine per machine, however many mirror processes share a models folder (by default
// DATA_DIR/models): the engine holds the weights, so a copy per process would multiply the memory.
// The first process to take the lock `<ENGINE_MODELS_DIR>/.engine/neuronpedia-mirror.lock` (flock:
// the kernel drops it when the owner dies, however it dies) starts the engine server on a loopback
// port and writes its address and secret to `<ENGINE_MODELS_DIR>/.engine/engine.json` (mode 0600).
// Every other process calls that engine. A follower checks the owner's /health every second; when
// it stops answering it tries the lock, and the one that gets it starts a new engine and rewrites
// engine.json (requests in that gap fail over like any host that is down).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import { acquireDataDirLock, DataDirLockedError } from '../../db/data-dir-lock.js';

interface EngineAddress {
  url: string;
  secret: string;
  pid: number;
}

const CHECK_MS = 1000;

export class SharedEngine {
  private address: EngineAddress | undefined;
  private server: FastifyInstance | undefined;
  private release: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  private constructor(
    private readonly config: Config,
    private readonly log: FastifyBaseLogger,
    private readonly dir = join(config.engineModelsDir, '.engine'),
  ) {}

  static async start(config: Config, log: FastifyBaseLogger): Promise<SharedEngine> {
    const shared = new SharedEngine(config, log);
    if (!(await shared.tryToOwn())) await shared.follow();
    shared.timer = setInterval(() => void shared.check(), CHECK_MS).unref();
    return shared;
  }

  get url(): string {
    return this.address?.url ?? 'http://127.0.0.1:1';
  }
  get secret(): string | undefined {
    return this.address?.secret;
  }
  /** Whether this process runs the engine. */
  get owner(): boolean {
    return this.server !== undefined;
  }

  private get file(): string {
    return join(this.dir, 'engine.json');
  }

  /** Takes the lock and starts the engine; false when another live process holds it. */
  private async tryToOwn(): Promise<boolean> {
    mkdirSync(this.dir, { recursive: true });
    try {
      this.release = acquireDataDirLock(this.dir, 'neuronpedia-mirror built-in inference engine');
    } catch (error) {
      if (error instanceof DataDirLockedError) return false;
      throw error;
    }
    // An address left by an owner that died (kill -9 leaves it) must not be read by followers
    // while this process starts the new engine.
    rmSync(this.file, { force: true });
    const secret = randomBytes(24).toString('base64url');
    // Loaded here, not with the server: the engine (onnxruntime and its graphs) is ~0.2 s of a
    // start, and most mirrors run none.
    const { buildEngineServer } = await import('../../engine/server/app.js');
    this.server = await buildEngineServer({
      modelsDir: this.config.engineModelsDir,
      secret,
      threads: this.config.engineThreads,
      memoryMb: this.config.engineMemoryMb,
      logLevel: this.config.logLevel,
    });
    const url = await this.server.listen({ port: 0, host: '127.0.0.1' });
    this.address = { url, secret, pid: process.pid };
    writeFileSync(this.file, JSON.stringify(this.address), { mode: 0o600 });
    this.log.info({ url, modelsDir: this.config.engineModelsDir }, 'built-in inference engine started (this process owns it)');
    return true;
  }

  /**
   * Reads the owner's address; the owner writes it just after taking the lock, so wait briefly for
   * it. `stale`: the address that just stopped answering, never taken again (a new owner may not
   * have replaced the file yet).
   */
  private async follow(stale?: string): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        const address = JSON.parse(readFileSync(this.file, 'utf8')) as EngineAddress;
        if (address.url === stale) throw new Error('the address of the engine that stopped');
        if (address.url !== this.address?.url)
          this.log.info({ url: address.url, pid: address.pid }, 'using the built-in engine of another process');
        this.address = address;
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    this.log.warn({ file: this.file }, 'the built-in engine owner has not written its address yet');
  }

  private async check(): Promise<void> {
    if (this.owner || this.checking) return;
    this.checking = true;
    try {
      const healthy = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(CHECK_MS) }).then(
        (r) => r.ok,
        () => false,
      );
      if (healthy) return;
      if (!(await this.tryToOwn())) await this.follow(this.address?.url);
    } catch (error) {
      this.log.error({ err: error }, 'could not take over the built-in engine');
    } finally {
      this.checking = false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    if (this.server) {
      rmSync(this.file, { force: true });
      await this.server.close();
      this.server = undefined;
    }
    this.release?.();
    this.release = undefined;
  }
}
