import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { inject } from 'vitest';

export interface StackProcess {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with [code, signal] when the stack's process exits. */
  exited: Promise<unknown[]>;
  url: string;
  /** What it printed until it was ready. */
  output: string;
  /** Interrupts the whole process group (the stack, DynamoDB Local's Java with it) and waits for it to end. */
  interrupt(): Promise<void>;
}

/**
 * test/fixtures/crashing-stack.ts in a process group of its own, on `dataDir` and `port`, mailing to
 * this run's SES, with the fixture's settings in `env`; resolves once it serves.
 */
export const startStackProcess = async (dataDir: string, port: string, env: Record<string, string>): Promise<StackProcess> => {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/crashing-stack.ts'], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: port,
      SES_URL: new URL(inject('mailUrl')).origin,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      ...env,
    },
    detached: true,
  });
  // Read, so that a full pipe never holds the stack up.
  child.stderr.resume();
  let out = '';
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready ')) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`the stack exited (${code ?? signal}) before it was ready: ${out}`)));
  });
  return {
    child,
    exited,
    url: `http://127.0.0.1:${port}`,
    output: out,
    async interrupt() {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGINT');
      await exited;
    },
  };
};
