import type { ChildProcess } from 'node:child_process';

/** Processes a spec file starts (portals, proxies), stopped after each test, the newest first. */
export class Processes {
  private started: ChildProcess[] = [];

  /** Keeps `child` to stop later; answers it. */
  add(child: ChildProcess): ChildProcess {
    this.started.push(child);
    return child;
  }

  /** Stops every one still running with `signal`, waiting for each to exit. */
  async stopAll(signal: NodeJS.Signals = 'SIGTERM') {
    for (const child of this.started.reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.on('exit', resolve));
        child.kill(signal);
        await exited;
      }
    }
    this.started = [];
  }
}
